"""HR's controls over who takes an assessment and how often: cycles, extra attempts, resets,
revoked and re-issued links (``MANAGE_TRAINING``; every change audited).

Why: the onboarding pass gates performance pay (:func:`ee_app.services.training.
onboarding_passed`), so a new hire who used up their attempts would be cut off from pay with
no way back. HR now has one:

* :func:`grant_attempts` gives one person 1 to :data:`MAX_GRANT` more attempts (a reason is
  required and kept in the audit log);
* :func:`reset_attempts` starts the count again: the attempts so far stay in the history but
  no longer count against the limit nor in the grading (``counted_from``). Refused while an
  attempt is under way and after the person has passed (a reset must never take a pass away);
* :func:`revoke_link` withdraws a link (a leaked one, or someone who should not take it): it
  then opens "not valid"; :func:`reissue_link` gives a new link (the old one stops working at
  once) and makes the assignment active again;
* :func:`new_cycle` (from :mod:`ee_app.services.training_cycles`) gives a version again to
  the people now in some units (the quarterly re-test): each person's previous assignment
  becomes inactive with its history, and a new cycle starts with a fresh link and a fresh
  count. People never given it get cycle 1.

A person is addressed by employee number and a quiz: a version id, or a key (the newest
version they were given). Their newest cycle is the one acted on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ee_app.auth import Actor, Permission, require
from ee_app.config import Settings
from ee_app.errors import N_, Conflict, NotFound, ValidationError
from ee_app.instruments.quiz import Quiz
from ee_app.keys import hash_token, secret_key
from ee_app.models import (
    AttemptStatus,
    QuizAssignment,
    QuizAttempt,
    QuizVersion,
    Staff,
    StaffAssignment,
    utcnow,
)
from ee_app.services import audit
from ee_app.services._tx import transactional
from ee_app.services.training import (
    GRACE,
    AttemptRow,
    as_utc,
    attempt_limit,
    attempt_row,
    attempts_of,
    counted,
    graded_pass,
    quiz_of,
    quiz_token,
)
from ee_app.services.training_cycles import MAX_GENERATION, CycleResult, new_cycle
from ee_app.services.training_links import QuizLink, assignment_links

__all__ = [
    "MAX_EXTRA",
    "MAX_GRANT",
    "CycleResult",
    "PersonAssignment",
    "grant_attempts",
    "new_cycle",
    "person_assignments",
    "reissue_link",
    "reset_attempts",
    "revoke_link",
]

#: At most this many attempts in one grant: more is a new cycle, not a favour.
MAX_GRANT = 5
#: At most this many extra attempts on one assignment in all (``extra_attempts`` is a SMALLINT).
MAX_EXTRA = 50
REASON_LIMIT = 500


@dataclass(frozen=True)
class PersonAssignment:
    """One assignment of one person, as HR's person panel shows it."""

    quiz_id: int
    quiz_key: str
    quiz_version: int
    quiz: Quiz
    cycle: int
    generation: int
    active: bool
    attempts: int  # all attempts, reset ones included
    counted: int  # those that count against the limit
    limit: int  # max attempts + extra
    extra_attempts: int
    attempts_left: int
    under_way: bool
    passed: bool
    assigned_at: datetime


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError(
            N_("Give a reason (for example “missed the training day, retrained on 3 May”).")
        )
    if len(text) > REASON_LIMIT:
        raise ValidationError(N_("Keep the reason under {limit} characters."), limit=REASON_LIMIT)
    return text


def _person(session: Session, actor: Actor, employee_no: str) -> Staff:
    """The staff member with this number, if the actor's scope holds their current unit."""
    number = (employee_no or "").strip()
    staff = session.scalar(select(Staff).where(Staff.employee_no == number))
    if staff is not None and actor.scope is not None:
        unit = session.scalar(
            select(StaffAssignment.unit_id).where(
                StaffAssignment.staff_id == staff.id, StaffAssignment.valid_to.is_(None)
            )
        )
        staff = staff if unit in actor.scope else None
    if staff is None:
        raise NotFound(N_("No staff member {employee} in your units."), employee=number)
    return staff


def _newest(session: Session, actor: Actor, quiz: int | str, employee_no: str):  # type: ignore[no-untyped-def]
    """(staff, quiz version, their newest assignment of it) for a version id or a key."""
    staff = _person(session, actor, employee_no)
    stmt = (
        select(QuizAssignment, QuizVersion)
        .join(QuizVersion, QuizVersion.id == QuizAssignment.quiz_id)
        .where(QuizAssignment.staff_id == staff.id)
        .order_by(QuizVersion.version.desc(), QuizAssignment.cycle.desc())
    )
    if isinstance(quiz, int):
        stmt = stmt.where(QuizVersion.id == quiz)
    else:
        stmt = stmt.where(QuizVersion.key == quiz.strip())
    found = session.execute(stmt.limit(1)).first()
    if found is None:
        raise NotFound(
            N_("{employee} has not been given this assessment. Assign it to them first."),
            employee=staff.employee_no,
        )
    return staff, found[1], found[0]


