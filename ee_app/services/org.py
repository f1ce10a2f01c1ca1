"""The org tree and the staff in it, as the actor may see them.

Scope is enforced here: a manager asking for the staff of a store outside their scope gets
:class:`~ee_app.errors.NotFound`, the same answer as for a store that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ee_app import clock
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, Conflict, NotFound, ValidationError
from ee_app.models import OrgUnit, Staff, StaffAssignment, StaffRole, UnitLevel
from ee_app.services import audit
from ee_app.services._tx import transactional

__all__ = [
    "StaffRow",
    "UnitRow",
    "create_unit",
    "expand_scope",
    "get_unit",
    "headcounts",
    "list_staff",
    "list_units",
    "staff_history",
    "store_id_of",
    "unit_codes_of",
]


@dataclass(frozen=True)
class UnitRow:
    id: int
    code: str
    name: str
    level: UnitLevel
    parent_id: int | None
    path: str

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2


@dataclass(frozen=True)
class StaffRow:
    id: int
    employee_no: str
    name: str
    role: StaffRole
    unit_id: int
    unit_code: str
    unit_name: str
    store_code: str
    store_name: str
    hire_date: date
    leave_date: date | None


def expand_scope(session: Session, unit_ids: Iterable[int]) -> frozenset[int]:
    """The given units and every unit beneath them (through the materialised path)."""
    ids = list(unit_ids)
    if not ids:
        return frozenset()
    paths = session.scalars(select(OrgUnit.path).where(OrgUnit.id.in_(ids))).all()
    if not paths:
        return frozenset()
    stmt = select(OrgUnit.id).where(or_(*(OrgUnit.path.startswith(p) for p in paths)))
    return frozenset(session.scalars(stmt))


def unit_codes_of(session: Session, owner, unit, ids: Sequence[int]) -> dict[int, list[str]]:  # type: ignore[no-untyped-def]
    """The codes of the units each of ``ids`` names, in code order, read through a link
    table's ``owner`` and ``unit`` columns (a wave's or a schedule's audience)."""
    codes: dict[int, list[str]] = {i: [] for i in ids}
    for owner_id, code in session.execute(
        select(owner, OrgUnit.code)
        .join(OrgUnit, OrgUnit.id == unit)
        .where(owner.in_(ids))
        .order_by(OrgUnit.code)
    ):
        codes[owner_id].append(code)
    return codes


def _visible(actor: Actor, stmt, column):  # type: ignore[no-untyped-def]
    return stmt if actor.scope is None else stmt.where(column.in_(actor.scope))


def list_units(session: Session, actor: Actor) -> list[UnitRow]:
    """Units in the actor's scope, in tree order (each parent before its children)."""
    require(actor, Permission.VIEW_ORG)
    stmt = _visible(actor, select(OrgUnit).where(OrgUnit.active), OrgUnit.id)
    units = session.scalars(stmt.order_by(OrgUnit.path)).all()
    rows = [UnitRow(u.id, u.code, u.name, u.level, u.parent_id, u.path) for u in units]
    return _tree_order(rows)


def _tree_order(rows: list[UnitRow]) -> list[UnitRow]:
    by_parent: dict[int | None, list[UnitRow]] = {}
    ids = {r.id for r in rows}
    for row in rows:
        parent = row.parent_id if row.parent_id in ids else None
        by_parent.setdefault(parent, []).append(row)
    ordered: list[UnitRow] = []

    def walk(parent: int | None) -> None:
        for child in sorted(by_parent.get(parent, []), key=lambda r: r.code):
            ordered.append(child)
            walk(child.id)

    walk(None)
    return ordered


def get_unit(session: Session, actor: Actor, code: str) -> UnitRow:
    require(actor, Permission.VIEW_ORG)
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None or not actor.may_see_unit(unit.id):
        raise NotFound(N_("No unit with code “{code}” in your scope."), code=code)
    return UnitRow(unit.id, unit.code, unit.name, unit.level, unit.parent_id, unit.path)


