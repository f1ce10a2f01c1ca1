"""Finding a wave and deciding who may see it: the reads every wave-related service shares.

They live here, below :mod:`ee_app.services.waves` (which writes waves) and
:mod:`ee_app.services.results` (which reads their results), so that neither of those has to
import the other (issue 21: they used to, each reaching for the other's private names).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ee_app.auth import Actor
from ee_app.errors import N_, Conflict, NotFound
from ee_app.models import SurveyInvitation, SurveyWave, WaveStatus

__all__ = ["closed_wave", "visible_waves", "wave_by_code"]


def wave_by_code(session: Session, wave: int | str, *, lock: bool = False) -> SurveyWave:
    """The wave by id or code. ``lock``: hold its row until the transaction ends (``SELECT …
    FOR UPDATE`` on PostgreSQL; SQLite's write transactions already queue) and read it afresh,
    so of two replicas opening or closing the same wave the second sees the first's status."""
    column = SurveyWave.id if isinstance(wave, int) else SurveyWave.code
    stmt = select(SurveyWave).where(column == wave)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    row = session.scalar(stmt)
    if row is None:
        raise NotFound(N_("No survey wave “{wave}”."), wave=wave)
    return row


def visible_waves(session: Session, actor: Actor, waves: Sequence[SurveyWave]) -> list[SurveyWave]:
    """HR sees every wave; a manager the opened waves with someone invited in their scope."""
    if actor.scope is None:
        return list(waves)
    if not actor.scope:
        return []
    touching = set(
        session.scalars(
            select(SurveyInvitation.wave_id)
            .where(SurveyInvitation.unit_id.in_(actor.scope))
            .distinct()
        )
    )
    return [w for w in waves if w.id in touching]


def closed_wave(session: Session, actor: Actor, wave_code: int | str) -> SurveyWave:
    """The wave whose results the actor asks for: NotFound if they may not see it, Conflict
    while it is still open."""
    wave = wave_by_code(session, wave_code)
    if not visible_waves(session, actor, [wave]):
        raise NotFound(N_("No survey wave “{wave}”."), wave=wave_code)
    if wave.status is not WaveStatus.CLOSED:
        raise Conflict(
            N_(
                "Results are shown once wave “{code}” closes: while it is open, comparing two "
                "moments would reveal the answers given in between."
            ),
            code=wave.code,
        )
    return wave
