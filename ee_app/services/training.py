"""Training assessments: assigning them, taking them from a personal link, and who passed.

* HR and admins (``MANAGE_TRAINING``) assign a quiz version to the current staff of some units
  (optionally only some roles), download the personal links, and read the item analysis.
* Staff need no account: their personal link (``/assessment?t=TOKEN``) identifies them and
  opens exactly their assignment. Assessments are **not anonymous**; the page says so.
* HR and managers (``VIEW_TRAINING``) read each staff member's status in their scope.

The time limit is enforced here, on the server: an attempt's deadline is fixed when it starts,
and a submission after it (beyond a short grace for the network) is refused and the attempt
counts as expired. A submission is claimed with a conditional UPDATE, so two taps submit once.
Tokens are ``HMAC(key, quiz:staff[:cycle:generation])`` (see :mod:`ee_app.keys`): the
database stores their hash and HR can download the same links again.

HR's controls over one person's assessment (a new cycle, extra attempts, a reset, a revoked or
re-issued link) live in :mod:`ee_app.services.training_assignments`. Here they show as: only
attempts numbered above ``counted_from`` count against the limit and in the grading, the
limit is the quiz's ``max_attempts`` plus ``extra_attempts``, and each assignment's link
derives from its own cycle and generation.
"""

from __future__ import annotations

import enum
import json
import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ee_app import clock
from ee_app.analysis.items import QuizStatistics, question_statistics, test_statistics
from ee_app.auth import Actor, Permission, require
from ee_app.clock import format_time
from ee_app.config import Settings
from ee_app.errors import N_, ConfigError, Conflict, NotFound, ValidationError
from ee_app.instruments.checklist import percent
from ee_app.instruments.quiz import (
    ONBOARDING,
    Quiz,
    default_definitions,
    definition_hash,
    draw,
    grade,
    validate,
)
from ee_app.keys import hash_token, link_token, secret_key
from ee_app.models import (
    AttemptStatus,
    OrgUnit,
    QuizAssignment,
    QuizAttempt,
    QuizVersion,
    Staff,
    StaffAssignment,
    StaffRole,
    utcnow,
)
from ee_app.services import audit
from ee_app.services._tx import transactional
from ee_app.services.org import expand_scope, store_id_of

__all__ = [
    "GRACE",
    "AssessmentView",
    "AttemptRow",
    "LinkState",
    "QuizLink",
    "assign_quiz",
    "assignable_staff",
    "assignment_links",
    "attempt_limit",
    "counted",
    "ensure_default_quizzes",
    "first_attempts",
    "insert_assignments",
    "item_analysis",
    "list_quizzes",
    "onboarding_passed",
    "onboarding_status",
    "open_assessment",
    "quiz_of",
    "quiz_token",
    "start_attempt",
    "status_table",
    "submit_attempt",
]

LINK_PURPOSE = "quiz"
#: Time allowed after the deadline for a submission on its way (a slow phone network).
GRACE = timedelta(seconds=30)


def quiz_token(key: bytes, quiz_id: int, staff_id: int, cycle: int = 1, generation: int = 1) -> str:
    """The personal link's token. The first link of the first cycle keeps the form links had
    before cycles existed, so links already sent keep working."""
    if (cycle, generation) == (1, 1):
        return link_token(key, LINK_PURPOSE, quiz_id, staff_id)
    return link_token(key, LINK_PURPOSE, quiz_id, staff_id, cycle, generation)


def counted(attempts: Sequence[Any], counted_from: int) -> list[Any]:
    """The attempts that count against the limit and in the grading: those HR did not reset
    (numbered above ``counted_from``); the reset ones stay in the history."""
    return [a for a in attempts if a.number > counted_from]


def attempt_limit(quiz: Quiz, assignment: QuizAssignment) -> int:
    """How many counted attempts the person may make: the quiz's maximum plus what HR granted."""
    return quiz.max_attempts + (assignment.extra_attempts or 0)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time here is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


# Quiz versions --------------------------------------------------------------------------------

