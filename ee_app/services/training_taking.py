"""Taking a training assessment from a personal link: open it, start an attempt, submit it.

Staff need no account: their personal link (``/assessment?t=TOKEN``) identifies them and opens
exactly their assignment. The time limit is enforced here, on the server: an attempt's deadline
is fixed when it starts, and a submission after it (beyond :data:`GRACE` for the network) is
refused and the attempt counts as expired. A submission is claimed with a conditional UPDATE,
so two taps submit once. Assigning and the links: :mod:`ee_app.services.training`.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ee_app.clock import format_time
from ee_app.errors import N_, Conflict, NotFound, ValidationError
from ee_app.instruments.checklist import percent
from ee_app.instruments.quiz import Quiz, draw, grade
from ee_app.keys import hash_token
from ee_app.models import AttemptStatus, QuizAssignment, QuizAttempt, QuizVersion, Staff, utcnow
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
)

__all__ = ["AssessmentView", "LinkState", "open_assessment", "start_attempt", "submit_attempt"]


class LinkState(enum.StrEnum):
    UNKNOWN = "unknown"  # no such link (or withdrawn)
    READY = "ready"  # an attempt can be started or is under way
    DONE = "done"  # no attempts left


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


def _expire(session: Session, attempts: Sequence[QuizAttempt], now: datetime) -> None:
    """Attempts whose time ran out are expired: they count as failed attempts."""
    for attempt in attempts:
        deadline = as_utc(attempt.deadline)
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
    attempts = attempts_of(session, assignment.id)
    rows = []
    for attempt in attempts:
        row = attempt_row(attempt)
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
    attempts = attempts_of(session, assignment.id)
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
    deadline = as_utc(attempt.deadline)
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
    return attempt_row(attempt)
