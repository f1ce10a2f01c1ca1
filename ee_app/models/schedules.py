"""Running pulse surveys month after month: schedules that open and close waves, and the log
of reminders sent.

A schedule is a recipe for waves (audience, questionnaire, mode, thresholds, cadence, how many
days each stays open); ``ee-app schedule run`` (and each app start) makes and opens the waves
that are due and closes those whose day has passed. A reminder run records only counts
(sent, failed by reason, no contact): never who was pending, nor when anyone answered.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ee_app.choices import Cadence
from ee_app.models.base import Base, str_enum, utcnow
from ee_app.models.survey import WaveMode

__all__ = ["Cadence", "ReminderRun", "SurveySchedule", "SurveyScheduleUnit"]


class SurveySchedule(Base):
    """A recurring pulse: every ``every`` months (or weeks) from ``first_opens_on``, a wave
    that stays open ``open_days`` days."""

    __tablename__ = "survey_schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    cadence: Mapped[Cadence] = mapped_column(str_enum(Cadence, "cadence"))
    every: Mapped[int] = mapped_column(SmallInteger, default=1)
    first_opens_on: Mapped[date] = mapped_column(Date)
    open_days: Mapped[int] = mapped_column(SmallInteger, default=7)
    ends_on: Mapped[date | None] = mapped_column(Date)
    # None: the newest pulse questionnaire at the time each wave is made.
    instrument_id: Mapped[int | None] = mapped_column(ForeignKey("instrument_version.id"))
    mode: Mapped[WaveMode] = mapped_column(str_enum(WaveMode, "wave_mode"))
    k: Mapped[int] = mapped_column(SmallInteger, default=5)
    k_comments: Mapped[int] = mapped_column(SmallInteger, default=5)
    language: Mapped[str] = mapped_column(String(8), default="zh-CN")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    units: Mapped[list[SurveyScheduleUnit]] = relationship(cascade="all, delete-orphan")


class SurveyScheduleUnit(Base):
    """A unit (with everything beneath it) in a schedule's audience."""

    __tablename__ = "survey_schedule_unit"

    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("survey_schedule.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True)


class ReminderRun(Base):
    """One sending of reminders for a wave over one channel: counts only (``outcome``, e.g.
    ``{"sent": 40, "no_contact": 3, "failed": {"invalid_user": 1}}``), no person."""

    __tablename__ = "reminder_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(
        ForeignKey("survey_wave.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(254))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    attempted: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[dict[str, Any]] = mapped_column(default=dict)
