"""The personal links of a training assessment, for HR to send over WeCom/WeChat or print.

A link is derived from the server key, the quiz version, the person and their assignment's
cycle and generation (:func:`ee_app.services.training.quiz_token`); only its hash is stored, so
HR can download the same links again. Revoked links (a new cycle, a withdrawn link) are not
handed out.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ee_app.auth import Actor, Permission, require
from ee_app.config import Settings
from ee_app.keys import secret_key
from ee_app.models import OrgUnit, QuizAssignment, Staff, StaffAssignment
from ee_app.services.org import store_id_of
from ee_app.services.training import quiz_token
from ee_app.services.training_status import status_table

__all__ = ["QuizLink", "assignment_links"]


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