_CHECKED: dict[tuple[int, str], Quiz] = {}


def quiz_of(row: QuizVersion) -> Quiz:
    """The validated quiz of a stored version; its hash is checked the first time this
    process reads it."""
    key = (row.id, row.sha256)
    if key not in _CHECKED:
        if definition_hash(row.definition) != row.sha256:
            raise ConfigError(
                N_("Assessment {key} v{version} has been altered in the database; restore it."),
                key=row.key,
                version=row.version,
            )
        if len(_CHECKED) > 256:
            _CHECKED.clear()
        _CHECKED[key] = validate(row.definition)
    return _CHECKED[key]


def ensure_default_quizzes(session: Session) -> None:
    """Version 1 of each shipped assessment, created when missing (no commit)."""
    for key, definition in default_definitions().items():
        exists = session.scalar(
            select(QuizVersion.id).where(
                QuizVersion.key == key, QuizVersion.version == definition["version"]
            )
        )
        if exists is None:
            validate(definition)
            session.add(
                QuizVersion(
                    key=key,
                    version=definition["version"],
                    definition=json.loads(json.dumps(definition)),
                    sha256=definition_hash(definition),
                    created_by="ee-app",
                )
            )
    session.flush()


def list_quizzes(session: Session, actor: Actor) -> list[QuizVersion]:
    require(actor, Permission.VIEW_TRAINING)
    return list(session.scalars(select(QuizVersion).order_by(QuizVersion.key, QuizVersion.version)))


# Assigning ------------------------------------------------------------------------------------


def _current_staff(
    session: Session, unit_ids: Collection[int], roles: Collection[StaffRole] | None, on: date
) -> list[int]:
    stmt = (
        select(Staff.id)
        .join(StaffAssignment, StaffAssignment.staff_id == Staff.id)
        .where(
            StaffAssignment.unit_id.in_(list(unit_ids)),
            StaffAssignment.valid_from <= on,
            or_(StaffAssignment.valid_to.is_(None), StaffAssignment.valid_to > on),
            or_(Staff.leave_date.is_(None), Staff.leave_date >= on),
        )
    )
    if roles:
        stmt = stmt.where(StaffAssignment.role.in_(list(roles)))
    return sorted(set(session.scalars(stmt)))


def assignable_staff(
    session: Session,
    actor: Actor,
    quiz_id: int,
    unit_ids: Sequence[int],
    roles: Collection[StaffRole] | None,
    today: date | None,
) -> list[int]:
    """The people HR is giving a version to (first time or as a new cycle): everyone now in
    the units (and beneath them), or only the given roles; refused when there is nobody."""
    require(actor, Permission.MANAGE_TRAINING)
    quiz = session.get(QuizVersion, quiz_id)
    if quiz is None:
        raise NotFound(N_("No such assessment."))
    quiz_of(quiz)
    if not unit_ids:
        raise ValidationError(N_("Choose at least one unit."))
    people = _current_staff(session, expand_scope(session, unit_ids), roles, today or clock.today())
    if not people:
        raise ValidationError(N_("Nobody in these units (and roles) works there now."))
    return people


def insert_assignments(
    session: Session,
    actor: Actor,
    quiz_id: int,
    cycles: Mapping[int, int],
    settings: Settings | None = None,
) -> None:
    """Give the version to each staff member in ``cycles`` ({staff id: cycle}) with a fresh
    personal link (generation 1 of that cycle), in one statement."""
    key = secret_key(settings or Settings.from_env())
    now = utcnow()
    session.execute(
        insert(QuizAssignment.__table__),
        [
            {
                "quiz_id": quiz_id,
                "staff_id": staff_id,
                "token_hash": hash_token(quiz_token(key, quiz_id, staff_id, cycle, 1)),
                "assigned_at": now,
                "assigned_by": actor.email,
                "active": True,
                "cycle": cycle,
                "generation": 1,
                "extra_attempts": 0,
                "counted_from": 0,
            }
            for staff_id, cycle in cycles.items()
        ],
    )


