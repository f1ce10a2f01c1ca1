"""Training assessments: the quiz versions, assigning them, and what every part shares.

* HR and admins (``MANAGE_TRAINING``) assign a quiz version to the current staff of some units
  (optionally only some roles); the personal links: :mod:`ee_app.services.training_links`.
* Staff need no account: their personal link (``/assessment?t=TOKEN``) identifies them and
  opens exactly their assignment (:mod:`ee_app.services.training_taking`). Assessments are
  **not anonymous**; the page says so.
* HR and managers (``VIEW_TRAINING``) read each staff member's status in their scope, HR the
  item analysis (:mod:`ee_app.services.training_status`).

Tokens are ``HMAC(key, quiz:staff[:cycle:generation])`` (see :mod:`ee_app.keys`): the
database stores their hash and HR can download the same links again.

HR's controls over one person's assessment (a new cycle, extra attempts, a reset, a revoked or
re-issued link) live in :mod:`ee_app.services.training_assignments`. Everywhere they show as:
only attempts numbered above ``counted_from`` count against the limit and in the grading
(:func:`counted`), the limit is the quiz's ``max_attempts`` plus ``extra_attempts``
(:func:`attempt_limit`), and each assignment's link derives from its own cycle and generation.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from ee_app import clock
from ee_app.auth import Actor, Permission, require
from ee_app.config import Settings
from ee_app.errors import N_, NotFound, ValidationError
from ee_app.instruments.quiz import Quiz, default_definitions, validate
from ee_app.keys import hash_token, link_token, secret_key
from ee_app.models import (
    AttemptStatus,
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
from ee_app.services.org import expand_scope
from ee_app.services.versions import add_shipped, checked_version

__all__ = [
    "GRACE",
    "AttemptRow",
    "as_utc",
    "assign_quiz",
    "assignable_staff",
    "attempt_limit",
    "attempt_row",
    "attempts_of",
    "counted",
    "ensure_default_quizzes",
    "insert_assignments",
    "list_quizzes",
    "quiz_of",
    "quiz_token",
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


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time here is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


# Quiz versions --------------------------------------------------------------------------------

_CHECKED: dict[tuple[int, str], Quiz] = {}
_ALTERED = N_("Assessment {key} v{version} has been altered in the database; restore it.")


def quiz_of(row: QuizVersion) -> Quiz:
    """The validated quiz of a stored version; its hash is checked the first time this
    process reads it."""
    return checked_version(_CHECKED, row, validate, _ALTERED)


def ensure_default_quizzes(session: Session) -> None:
    """Version 1 of each shipped assessment, created when missing (no commit)."""
    add_shipped(session, QuizVersion, default_definitions(), validate)


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


# Attempts (taking them: training_taking; the status: training_status) -------------------------


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


def attempt_row(attempt: QuizAttempt) -> AttemptRow:
    """An attempt as the assessment page, HR's status table and HR's controls show it."""
    return AttemptRow(
        attempt.id,
        attempt.number,
        attempt.status,
        as_utc(attempt.started_at),
        as_utc(attempt.deadline),
        as_utc(attempt.submitted_at),
        tuple(attempt.questions),
        dict(attempt.answers or {}),
        attempt.correct,
        attempt.total,
        attempt.score,
        attempt.passed,
    )


def attempts_of(session: Session, assignment_id: int) -> list[QuizAttempt]:
    """Every attempt on an assignment, reset ones included, in the order they were made: the
    person's page and HR's controls read the same history."""
    return list(
        session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.assignment_id == assignment_id)
            .order_by(QuizAttempt.number)
        )
    )


def graded_pass(quiz: Quiz, attempts: Sequence[Any]) -> bool:
    """Passed by the quiz's rule: any marked attempt passed (highest), or the last one did."""
    marked = [a for a in attempts if a.status is not AttemptStatus.OPEN]
    if not marked:
        return False
    if quiz.grading == "last":
        return bool(marked[-1].passed)
    return any(a.passed for a in marked)
