"""How many of a wave's invitees answered, unit by unit, as far as k lets it be shown.

Counts are hidden for units with fewer than k invited and, by secondary suppression
(:func:`ee_app.analysis.disclosure.suppress`), for the smallest siblings needed so that no
hidden unit can be derived from its parent.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session

from ee_app.analysis.disclosure import suppress
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, NotFound
from ee_app.models import OrgUnit, SurveyInvitation, UnitLevel
from ee_app.services.wave_access import visible_waves, wave_by_code
from ee_app.services.wave_audience import unit_parents

__all__ = ["ParticipationRow", "participation"]


@dataclass(frozen=True)
class ParticipationRow:
    unit_id: int
    code: str
    name: str
    level: UnitLevel
    depth: int
    # Both None when hidden (fewer than k invited, or hidden to protect a smaller sibling):
    # nothing about a hidden unit leaves the service.
    invited: int | None
    responded: int | None

    @property
    def hidden(self) -> bool:
        return self.responded is None

    @property
    def rate(self) -> float | None:
        if self.responded is None or not self.invited:
            return None
        return self.responded / self.invited


def participation(session: Session, actor: Actor, wave_code: int | str) -> list[ParticipationRow]:
    """Invited and responded per unit (with everything beneath it), in the actor's scope.

    Counts are hidden for units with fewer than k invited and, by secondary suppression, for
    the smallest siblings needed so no hidden unit can be derived from its parent.
    """
    require(actor, Permission.VIEW_PARTICIPATION)
    wave = wave_by_code(session, wave_code)
    if not visible_waves(session, actor, [wave]):
        raise NotFound(N_("No survey wave “{wave}”."), wave=wave_code)
    per_unit = session.execute(
        select(
            SurveyInvitation.unit_id,
            func.count(),
            func.sum(SurveyInvitation.responded.cast(Integer)),
        )
        .where(SurveyInvitation.wave_id == wave.id)
        .group_by(SurveyInvitation.unit_id)
    ).all()
    if not per_unit:
        return []
    parents = unit_parents(session, [u for u, _, _ in per_unit])
    invited: Counter[int] = Counter()
    responded: Counter[int] = Counter()
    units = {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(parents)))}
    for unit_id, n, r in per_unit:
        for ancestor in (int(p) for p in units[unit_id].path.strip("/").split("/")):
            invited[ancestor] += n
            responded[ancestor] += int(r or 0)
    hidden = suppress(invited, parents, wave.k)
    rows = []
    for uid in sorted(invited, key=lambda u: units[u].path):
        if actor.scope is not None and uid not in actor.scope:
            continue
        unit = units[uid]
        shown = uid not in hidden
        rows.append(
            ParticipationRow(
                uid,
                unit.code,
                unit.name,
                unit.level,
                unit.path.count("/") - 2,
                invited[uid] if shown else None,
                responded[uid] if shown else None,
            )
        )
    return rows
