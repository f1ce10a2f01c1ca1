"""Loading the demo chain into an empty database.

Each part of the product adds a step to :data:`STEPS`; a step receives the generated chain and
writes its part with bulk statements, so even the 10,000-staff ``chain`` size loads in seconds.
The whole load is one transaction: steps that go through a service call it without the
service's own commit (:func:`inspect.unwrap` of its ``@transactional``), so a failure midway
leaves an empty database, not half a demo. The longer steps have their own modules
(:mod:`ee_app.services.demo_waves`, :mod:`ee_app.services.demo_outcomes`); what the steps
share is :class:`~ee_app.services.demo_context.DemoContext`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ee_app.auth import Actor, Permission, require
from ee_app.config import Settings
from ee_app.demo.chain import generate_chain
from ee_app.errors import N_, ConfigError, Conflict
from ee_app.keys import hash_token, secret_key
from ee_app.models import (
    AppUser,
    ChecklistVersion,
    OrgUnit,
    ShopVisit,
    Staff,
    StaffAssignment,
    UserScope,
    VisitStatus,
    utcnow,
)
from ee_app.services import audit
from ee_app.services.demo_context import DemoContext, Step
from ee_app.services.demo_outcomes import load_outcomes
from ee_app.services.demo_state import database_is_empty, made_by_demo_load
from ee_app.services.demo_waves import load_waves

__all__ = ["STEPS", "DemoContext", "database_is_empty", "load_demo", "made_by_demo_load"]


#: The audit action that marks the demo's database: :data:`demo_state.DEMO_LOADED`, written out
#: here so the audit-label test reads it where it is recorded (a test checks they agree).
_DEMO_LOADED = "demo.load"


def _org(session: Session, ctx: DemoContext) -> None:
    by_depth = sorted(ctx.chain.units, key=lambda u: u.level.depth)
    for depth in sorted({u.level.depth for u in by_depth}):
        layer = [u for u in by_depth if u.level.depth == depth]
        session.execute(
            insert(OrgUnit.__table__),
            [
                {
                    "code": u.code,
                    "name": u.name,
                    "level": u.level,
                    "parent_id": ctx.unit_ids.get(u.parent_code or ""),
                    "path": "",
                    "active": True,
                }
                for u in layer
            ],
        )
        codes = [u.code for u in layer]
        stmt = select(OrgUnit.code, OrgUnit.id).where(OrgUnit.code.in_(codes))
        ctx.unit_ids.update({code: uid for code, uid in session.execute(stmt)})
    paths: dict[str, str] = {}
    for unit in by_depth:
        parent = paths.get(unit.parent_code or "", "/")
        paths[unit.code] = f"{parent}{ctx.unit_ids[unit.code]}/"

    session.execute(update(OrgUnit), [{"id": ctx.unit_ids[c], "path": p} for c, p in paths.items()])


def _staff(session: Session, ctx: DemoContext) -> None:
    from ee_app.services.roster import staff_ids

    people = ctx.chain.staff
    now = utcnow()
    session.execute(
        insert(Staff.__table__),
        [
            {
                "employee_no": s.employee_no,
                "name": s.name,
                "hire_date": s.hire_date,
                "leave_date": s.leave_date,
                "updated_at": now,
            }
            for s in people
        ],
    )
    ctx.staff_ids.update(staff_ids(session))
    session.execute(
        insert(StaffAssignment.__table__),
        [
            {
                "staff_id": ctx.staff_ids[s.employee_no],
                "unit_id": ctx.unit_ids[unit],
                "role": role,
                "valid_from": start,
                "valid_to": end,
            }
            for s in people
            for unit, role, start, end in s.periods
        ],
    )


def _users(session: Session, ctx: DemoContext) -> None:
    for demo_user in ctx.chain.users:
        user = AppUser(email=demo_user.email, name=demo_user.name, role=demo_user.role)
        user.scopes = [UserScope(unit_id=ctx.unit_ids[c]) for c in demo_user.unit_codes]
        session.add(user)
    session.flush()


def _visits(session: Session, ctx: DemoContext) -> None:
    """Mystery-shopper visits (:mod:`ee_app.demo.visits`): months of approved visits, scored
    exactly as a submission is scored, and this month's work in progress."""
    from ee_app.demo.visits import generate_visits
    from ee_app.services.visit_filling import stamp_scores
    from ee_app.services.visits import checklist_of, ensure_default_checklists

    ensure_default_checklists(session)
    rows = {r.key: r for r in session.scalars(select(ChecklistVersion))}
    checklists = {key: checklist_of(row) for key, row in rows.items()}
    users = {u.email: u.id for u in session.scalars(select(AppUser))}
    hr = ctx.actor.email if ctx.actor else "demo"
    visits = []
    for demo in generate_visits(ctx.chain, ctx.seed, ctx.today, checklists):
        done = demo.status in (VisitStatus.SUBMITTED, VisitStatus.APPROVED)
        moment = datetime.combine(demo.visited_on or ctx.today, time(21), tzinfo=UTC)
        visit = ShopVisit(
            template_id=rows[demo.template].id,
            store_id=ctx.unit_ids[demo.store],
            shopper_id=users[demo.shopper],
            window_start=demo.window_start,
            window_end=demo.window_end,
            visited_on=demo.visited_on,
            status=demo.status,
            answers={k: dict(v) for k, v in demo.answers.items()},
            served_by_note=demo.served_by_note,
            staff_id=ctx.staff_ids[demo.staff] if demo.staff else None,
            created_by=hr,
            submitted_at=moment if done else None,
        )
        if done:
            stamp_scores(visit, checklists[demo.template])
        if demo.status is VisitStatus.APPROVED:
            visit.reviewed_at = moment + timedelta(days=2)
            visit.reviewed_by = hr
        visits.append(visit)
    session.add_all(visits)
    session.flush()