def _under_way(attempt: QuizAttempt, now: datetime) -> bool:
    deadline = as_utc(attempt.deadline)
    return attempt.status is AttemptStatus.OPEN and not (deadline and now > deadline + GRACE)


def _marked(attempts: Sequence[QuizAttempt], now: datetime) -> list[AttemptRow]:
    """The attempts as the grading sees them: one whose time ran out counts as failed (it is
    written so by the next start)."""
    return [
        replace(attempt_row(a), status=AttemptStatus.EXPIRED, passed=False)
        if a.status is AttemptStatus.OPEN and not _under_way(a, now)
        else attempt_row(a)
        for a in attempts
    ]


def _summary(
    row: QuizAssignment, version: QuizVersion, attempts: list[QuizAttempt], now: datetime
) -> PersonAssignment:
    quiz = quiz_of(version)
    scored = counted(attempts, row.counted_from)
    limit = attempt_limit(quiz, row)
    return PersonAssignment(
        version.id,
        version.key,
        version.version,
        quiz,
        row.cycle,
        row.generation,
        row.active,
        len(attempts),
        len(scored),
        limit,
        row.extra_attempts,
        max(limit - len(scored), 0),
        any(_under_way(a, now) for a in attempts),
        graded_pass(quiz, _marked(scored, now)),
        as_utc(row.assigned_at),
    )


def _reread(
    session: Session, row: QuizAssignment, version: QuizVersion, now: datetime
) -> PersonAssignment:
    """The assignment as it stands after a change: :func:`_swap` writes past the session, so
    the row is read again before it is summarised."""
    session.flush()
    session.refresh(row)
    return _summary(row, version, attempts_of(session, row.id), now)


def person_assignments(
    session: Session, actor: Actor, employee_no: str
) -> tuple[Staff, list[PersonAssignment]]:
    """One person's assignments, newest version and cycle first (HR's person panel)."""
    require(actor, Permission.MANAGE_TRAINING)
    staff = _person(session, actor, employee_no)
    rows = session.execute(
        select(QuizAssignment, QuizVersion)
        .join(QuizVersion, QuizVersion.id == QuizAssignment.quiz_id)
        .where(QuizAssignment.staff_id == staff.id)
        .order_by(QuizVersion.key, QuizVersion.version.desc(), QuizAssignment.cycle.desc())
    ).all()
    now = utcnow()
    return staff, [
        _summary(row, version, attempts_of(session, row.id), now) for row, version in rows
    ]


