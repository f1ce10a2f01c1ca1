"""Who a wave invites and under which attributes their answers are stored.

The audience is everyone assigned, on the day the wave opens, to one of its units or beneath
them. Their answers are stored under their unit, role and tenure band where at least k
people share them, pooled upwards otherwise (:func:`pool_attributes`, on
:func:`ee_app.analysis.disclosure.pool_small_groups`); comments under the unit where at least
k_c people share it. Opening a wave pools by invitees, closing it pools again by respondents
(:mod:`ee_app.services.wave_shuffle`), adding late joiners by both
(:mod:`ee_app.services.wave_people`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ee_app import clock
from ee_app.analysis.comment_groups import comment_buckets
from ee_app.analysis.disclosure import pool_small_groups
from ee_app.auth import Actor, Permission, require
from ee_app.models import OrgUnit, Staff, StaffAssignment, SurveyWave, SurveyWaveUnit, TenureBand
from ee_app.services.org import expand_scope
from ee_app.services.wave_access import wave_by_code

__all__ = [
    "Combo",
    "Invitee",
    "audience",
    "audience_size",
    "pool_attributes",
    "pool_invitees",
    "unit_parents",
]


@dataclass(frozen=True)
class Invitee:
    staff_id: int
    unit_id: int
    role: str
    band: str


def audience(session: Session, wave: SurveyWave, on: date) -> list[Invitee]:
    roots = session.scalars(
        select(SurveyWaveUnit.unit_id).where(SurveyWaveUnit.wave_id == wave.id)
    ).all()
    units = expand_scope(session, roots)
    rows = session.execute(
        select(Staff.id, StaffAssignment.unit_id, StaffAssignment.role, Staff.hire_date)
        .join(StaffAssignment, StaffAssignment.staff_id == Staff.id)
        .where(
            StaffAssignment.valid_to.is_(None),
            StaffAssignment.unit_id.in_(units),
            or_(Staff.leave_date.is_(None), Staff.leave_date > on),
        )
    ).all()
    return [
        Invitee(sid, uid, role.value, TenureBand.of(min(hired, on), on).value)
        for sid, uid, role, hired in rows
    ]


def audience_size(
    session: Session, actor: Actor, wave_code: int | str, *, today: date | None = None
) -> int:
    """How many people opening the wave would invite now (for the confirmation)."""
    require(actor, Permission.MANAGE_SURVEYS)
    wave = wave_by_code(session, wave_code)
    return len(audience(session, wave, max(today or clock.today(), wave.opens_on)))


def unit_parents(session: Session, unit_ids: Iterable[int]) -> dict[int, int | None]:
    """Parent map of the given units and all their ancestors."""
    paths = session.scalars(select(OrgUnit.path).where(OrgUnit.id.in_(list(unit_ids)))).all()
    needed = {int(p) for path in paths for p in path.strip("/").split("/") if p}
    rows = session.execute(select(OrgUnit.id, OrgUnit.parent_id).where(OrgUnit.id.in_(needed)))
    return {uid: parent for uid, parent in rows}


Combo = tuple[int, str | None, str | None]  # (unit id, role, tenure band); None = pooled


def pool_attributes(
    groups: Counter[Combo], parents: dict[int, int | None], k: int
) -> dict[Combo, Combo]:
    """Where each (unit, role, band) group is stored so that every stored combination holds
    no one or at least ``k`` people: units pool up the org tree first, then, within each
    unit, tenure bands and roles are dropped where their groups are too small."""
    by_unit: Counter[int] = Counter()
    for (unit, _role, _band), count in groups.items():
        by_unit[unit] += count
    unit_bucket = pool_small_groups(parents, by_unit, k)
    tree: dict[tuple, tuple | None] = {}
    sitting: Counter[tuple] = Counter()
    node_of: dict[Combo, tuple] = {}
    for combo, count in groups.items():
        unit, role, band = combo
        top = ("u", unit_bucket[unit])
        tree[top] = None
        node: tuple = top
        if role is not None:
            node = ("r", top[1], role)
            tree[node] = top
            if band is not None:
                leaf = ("b", top[1], role, band)
                tree[leaf] = node
                node = leaf
        node_of[combo] = node
        sitting[node] += count
    bucket = pool_small_groups(tree, sitting, k)
    result: dict[Combo, Combo] = {}
    for combo, node in node_of.items():
        target = bucket.get(node, node)
        role = target[2] if target[0] in ("r", "b") else None
        band = target[3] if target[0] == "b" else None
        result[combo] = (target[1], role, band)
    return result


def pool_invitees(invitees: list[Invitee], parents: dict[int, int | None], k: int, k_c: int):  # type: ignore[no-untyped-def]
    """Reporting unit, role and band for each invitee, and the comment unit."""
    groups: Counter[Combo] = Counter((i.unit_id, i.role, i.band) for i in invitees)
    attributes = pool_attributes(groups, parents, k)
    comment_bucket = comment_buckets(parents, Counter(i.unit_id for i in invitees), k_c)
    return {
        i.staff_id: (*attributes[(i.unit_id, i.role, i.band)], comment_bucket[i.unit_id])
        for i in invitees
    }