def _training(session: Session, ctx: DemoContext) -> None:
    """Assessments (:mod:`ee_app.demo.training`): everyone's onboarding assessment and the
    last quarter's advanced one, with attempts marked exactly as a submission is marked."""
    from ee_app.demo.training import generate_training
    from ee_app.models import AttemptStatus, QuizAssignment, QuizAttempt, QuizVersion
    from ee_app.services.training import ensure_default_quizzes, quiz_of, quiz_token

    ensure_default_quizzes(session)
    rows = {r.key: r for r in session.scalars(select(QuizVersion))}
    quizzes = {key: quiz_of(row) for key, row in rows.items()}
    key = secret_key(ctx.settings)
    plan = generate_training(ctx.chain, ctx.seed, ctx.today, quizzes)
    hr = ctx.actor.email if ctx.actor else "demo"
    session.execute(
        insert(QuizAssignment.__table__),
        [
            {
                "quiz_id": rows[a.quiz].id,
                "staff_id": ctx.staff_ids[a.employee_no],
                "token_hash": hash_token(
                    quiz_token(key, rows[a.quiz].id, ctx.staff_ids[a.employee_no])
                ),
                "assigned_at": a.assigned_at,
                "assigned_by": hr,
                "active": True,
            }
            for a in plan
        ],
    )
    ids = {
        (quiz_id, staff_id): assignment_id
        for assignment_id, quiz_id, staff_id in session.execute(
            select(QuizAssignment.id, QuizAssignment.quiz_id, QuizAssignment.staff_id)
        )
    }
    attempts = [
        {
            "assignment_id": ids[(rows[a.quiz].id, ctx.staff_ids[a.employee_no])],
            "number": t.number,
            "status": AttemptStatus.SUBMITTED,
            "questions": t.questions,
            "answers": t.answers,
            "started_at": t.started_at,
            "deadline": t.started_at + timedelta(minutes=quizzes[a.quiz].time_limit_minutes)
            if quizzes[a.quiz].time_limit_minutes
            else None,
            "submitted_at": t.submitted_at,
            "correct": t.correct,
            "total": t.total,
            "score": round(100 * t.correct / t.total, 1),
            "passed": t.passed,
        }
        for a in plan
        for t in a.attempts
    ]
    for start in range(0, len(attempts), 5_000):
        session.execute(insert(QuizAttempt.__table__), attempts[start : start + 5_000])


def _incentives(session: Session, ctx: DemoContext) -> None:
    """The shipped scheme run for the last complete month, prepared by one HR user and
    approved by the other, so the payroll workbook can be downloaded at once."""
    from ee_app.models import IncentiveScheme, UserRole
    from ee_app.services.incentive_approval import approve_run
    from ee_app.services.incentive_runs import create_run
    from ee_app.services.incentives import ensure_default_scheme

    ensure_default_scheme(session)
    hr_users = [u.email for u in ctx.chain.users if u.role is UserRole.HR]
    if len(hr_users) < 2:
        return
    scheme_id = session.scalar(select(IncentiveScheme.id).order_by(IncentiveScheme.id))
    month_end = ctx.today.replace(day=1) - timedelta(days=1)
    period = f"{month_end:%Y-%m}"
    preparer, approver = (Actor(email=e, role=UserRole.HR) for e in hr_users[:2])
    run = inspect.unwrap(create_run)(session, preparer, scheme_id, period)
    # The approver reads and acknowledges any calibration warnings (kept with the run).
    inspect.unwrap(approve_run)(session, approver, run.id, acknowledge=True)


#: The demo, part by part (name, label, step); later parts of the product append theirs.
STEPS: list[tuple[str, str, Step]] = [
    ("org", N_("Org tree"), _org),
    ("staff", N_("Staff"), _staff),
    ("users", N_("Users"), _users),
    ("waves", N_("Survey waves"), load_waves),
    ("outcomes", N_("Customers, sales and satisfaction"), load_outcomes),
    ("visits", N_("Mystery-shopper visits"), _visits),
    ("training", N_("Training assessments"), _training),
    ("incentives", N_("Incentive run"), _incentives),
]


def load_demo(
    session: Session,
    actor: Actor,
    *,
    seed: int = 7,
    size: str = "small",
    today: date | None = None,
    production: bool = False,
    parts: Collection[str] | None = None,
    settings: Settings | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> DemoContext:
    """Generate the demo for ``seed`` and write it, all steps in one transaction.

    ``parts`` limits the load to the named steps (benchmarks load only the org tree, say).
    """
    require(actor, Permission.LOAD_DEMO)
    if production:
        raise ConfigError(N_("Demo data is never loaded when EE_ENV=production."))
    if not database_is_empty(session):
        raise Conflict(
            N_("The database already holds an org tree; demo data loads only into an empty one.")
        )
    today = today or date.today()
    settings = settings or Settings.from_env()
    steps = [(label, step) for name, label, step in STEPS if parts is None or name in parts]
    if progress:  # generating the chain takes as long as a step (seconds for "chain")
        progress(0.0, N_("Generating the demo chain"))
    chain = generate_chain(seed, size, today)
    ctx = DemoContext(chain, seed, today, {}, {}, settings, size, actor)
    try:
        for index, (label, step) in enumerate(steps):
            if progress:
                progress(index / len(steps), label)
            step(session, ctx)
        audit.record(session, actor, _DEMO_LOADED, "database", None, seed=seed, size=size)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    if progress:
        progress(1.0, N_("Done"))
    return ctx