def _swap(
    session: Session,
    row: QuizAssignment,
    guard: str,
    conflict: str = N_("Someone else changed this assignment just now; look again."),
    **values: object,
) -> None:
    """Write ``values`` to the assignment only if its ``guard`` column still holds what
    ``row`` read: two HR users acting at once get one change and one :class:`Conflict`,
    never two changes on top of each other."""
    column = getattr(QuizAssignment, guard)
    changed = session.execute(
        update(QuizAssignment)
        .where(QuizAssignment.id == row.id, column == getattr(row, guard))
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise Conflict(conflict)


def _audit(
    session: Session,
    actor: Actor,
    action: str,
    version: QuizVersion,
    staff: Staff,
    row: QuizAssignment,
    *,
    attempts: int | None = None,
    reason: str | None = None,
) -> None:
    """The audit entry of a change to one person's assignment: who, how many attempts, which
    cycle and why, under the quiz version."""
    detail: dict[str, object] = {"employee_no": staff.employee_no}
    if attempts is not None:
        detail["attempts"] = attempts
    detail["cycle"] = row.cycle
    if reason is not None:
        detail["reason"] = reason
    audit.record(session, actor, action, "quiz_version", version.id, **detail)


@transactional
def grant_attempts(
    session: Session,
    actor: Actor,
    quiz: int | str,
    employee_no: str,
    count: int,
    reason: str,
) -> PersonAssignment:
    """Give one person ``count`` (1 to :data:`MAX_GRANT`) more attempts on their newest
    assignment of the quiz. Refused after they passed: there is nothing to retake."""
    require(actor, Permission.MANAGE_TRAINING)
    text = _reason(reason)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_GRANT:
        raise ValidationError(N_("Grant from 1 to {most} attempts at a time."), most=MAX_GRANT)
    staff, version, row = _newest(session, actor, quiz, employee_no)
    now = utcnow()
    before = _summary(row, version, attempts_of(session, row.id), now)
    if not row.active:
        raise Conflict(
            N_("{employee}'s link was withdrawn: re-issue the link first, then grant attempts."),
            employee=staff.employee_no,
        )
    if before.passed:
        raise Conflict(
            N_(
                "{employee} has already passed this assessment: no attempt is needed. To test "
                "them again, assign it again as a new cycle."
            ),
            employee=staff.employee_no,
        )
    if row.extra_attempts + count > MAX_EXTRA:
        raise Conflict(
            N_("At most {most} extra attempts in all; assign a new cycle instead."), most=MAX_EXTRA
        )
    _swap(session, row, "extra_attempts", extra_attempts=row.extra_attempts + count)
    _audit(session, actor, "quiz.grant", version, staff, row, attempts=count, reason=text)
    return _reread(session, row, version, now)


@transactional
def reset_attempts(
    session: Session, actor: Actor, quiz: int | str, employee_no: str, reason: str
) -> PersonAssignment:
    """Start one person's count again: their attempts so far stay in the history but no
    longer count. Refused while an attempt is under way and after a pass."""
    require(actor, Permission.MANAGE_TRAINING)
    text = _reason(reason)
    staff, version, row = _newest(session, actor, quiz, employee_no)
    now = utcnow()
    attempts = attempts_of(session, row.id)
    state = _summary(row, version, attempts, now)
    if not row.active:
        raise Conflict(
            N_("{employee}'s link was withdrawn: re-issue the link first, then reset."),
            employee=staff.employee_no,
        )
    if state.under_way:
        raise Conflict(
            N_(
                "{employee} is taking this assessment right now. Reset after they submit or "
                "their time runs out."
            ),
            employee=staff.employee_no,
        )
    if state.passed:
        raise Conflict(
            N_(
                "{employee} has already passed this assessment: a reset would take the pass "
                "away. To test them again, assign it again as a new cycle."
            ),
            employee=staff.employee_no,
        )
    last = attempts[-1].number if attempts else 0
    if last == row.counted_from:
        raise Conflict(N_("{employee} has no attempts to reset."), employee=staff.employee_no)
    for attempt in attempts:  # ran out of time: written as expired, as the next start would
        if attempt.status is AttemptStatus.OPEN:
            attempt.status = AttemptStatus.EXPIRED
            attempt.correct, attempt.score, attempt.passed = 0, 0, False
    _swap(session, row, "counted_from", counted_from=last)
    _audit(
        session,
        actor,
        "quiz.reset",
        version,
        staff,
        row,
        attempts=last - row.counted_from,
        reason=text,
    )
    return _reread(session, row, version, now)


@transactional
def revoke_link(
    session: Session, actor: Actor, quiz: int | str, employee_no: str, reason: str
) -> None:
    """Withdraw one person's link: it opens "not valid" from now on. Their attempts stay;
    :func:`reissue_link` gives them a new link if needed."""
    require(actor, Permission.MANAGE_TRAINING)
    text = _reason(reason)
    staff, version, row = _newest(session, actor, quiz, employee_no)
    if not row.active:
        raise Conflict(N_("{employee}'s link is already withdrawn."), employee=staff.employee_no)
    session.execute(
        update(QuizAssignment)
        .where(QuizAssignment.id == row.id)
        .values(active=False)
        .execution_options(synchronize_session=False)
    )
    _audit(session, actor, "quiz.revoke", version, staff, row, reason=text)


@transactional
def reissue_link(
    session: Session, actor: Actor, quiz: int | str, employee_no: str, settings: Settings
) -> QuizLink:
    """A new link for one person (lost, leaked or withdrawn): the generation goes up and the
    hash is replaced in one conditional UPDATE, so the old link stops working at once and two
    HR users re-issuing together give one new link, not two live ones. The attempts and their
    count are unchanged."""
    require(actor, Permission.MANAGE_TRAINING)
    staff, version, row = _newest(session, actor, quiz, employee_no)
    if row.generation >= MAX_GENERATION:
        raise Conflict(N_("This person's link cannot be replaced again."))
    new = row.generation + 1
    token = quiz_token(secret_key(settings), version.id, staff.id, row.cycle, new)
    _swap(
        session,
        row,
        "generation",
        N_("Someone else replaced this link just now; look again."),
        generation=new,
        token_hash=hash_token(token),
        active=True,
    )
    _audit(session, actor, "quiz.reissue", version, staff, row)
    session.flush()
    [link] = assignment_links(session, actor, version.id, settings, staff_ids=[staff.id])
    return link
