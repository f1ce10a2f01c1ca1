"""Loading the demo chain into an empty database.

Each part of the product adds a step to :data:`STEPS`; a step receives the generated chain and
writes its part with bulk statements, so even the 10,000-staff ``chain`` size loads in seconds.
The whole load is one transaction: steps that go through a service call it without the
service's own commit (:func:`inspect.unwrap` of its ``@transactional``), so a failure midway
leaves an empty database, not half a demo.
"""

from __future__ import annotations

import hashlib
import inspect
import random
import secrets
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ee_app.auth import Actor, Permission, require, system_actor
from ee_app.config import Settings
from ee_app.db import bulk_insert
from ee_app.demo.chain import DemoChain, generate_chain
from ee_app.demo.engagement import DemoResponse, DemoWave, Seat, audience, demo_waves, respond
from ee_app.demo.outcomes import generate_outcomes
from ee_app.errors import N_, ConfigError, Conflict
from ee_app.instruments.pulse import CORE_SLOTS, CUSTOM_SLOTS
from ee_app.keys import hash_token, secret_key
from ee_app.models import (
    AppUser,
    ChecklistVersion,
    ImportBatch,
    OrgUnit,
    Sale,
    ShopVisit,
    Staff,
    StaffAssignment,
    SurveyComment,
    SurveyInvitation,
    SurveyResponse,
    SurveySealed,
    SurveyWave,
    TenureBand,
    UnitLevel,
    UserScope,
    VisitStatus,
    WaveMode,
    WaveStatus,
    utcnow,
)
from ee_app.sealing import Submission, seal
from ee_app.services import audit, wave_audience, waves
from ee_app.services.demo_state import database_is_empty, made_by_demo_load
from ee_app.services.outcomes_import import _row_hashes, customer_hasher

__all__ = ["STEPS", "DemoContext", "database_is_empty", "load_demo", "made_by_demo_load"]


@dataclass
class DemoContext:
    """What the steps share: the chain, the seed, the day the demo is built for, and ids."""

    chain: DemoChain
    seed: int
    today: date
    unit_ids: dict[str, int]
    staff_ids: dict[str, int]
    settings: Settings  # for the secret key that personal links are derived from
    size: str = "small"
    actor: Actor | None = None  # who loads the demo; the steps act on their behalf


Step = Callable[[Session, DemoContext], None]
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


#: The demo's waves: anonymous, k = k_c = 5, the whole chain invited.
DEMO_K = 5
#: Invitation ids per UPDATE ... WHERE id IN (...): under SQLite's limit of 32,766 parameters.
_IDS_PER_UPDATE = 10_000

#: An invitation's id and the pooled unit, role, band and comment unit its answers carry.
_Pooled = tuple[int, int, str | None, str | None, int]


def _waves(session: Session, ctx: DemoContext) -> None:
    """Monthly pulse waves with answers: the earlier ones closed, the latest open (today in
    its dates) with about 60% responded so far, so a demo user can still answer.

    Waves are created, opened and closed through the wave services. The latest is opened by
    :func:`~ee_app.services.waves.open_wave` itself (today's roster) and its respondents are
    marked with bulk UPDATEs; earlier ones invite the staff at work when they opened, in the
    unit they were in then (the chain's assignment history), pooled exactly as ``open_wave``
    pools, with the respondents' invitations written as responded. The open wave's answers are
    stored sealed, as ``answering.submit`` stores them; a past wave's go in as plaintext rows
    with their invitation's pooled attributes, under random ids, in random order, and closing
    pools and shuffles them as it does any wave's. A past wave never holds a sealed answer
    (its rows are written and rewritten inside the demo's one uncommitted transaction), so
    there is nothing for the clean-up after closing to remove: it is marked verified.
    """
    actor = ctx.actor or system_actor("demo")
    create = inspect.unwrap(waves.create_wave)
    open_ = inspect.unwrap(waves.open_wave)
    close = inspect.unwrap(waves.close_wave)
    brand = next(u.code for u in ctx.chain.units if u.level is UnitLevel.BRAND)
    for plan in demo_waves(ctx.size, ctx.today):
        wave_id = create(
            session,
            actor,
            code=plan.code,
            name=plan.name,
            unit_codes=[brand],
            opens_on=plan.opens_on,
            closes_on=plan.closes_on,
            mode=WaveMode.ANONYMOUS,
            k=DEMO_K,
            k_comments=DEMO_K,
        ).id
        if plan.is_open:
            open_(session, actor, wave_id, ctx.settings, today=ctx.today)
            invitations = _invitations(session, wave_id)
            seats = audience(ctx.chain, max(ctx.today, plan.opens_on))
            seats = [s for s in seats if ctx.staff_ids[s.employee_no] in invitations]
            answers = respond(ctx.seed, plan, seats)
            _mark_responded(
                session, [invitations[ctx.staff_ids[a.employee_no]][0] for a in answers]
            )
        else:
            seats = audience(ctx.chain, plan.opens_on)
            answers = respond(ctx.seed, plan, seats)
            responded = {ctx.staff_ids[a.employee_no] for a in answers}
            _invite_as_then(session, ctx, actor, wave_id, plan, seats, responded)
            invitations = _invitations(session, wave_id)
        if plan.is_open:
            _seal_answers(session, ctx, wave_id, answers, invitations)
        else:
            _store_answers(session, ctx, wave_id, answers, invitations)
            close(session, actor, wave_id, ctx.settings)
            session.execute(
                update(SurveyWave).where(SurveyWave.id == wave_id).values(cleanup_verified=True)
            )


