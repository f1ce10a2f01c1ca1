"""``ee-app import …``: the roster, CSAT, sales and visit files, their history and undo.

Each file is checked whole before anything is written; ``--dry-run`` only counts.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from ee_app.cli.common import Context, as_option, command, read_file, say_import
from ee_app.errors import N_, ValidationError


def _read_input(ctx: Context, args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The file to import, its bytes and the actor: how every import begins, the database
    brought up to date first."""
    ctx.migrate()
    path = Path(args.file)
    data = read_file(path)
    return path, data, ctx.actor(args.as_email)


def _import_roster(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import write_session
    from ee_app.services.roster import import_roster

    path, data, actor = _read_input(ctx, args)
    with write_session(ctx.engine) as session:
        result = import_roster(
            session,
            actor,
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

    path, data, actor = _read_input(ctx, args)
    options: dict[str, Any] = {"dry_run": args.dry_run, "mapping": _mapping(args.map)}
    if args.kind == "csat":
        importer = outcomes_import.import_csat
        options["scale"] = args.scale  # only satisfaction scores have a scale to choose
    else:
        importer = outcomes_import.import_sales
    with write_session(ctx.engine) as session:
        result = importer(session, actor, data, path.name, ctx.settings, **options)
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
    say_import(
        ctx,
        result,
        N_("Nothing new: every row was imported before."),
        N_("Imported as batch {batch}; undo it with: ee-app import undo {batch}"),
    )
    return 0


def _import_visits(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import write_session
    from ee_app.services.visit_import import import_visits

    path, data, actor = _read_input(ctx, args)
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
    say_import(
        ctx,
        result,
        N_("Nothing new: every visit was imported before."),
        N_(
            "Imported as batch {batch}: the visits wait for review. "
            "Undo it with: ee-app import undo {batch}"
        ),
    )
    return 0


def _import_history(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.clock import format_time
    from ee_app.db import read_session
    from ee_app.services.import_batches import import_history, visible_kinds
    from ee_app.services.outcomes_import import KINDS

    actor = ctx.acting(args.as_email)
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
    from ee_app.services.import_batches import undo_batch
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


def register(sub: argparse._SubParsersAction) -> None:
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