@transactional
def assign_quiz(
    session: Session,
    actor: Actor,
    quiz_id: int,
    unit_ids: Sequence[int],
    settings: Settings,
    *,
    roles: Collection[StaffRole] | None = None,
    today: date | None = None,
) -> tuple[int, int]:
    """Assign the quiz version to everyone now working in the units (and beneath them), or
    only to the given roles; returns (assigned now, assigned before and left as they were)."""
    people = assignable_staff(session, actor, quiz_id, unit_ids, roles, today)
    before = set(
        session.scalars(
            select(QuizAssignment.staff_id).where(
                QuizAssignment.quiz_id == quiz_id, QuizAssignment.staff_id.in_(people)
            )
        )
    )
    fresh = [p for p in people if p not in before]
    if fresh:
        insert_assignments(session, actor, quiz_id, dict.fromkeys(fresh, 1), settings)
    audit.record(
        session,
        actor,
        "quiz.assign",
        "quiz_version",
        quiz_id,
        assigned=len(fresh),
        already=len(before),
        units=len(unit_ids),
    )
    return len(fresh), len(before)


@dataclass(frozen=True)
class QuizLink:
    employee_no: str
    name: str
    store: str
    unit: str
    link: str
    passed: bool


def assignment_links(
    session: Session,
    actor: Actor,
    quiz_id: int,
    settings: Settings,
    *,
    pending_only: bool = False,
    staff_ids: Collection[int] | None = None,
) -> list[QuizLink]:
    """The personal links of a quiz version's active assignments (HR), to send or print,
    optionally only of some people's."""
    require(actor, Permission.MANAGE_TRAINING)
    status = status_table(session, actor, quiz_id=quiz_id)
    unit = OrgUnit.__table__.alias("unit")
    store = OrgUnit.__table__.alias("store")
    stmt = (
        select(
            Staff.id,
            Staff.employee_no,
            Staff.name,
            store.c.name,
            unit.c.name,
            QuizAssignment.cycle,
            QuizAssignment.generation,
        )
        .join(QuizAssignment, QuizAssignment.staff_id == Staff.id)
        .join(StaffAssignment, StaffAssignment.staff_id == Staff.id)
        .join(unit, unit.c.id == StaffAssignment.unit_id)
        .join(store, store.c.id == store_id_of(unit))
        .where(
            QuizAssignment.quiz_id == quiz_id,
            QuizAssignment.active,  # the newest cycle; revoked links are not handed out
            StaffAssignment.valid_to.is_(None),
        )
        .order_by(store.c.name, Staff.employee_no)
    )
    if staff_ids is not None:
        stmt = stmt.where(Staff.id.in_(list(staff_ids)))
    passed = dict(zip(status["staff_id"], status["passed"], strict=True)) if len(status) else {}
    key = secret_key(settings)
    base = f"{settings.public_url}/assessment?t="
    links = [
        QuizLink(
            no,
            name,
            store_name,
            unit_name,
            base + quiz_token(key, quiz_id, staff_id, cycle, generation),
            bool(passed.get(staff_id)),
        )
        for staff_id, no, name, store_name, unit_name, cycle, generation in session.execute(stmt)
    ]
    return [link for link in links if not (pending_only and link.passed)]


# Taking an assessment (from a personal link; no actor) ----------------------------------------


class LinkState(enum.StrEnum):
    UNKNOWN = "unknown"  # no such link (or withdrawn)
    READY = "ready"  # an attempt can be started or is under way
    DONE = "done"  # no attempts left


@dataclass(frozen=True)
class AttemptRow:
    id: int
    number: int
    status: AttemptStatus
    started_at: datetime
    deadline: datetime | None
    submitted_at: datetime | None
    questions: tuple[Mapping[str, Any], ...]
    answers: Mapping[str, Any]
    correct: int | None
    total: int
    score: Any
    passed: bool | None


