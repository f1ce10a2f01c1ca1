"""``ee-app training assign|links|grant|reset|revoke|reissue|status``: training assessments
from the shell (issue 19), for HR who prefer a script to the Training page or run one each
quarter. Everything acts through :mod:`ee_app.services.training` and
:mod:`ee_app.services.training_assignments`, with the same checks and audit entries.

An assessment is named by its key (``onboarding``); ``--version`` picks a version, otherwise
the newest one (for one person: the newest version they were given).
"""

from __future__ import annotations

import argparse

from ee_app.choices import StaffRole
from ee_app.cli.common import (
    Context,
    as_option,
    command,
    log_download,
    print_row,
    say_new_link,
    write_file,
    xlsx_out,
)
from ee_app.errors import N_, NotFound, ValidationError

__all__ = ["register"]


def _version(ctx: Context, key: str, version: int | None) -> int:
    """The id of the assessment ``key`` at ``version`` (default: its newest)."""
    from sqlalchemy import select

    from ee_app.db import read_session
    from ee_app.models import QuizVersion

    stmt = select(QuizVersion.id).where(QuizVersion.key == key)
    if version is not None:
        stmt = stmt.where(QuizVersion.version == version)
    with read_session(ctx.engine) as session:
        found = session.scalar(stmt.order_by(QuizVersion.version.desc()).limit(1))
    if found is None:
        raise NotFound(N_("No assessment “{key}” (version {version})."), key=key, version=version)
    return found


def _quiz(args: argparse.Namespace, ctx: Context) -> int | str:
    return _version(ctx, args.key, args.version) if args.version is not None else args.key


def _units(ctx: Context, codes: list[str]) -> list[int]:
    from sqlalchemy import select

    from ee_app.db import read_session
    from ee_app.models import OrgUnit

    with read_session(ctx.engine) as session:
        found = dict(
            session.execute(select(OrgUnit.code, OrgUnit.id).where(OrgUnit.code.in_(codes))).all()
        )
    missing = sorted(set(codes) - set(found))
    if missing:
        raise ValidationError(N_("Unknown units {codes}."), codes=", ".join(missing))
    return [found[c] for c in codes]


