"""``ee-app incentives …``: performance pay runs, their four-eyes approval and payroll
workbooks.
"""

from __future__ import annotations

import argparse
import sys

from ee_app.cli.common import (
    Context,
    as_option,
    command,
    log_download,
    print_row,
    write_file,
    xlsx_out,
)
from ee_app.config import LANGUAGES
from ee_app.errors import N_, NotFound, ValidationError


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
    from ee_app.services.incentive_runs import run_view

    path = xlsx_out(out, N_("A payroll workbook is an Excel file: name it FILE.xlsx."))
    with read_session(ctx.engine) as session:
        view = run_view(session, actor, run_id)
    write_file(path, payroll_xlsx(view, language or ctx.settings.lang))
    log_download(ctx, actor, "payroll", run_id, len(view.lines), period=view.run.period)


def _incentives_run(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import read_session, write_session
    from ee_app.services.incentive_runs import create_run

    actor = ctx.acting(args.as_email)
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
    from ee_app.services.incentive_approval import approve_run
    from ee_app.words.labels import component_labels

    if not args.as_email:  # the shell's own actor could be whoever prepared the run
        raise ValidationError(
            N_(
                "Approving needs the approver's name, someone other than who prepared the "
                "run (four eyes): ee-app incentives approve {run} --as EMAIL"
            ),
            run=args.run,
        )
    actor = ctx.acting(args.as_email)
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
    from ee_app.services.incentive_runs import list_runs

    ctx.migrate()
    with read_session(ctx.engine) as session:
        for run in list_runs(session, ctx.actor(args.as_email)):
            print_row(
                run.id,
                run.period,
                run.status.value,
                run.lines,
                f"{run.total:.2f}",
                run.created_by,
                run.approved_by,
            )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
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
