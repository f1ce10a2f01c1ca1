"""``ee-app wave …``: create, open, close and clean up pulse waves, write their personal
links, list them and their participation.

``wave list`` reads with SQLAlchemy Core (:mod:`ee_app.services.waves_read`), so it starts
without the ORM and the models (issue 20).
"""

from __future__ import annotations

import argparse
import sys

from ee_app.choices import WaveMode
from ee_app.cli.common import (
    Context,
    as_option,
    command,
    log_download,
    mode_options,
    out_path,
    parse_day,
    unit_option,
    write_file,
)
from ee_app.config import LANGUAGES
from ee_app.errors import N_, Problem, ValidationError


def _wave_create(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import write_session
    from ee_app.services.waves import create_wave

    ctx.migrate()
    problems: list[Problem] = []
    opens_on = parse_day(args.opens, problems)
    closes_on = parse_day(args.closes, problems)
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

    actor = ctx.acting(args.as_email)
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

    actor = ctx.acting(args.as_email)
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

    path, suffix = out_path(
        args.out,
        _INVITE_FORMATS,
        N_(
            "Cannot write “{suffix}”: use .xlsx (links to send over WeCom/WeChat) or "
            ".html (QR slips to print)."
        ),
    )
    actor = ctx.acting(args.as_email)
    with read_session(ctx.engine) as session:
        links = invitation_links(session, actor, args.wave, ctx.settings, pending_only=args.pending)
        wave = get_wave(session, actor, args.wave)
    language = args.language or wave.language
    render = invitations_xlsx if suffix == ".xlsx" else invitation_slips_html
    data = render(links, wave, language)
    write_file(path, data)
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


def _wave_list(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.services.waves_read import list_waves

    actor = ctx.acting(args.as_email)
    with ctx.engine.connect() as conn:
        rows = list_waves(conn, actor)
    for w in rows:
        print(f"{w.code}\t{w.status}\t{w.mode}\t{w.invited}\t{w.responded}\t{w.name}")
    return 0


def _wave_participation(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import read_session
    from ee_app.models import WaveStatus
    from ee_app.services.wave_participation import participation
    from ee_app.services.waves import get_wave

    actor = ctx.acting(args.as_email)
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


def register(sub: argparse._SubParsersAction) -> None:
    wave = command(sub, "wave", "pulse survey waves and personal links")
    create = wave.add_parser("create", help="create a draft wave for some units")
    create.add_argument("--code", required=True, help="short code, e.g. 2026-11")
    create.add_argument("--name", required=True)
    unit_option(create)
    create.add_argument("--opens", required=True, metavar="YYYY-MM-DD")
    create.add_argument("--closes", required=True, metavar="YYYY-MM-DD")
    mode_options(create)
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
