"""``ee-app staff list`` read with SQLAlchemy Core: the same rows, in the same order and under
the same permission and scope checks as :func:`ee_app.services.org.list_staff` (current
assignments, people who have not left), without importing the ORM or the models (issue 20).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, case, or_, select

from ee_app import clock
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, NotFound
from ee_app.services.core_tables import ORG_UNIT, STAFF, STAFF_ASSIGNMENT
from ee_app.services.users_read import expand_scope

__all__ = ["StaffLine", "list_staff", "unit_id_in_scope"]

TEAM = "team"  # ee_app.models.UnitLevel.TEAM: a team's store is its parent


@dataclass(frozen=True)
class StaffLine:
    """One line of ``ee-app staff list``: the fields it prints."""

    employee_no: str
    name: str
    role: str
    store_code: str
    unit_code: str


def unit_id_in_scope(conn: Connection, actor: Actor, code: str) -> int:
    """The id of unit ``code``; NotFound, as :func:`ee_app.services.org.get_unit`, when it does
    not exist or lies outside the actor's scope."""
    require(actor, Permission.VIEW_ORG)
    unit_id = conn.scalar(select(ORG_UNIT.c.id).where(ORG_UNIT.c.code == code))
    if unit_id is None or not actor.may_see_unit(unit_id):
        raise NotFound(N_("No unit with code “{code}” in your scope."), code=code)
    return unit_id


def list_staff(
    conn: Connection, actor: Actor, *, unit_id: int | None = None, search: str = ""
) -> list[StaffLine]:
    """Current staff whose assignment lies in scope (and under ``unit_id``), by store and
    employee number; ``search`` matches a part of the name or the number."""
    require(actor, Permission.VIEW_ORG)
    unit = ORG_UNIT.alias("unit")
    store = ORG_UNIT.alias("store")
    store_id = case((unit.c.level == TEAM, unit.c.parent_id), else_=unit.c.id)
    stmt = (
        select(
            STAFF.c.employee_no, STAFF.c.name, STAFF_ASSIGNMENT.c.role, store.c.code, unit.c.code
        )
        .select_from(STAFF)
        .join(STAFF_ASSIGNMENT, STAFF_ASSIGNMENT.c.staff_id == STAFF.c.id)
        .join(unit, unit.c.id == STAFF_ASSIGNMENT.c.unit_id)
        .join(store, store.c.id == store_id)
        .where(
            STAFF_ASSIGNMENT.c.valid_to.is_(None),
            or_(STAFF.c.leave_date.is_(None), STAFF.c.leave_date >= clock.today()),
        )
    )
    if actor.scope is not None:
        stmt = stmt.where(unit.c.id.in_(actor.scope))
    if unit_id is not None:
        if not actor.may_see_unit(unit_id):
            raise NotFound(N_("No such unit in your scope."))
        stmt = stmt.where(unit.c.id.in_(expand_scope(conn, [unit_id])))
    if search.strip():
        needle = f"%{search.strip()}%"
        stmt = stmt.where(or_(STAFF.c.name.ilike(needle), STAFF.c.employee_no.ilike(needle)))
    rows = conn.execute(stmt.order_by(store.c.code, STAFF.c.employee_no)).all()
    return [StaffLine(*r) for r in rows]