@dataclass(frozen=True)
class AssessmentView:
    state: LinkState
    staff_name: str = ""
    employee_no: str = ""
    quiz: Quiz | None = None
    attempts: tuple[AttemptRow, ...] = ()
    attempts_left: int = 0
    passed: bool = False  # by the quiz's grading rule
    limit: int = 0  # counted attempts allowed: the quiz's maximum plus HR's extra ones

    @property
    def open_attempt(self) -> AttemptRow | None:
        return next((a for a in self.attempts if a.status is AttemptStatus.OPEN), None)


def _assignment(session: Session, token: str) -> QuizAssignment | None:
    if not token or len(token) > 64:
        return None
    return session.scalar(
        select(QuizAssignment).where(
            QuizAssignment.token_hash == hash_token(token), QuizAssignment.active
        )
    )


def _attempts(session: Session, assignment_id: int) -> list[QuizAttempt]:
    return list(
        session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.assignment_id == assignment_id)
            .order_by(QuizAttempt.number)
        )
    )


def _row(attempt: QuizAttempt) -> AttemptRow:
    return AttemptRow(
        attempt.id,
        attempt.number,
        attempt.status,
        _aware(attempt.started_at),
        _aware(attempt.deadline),
        _aware(attempt.submitted_at),
        tuple(attempt.questions),
        dict(attempt.answers or {}),
        attempt.correct,
        attempt.total,
        attempt.score,
        attempt.passed,
    )


def graded_pass(quiz: Quiz, attempts: Sequence[Any]) -> bool:
    """Passed by the quiz's rule: any marked attempt passed (highest), or the last one did."""
    marked = [a for a in attempts if a.status is not AttemptStatus.OPEN]
    if not marked:
        return False
    if quiz.grading == "last":
        return bool(marked[-1].passed)
    return any(a.passed for a in marked)


def _expire(session: Session, attempts: Sequence[QuizAttempt], now: datetime) -> None:
    """Attempts whose time ran out are expired: they count as failed attempts."""
    for attempt in attempts:
        deadline = _aware(attempt.deadline)
        if attempt.status is AttemptStatus.OPEN and deadline and now > deadline + GRACE:
            attempt.status = AttemptStatus.EXPIRED
            attempt.correct, attempt.score, attempt.passed = 0, 0, False


def open_assessment(session: Session, token: str, now: datetime | None = None) -> AssessmentView:
    """What a personal link opens: who it is for, the quiz, the attempts so far."""
    assignment = _assignment(session, token)
    if assignment is None:
        return AssessmentView(LinkState.UNKNOWN)
    now = now or utcnow()
    staff = session.get(Staff, assignment.staff_id)
    quiz = quiz_of(session.get(QuizVersion, assignment.quiz_id))
    attempts = _attempts(session, assignment.id)
    rows = []
    for attempt in attempts:
        row = _row(attempt)
        deadline = row.deadline
        if row.status is AttemptStatus.OPEN and deadline and now > deadline + GRACE:
            # Shown as expired; written as expired by the next write (start or submit).
            row = replace(row, status=AttemptStatus.EXPIRED, passed=False)
        rows.append(row)
    scored = counted(rows, assignment.counted_from)
    left = attempt_limit(quiz, assignment) - len(scored)
    open_now = any(r.status is AttemptStatus.OPEN for r in rows)
    state = LinkState.READY if left > 0 or open_now else LinkState.DONE
    return AssessmentView(
        state,
        staff.name,
        staff.employee_no,
        quiz,
        tuple(rows),
        max(left, 0),
        graded_pass(quiz, scored),
        attempt_limit(quiz, assignment),
    )