@transactional
def create_unit(
    session: Session, actor: Actor, code: str, name: str, level: UnitLevel, parent_code: str | None
) -> UnitRow:
    """Add a unit under ``parent_code`` (a brand has none; every other level needs its parent)."""
    require(actor, Permission.MANAGE_ORG)
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise ValidationError(N_("A unit needs a code and a name."))
    if session.scalar(select(OrgUnit.id).where(OrgUnit.code == code)) is not None:
        raise Conflict(N_("A unit with code “{code}” exists already."), code=code)
    parent = None
    if level is not UnitLevel.BRAND:
        parent = session.scalar(select(OrgUnit).where(OrgUnit.code == (parent_code or "")))
        if parent is None:
            raise ValidationError(N_("Parent unit “{code}” not found."), code=parent_code or "")
        if parent.level.depth != level.depth - 1:
            raise ValidationError(
                N_(
                    "Unit “{code}” cannot go under “{parent}”: each unit sits directly under "
                    "the level above it (brand → region → store → team)."
                ),
                code=code,
                parent=parent.code,
            )
    unit = OrgUnit(code=code, name=name, level=level, parent_id=parent.id if parent else None)
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    audit.record(session, actor, "unit.create", "org_unit", unit.id, code=code, level=level.value)
    return UnitRow(unit.id, unit.code, unit.name, unit.level, unit.parent_id, unit.path)


def list_staff(
    session: Session,
    actor: Actor,
    *,
    unit_id: int | None = None,
    search: str = "",
    include_left: bool = False,
    on: date | None = None,
) -> list[StaffRow]:
    """Staff whose assignment on ``on`` (default: their current one) lies in scope."""
    require(actor, Permission.VIEW_ORG)
    unit = OrgUnit.__table__.alias("unit")
    store = OrgUnit.__table__.alias("store")
    stmt = (
        select(
            Staff.id,
            Staff.employee_no,
            Staff.name,
            StaffAssignment.role,
            unit.c.id,
            unit.c.code,
            unit.c.name,
            store.c.code,
            store.c.name,
            Staff.hire_date,
            Staff.leave_date,
        )
        .join(StaffAssignment, StaffAssignment.staff_id == Staff.id)
        .join(unit, unit.c.id == StaffAssignment.unit_id)
        .join(
            store,
            store.c.id == store_id_of(unit),
        )
    )
    if on is None:
        stmt = stmt.where(StaffAssignment.valid_to.is_(None))
    else:
        stmt = stmt.where(
            StaffAssignment.valid_from <= on,
            or_(StaffAssignment.valid_to.is_(None), StaffAssignment.valid_to > on),
        )
    if not include_left:
        stmt = stmt.where(or_(Staff.leave_date.is_(None), Staff.leave_date >= clock.today()))
    stmt = _visible(actor, stmt, unit.c.id)
    if unit_id is not None:
        if not actor.may_see_unit(unit_id):
            raise NotFound(N_("No such unit in your scope."))
        subtree = expand_scope(session, [unit_id])
        stmt = stmt.where(unit.c.id.in_(subtree))
    if search.strip():
        needle = f"%{search.strip()}%"
        stmt = stmt.where(or_(Staff.name.ilike(needle), Staff.employee_no.ilike(needle)))
    rows = session.execute(stmt.order_by(store.c.code, Staff.employee_no)).all()
    return [StaffRow(*r) for r in rows]


def store_id_of(unit):  # type: ignore[no-untyped-def]
    """SQL for the store of a unit row (an alias of ``org_unit``): a team's store is its
    parent, a store is its own store."""
    from sqlalchemy import case

    return case((unit.c.level == UnitLevel.TEAM.value, unit.c.parent_id), else_=unit.c.id)


def staff_history(session: Session, actor: Actor, employee_no: str) -> list[StaffAssignment]:
    """The assignment periods of one person that lie in the actor's scope, oldest first."""
    require(actor, Permission.VIEW_ORG)
    staff = session.scalar(select(Staff).where(Staff.employee_no == employee_no))
    periods = (
        [] if staff is None else [a for a in staff.assignments if actor.may_see_unit(a.unit_id)]
    )
    if not periods:
        raise NotFound(N_("No staff member “{value}” in your scope."), value=employee_no)
    return periods


def headcounts(session: Session, actor: Actor) -> dict[int, int]:
    """Current staff per unit (direct members only), for the units in scope."""
    from sqlalchemy import func

    require(actor, Permission.VIEW_ORG)
    stmt = (
        select(StaffAssignment.unit_id, func.count())
        .join(Staff, Staff.id == StaffAssignment.staff_id)
        .where(
            StaffAssignment.valid_to.is_(None),
            or_(Staff.leave_date.is_(None), Staff.leave_date >= clock.today()),
        )
        .group_by(StaffAssignment.unit_id)
    )
    stmt = _visible(actor, stmt, StaffAssignment.unit_id)
    return {unit_id: count for unit_id, count in session.execute(stmt)}
