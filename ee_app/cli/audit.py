"""``ee-app audit list``: the audit log with the filters of the audit page, printed or
written to a file (.xlsx or .csv; writing a file is itself logged)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ee_app.cli.common import Context, as_option, command, parse_day, write_file
from ee_app.errors import N_, Problem, ValidationError

_FORMATS = (".xlsx", ".csv")


def _list(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import read_session, write_session
    from ee_app.exports.audit import audit_csv, audit_rows, audit_xlsx
    from ee_app.services.audit import AuditFilter, export_entries, list_entries

    problems: list[Problem] = []
    since, until = parse_day(args.since, problems), parse_day(args.until, problems)
    if problems:
        raise ValidationError(N_("The dates are not valid."), problems)
    path = Path(args.out) if args.out else None
    if path is not None and path.suffix.lower() not in _FORMATS:
        raise ValidationError(
            N_("Cannot write “{suffix}”: use .xlsx or .csv."), suffix=path.suffix or path.name
        )
    filters = AuditFilter(who=args.who, actions=tuple(args.action or ()), since=since, until=until)
    actor = ctx.acting(args.as_email)
    language = args.language or ctx.settings.lang
    if path is None:
        with read_session(ctx.engine) as session:
            page = list_entries(session, actor, filters, limit=args.limit)
        for row in audit_rows(page.entries, ctx.gettext):
            print("\t".join(row))
        ctx.say(
            ctx.ngettext(
                "Showing {shown} of {count} entry.",
                "Showing {shown} of {count} entries.",
                page.total,
            ),
            shown=len(page.entries),
            count=page.total,
        )
        return 0
    suffix = path.suffix.lower().lstrip(".")
    with write_session(ctx.engine) as session:
        entries = export_entries(session, actor, filters, suffix)
    data = (audit_xlsx if suffix == "xlsx" else audit_csv)(entries, language)
    write_file(path, data)
    ctx.say(
        ctx.ngettext(
            "Wrote {count} audit entry to {path}.",
            "Wrote {count} audit entries to {path}.",
            len(entries),
        ),
        count=len(entries),
        path=str(path),
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from ee_app.config import LANGUAGES

    audit = command(sub, "audit", "the audit log: who did what, when")
    ls = audit.add_parser("list", help="entries newest first, filtered; or write them to a file")
    ls.add_argument("--who", metavar="EMAIL", help="only what this person did")
    ls.add_argument(
        "--action",
        action="append",
        metavar="ACTION",
        help="only this action (e.g. wave.open); repeat for more",
    )
    ls.add_argument("--since", metavar="YYYY-MM-DD", help="from this local day")
    ls.add_argument("--until", metavar="YYYY-MM-DD", help="to this local day (included)")
    ls.add_argument("--limit", type=int, default=200, metavar="N", help="print at most N")
    ls.add_argument("--out", metavar="FILE.xlsx|FILE.csv", help="write every match to a file")
    ls.add_argument("--language", choices=LANGUAGES, help="language of the file")
    as_option(ls)
    ls.set_defaults(fn=_list)
