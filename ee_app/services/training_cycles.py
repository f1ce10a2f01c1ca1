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

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ee_app import clock
from ee_app.auth import Actor, Permission, require
from ee_app.config import Settings
from ee_app.errors import N_, Conflict, NotFound, ValidationError
from ee_app.keys import hash_token, secret_key
from ee_app.models import QuizAssignment, QuizVersion, StaffRole, utcnow
from ee_app.services import audit
from ee_app.services._tx import transactional
from ee_app.services.org import expand_scope
from ee_app.services.training import _current_staff, quiz_of, quiz_token

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
    require(actor, Permission.MANAGE_TRAINING)
    version = session.get(QuizVersion, quiz_id)
    if version is None:
        raise NotFound(N_("No such assessment."))
    quiz_of(version)
    if not unit_ids:
        raise ValidationError(N_("Choose at least one unit."))
    people = _current_staff(session, expand_scope(session, unit_ids), roles, today or clock.today())
    if not people:
        raise ValidationError(N_("Nobody in these units (and roles) works there now."))
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
    key = secret_key(settings)
    now = utcnow()
    session.execute(
        insert(QuizAssignment.__table__),
        [
            {
                "quiz_id": quiz_id,
                "staff_id": staff_id,
                "token_hash": hash_token(
                    quiz_token(key, quiz_id, staff_id, cycles.get(staff_id, 0) + 1, 1)
                ),
                "assigned_at": now,
                "assigned_by": actor.email,
                "active": True,
                "cycle": cycles.get(staff_id, 0) + 1,
                "generation": 1,
                "extra_attempts": 0,
                "counted_from": 0,
            }
            for staff_id in people
        ],
    )
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