@transactional
def start_attempt(
    session: Session, token: str, *, now: datetime | None = None, rng: random.Random | None = None
) -> int:
    """Start the next attempt (or return the one under way): draw its questions, fix its
    deadline. Refused when no attempts are left."""
    assignment = _assignment(session, token)
    if assignment is None:
        raise NotFound(N_("This link is not valid. Ask HR for yours."))
    now = now or utcnow()
    quiz = quiz_of(session.get(QuizVersion, assignment.quiz_id))
    attempts = _attempts(session, assignment.id)
    _expire(session, attempts, now)
    under_way = next((a for a in attempts if a.status is AttemptStatus.OPEN), None)
    if under_way is not None:
        return under_way.id
    limit = attempt_limit(quiz, assignment)
    if len(counted(attempts, assignment.counted_from)) >= limit:
        raise Conflict(
            N_("All {limit} attempts have been used. HR can grant you another attempt: ask them."),
            limit=limit,
        )
    drawn = draw(quiz, rng or random.SystemRandom())
    minutes = quiz.time_limit_minutes
    attempt = QuizAttempt(
        assignment_id=assignment.id,
        number=(attempts[-1].number if attempts else 0) + 1,
        questions=[{"id": d.id, "options": list(d.options)} for d in drawn],
        answers={},
        started_at=now,
        deadline=now + timedelta(minutes=minutes) if minutes else None,
        total=len(drawn),
    )
    session.add(attempt)
    try:
        session.flush()
    except IntegrityError as exc:  # the same attempt started twice at once
        raise Conflict(N_("This attempt was started already; reload the page.")) from exc
    audit.record(session, "assessment-link", "quiz.start", "quiz_attempt", attempt.id)
    return attempt.id


