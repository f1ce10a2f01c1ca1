"""``ee-app wave list`` read with SQLAlchemy Core: the waves an actor may see with their
invited and answered counts, under exactly the rules of
:func:`ee_app.services.waves.list_waves` (HR sees every wave and its totals; a manager the
waves with someone invited in their scope, counted in their scope only, and the answered
count hidden when fewer than the wave's k were invited there), without importing the ORM,
the models or the survey services (issue 20).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Integer, func, select

from ee_app.auth import Actor, Permission, require
from ee_app.services.core_tables import SURVEY_INVITATION, SURVEY_WAVE

__all__ = ["WaveLine", "list_waves"]


@dataclass(frozen=True)
class WaveLine:
    """One line of ``ee-app wave list``: the fields it prints."""

    code: str
    status: str
    mode: str
    invited: int
    responded: int | None  # None for a manager whose scope has fewer than k invited
    name: str


def list_waves(conn: Connection, actor: Actor) -> list[WaveLine]:
    """Waves, newest first, as :func:`ee_app.services.waves.list_waves` counts them."""
    require(actor, Permission.VIEW_PARTICIPATION)
    waves = conn.execute(select(*SURVEY_WAVE.c).order_by(SURVEY_WAVE.c.opens_on.desc())).all()
    if actor.scope is not None:
        if not actor.scope:
            return []
        touching = set(
            conn.scalars(
                select(SURVEY_INVITATION.c.wave_id)
                .where(SURVEY_INVITATION.c.unit_id.in_(actor.scope))
                .distinct()
            )
        )
        waves = [w for w in waves if w.id in touching]
    if not waves:
        return []
    counts = select(
        SURVEY_INVITATION.c.wave_id,
        func.count(),
        func.coalesce(func.sum(SURVEY_INVITATION.c.responded.cast(Integer)), 0),
    ).where(SURVEY_INVITATION.c.wave_id.in_([w.id for w in waves]))
    if actor.scope is not None:
        counts = counts.where(SURVEY_INVITATION.c.unit_id.in_(actor.scope))
    totals = {
        w: (int(n), int(r))
        for w, n, r in conn.execute(counts.group_by(SURVEY_INVITATION.c.wave_id))
    }
    lines = []
    for wave in waves:
        invited, responded = totals.get(wave.id, (0, 0))
        shown = responded if actor.scope is None or invited >= wave.k else None
        lines.append(WaveLine(wave.code, wave.status, wave.mode, invited, shown, wave.name))
    return lines
