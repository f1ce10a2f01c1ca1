"""Waves whose audiences share people: the warning before opening one more.

Two open waves that reach the same person ask them twice at once; the answers of each are
still anonymous, but fewer people answer both, and HR usually meant to close the first. The
warning counts the people in common, nothing else: who was invited is HR's own list already,
and nothing about answering is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from ee_app import clock
from ee_app.auth import Actor, Permission, require
from ee_app.models import (
    Staff,
    StaffAssignment,
    SurveyInvitation,
    SurveyWave,
    SurveyWaveUnit,
    WaveStatus,
)
from ee_app.services.org import expand_scope
from ee_app.services.wave_access import wave_by_code

__all__ = ["Overlap", "overlapping_waves"]


@dataclass(frozen=True)
class Overlap:
    """An open wave that reaches ``people`` of the same people."""

    code: str
    name: str
    closes_on: date
    people: int


def _audience(session: Session, wave: SurveyWave, on: date) -> Select:
    """The staff ids a wave reaches: its invitations once open; for a draft, the people
    opening it on ``on`` would invite (as :func:`ee_app.services.waves.open_wave` finds them)."""
    if wave.status is not WaveStatus.DRAFT:
        return select(SurveyInvitation.staff_id).where(SurveyInvitation.wave_id == wave.id)
    roots = session.scalars(
        select(SurveyWaveUnit.unit_id).where(SurveyWaveUnit.wave_id == wave.id)
    ).all()
    return (
        select(Staff.id)
        .join(StaffAssignment, StaffAssignment.staff_id == Staff.id)
        .where(
            StaffAssignment.valid_to.is_(None),
            StaffAssignment.unit_id.in_(expand_scope(session, roots)),
            or_(Staff.leave_date.is_(None), Staff.leave_date > on),
        )
    )


def overlapping_waves(
    session: Session, actor: Actor, wave_code: int | str, *, on: date | None = None
) -> list[Overlap]:
    """The other open waves whose invitations reach people of this wave's audience, with how
    many; empty for a closed wave."""
    require(actor, Permission.MANAGE_SURVEYS)
    wave = wave_by_code(session, wave_code)
    if wave.status is WaveStatus.CLOSED:
        return []
    on = max(on or clock.today(), wave.opens_on)
    rows = session.execute(
        select(SurveyWave.code, SurveyWave.name, SurveyWave.closes_on, func.count())
        .join(SurveyInvitation, SurveyInvitation.wave_id == SurveyWave.id)
        .where(
            SurveyWave.status == WaveStatus.OPEN,
            SurveyWave.id != wave.id,
            SurveyInvitation.staff_id.in_(_audience(session, wave, on)),
        )
        .group_by(SurveyWave.code, SurveyWave.name, SurveyWave.closes_on)
        .order_by(SurveyWave.code)
    )
    return [Overlap(code, name, closes_on, int(n)) for code, name, closes_on, n in rows]
