"""Who passed which training assessment, and how well its questions work.

HR and managers (``VIEW_TRAINING``) read each staff member's status in their scope
(:func:`status_table`); the onboarding pass gates performance pay (:func:`onboarding_passed`);
HR reads the item analysis of a quiz's first attempts (:func:`item_analysis`). Attempts count
as :mod:`ee_app.services.training` says (``counted_from``, the attempt limit).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ee_app.analysis.items import QuizStatistics, question_statistics, test_statistics
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, NotFound
from ee_app.instruments.quiz import ONBOARDING, Quiz, grade
from ee_app.models import (
    AttemptStatus,
    OrgUnit,
    QuizAssignment,
    QuizAttempt,
    QuizVersion,
    Staff,
    StaffAssignment,
    utcnow,
)
from ee_app.services.org import store_id_of
from ee_app.services.training import GRACE, as_utc, attempt_row, counted, graded_pass, quiz_of

__all__ = [
    "STATUS_COLUMNS",
    "first_attempts",
    "item_analysis",
    "onboarding_passed",
    "onboarding_status",
    "status_table",
]


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
        tries = [attempt_row(a) for a in counted(attempts.get(assignment_id, []), counted_from)]
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
        found[staff_id] = as_utc(when)
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