def _invitations(session: Session, wave_id: int) -> dict[int, _Pooled]:
    """Staff id → the invitation's id and the pooled attributes its answers must carry."""
    stmt = select(
        SurveyInvitation.staff_id,
        SurveyInvitation.id,
        SurveyInvitation.report_unit_id,
        SurveyInvitation.report_role,
        SurveyInvitation.report_band,
        SurveyInvitation.comment_unit_id,
    ).where(SurveyInvitation.wave_id == wave_id)
    return {
        staff_id: (invitation_id, unit, role, band, comment_unit)
        for staff_id, invitation_id, unit, role, band, comment_unit in session.execute(stmt)
    }


def _invite_as_then(
    session: Session,
    ctx: DemoContext,
    actor: Actor,
    wave_id: int,
    plan: DemoWave,
    seats: Sequence[Seat],
    responded: set[int],
) -> None:
    """What ``open_wave`` does, for the staff at work when a past wave opened (and with
    the invitations of ``responded`` staff already used)."""
    invitees = [
        wave_audience.Invitee(
            ctx.staff_ids[s.employee_no],
            ctx.unit_ids[s.unit_code],
            s.role.value,
            TenureBand.of(s.hire_date, plan.opens_on).value,
        )
        for s in seats
    ]
    parents = wave_audience.unit_parents(session, {i.unit_id for i in invitees})
    pooled = wave_audience.pool_invitees(invitees, parents, DEMO_K, DEMO_K)
    key = secret_key(ctx.settings)
    session.execute(
        insert(SurveyInvitation.__table__),
        [
            {
                "wave_id": wave_id,
                "staff_id": inv.staff_id,
                "unit_id": inv.unit_id,
                "role": inv.role,
                "token_hash": hash_token(waves.survey_token(key, wave_id, inv.staff_id, 1)),
                "generation": 1,
                "responded": inv.staff_id in responded,
                "report_unit_id": pooled[inv.staff_id][0],
                "report_role": pooled[inv.staff_id][1],
                "report_band": pooled[inv.staff_id][2],
                "comment_unit_id": pooled[inv.staff_id][3],
            }
            for inv in invitees
        ],
    )
    session.execute(
        update(SurveyWave).where(SurveyWave.id == wave_id).values(status=WaveStatus.OPEN)
    )
    audit.record(session, actor, "wave.open", "survey_wave", wave_id, invited=len(invitees))


def _mark_responded(session: Session, invitation_ids: list[int]) -> None:
    for start in range(0, len(invitation_ids), _IDS_PER_UPDATE):
        session.execute(
            update(SurveyInvitation.__table__)
            .where(SurveyInvitation.id.in_(invitation_ids[start : start + _IDS_PER_UPDATE]))
            .values(responded=True)
        )