def _clean(answers: Mapping[str, Any], questions: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Only answers to the attempt's own questions, with options it offered."""
    offered = {q["id"]: set(q["options"]) for q in questions}
    cleaned: dict[str, Any] = {}
    for question_id, answer in answers.items():
        if question_id not in offered or answer in (None, "", []):
            continue
        chosen = [answer] if isinstance(answer, str) else [str(a) for a in answer]
        if not set(chosen) <= offered[question_id]:
            raise ValidationError(N_("An answer names an option the question does not have."))
        cleaned[question_id] = chosen[0] if isinstance(answer, str) else sorted(chosen)
    return cleaned


@transactional
def submit_attempt(
    session: Session,
    token: str,
    attempt_id: int,
    answers: Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> AttemptRow:
    """Mark and close an attempt. Refused if it was submitted already or its time is up
    (an expired attempt counts as failed)."""
    assignment = _assignment(session, token)
    attempt = session.get(QuizAttempt, attempt_id)
    if assignment is None or attempt is None or attempt.assignment_id != assignment.id:
        raise NotFound(N_("This link is not valid. Ask HR for yours."))
    now = now or utcnow()
    if attempt.status is AttemptStatus.SUBMITTED:
        raise Conflict(N_("This attempt was submitted already."))
    deadline = _aware(attempt.deadline)
    if attempt.status is AttemptStatus.EXPIRED or (deadline and now > deadline + GRACE):
        session.execute(
            update(QuizAttempt)
            .where(QuizAttempt.id == attempt.id, QuizAttempt.status == AttemptStatus.OPEN)
            .values(status=AttemptStatus.EXPIRED, correct=0, score=0, passed=False)
        )
        session.commit()  # the expiry stands even though the submission is refused
        raise Conflict(
            N_("The time limit ran out at {deadline}; this attempt was not accepted."),
            deadline=format_time(deadline, "%H:%M"),
        )
    quiz = quiz_of(session.get(QuizVersion, assignment.quiz_id))
    cleaned = _clean(answers, attempt.questions)
    result = grade(quiz, [q["id"] for q in attempt.questions], cleaned)
    claimed = session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.status == AttemptStatus.OPEN)
        .values(
            status=AttemptStatus.SUBMITTED,
            answers=cleaned,
            submitted_at=now,
            correct=result.correct,
            score=percent(result.share),
            passed=result.passed,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise Conflict(N_("This attempt was submitted already."))
    audit.record(session, "assessment-link", "quiz.submit", "quiz_attempt", attempt.id)
    session.flush()
    session.refresh(attempt)
    return _row(attempt)


# Status ---------------------------------------------------------------------------------------

STATUS_COLUMNS = (
    "staff_id",
    "employee_no",
    "name",
    "role",
    "store_code",
    "store_name",
    "quiz_id",
    "quiz_key",
    "quiz_version",
    "attempts",
    "attempts_left",
    "best",
    "last",
    "passed",
    "passed_at",
)


def status_table(
    session: Session,
    actor: Actor,
    *,
    quiz_id: int | None = None,
    quiz_key: str | None = None,
    employee_no: str | None = None,
) -> pd.DataFrame:
    """One row per active assignment (the newest cycle) of staff whose current unit is in
    scope: attempts used and left (counted ones: see :func:`counted`), best and last score,
    passed by the quiz's grading rule, and when (the first passing attempt for "highest",
    the last attempt for "last")."""
    require(actor, Permission.VIEW_TRAINING)
    unit = OrgUnit.__table__.alias("unit")
    store = OrgUnit.__table__.alias("store")
    stmt = (
        select(
            QuizAssignment.id,
            QuizAssignment.extra_attempts,
            QuizAssignment.counted_from,
            Staff.id,
            Staff.employee_no,
            Staff.name,
            StaffAssignment.role,
            store.c.code,
            store.c.name,
            QuizVersion.id,
            QuizVersion.key,
            QuizVersion.version,
            QuizVersion.definition,
        )
        .join(Staff, Staff.id == QuizAssignment.staff_id)
        .join(QuizVersion, QuizVersion.id == QuizAssignment.quiz_id)
        .join(StaffAssignment, StaffAssignment.staff_id == Staff.id)
        .join(unit, unit.c.id == StaffAssignment.unit_id)
        .join(store, store.c.id == store_id_of(unit))
        .where(StaffAssignment.valid_to.is_(None), QuizAssignment.active)
        .order_by(store.c.code, Staff.employee_no, QuizVersion.key)
    )
    if actor.scope is not None:
        stmt = stmt.where(unit.c.id.in_(actor.scope))
    if quiz_id is not None:
        stmt = stmt.where(QuizVersion.id == quiz_id)
    if quiz_key is not None:
        stmt = stmt.where(QuizVersion.key == quiz_key)
    if employee_no is not None:
        stmt = stmt.where(Staff.employee_no == employee_no)
    rows = session.execute(stmt).all()
    attempts: dict[int, list[QuizAttempt]] = {}
    ids = [r[0] for r in rows]
    for start in range(0, len(ids), 5_000):
        for attempt in session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.assignment_id.in_(ids[start : start + 5_000]))
            .order_by(QuizAttempt.assignment_id, QuizAttempt.number)
        ):
            attempts.setdefault(attempt.assignment_id, []).append(attempt)
    now = utcnow()
    out = []
    quizzes: dict[int, Quiz] = {}
    for row in rows:
        assignment_id, extra, counted_from, staff_id, no, name, role, code, store_name = row[:9]
        qid, key, version = row[9:12]
        if qid not in quizzes:
            quizzes[qid] = quiz_of(session.get(QuizVersion, qid))
        quiz = quizzes[qid]
        tries = [_row(a) for a in counted(attempts.get(assignment_id, []), counted_from)]
        tries = [
            replace(t, status=AttemptStatus.EXPIRED, passed=False, score=0)
            if t.status is AttemptStatus.OPEN and t.deadline and now > t.deadline + GRACE
            else t
            for t in tries
        ]
        marked = [t for t in tries if t.status is not AttemptStatus.OPEN]
        scores = [float(t.score) for t in marked if t.score is not None]
        passed = graded_pass(quiz, tries)
        if quiz.grading == "last":
            passed_at = marked[-1].submitted_at if passed else None
        else:
            passed_at = next((t.submitted_at for t in marked if t.passed), None)
        out.append(
            (
                staff_id,
                no,
                name,
                role.value,
                code,
                store_name,
                qid,
                key,
                version,
                len(tries),
                max(quiz.max_attempts + (extra or 0) - len(tries), 0),
                max(scores) if scores else None,
                scores[-1] if scores else None,
                passed,
                passed_at,
            )
        )
    return pd.DataFrame(out, columns=list(STATUS_COLUMNS))


