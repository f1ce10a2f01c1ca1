"""``ee-app retention``: the personal-data retention policy, what it removes, and removing it.

``show`` prints the policy and what a run would remove today; ``set`` changes the policy;
``run`` removes it (``--dry-run`` only lists; ``--today`` runs as of another day, for a
catch-up or a rehearsal); ``erase`` anonymises one person now, on request. Meant for a
monthly systemd timer or cron job: ``ee-app retention run``.
"""

from __future__ import annotations

import argparse
from datetime import date

from ee_app.cli import Context, as_option, command
from ee_app.errors import N_, ValidationError

__all__ = ["register"]


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(
            N_("“{value}” is not a date; write it as 2026-03-05"), value=value
        ) from exc


def _print_plan(ctx: Context, plan, listing: bool = True) -> None:  # type: ignore[no-untyped-def]
    from ee_app.words.retention_text import plan_lines, policy_line

    print(policy_line(plan, ctx.gettext))
    for line in plan_lines(plan, ctx.gettext, ctx.ngettext):
        print("  " + line)
    if listing and plan.people:
        print(ctx.gettext(N_("Employee number\tName\tLeft on")))
        for person in plan.people:
            print(f"{person.employee_no}\t{person.name}\t{person.leave_date.isoformat()}")


def _show(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app import clock
    from ee_app.auth import Permission, require
    from ee_app.db import read_session
    from ee_app.services.retention import plan

    actor = ctx.acting(args.as_email)
    require(actor, Permission.MANAGE_PERSONAL_DATA)
    with read_session(ctx.engine) as session:
        result = plan(session, _day(args.today) or clock.today(), actor=actor)
    _print_plan(ctx, result)
    return 0


def _set(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import write_session
    from ee_app.services.retention_policy import set_policy

    ctx.migrate()
    with write_session(ctx.engine) as session:
        policy = set_policy(session, ctx.actor(args.as_email), args.left_months, args.data_months)
    ctx.say(
        N_("Saved: leavers are kept {left} months, evidence and customer data {data} months."),
        left=policy.left_months,
        data=policy.data_months,
    )
    return 0


def _run(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app import clock
    from ee_app.db import write_session
    from ee_app.services.retention import run

    actor = ctx.acting(args.as_email)
    with write_session(ctx.engine) as session:
        result = run(session, actor, _day(args.today) or clock.today(), args.dry_run)
    _print_plan(ctx, result, listing=args.dry_run)
    if args.dry_run:
        ctx.say(N_("Dry run: nothing was written."))
    elif not result.empty:
        ctx.say(N_("Done: the data above was removed."))
    return 0


def _erase(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import write_session
    from ee_app.services.retention import erase_person

    ctx.migrate()
    with write_session(ctx.engine) as session:
        who = erase_person(session, ctx.actor(args.as_email), args.employee_no, args.reason)
    ctx.say(N_("Erased the personal data of employee number {number}."), number=who.employee_no)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    group = command(sub, "retention", "personal data over time: the retention policy")
    show = group.add_parser("show", help="the policy and what a run would remove today")
    show.add_argument("--today", metavar="YYYY-MM-DD", help="as of this day (default: today)")
    as_option(show)
    show.set_defaults(fn=_show)

    set_ = group.add_parser("set", help="change the policy")
    set_.add_argument("--left-months", type=int, required=True, metavar="N")
    set_.add_argument("--data-months", type=int, required=True, metavar="M")
    as_option(set_)
    set_.set_defaults(fn=_set)

    run = group.add_parser("run", help="remove what the policy says is due")
    run.add_argument("--dry-run", action="store_true", help="list only; change nothing")
    run.add_argument("--today", metavar="YYYY-MM-DD", help="as of this day (default: today)")
    as_option(run)
    run.set_defaults(fn=_run)

    erase = group.add_parser("erase", help="anonymise one person now, on request")
    erase.add_argument("employee_no", metavar="EMPLOYEE_NO")
    erase.add_argument("--reason", required=True, help="why, e.g. the person's request")
    as_option(erase)
    erase.set_defaults(fn=_erase)