def _store_answers(
    session: Session,
    ctx: DemoContext,
    wave_id: int,
    answers: Sequence[DemoResponse],
    invitations: dict[int, _Pooled],
) -> None:
    """Responses and comments the anonymous way: the invitation's pooled attributes, random
    ids, random order, and nothing that leads back to the invitation."""
    responses, comments = [], []
    for answer in answers:
        _, unit, role, band, comment_unit = invitations[ctx.staff_ids[answer.employee_no]]
        responses.append(
            {
                "id": secrets.token_hex(16),
                "wave_id": wave_id,
                "unit_id": unit,
                "role": role,
                "band": band,
                **dict(zip(CORE_SLOTS, answer.answers, strict=True)),
                "enps": answer.enps,
            }
        )
        if answer.comment:
            comments.append(
                {
                    "id": secrets.token_hex(16),
                    "wave_id": wave_id,
                    "unit_id": comment_unit,
                    "text": answer.comment,
                }
            )
    shuffle = random.SystemRandom().shuffle
    shuffle(responses)
    shuffle(comments)
    if responses:
        session.execute(insert(SurveyResponse.__table__), responses)
    if comments:
        session.execute(insert(SurveyComment.__table__), comments)


def _seal_answers(
    session: Session,
    ctx: DemoContext,
    wave_id: int,
    answers: Sequence[DemoResponse],
    invitations: dict[int, _Pooled],
) -> None:
    """The open wave's answers as ``answering.submit`` stores them: one sealed blob each
    (the invitation's pooled attributes inside), under random ids."""
    key = secret_key(ctx.settings)
    none = (None,) * len(CUSTOM_SLOTS)
    rows = []
    for answer in answers:
        _, unit, role, band, comment_unit = invitations[ctx.staff_ids[answer.employee_no]]
        submission = Submission(
            (*answer.answers, *none),
            answer.enps,
            answer.comment or "",
            unit,
            role,
            band,
            comment_unit,
        )
        rows.append(
            {
                "id": secrets.token_hex(16),
                "wave_id": wave_id,
                "sealed": seal(key, wave_id, submission),
            }
        )
    random.SystemRandom().shuffle(rows)
    if rows:
        session.execute(insert(SurveySealed.__table__), rows)


#: The tables' columns in the order the importer writes them (and, after the first three, hashes).
_CSAT_COLUMNS = (
    "source_id",
    "batch_id",
    "row_hash",
    "staff_id",
    "store_id",
    "service_date",
    "score",
    "scale",
    "touchpoint",
    "customer",
)
_SALE_COLUMNS = (
    "source_id",
    "batch_id",
    "row_hash",
    "customer",
    "store_id",
    "sold_on",
    "amount",
    "item",
    "category",
    "owner_staff_id",
)
_Hasher = Callable[[str | None], str | None]


def _outcomes(session: Session, ctx: DemoContext) -> None:
    """A year of customers, sales and CSAT answers (:mod:`ee_app.demo.outcomes`), written as
    importing the demo's own export would write them: one import batch per kind, customers as
    keyed hashes (:func:`~ee_app.services.outcomes_import.customer_hasher`), and each row's
    hash over the columns the importer hashes, so that importing the CSV files of
    :func:`~ee_app.demo.outcomes.write_outcome_files` again adds nothing."""
    actor = ctx.actor or system_actor("demo")
    generated = generate_outcomes(ctx.chain, ctx.seed, ctx.today, ctx.size)
    hashed = customer_hasher(ctx.settings)
    with _index_cache(session):
        _demo_csat(session, ctx, actor, generated.csat, hashed)
        _demo_sales(session, ctx, actor, generated.sales, hashed)


#: SQLite's page cache while the demo writes its million sales, in KiB (the default is 2 MiB):
#: the indexes on customer and staff take random inserts, and with the pages they touch in
#: memory the chain's sales load in about half the time.
_SQLITE_CACHE_KIB = 512 * 1024