def onboarding_passed(session: Session, staff_ids: Collection[int]) -> dict[int, datetime | None]:
    """The incentive gate: when each staff member passed the onboarding assessment (any
    version), or None. Reads no names and needs no permission: it is called by the incentive
    run, which has checked its own."""
    found: dict[int, datetime | None] = {s: None for s in staff_ids}
    rows = session.execute(
        select(QuizAssignment.staff_id, func.min(QuizAttempt.submitted_at))
        .join(QuizVersion, QuizVersion.id == QuizAssignment.quiz_id)
        .join(QuizAttempt, QuizAttempt.assignment_id == QuizAssignment.id)
        .where(
            QuizVersion.key == ONBOARDING,
            QuizAttempt.passed.is_(True),
            QuizAssignment.staff_id.in_(list(staff_ids)),
        )
        .group_by(QuizAssignment.staff_id)
    ).all()
    for staff_id, when in rows:
        found[staff_id] = _aware(when)
    return found


def onboarding_status(
    session: Session, actor: Actor, staff_ids: Collection[int]
) -> dict[int, tuple[bool, datetime | None]]:
    """For a staff list the actor may see (the org page's): (assigned, passed when) of the
    onboarding assessment; staff outside the actor's scope are left out."""
    require(actor, Permission.VIEW_TRAINING)
    ids = list(staff_ids)
    if actor.scope is not None:
        ids = list(
            session.scalars(
                select(StaffAssignment.staff_id).where(
                    StaffAssignment.staff_id.in_(ids),
                    StaffAssignment.valid_to.is_(None),
                    StaffAssignment.unit_id.in_(actor.scope),
                )
            )
        )
    assigned = set(
        session.scalars(
            select(QuizAssignment.staff_id)
            .join(QuizVersion, QuizVersion.id == QuizAssignment.quiz_id)
            .where(QuizVersion.key == ONBOARDING, QuizAssignment.staff_id.in_(ids))
        )
    )
    passed = onboarding_passed(session, ids)
    return {s: (s in assigned, passed.get(s)) for s in ids}


def first_attempts(session: Session, actor: Actor, quiz_id: int) -> pd.DataFrame:
    """One row per (first attempt, drawn question) of a quiz version: ``attempt``,
    ``question``, ``slot`` and ``right`` (0/1), for the item analysis: first attempts only,
    and only submitted ones (an expired attempt's answers were never accepted)."""
    require(actor, Permission.MANAGE_TRAINING)
    row = session.get(QuizVersion, quiz_id)
    if row is None:
        raise NotFound(N_("No such assessment."))
    quiz = quiz_of(row)
    attempts = session.execute(
        select(QuizAttempt.id, QuizAttempt.questions, QuizAttempt.answers)
        .join(QuizAssignment, QuizAssignment.id == QuizAttempt.assignment_id)
        .where(
            QuizAssignment.quiz_id == quiz_id,
            QuizAttempt.number == 1,
            QuizAttempt.status == AttemptStatus.SUBMITTED,
        )
    ).all()
    records = []
    for attempt_id, questions, answers in attempts:
        ids = [q["id"] for q in questions]
        marks = grade(quiz, ids, answers or {}).right
        records += [
            (attempt_id, question_id, slot, int(right))
            for slot, (question_id, right) in enumerate(zip(ids, marks, strict=True))
        ]
    return pd.DataFrame(records, columns=["attempt", "question", "slot", "right"])


def item_analysis(
    session: Session, actor: Actor, quiz_id: int
) -> tuple[QuizStatistics, pd.DataFrame]:
    """The test's statistics and each question's, on first attempts (HR): see
    :mod:`ee_app.analysis.items` for the definitions (Moodle's)."""
    frame = first_attempts(session, actor, quiz_id)
    return test_statistics(frame), question_statistics(frame)
