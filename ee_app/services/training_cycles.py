"""Giving an assessment version again as a new cycle (the quarterly re-test), for HR
(``MANAGE_TRAINING``); re-exported by :mod:`ee_app.services.training_assignments`.

Why cycles rather than a new version: the questions have not changed, and the item analysis
and history of the version should stay together. Each person's previous assignment of the
version becomes inactive with its attempts (the history, and the onboarding gate in pay, keep
them); a new assignment, ``cycle + 1``, gets a fresh link (derived from the cycle) and a fresh
count. Only the newest cycle is active: listed, given links, and opened by a link.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ee_app.auth import Actor
from ee_app.config import Settings
from ee_app.errors import N_, Conflict
from ee_app.models import QuizAssignment, StaffRole
from ee_app.services import audit
from ee_app.services._tx import transactional
from ee_app.services.training import assignable_staff, insert_assignments

__all__ = ["MAX_GENERATION", "CycleResult", "new_cycle"]

#: ``quiz_assignment.generation`` and ``cycle`` are SMALLINTs.
MAX_GENERATION = 32_000


@dataclass(frozen=True)
class CycleResult:
    """What :func:`new_cycle` did: people given a new cycle, and people given it first."""

    renewed: int
    first: int


@transactional
def new_cycle(
    session: Session,
    actor: Actor,
    quiz_id: int,
    unit_ids: Sequence[int],
    settings: Settings,
    *,
    roles: Collection[StaffRole] | None = None,
    today: date | None = None,
) -> CycleResult:
    """Give the version again to everyone now in the units (optionally only some roles): each
    one's previous assignment becomes inactive (its attempts stay in the history and in the
    onboarding gate), and a new cycle starts with a fresh link and a fresh count. People
    never given it get cycle 1. The old links stop working."""
    people = assignable_staff(session, actor, quiz_id, unit_ids, roles, today)
    cycles: dict[int, int] = {}
    for staff_id, cycle in session.execute(
        select(QuizAssignment.staff_id, QuizAssignment.cycle).where(
            QuizAssignment.quiz_id == quiz_id, QuizAssignment.staff_id.in_(people)
        )
    ):
        cycles[staff_id] = max(cycle, cycles.get(staff_id, 0))
    if any(c >= MAX_GENERATION for c in cycles.values()):
        raise Conflict(N_("This assessment cannot be given again to these people."))
    if cycles:
        session.execute(
            update(QuizAssignment)
            .where(QuizAssignment.quiz_id == quiz_id, QuizAssignment.staff_id.in_(list(cycles)))
            .values(active=False)
            .execution_options(synchronize_session=False)
        )
    insert_assignments(session, actor, quiz_id, {p: cycles.get(p, 0) + 1 for p in people}, settings)
    result = CycleResult(renewed=len(cycles), first=len(people) - len(cycles))
    audit.record(
        session,
        actor,
        "quiz.new_cycle",
        "quiz_version",
        quiz_id,
        renewed=result.renewed,
        assigned=result.first,
        units=len(unit_ids),
    )
    return result
