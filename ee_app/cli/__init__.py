"""The ``ee-app`` admin command.

Every sub-command opens the database named by ``EE_DATABASE_URL``, acts through the same
services as the app, and on a user error prints one clear message per problem (row and column
for files) and exits with status 1, leaving the database unchanged. ``--as EMAIL`` makes a
command see only what that user may see; without it the command acts as an administrator,
since whoever runs it already holds the database.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from ee_app.choices import UserRole, WaveMode
from ee_app.config import LANGUAGES, SETTINGS, Settings
from ee_app.errors import N_, EeError, NotFound, Problem, ValidationError
from ee_app.i18n import plural_translator, translator

__all__ = ["Context", "actions_of", "as_option", "command", "log_download", "main"]

Gettext = Callable[[str], str]


class Context:
    def __init__(self, settings: Settings) -> None:
        from ee_app.db import make_engine

        self.settings = settings
        self.gettext: Gettext = translator(settings.lang)
        self.ngettext = plural_translator(settings.lang)
        self.engine = make_engine(settings.database_url)

    def migrate(self, *, always: bool = False) -> None:
        """Bring the database to what commands expect; one query when it already is (issue
        20: running Alembic on every command took seconds). ``always`` runs the full path."""
        from ee_app.services.startup import prepare

        prepare(self.engine, always=always)

    def actor(self, email: str | None):  # type: ignore[no-untyped-def]
        from ee_app.auth import system_actor
        from ee_app.db import read_session
        from ee_app.services.users import actor_for_email

        if not email:
            return system_actor("cli")
        with read_session(self.engine) as session:
            actor = actor_for_email(session, email)
        if actor is None:
            raise NotFound(N_("No active user “{email}”."), email=email)
        return actor

    def say(self, message: str, **params: object) -> None:
        print(self.gettext(message).format(**params))


def _db_upgrade(ctx: Context, _args: argparse.Namespace) -> int:
    ctx.migrate(always=True)
    ctx.say(N_("The database is at the newest schema."))
    return 0


def _demo_load(ctx: Context, args: argparse.Namespace) -> int:
    if args.if_demo_mode:
        from ee_app.config import auth_section_of, loads_demo_when_empty, read_secrets

        if not loads_demo_when_empty(ctx.settings, auth_section_of(read_secrets())):
            ctx.say(
                N_(
                    "Not in demo mode (a sign-in provider is configured in "
                    ".streamlit/secrets.toml, or EE_ENV=production): the demo is not loaded."
                )
            )
            return 0
    ctx.migrate()
    if args.if_empty:
        from ee_app.db import read_session
        from ee_app.services.demo_state import database_is_empty

        with read_session(ctx.engine) as session:
            empty = database_is_empty(session)
        if not empty:
            ctx.say(N_("The database already holds an org tree: the demo is not loaded."))
            return 0
    from ee_app.db import write_session
    from ee_app.services.demo import load_demo

    def progress(fraction: float, step: str) -> None:  # on stderr: stdout keeps the result
        line = ctx.gettext(N_("Loading the demo: {percent}% {step}")).format(
            percent=round(fraction * 100), step=ctx.gettext(step)
        )
        print(line, file=sys.stderr, flush=True)

    with write_session(ctx.engine) as session:
        demo = load_demo(
            session,
            ctx.actor(None),
            seed=args.seed,
            size=args.size,
            production=ctx.settings.production,
            progress=progress,
        )
    ctx.say(
        N_("Loaded the {size} demo: {units} units, {staff} staff, {users} users."),
        size=args.size,
        units=len(demo.chain.units),
        staff=len(demo.chain.staff),
        users=len(demo.chain.users),
    )
    return 0


def _import_roster(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import write_session
    from ee_app.services.roster import import_roster

    ctx.migrate()
    path = Path(args.file)
    data = _read_file(path)
    with write_session(ctx.engine) as session:
        result = import_roster(
            session,
            ctx.actor(args.as_email),
            data,
            path.name,
            dry_run=args.dry_run,
            effective=args.effective,
            settings=ctx.settings,
        )
    ctx.say(
        N_(
            "Checked {rows} rows: {inserted} new, {updated} updated, {moved} moved, "
            "{unchanged} unchanged."
        ),
        rows=result.rows,
        inserted=result.inserted,
        updated=result.updated,
        moved=result.moved,
        unchanged=result.unchanged,
    )
    if result.assessments_assigned:  # issue 19: automatic assignment to new hires
        ctx.say(
            ctx.ngettext(
                "{count} training assessment assigned to new hires.",
                "{count} training assessments assigned to new hires.",
                result.assessments_assigned,
            ),
            count=result.assessments_assigned,
        )
    if result.dry_run:
        ctx.say(N_("Dry run: nothing was written."))
    elif not result.changed:
        ctx.say(N_("Nothing to change: the roster is already up to date."))
    return 0


def _mapping(pairs: list[str]) -> dict[str, str]:
    from ee_app.errors import ValidationError

    mapping = {}
    for pair in pairs:
        field, separator, header = pair.partition("=")
        if not separator or not field.strip() or not header.strip():
            raise ValidationError(N_("--map takes FIELD=HEADER, not “{value}”."), value=pair)
        mapping[field.strip()] = header.strip()
    return mapping


def _import_outcomes(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import write_session
    from ee_app.services import outcomes_import

    ctx.migrate()
    path = Path(args.file)
    data = _read_file(path)
    actor = ctx.actor(args.as_email)
    with write_session(ctx.engine) as session:
        if args.kind == "csat":
            result = outcomes_import.import_csat(
                session,
                actor,
                data,
                path.name,
                ctx.settings,
                dry_run=args.dry_run,
                mapping=_mapping(args.map),
                scale=args.scale,
            )
        else:
            result = outcomes_import.import_sales(
                session,
                actor,
                data,
                path.name,
                ctx.settings,
                dry_run=args.dry_run,
                mapping=_mapping(args.map),
            )
    ctx.say(
        N_("Checked {rows} rows from {first} to {last}: {new} new, {unchanged} already imported."),
        rows=result.rows,
        first=result.first_date,
        last=result.last_date,
        new=result.new,
        unchanged=result.unchanged,
    )
    if result.detected_scale:
        ctx.say(N_("Scores read on the {scale}-point scale."), scale=result.detected_scale)
    if result.dry_run:
        ctx.say(N_("Dry run: nothing was written."))
    elif result.batch_id is None:
        ctx.say(N_("Nothing new: every row was imported before."))
    else:
        ctx.say(
            N_("Imported as batch {batch}; undo it with: ee-app import undo {batch}"),
            batch=result.batch_id,
        )
    return 0


def _import_visits(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import write_session
    from ee_app.services.visit_import import import_visits

    ctx.migrate()
    path = Path(args.file)
    data = _read_file(path)
    actor = ctx.actor(args.as_email)
    with write_session(ctx.engine) as session:
        result = import_visits(session, actor, data, path.name, dry_run=args.dry_run)
    ctx.say(
        N_(
            "Checked {rows} rows: {visits} visits from {first} to {last}, {new} new, "
            "{unchanged} already imported."
        ),
        rows=result.rows,
        visits=result.visits,
        first=result.first_date,
        last=result.last_date,
        new=result.new,
        unchanged=result.unchanged,
    )
    for warning in result.warnings:
        ctx.say(N_("Note: {warning}"), warning=warning.render(ctx.gettext))
    if result.dry_run:
        ctx.say(N_("Dry run: nothing was written."))
    elif result.batch_id is None:
        ctx.say(N_("Nothing new: every visit was imported before."))
    else:
        ctx.say(
            N_(
                "Imported as batch {batch}: the visits wait for review. "
                "Undo it with: ee-app import undo {batch}"
            ),
            batch=result.batch_id,
        )
    return 0


def _import_history(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.clock import format_time
    from ee_app.db import read_session
    from ee_app.services.outcomes_import import KINDS, import_history, visible_kinds

    ctx.migrate()
    actor = ctx.actor(args.as_email)
    with read_session(ctx.engine) as session:
        batches = import_history(session, actor, kinds=visible_kinds(actor) or KINDS)
    for b in batches:
        state = f"undone {format_time(b.undone_at)}" if b.undone_at else "active"
        print(
            f"{b.id}\t{b.kind}\t{format_time(b.created_at)}\t{b.inserted}/{b.rows}\t"
            f"{state}\t{b.actor}\t{b.file_name}"
        )
    return 0


def _import_undo(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import write_session
    from ee_app.services.outcomes_import import undo_batch
    from ee_app.services.visit_import import KIND as VISITS

    ctx.migrate()
    with write_session(ctx.engine) as session:
        batch = undo_batch(session, ctx.actor(args.as_email), args.batch)
    if batch.kind == VISITS:
        message = N_("Undid batch {batch}: its {count} visits were removed.")
    else:
        message = N_("Undid batch {batch}: its {count} rows were removed.")
    ctx.say(message, batch=batch.id, count=batch.inserted)
    return 0


def _read_file(path: Path) -> bytes:
    from ee_app.errors import ImportRejected
    from ee_app.imports.tabular import check_size

    try:
        check_size(path.stat().st_size)  # before reading a file of gigabytes into memory
        return path.read_bytes()
    except OSError as exc:
        raise ImportRejected(
            N_("Cannot read {path}: {reason}"), path=str(path), reason=exc.strerror or str(exc)
        ) from exc


def _users_add(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import write_session
    from ee_app.services.users import save_user

    ctx.migrate()
    with write_session(ctx.engine) as session:
        user = save_user(
            session,
            ctx.actor(args.as_email),
            args.email,
            role=UserRole(args.role),
            name=args.name or "",
            unit_codes=args.unit or (),
        )
    ctx.say(N_("Saved {email} as {role}."), email=user.email, role=user.role.value)
    return 0


def _users_list(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import read_session
    from ee_app.services.users import list_users

    ctx.migrate()
    with read_session(ctx.engine) as session:
        for user in list_users(session, ctx.actor(args.as_email)):
            state = "" if user.active else " (inactive)"
            units = ",".join(user.unit_codes) or "-"
            print(f"{user.email}\t{user.role.value}\t{units}\t{user.name}{state}")
    return 0


def _staff_list(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import read_session
    from ee_app.services.org import get_unit, list_staff

    ctx.migrate()
    actor = ctx.actor(args.as_email)
    with read_session(ctx.engine) as session:
        unit_id = get_unit(session, actor, args.unit).id if args.unit else None
        rows = list_staff(session, actor, unit_id=unit_id, search=args.search or "")
    for row in rows:
        print(f"{row.employee_no}\t{row.name}\t{row.role.value}\t{row.store_code}\t{row.unit_code}")
    return 0


def _parse_day(value: str, problems: list[Problem]) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(
            Problem(N_("“{value}” is not a date; write it as 2026-03-05"), {"value": value})
        )
        return None


def _wave_create(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import write_session
    from ee_app.services.waves import create_wave

    ctx.migrate()
    problems: list[Problem] = []
    opens_on = _parse_day(args.opens, problems)
    closes_on = _parse_day(args.closes, problems)
    if opens_on is None or closes_on is None:
        raise ValidationError(N_("The wave was not created."), problems)
    actor = ctx.actor(args.as_email)
    with write_session(ctx.engine) as session:
        wave = create_wave(
            session,
            actor,
            code=args.code,
            name=args.name,
            unit_codes=args.unit,
            opens_on=opens_on,
            closes_on=closes_on,
            mode=WaveMode(args.mode),
            k=args.k,
            k_comments=args.k_comments,
            language=args.language or ctx.settings.lang,
        )
    ctx.say(
        N_("Created wave {code} ({mode}, k = {k}) for {units}, {opens} to {closes}: a draft."),
        code=wave.code,
        mode=wave.mode.value,
        k=wave.k,
        units=", ".join(wave.unit_codes),
        opens=wave.opens_on.isoformat(),
        closes=wave.closes_on.isoformat(),
    )
    ctx.say(N_("Open it with: ee-app wave open {code}"), code=wave.code)
    return 0


def _wave_open(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import write_session
    from ee_app.services.waves import open_wave

    ctx.migrate()
    actor = ctx.actor(args.as_email)
    from ee_app.cli.schedule import print_overlaps

    print_overlaps(ctx, actor, args.wave)  # a warning; the wave opens all the same
    with write_session(ctx.engine) as session:
        wave = open_wave(session, actor, args.wave, ctx.settings)
    ctx.say(
        N_("Opened wave {code}: {invited} personal links issued."),
        code=wave.code,
        invited=wave.invited,
    )
    ctx.say(N_("Hand them out with: ee-app wave invite {code} --out FILE.xlsx"), code=wave.code)
    return 0


def _wave_close(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import write_session
    from ee_app.services.waves import close_wave

    ctx.migrate()
    actor = ctx.actor(args.as_email)
    with write_session(ctx.engine) as session:
        wave = close_wave(session, actor, args.wave, ctx.settings)
    ctx.say(
        N_("Closed wave {code}: {responded} of {invited} answered."),
        code=wave.code,
        responded=wave.responded,
        invited=wave.invited,
    )
    return _clean_up(ctx, actor, wave.code, args.timeout)


def _wave_cleanup(ctx: Context, args: argparse.Namespace) -> int:
    ctx.migrate()
    return _clean_up(ctx, ctx.actor(args.as_email), args.wave, args.timeout)


def _clean_up(ctx: Context, actor, code: str, timeout: float) -> int:  # type: ignore[no-untyped-def]
    """The clean-up after closing, told truthfully: exit 1 unless it was verified."""
    from ee_app.services.cleanup import clean_up_after_close

    result = clean_up_after_close(ctx.engine, actor, code, timeout=timeout)
    if result.verified:
        print(result.render(ctx.gettext))
        return 0
    print(result.render(ctx.gettext), file=sys.stderr)
    return 1


_INVITE_FORMATS = (".xlsx", ".html")


def _wave_invite(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import read_session
    from ee_app.exports.invitations import invitation_slips_html, invitations_xlsx
    from ee_app.services.waves import get_wave, invitation_links

    path = Path(args.out)
    suffix = path.suffix.lower()
    if suffix not in _INVITE_FORMATS:
        raise ValidationError(
            N_(
                "Cannot write “{suffix}”: use .xlsx (links to send over WeCom/WeChat) or "
                ".html (QR slips to print)."
            ),
            suffix=path.suffix or path.name,
        )
    ctx.migrate()
    actor = ctx.actor(args.as_email)
    with read_session(ctx.engine) as session:
        links = invitation_links(session, actor, args.wave, ctx.settings, pending_only=args.pending)
        wave = get_wave(session, actor, args.wave)
    language = args.language or wave.language
    render = invitations_xlsx if suffix == ".xlsx" else invitation_slips_html
    data = render(links, wave, language)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise ValidationError(
            N_("Cannot write {path}: {reason}"), path=str(path), reason=exc.strerror or str(exc)
        ) from exc
    log_download(
        ctx,
        actor,
        "reminders" if args.pending else ("links" if suffix == ".xlsx" else "slips"),
        wave.code,
        len(links),
    )
    if args.pending:
        ctx.say(
            N_("Wrote {count} personal links of people who have not answered yet to {path}."),
            count=len(links),
            path=str(path),
        )
    else:
        ctx.say(N_("Wrote {count} personal links to {path}."), count=len(links), path=str(path))
    ctx.say(N_("Keep the file private: anyone holding a link can answer in that person's place."))
    return 0


def log_download(ctx: Context, actor, kind: str, object_id: object, rows: int, **detail) -> None:  # type: ignore[no-untyped-def]
    """An audit entry for a file the command wrote (ee_app.services.audit.record_download)."""
    from ee_app.db import write_session
    from ee_app.services.audit import record_download

    with write_session(ctx.engine) as session:
        record_download(session, actor, kind, object_id, rows=rows, **detail)


def _wave_list(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import read_session
    from ee_app.services.waves import list_waves

    ctx.migrate()
    actor = ctx.actor(args.as_email)
    with read_session(ctx.engine) as session:
        rows = list_waves(session, actor)
    for w in rows:
        print(f"{w.code}\t{w.status.value}\t{w.mode.value}\t{w.invited}\t{w.responded}\t{w.name}")
    return 0


def _wave_participation(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import read_session
    from ee_app.models import WaveStatus
    from ee_app.services.waves import get_wave, participation

    ctx.migrate()
    actor = ctx.actor(args.as_email)
    with read_session(ctx.engine) as session:
        wave = get_wave(session, actor, args.wave)
        rows = participation(session, actor, wave.code)
    if wave.status is WaveStatus.DRAFT:
        ctx.say(N_("Wave {code} is a draft: nobody is invited yet."), code=wave.code)
        return 0
    hidden = ctx.gettext(N_("hidden: fewer than {k}, or protecting a smaller group")).format(
        k=wave.k
    )
    top = min((r.depth for r in rows), default=0)
    for r in rows:
        indent = "  " * (r.depth - top)
        if r.hidden or r.rate is None:
            counts = hidden  # nothing about a hidden unit is printed, not even its size
        else:
            counts = f"{r.invited}\t{r.responded}\t{r.rate:.0%}"
        print(f"{indent}{r.code}\t{r.name}\t{counts}")
    return 0


_REPORT_FORMATS = (".xlsx", ".csv")


def _parse_filter(text: str | None) -> tuple[str | None, str | None]:
    """``role=beautician`` → ("role", "beautician"); the service checks the rest."""
    from ee_app.models import StaffRole, TenureBand

    if text is None:
        return None, None
    key, sep, value = (part.strip() for part in text.partition("="))
    if not sep or not key or not value:
        raise ValidationError(
            N_("Write the filter as role=VALUE or band=VALUE, not “{text}”."), text=text
        )
    choices = {"role": StaffRole, "band": TenureBand}.get(key)
    if choices is not None and value not in {c.value for c in choices}:
        raise ValidationError(
            N_("Unknown {key} “{value}”: use one of {choices}."),
            key=key,
            value=value,
            choices=", ".join(c.value for c in choices),
        )
    return key, value


def _report_engagement(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import read_session
    from ee_app.exports.engagement import engagement_csv, engagement_xlsx
    from ee_app.models import UnitLevel
    from ee_app.services.results import engagement_view

    path = Path(args.out)
    suffix = path.suffix.lower()
    if suffix not in _REPORT_FORMATS:
        raise ValidationError(
            N_(
                "Cannot write “{suffix}”: use .xlsx (results, themes and how to read them) or "
                ".csv (the results table)."
            ),
            suffix=path.suffix or path.name,
        )
    dim, value = _parse_filter(args.filter)
    ctx.migrate()
    actor = ctx.actor(args.as_email)
    with read_session(ctx.engine) as session:
        view = engagement_view(
            session, actor, args.wave, level=UnitLevel(args.by), dim=dim, value=value
        )
    language = args.language or ctx.settings.lang
    if suffix == ".xlsx":
        data = engagement_xlsx(view, language, date.today())
    else:
        data = engagement_csv(view, language)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise ValidationError(
            N_("Cannot write {path}: {reason}"), path=str(path), reason=exc.strerror or str(exc)
        ) from exc
    log_download(
        ctx,
        actor,
        "results",
        view.wave_code,
        len(view.rows),
        format=suffix.lstrip("."),
        level=view.level.value,
        **({"filter": f"{view.dim}={view.value}"} if view.dim else {}),
    )
    hidden = int(view.rows["hidden"].sum()) if len(view.rows) else 0
    ctx.say(N_("Wrote the results of wave {code} to {path}."), code=view.wave_code, path=str(path))
    print(
        ctx.ngettext(
            "{count} unit; hidden: {hidden} (fewer than {k}, or protecting a smaller group).",
            "{count} units; hidden: {hidden} (fewer than {k}, or protecting a smaller group).",
            len(view.rows),
        ).format(count=len(view.rows), hidden=hidden, k=view.k)
    )
    compared = view.rows["previous_wave"].value_counts() if len(view.rows) else None
    if compared is None or compared.empty:
        ctx.say(N_("Change: no earlier closed wave of the same kind asked these units."))
    for code, units in compared.items() if compared is not None else ():
        print(
            ctx.ngettext(
                "Change since wave {code}: {count} unit.",
                "Change since wave {code}: {count} units.",
                int(units),
            ).format(code=code, count=int(units))
        )
    own = view.own.drop_duplicates("slot") if len(view.own) else view.own
    if len(own):
        hidden_own = int(view.own["hidden"].astype(bool).sum())
        print(
            ctx.ngettext(
                "{count} own question, in the file; hidden: {hidden} unit figures "
                "(fewer than {k} answers).",
                "{count} own questions, in the file; hidden: {hidden} unit figures "
                "(fewer than {k} answers).",
                len(own),
            ).format(count=len(own), hidden=hidden_own, k=view.k)
        )
    return 0


_URL_PASSWORD = re.compile(r"^(?P<start>[\w+.-]+://[^:@/]*:)(?P<password>.*)@(?P<host>[^@]*)$")
_QUERY_PASSWORD = re.compile(r"(?P<start>[?&]password=)[^&]*", re.IGNORECASE)


def _masked_url(url: str) -> str:
    """A database URL with its password shown as ``***``: ``user:***@host``, and a
    ``password=`` query parameter too. Read on the text itself, up to the last ``@``, so
    a password holding ``@``, ``:`` or ``/`` is masked whole."""
    url = _URL_PASSWORD.sub(r"\g<start>***@\g<host>", url)
    return _QUERY_PASSWORD.sub(r"\g<start>***", url)


def _config_show(_ctx: Context | None, _args: argparse.Namespace) -> int:
    import os

    for setting in SETTINGS:
        value = os.environ.get(setting.name, "") or setting.default
        if setting.secret and value:
            value = "(set, not shown)"
        elif setting.name == "EE_DATABASE_URL":
            value = _masked_url(value)
        print(f"{setting.name}={value}\n    {setting.help}")
    return 0


def _visit_list(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import read_session
    from ee_app.models import VisitStatus
    from ee_app.services.visits import list_visits

    ctx.migrate()
    actor = ctx.actor(args.as_email)
    statuses = [VisitStatus(args.status)] if args.status else None
    with read_session(ctx.engine) as session:
        visits = list_visits(session, actor, statuses=statuses)
    for visit in visits:
        score = "" if visit.score is None else f"{visit.score}%"
        print(
            "\t".join(
                [
                    str(visit.id),
                    visit.status.value,
                    visit.store_code,
                    f"{visit.template_key} v{visit.template_version}",
                    f"{visit.window_start}..{visit.window_end}",
                    str(visit.visited_on or ""),
                    score,
                ]
            )
        )
    return 0


def _visit_report(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import read_session
    from ee_app.exports.visit_report import visit_report_xlsx
    from ee_app.services.visits import get_visit

    path = Path(args.out)
    if path.suffix.lower() != ".xlsx":
        raise ValidationError(N_("A visit report is an Excel file: name it FILE.xlsx."))
    ctx.migrate()
    actor = ctx.actor(args.as_email)
    with read_session(ctx.engine) as session:
        visit = get_visit(session, actor, args.visit)
    data = visit_report_xlsx(visit, args.language or ctx.settings.lang)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise ValidationError(
            N_("Cannot write {path}: {reason}"), path=str(path), reason=exc.strerror or str(exc)
        ) from exc
    ctx.say(N_("Wrote the report of visit {visit} to {path}."), visit=visit.id, path=str(path))
    return 0


def _scheme_id(session, scheme: str) -> int:  # type: ignore[no-untyped-def]
    """A scheme named "KEY" (its newest version), "KEY v2" or "KEY@2"."""
    from sqlalchemy import select

    from ee_app.models import IncentiveScheme

    key, _sep, version = scheme.replace("@", " v").partition(" v")
    stmt = select(IncentiveScheme).where(IncentiveScheme.key == key.strip())
    if version.strip():
        if not version.strip().isdigit():
            raise ValidationError(
                N_("Name a scheme as KEY, KEY v2 or KEY@2, not “{value}”."), value=scheme
            )
        stmt = stmt.where(IncentiveScheme.version == int(version))
    row = session.scalars(stmt.order_by(IncentiveScheme.version.desc())).first()
    if row is None:
        raise NotFound(N_("No incentive scheme “{value}”."), value=scheme)
    return row.id


def _write_payroll(ctx: Context, actor, run_id: int, out: str, language: str | None) -> None:  # type: ignore[no-untyped-def]
    from ee_app.db import read_session
    from ee_app.exports.payroll import payroll_xlsx
    from ee_app.services.incentives import run_view

    path = Path(out)
    if path.suffix.lower() != ".xlsx":
        raise ValidationError(N_("A payroll workbook is an Excel file: name it FILE.xlsx."))
    with read_session(ctx.engine) as session:
        view = run_view(session, actor, run_id)
    try:
        path.write_bytes(payroll_xlsx(view, language or ctx.settings.lang))
    except OSError as exc:
        raise ValidationError(
            N_("Cannot write {path}: {reason}"), path=str(path), reason=exc.strerror or str(exc)
        ) from exc
    log_download(ctx, actor, "payroll", run_id, len(view.lines), period=view.run.period)


def _incentives_run(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import read_session, write_session
    from ee_app.services.incentives import create_run

    ctx.migrate()
    actor = ctx.actor(args.as_email)
    with read_session(ctx.engine) as session:
        scheme_id = _scheme_id(session, args.scheme)
    with write_session(ctx.engine) as session:
        run = create_run(
            session,
            actor,
            scheme_id,
            args.period,
            corrects=args.corrects,
            csat_months=args.csat_months,
        )
        run_id, total, lines = run.id, run.total, run.lines
    if args.out:
        _write_payroll(ctx, actor, run_id, args.out, args.language)
    ctx.say(
        N_(
            "Run {run} for {period}: {lines} staff, {total} CNY. A second person approves "
            "it with: ee-app incentives approve {run} --as EMAIL"
        ),
        run=run_id,
        period=args.period,
        lines=lines,
        total=f"{total:,.2f}",
    )
    return 0


def _incentives_approve(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import write_session
    from ee_app.services.calibration import WarningsNotAcknowledged, acknowledged_warnings
    from ee_app.services.incentives import approve_run
    from ee_app.ui.labels import component_labels

    if not args.as_email:  # the shell's own actor could be whoever prepared the run
        raise ValidationError(
            N_(
                "Approving needs the approver's name, someone other than who prepared the "
                "run (four eyes): ee-app incentives approve {run} --as EMAIL"
            ),
            run=args.run,
        )
    ctx.migrate()
    actor = ctx.actor(args.as_email)
    try:
        with write_session(ctx.engine) as session:
            run = approve_run(session, actor, args.run, acknowledge=args.acknowledge)
            run_id = run.id
            acknowledged = acknowledged_warnings(run.calibration)
    except WarningsNotAcknowledged as exc:  # the warnings, then how to acknowledge them
        names = component_labels(exc.components, ctx.gettext)
        for warning in exc.warnings:
            text = warning.render(ctx.gettext, names)
            print(ctx.gettext(N_("Calibration warning: {warning}")).format(warning=text))
        print(exc.render(ctx.gettext), file=sys.stderr)
        print(
            ctx.gettext(N_("To approve it anyway, acknowledge them in your name: --acknowledge")),
            file=sys.stderr,
        )
        return 1
    for warning in acknowledged:
        ctx.say(N_("Acknowledged: {warning}"), warning=warning.render(ctx.gettext))
    if args.out:
        _write_payroll(ctx, actor, run_id, args.out, args.language)
    ctx.say(N_("Run {run} approved and locked."), run=run_id)
    return 0


def _incentives_export(ctx: Context, args: argparse.Namespace) -> int:
    ctx.migrate()
    _write_payroll(ctx, ctx.actor(args.as_email), args.run, args.out, args.language)
    ctx.say(N_("Wrote the payroll workbook of run {run} to {path}."), run=args.run, path=args.out)
    return 0


def _incentives_list(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import read_session
    from ee_app.services.incentives import list_runs

    ctx.migrate()
    with read_session(ctx.engine) as session:
        for run in list_runs(session, ctx.actor(args.as_email)):
            print(
                "\t".join(
                    [
                        str(run.id),
                        run.period,
                        run.status.value,
                        str(run.lines),
                        f"{run.total:.2f}",
                        run.created_by,
                        run.approved_by,
                    ]
                )
            )
    return 0


def _backup(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.backup import backup

    size = backup(ctx.engine, Path(args.out))
    ctx.say(
        N_("Backed up the database to {path} ({size} MB)."),
        path=args.out,
        size=round(size / 2**20, 1),
    )
    return 0


def _restore(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.backup import restore

    restore(ctx.engine, Path(args.file), force=args.force)
    ctx.migrate()  # a backup from an older version is brought to the newest schema
    ctx.say(N_("Restored the database from {path}."), path=args.file)
    return 0


def command(
    parent: argparse._SubParsersAction, name: str, help_: str
) -> argparse._SubParsersAction:
    """A command group (``ee-app NAME ACTION``) under ``parent``."""
    group = parent.add_parser(name, help=help_)
    return group.add_subparsers(dest=f"{name}_command", required=True, metavar="ACTION")


def actions_of(sub: argparse._SubParsersAction, name: str) -> argparse._SubParsersAction:
    """The sub-parsers of the existing command group ``name`` (e.g. ``"wave"``), so a module
    under ``ee_app/cli/`` can add actions to it."""
    group = sub.choices[name]
    for action in group._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise KeyError(name)


def as_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as", dest="as_email", metavar="EMAIL", help="act as this app user")


#: Command groups that live in their own module under ``ee_app/cli/``: each has a
#: ``register(sub)`` that adds its parsers to the top-level sub-parsers.
_GROUPS: tuple[str, ...] = (
    "retention",
    "wave_people",
    "audit",
    "schedule",
    "remind",
    "comments",
    "question_bank",
    "training",
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ee-app",
        description="Administer ee-app: database, demo data, imports, users, surveys, results.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = command(sub, "db", "database schema")
    db.add_parser("upgrade", help="create or migrate the schema").set_defaults(fn=_db_upgrade)

    demo = command(sub, "demo", "demo data")
    load = demo.add_parser("load", help="load the demo chain into an empty database")
    load.add_argument("--seed", type=int, default=7)
    load.add_argument("--size", choices=("small", "chain"), default="small")
    load.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing (and succeed) when the database already holds an org tree",
    )
    load.add_argument(
        "--if-demo-mode",
        action="store_true",
        help="do nothing when the app would not be in demo mode: a sign-in provider in "
        ".streamlit/secrets.toml, or EE_ENV=production (scripts/run passes both flags)",
    )
    load.set_defaults(fn=_demo_load)

    imp = command(sub, "import", "import files")
    roster = imp.add_parser("roster", help="import the staff roster (.xlsx or .csv)")
    roster.add_argument("file")
    roster.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    roster.add_argument(
        "--effective",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="the day moves take effect (default: today)",
    )
    as_option(roster)
    roster.set_defaults(fn=_import_roster)

    for kind, help_ in (
        ("csat", "import satisfaction answers from the CRM (.xlsx or .csv)"),
        ("transactions", "import sales from the POS (.xlsx or .csv)"),
    ):
        outcome = imp.add_parser(kind, help=help_)
        outcome.add_argument("file")
        outcome.add_argument(
            "--dry-run", action="store_true", help="check and count, write nothing"
        )
        outcome.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=HEADER",
            help="read FIELD from the column headed HEADER (e.g. source_id=ID)",
        )
        if kind == "csat":
            outcome.add_argument(
                "--scale",
                type=int,
                choices=(5, 10),
                help=(
                    "the scale of scores without a Scale column (default: 5 when every score "
                    "is 1-5, 10 when none is; a file with both needs --scale)"
                ),
            )
        as_option(outcome)
        outcome.set_defaults(fn=_import_outcomes, kind=kind)
    visits = imp.add_parser(
        "visits", help="import mystery-shopper visits delivered by an agency (.xlsx or .csv)"
    )
    visits.add_argument("file")
    visits.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    as_option(visits)
    visits.set_defaults(fn=_import_visits)
    history = imp.add_parser("history", help="list CSAT, sales and visit import batches")
    as_option(history)
    history.set_defaults(fn=_import_history)
    undo = imp.add_parser("undo", help="remove everything one CSAT, sales or visits batch added")
    undo.add_argument("batch", type=int)
    as_option(undo)
    undo.set_defaults(fn=_import_undo)

    users = command(sub, "users", "app users and their roles")
    add = users.add_parser("add", help="create or update a user")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=[r.value for r in UserRole])
    add.add_argument("--name")
    add.add_argument("--unit", action="append", metavar="CODE", help="unit in a manager's scope")
    as_option(add)
    add.set_defaults(fn=_users_add)
    ls = users.add_parser("list", help="list users")
    as_option(ls)
    ls.set_defaults(fn=_users_list)

    staff = command(sub, "staff", "the roster")
    staff_ls = staff.add_parser("list", help="list current staff in scope")
    staff_ls.add_argument("--unit", metavar="CODE")
    staff_ls.add_argument("--search")
    as_option(staff_ls)
    staff_ls.set_defaults(fn=_staff_list)

    wave = command(sub, "wave", "pulse survey waves and personal links")
    create = wave.add_parser("create", help="create a draft wave for some units")
    create.add_argument("--code", required=True, help="short code, e.g. 2026-11")
    create.add_argument("--name", required=True)
    create.add_argument(
        "--unit",
        action="append",
        required=True,
        metavar="CODE",
        help="audience unit (with everything beneath it); repeat for more",
    )
    create.add_argument("--opens", required=True, metavar="YYYY-MM-DD")
    create.add_argument("--closes", required=True, metavar="YYYY-MM-DD")
    create.add_argument(
        "--mode", choices=[m.value for m in WaveMode], default=WaveMode.ANONYMOUS.value
    )
    create.add_argument("--k", type=int, default=5, metavar="N", help="anonymity threshold")
    create.add_argument(
        "--k-comments", type=int, default=None, metavar="N", help="comment threshold (default k)"
    )
    create.add_argument(
        "--language", choices=LANGUAGES, help="language of the survey (default: EE_LANG)"
    )
    as_option(create)
    create.set_defaults(fn=_wave_create)
    for action, fn, help_ in (
        ("open", _wave_open, "open a draft wave: issue one personal link per person"),
        ("close", _wave_close, "close an open wave, then clean up and verify"),
        ("cleanup", _wave_cleanup, "retry the clean-up of a closed wave whose clean-up failed"),
    ):
        p = wave.add_parser(action, help=help_)
        p.add_argument("wave", metavar="WAVE", help="the wave's code")
        if action != "open":
            p.add_argument(
                "--timeout",
                type=float,
                default=10.0,
                metavar="SECONDS",
                help="how long the clean-up waits for other connections (default 10)",
            )
        as_option(p)
        p.set_defaults(fn=fn)
    invite = wave.add_parser("invite", help="write the personal links (.xlsx) or QR slips (.html)")
    invite.add_argument("wave", metavar="WAVE", help="the wave's code")
    invite.add_argument("--out", required=True, metavar="FILE.xlsx|FILE.html")
    invite.add_argument(
        "--pending", action="store_true", help="only people who have not answered (reminders)"
    )
    invite.add_argument(
        "--language", choices=LANGUAGES, help="language of the file (default: the wave's)"
    )
    as_option(invite)
    invite.set_defaults(fn=_wave_invite)
    wave_ls = wave.add_parser("list", help="list waves with their participation")
    as_option(wave_ls)
    wave_ls.set_defaults(fn=_wave_list)
    part = wave.add_parser("participation", help="invited and answered per unit in scope")
    part.add_argument("wave", metavar="WAVE", help="the wave's code")
    as_option(part)
    part.set_defaults(fn=_wave_participation)

    report = command(sub, "report", "results of closed survey waves")
    engagement = report.add_parser(
        "engagement", help="engagement results per unit as .xlsx or .csv, as the app shows them"
    )
    engagement.add_argument("--wave", required=True, metavar="WAVE", help="a closed wave's code")
    engagement.add_argument(
        "--by", required=True, choices=("region", "store", "team"), help="one row per unit of"
    )
    engagement.add_argument(
        "--filter",
        metavar="KEY=VALUE",
        help="role=VALUE or band=VALUE, with --by store only (e.g. role=beautician)",
    )
    engagement.add_argument(
        "--language", choices=LANGUAGES, help="language of the file (default: EE_LANG)"
    )
    engagement.add_argument("--out", required=True, metavar="FILE.xlsx|FILE.csv")
    as_option(engagement)
    engagement.set_defaults(fn=_report_engagement)

    visit = command(sub, "visit", "mystery-shopper visits")
    visit_ls = visit.add_parser("list", help="visits you may see, newest window first")
    visit_ls.add_argument(
        "--status",
        choices=("draft", "submitted", "approved", "rejected", "cancelled"),
        help="only visits in this status",
    )
    as_option(visit_ls)
    visit_ls.set_defaults(fn=_visit_list)
    visit_report = visit.add_parser("report", help="one visit's report as .xlsx")
    visit_report.add_argument("visit", type=int, metavar="VISIT", help="the visit's number")
    visit_report.add_argument(
        "--language", choices=LANGUAGES, help="language of the file (default: EE_LANG)"
    )
    visit_report.add_argument("--out", required=True, metavar="FILE.xlsx")
    as_option(visit_report)
    visit_report.set_defaults(fn=_visit_report)

    incentives = command(sub, "incentives", "performance pay runs and payroll workbooks")
    inc_run = incentives.add_parser(
        "run", help="compute a month under a scheme (a draft to approve)"
    )
    inc_run.add_argument(
        "--scheme", required=True, metavar="SCHEME", help="KEY (newest version), KEY v2 or KEY@2"
    )
    inc_run.add_argument("--period", required=True, metavar="YYYY-MM")
    inc_run.add_argument(
        "--corrects", type=int, metavar="RUN", help="an approved run this one corrects"
    )
    inc_run.add_argument(
        "--csat-months",
        type=int,
        choices=(1, 3, 6),
        metavar="1|3|6",
        help="per-staff CSAT over this many months ending with the period (default 3; a "
        "correction keeps its run's)",
    )
    inc_run.add_argument("--out", metavar="FILE.xlsx", help="also write the (draft) workbook")
    inc_run.add_argument(
        "--language", choices=LANGUAGES, help="language of the file (default: EE_LANG)"
    )
    as_option(inc_run)
    inc_run.set_defaults(fn=_incentives_run)
    inc_approve = incentives.add_parser("approve", help="approve a draft run (not its author)")
    inc_approve.add_argument("run", type=int, metavar="RUN")
    inc_approve.add_argument("--out", metavar="FILE.xlsx", help="also write the payroll workbook")
    inc_approve.add_argument("--language", choices=LANGUAGES)
    inc_approve.add_argument(
        "--acknowledge",
        action="store_true",
        help="acknowledge the run's calibration warnings in your name (needed when it has any)",
    )
    as_option(inc_approve)
    inc_approve.set_defaults(fn=_incentives_approve)
    inc_export = incentives.add_parser("export", help="write a run's payroll workbook")
    inc_export.add_argument("run", type=int, metavar="RUN")
    inc_export.add_argument("--out", required=True, metavar="FILE.xlsx")
    inc_export.add_argument("--language", choices=LANGUAGES)
    as_option(inc_export)
    inc_export.set_defaults(fn=_incentives_export)
    inc_list = incentives.add_parser("list", help="runs, newest first")
    as_option(inc_list)
    inc_list.set_defaults(fn=_incentives_list)

    backup = sub.add_parser("backup", help="copy the SQLite database while the app runs")
    backup.add_argument("--out", required=True, metavar="FILE")
    backup.set_defaults(fn=_backup)
    restore = sub.add_parser("restore", help="replace the SQLite database with a backup")
    restore.add_argument("file", metavar="FILE")
    restore.add_argument("--force", action="store_true", help="replace a database that holds data")
    restore.set_defaults(fn=_restore)

    config = command(sub, "config", "settings")
    config.add_parser("show", help="print the settings and their help").set_defaults(
        fn=_config_show, no_db=True
    )
    for name in _GROUPS:
        importlib.import_module(f"ee_app.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    gettext: Gettext = translator("en")
    ctx: Context | None = None
    try:
        settings = Settings.from_env()
        gettext = translator(settings.lang)
        ctx = None if getattr(args, "no_db", False) else Context(settings)
        return args.fn(ctx, args)
    except EeError as exc:
        print(exc.render(gettext), file=sys.stderr)
        return 1
    finally:
        if ctx is not None:
            ctx.engine.dispose()