@contextmanager
def _index_cache(session: Session) -> Iterator[None]:
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{_SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def _demo_batch(session: Session, actor: Actor, kind: str, rows: Sequence[tuple]) -> int:
    """The import batch the demo's rows of ``kind`` point to; its "file hash" is a digest of
    the rows (there is no file)."""
    digest = hashlib.sha256()
    for source_id, row_hash, *_ in rows:
        digest.update(f"{source_id}\x1f{row_hash}\n".encode())
    batch = ImportBatch(
        kind=kind,
        file_name=f"demo-{kind}",
        file_sha256=digest.hexdigest(),
        actor=actor.email,
        rows=len(rows),
        inserted=len(rows),
        unchanged=0,
    )
    session.add(batch)
    session.flush()
    audit.record(
        session,
        actor,
        f"{kind}.import",
        "import_batch",
        batch.id,
        file=batch.file_name,
        inserted=len(rows),
        unchanged=0,
    )
    return batch.id


def _dates(values: pd.Series) -> list[str]:
    """ISO dates ("2026-03-05"): what the importer's dates become in a row hash and in the
    database."""
    return np.datetime_as_string(values.to_numpy(dtype="datetime64[D]"), unit="D").tolist()


def _hashed(hashed: _Hasher, customers: pd.Series) -> list[str | None]:
    """The keyed hash of each customer, each distinct customer hashed once."""
    codes, uniques = pd.factorize(customers.to_numpy(dtype=object))
    return np.array([hashed(c) for c in uniques] + [None], dtype=object)[codes].tolist()


def _staff_ids(ctx: DemoContext, employee_nos: pd.Series) -> list[int | None]:
    return [ctx.staff_ids[no] if isinstance(no, str) else None for no in employee_nos.tolist()]


def _demo_csat(
    session: Session, ctx: DemoContext, actor: Actor, csat: pd.DataFrame, hashed: _Hasher
) -> None:
    # The columns and order import_csat hashes: staff, store, date, score, scale, touchpoint,
    # customer.
    columns = (
        [ctx.staff_ids[no] for no in csat["employee_no"].tolist()],
        [ctx.unit_ids[code] for code in csat["store"].tolist()],
        _dates(csat["service_date"]),
        csat["score"].tolist(),
        csat["scale"].tolist(),
        csat["touchpoint"].tolist(),
        _hashed(hashed, csat["customer"]),
    )
    # _row_hashes is _row_hash of each row, with each column's distinct values made
    # canonical once (the demo's answers are about 17,000 rows).
    hashes = _row_hashes(pd.DataFrame(dict(enumerate(columns))), range(len(columns)))
    rows = [
        (source_id, row_hash, *v)
        for source_id, row_hash, v in zip(
            csat["source_id"].tolist(), hashes, zip(*columns, strict=True), strict=True
        )
    ]
    batch_id = _demo_batch(session, actor, "csat", rows)
    bulk_insert(session, "csat_record", _CSAT_COLUMNS, ((r[0], batch_id, *r[1:]) for r in rows))


def _demo_sales(
    session: Session, ctx: DemoContext, actor: Actor, sales: pd.DataFrame, hashed: _Hasher
) -> None:
    staff = _staff_ids(ctx, sales["staff"])
    assist = _staff_ids(ctx, sales["assist"])
    served = [[s] if a is None else sorted((s, a)) for s, a in zip(staff, assist, strict=True)]
    # The columns and order import_sales hashes: customer, store, date, amount, item,
    # category, owner, and the serving staff's ids in numeric order joined by commas.
    columns = (
        _hashed(hashed, sales["customer"]),
        [ctx.unit_ids[code] for code in sales["store"].tolist()],
        _dates(sales["sold_on"]),
        [float(a) for a in sales["amount"].tolist()],
        sales["item"].tolist(),
        sales["category"].tolist(),
        _staff_ids(ctx, sales["owner"]),
    )
    lists = [",".join(map(str, ids)) for ids in served]
    hashes = _row_hashes(pd.DataFrame(dict(enumerate((*columns, lists)))), range(len(columns) + 1))
    rows = [
        (source_id, row_hash, *v)
        for source_id, row_hash, v in zip(
            sales["source_id"].tolist(), hashes, zip(*columns, strict=True), strict=True
        )
    ]
    batch_id = _demo_batch(session, actor, "sales", rows)
    bulk_insert(session, "sale", _SALE_COLUMNS, ((r[0], batch_id, *r[1:]) for r in rows))
    table = Sale.__table__  # Core: the ORM's per-row bookkeeping doubled this read
    ids = dict(
        session.connection()
        .execute(select(table.c.source_id, table.c.id).where(table.c.batch_id == batch_id))
        .all()
    )
    bulk_insert(
        session,
        "sale_staff",
        ["sale_id", "staff_id"],
        (
            (ids[source_id], staff_id)
            for source_id, staff_ids in zip(sales["source_id"].tolist(), served, strict=True)
            for staff_id in staff_ids
        ),
    )


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
    ("waves", N_("Survey waves"), _waves),
    ("outcomes", N_("Customers, sales and satisfaction"), _outcomes),
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