def _assign(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import write_session
    from ee_app.services.training import assign_quiz
    from ee_app.services.training_assignments import new_cycle

    actor = ctx.acting(args.as_email)
    quiz_id = _version(ctx, args.key, args.version)
    units = _units(ctx, args.unit)
    roles = [StaffRole(r) for r in args.role] if args.role else None
    with write_session(ctx.engine) as session:
        if args.new_cycle:
            cycle = new_cycle(session, actor, quiz_id, units, ctx.settings, roles=roles)
        else:
            made, before = assign_quiz(session, actor, quiz_id, units, ctx.settings, roles=roles)
    if args.new_cycle:
        ctx.say(
            N_(
                "Assigned {key} again as a new cycle to {renewed} staff, and for the first "
                "time to {first}; their old links no longer work."
            ),
            key=args.key,
            renewed=cycle.renewed,
            first=cycle.first,
        )
    else:
        ctx.say(
            N_("Assigned {key} to {made} staff; {before} had it already."),
            key=args.key,
            made=made,
            before=before,
        )
    return 0


def _links(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import read_session
    from ee_app.exports.quiz_links import quiz_links_xlsx
    from ee_app.models import QuizVersion
    from ee_app.services.training import quiz_of
    from ee_app.services.training_links import assignment_links

    path = xlsx_out(args.out, N_("The personal links go to an Excel file: FILE.xlsx."))
    actor = ctx.acting(args.as_email)
    quiz_id = _version(ctx, args.key, args.version)
    with read_session(ctx.engine) as session:
        links = assignment_links(session, actor, quiz_id, ctx.settings, pending_only=args.pending)
        quiz = quiz_of(session.get(QuizVersion, quiz_id))
    write_file(path, quiz_links_xlsx(links, quiz, ctx.settings.lang))
    log_download(ctx, actor, "quiz_links", quiz_id, len(links), quiz=quiz.key)
    ctx.say(N_("Wrote {count} personal links to {path}."), count=len(links), path=str(path))
    ctx.say(N_("Keep the file private: anyone holding a link can answer in that person's place."))
    return 0


def _left(ctx: Context, employee_no: str, item) -> None:  # type: ignore[no-untyped-def]
    ctx.say(
        N_("{employee}: {used} of {limit} attempts used, {left} left."),
        employee=employee_no,
        used=item.counted,
        limit=item.limit,
        left=item.attempts_left,
    )


def _for_person(ctx: Context, args: argparse.Namespace, act, *rest):  # type: ignore[no-untyped-def]
    """``act(session, actor, quiz, employee_no, *rest)`` in one write: the HR controls on one
    person's assignment (grant, reset, revoke, reissue)."""
    from ee_app.db import write_session

    actor = ctx.acting(args.as_email)
    quiz = _quiz(args, ctx)
    with write_session(ctx.engine) as session:
        return act(session, actor, quiz, args.employee_no, *rest)


def _grant(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.services.training_assignments import grant_attempts

    after = _for_person(ctx, args, grant_attempts, args.attempts, args.reason)
    _left(ctx, args.employee_no, after)
    return 0


def _reset(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.services.training_assignments import reset_attempts

    after = _for_person(ctx, args, reset_attempts, args.reason)
    _left(ctx, args.employee_no, after)
    return 0


def _revoke(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.services.training_assignments import revoke_link

    _for_person(ctx, args, revoke_link, args.reason)
    ctx.say(N_("Withdrew {employee}'s link: it now opens as not valid."), employee=args.employee_no)
    return 0


def _reissue(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.services.training_assignments import reissue_link

    link = _for_person(ctx, args, reissue_link, ctx.settings)
    say_new_link(ctx, link)
    return 0


def _status(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import read_session
    from ee_app.services.training_status import status_table

    actor = ctx.acting(args.as_email)
    with read_session(ctx.engine) as session:
        table = status_table(session, actor, quiz_key=args.key)
    if args.pending:
        table = table[~table["passed"].astype(bool)]
    yes, no = ctx.gettext("passed"), ctx.gettext("not passed")
    for row in table.itertuples():
        print_row(
            row.employee_no,
            row.name,
            row.store_code,
            f"{row.quiz_key} v{row.quiz_version}",
            row.attempts,
            row.attempts_left,
            yes if row.passed else no,
        )
    passed = int(table["passed"].astype(bool).sum()) if len(table) else 0
    ctx.say(N_("{count} assigned, {passed} passed."), count=len(table), passed=passed)
    return 0


def _person(p: argparse.ArgumentParser) -> None:
    p.add_argument("key", metavar="KEY", help="the assessment's key, e.g. onboarding")
    p.add_argument("employee_no", metavar="EMPLOYEE_NO")
    p.add_argument("--version", type=int, help="a version (default: the newest they were given)")


def register(sub: argparse._SubParsersAction) -> None:
    training = command(sub, "training", "training assessments: assign, links, HR's controls")
    roles = [r.value for r in StaffRole]

    assign = training.add_parser("assign", help="assign an assessment to the staff of units")
    assign.add_argument("key", metavar="KEY")
    assign.add_argument("--version", type=int, help="a version (default: the newest)")
    assign.add_argument("--unit", action="append", required=True, metavar="CODE")
    assign.add_argument("--role", action="append", choices=roles, help="only this role")
    assign.add_argument(
        "--new-cycle", action="store_true", help="give it again to those who had it (re-test)"
    )
    as_option(assign)
    assign.set_defaults(fn=_assign)

    links = training.add_parser("links", help="write the personal links to an Excel file")
    links.add_argument("key", metavar="KEY")
    links.add_argument("--version", type=int, help="a version (default: the newest)")
    links.add_argument("-o", "--out", required=True, metavar="FILE.xlsx")
    links.add_argument("--pending", action="store_true", help="only those not passed yet")
    as_option(links)
    links.set_defaults(fn=_links)

    grant = training.add_parser("grant", help="give one person more attempts")
    _person(grant)
    grant.add_argument("--attempts", type=int, required=True, metavar="N")
    grant.add_argument("--reason", required=True, metavar="TEXT")
    as_option(grant)
    grant.set_defaults(fn=_grant)

    reset = training.add_parser("reset", help="start one person's count of attempts again")
    _person(reset)
    reset.add_argument("--reason", required=True, metavar="TEXT")
    as_option(reset)
    reset.set_defaults(fn=_reset)

    revoke = training.add_parser("revoke", help="withdraw one person's link")
    _person(revoke)
    revoke.add_argument("--reason", required=True, metavar="TEXT")
    as_option(revoke)
    revoke.set_defaults(fn=_revoke)

    reissue = training.add_parser("reissue", help="a new link for one person (old one stops)")
    _person(reissue)
    as_option(reissue)
    reissue.set_defaults(fn=_reissue)

    status = training.add_parser("status", help="who passed which assessment")
    status.add_argument("key", metavar="KEY", nargs="?")
    status.add_argument("--pending", action="store_true", help="only those not passed yet")
    as_option(status)
    status.set_defaults(fn=_status)
