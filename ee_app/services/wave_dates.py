"""Changing a wave's close date: shorten it, or give people more time, while it is open.

A close date only says until when a personal link accepts answers; moving it changes nothing
that was answered, so the only rules are those of the calendar: not before today (a wave
cannot close in the past; close it now with "Close the wave" instead), not before it opens,
and never for a closed wave (its answers have been pooled and shuffled already).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ee_app import clock
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, Conflict, ValidationError
from ee_app.models import WaveStatus
from ee_app.services import audit
from ee_app.services._tx import transactional
from ee_app.services.wave_access import wave_by_code
from ee_app.services.waves import WaveRow, _row

__all__ = ["set_close_date"]


@transactional
def set_close_date(
    session: Session,
    actor: Actor,
    wave_code: int | str,
    closes_on: date,
    *,
    today: date | None = None,
) -> WaveRow:
    """Move the close date of a draft or open wave to ``closes_on`` (audited)."""
    require(actor, Permission.MANAGE_SURVEYS)
    today = today or clock.today()
    wave = wave_by_code(session, wave_code, lock=True)  # not while a scheduled run closes it
    if wave.status is WaveStatus.CLOSED:
        raise Conflict(
            N_("Wave “{code}” is closed; its close date cannot change any more."), code=wave.code
        )
    if closes_on < today:
        raise ValidationError(
            N_(
                "The new close date {closes} is in the past. To stop answers now, close the "
                "wave instead."
            ),
            closes=closes_on.isoformat(),
        )
    if closes_on < wave.opens_on:
        raise ValidationError(
            N_("The new close date {closes} is before the wave opens ({opens})."),
            closes=closes_on.isoformat(),
            opens=wave.opens_on.isoformat(),
        )
    before = wave.closes_on
    wave.closes_on = closes_on
    audit.record(
        session,
        actor,
        "wave.close_date",
        "survey_wave",
        wave.id,
        before=before.isoformat(),
        after=closes_on.isoformat(),
    )
    session.flush()
    return _row(session, wave)
