"""``ee-app visit list`` and ``ee-app visit report``: mystery-shopper visits."""

from __future__ import annotations

import argparse

from ee_app.cli.common import Context, as_option, command, print_row, write_file, xlsx_out
from ee_app.config import LANGUAGES
from ee_app.errors import N_


def _visit_list(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import read_session
    from ee_app.models import VisitStatus
    from ee_app.services.visits import list_visits

    actor = ctx.acting(args.as_email)
    statuses = [VisitStatus(args.status)] if args.status else None
    with read_session(ctx.engine) as session:
        visits = list_visits(session, actor, statuses=statuses)
    for visit in visits:
        score = "" if visit.score is None else f"{visit.score}%"
        print_row(
            visit.id,
            visit.status.value,
            visit.store_code,
            f"{visit.template_key} v{visit.template_version}",
            f"{visit.window_start}..{visit.window_end}",
            visit.visited_on or "",
            score,
        )
    return 0


def _visit_report(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import read_session
    from ee_app.exports.visit_report import visit_report_xlsx
    from ee_app.services.visits import get_visit

    path = xlsx_out(args.out, N_("A visit report is an Excel file: name it FILE.xlsx."))
    actor = ctx.acting(args.as_email)
    with read_session(ctx.engine) as session:
        visit = get_visit(session, actor, args.visit)
    data = visit_report_xlsx(visit, args.language or ctx.settings.lang)
    write_file(path, data)
    ctx.say(N_("Wrote the report of visit {visit} to {path}."), visit=visit.id, path=str(path))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
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
