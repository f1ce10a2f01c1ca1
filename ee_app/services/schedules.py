"""Schedules: a pulse that opens and closes its waves on time without anyone at the keyboard.

HR sets up a schedule once (audience, questionnaire, mode, thresholds, every N months or
weeks, how many days each wave stays open: :mod:`ee_app.services.schedule_setup`), and pauses
or resumes it here; :func:`ee_app.services.schedule_runs.run_schedules`, called by
``ee-app schedule run`` from a systemd timer or cron and once at each app start, then makes
and opens the wave of the occurrence open today and closes the scheduled waves whose close
day has passed. The dates are :mod:`ee_app.occurrences`. This module reads schedules as HR
sees them, with what the other two share.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ee_app import clock, occurrences
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, NotFound
from ee_app.i18n import Ngettext
from ee_app.models import Cadence, SurveySchedule, SurveyScheduleUnit, SurveyWave, WaveMode
from ee_app.services import audit
from ee_app.services._tx import transactional
from ee_app.services.org import unit_codes_of

__all__ = [
    "MAX_CODE",
    "ScheduleRow",
    "describe_cadence",
    "get_schedule",
    "list_schedules",
    "occurrence_on",
    "pause_schedule",
    "resume_schedule",
    "schedule_by_code",
    "schedule_rows",
    "wave_code_for",
    "wave_of",
]

#: A schedule's code is at most this long, so its weekly wave codes (``CODE-2026-11-02``)
#: still fit the 32 characters of a wave code.
MAX_CODE = 21
MAX_NAME = 80
MAX_EVERY = 12

Gettext = Callable[[str], str]


@dataclass(frozen=True)
class ScheduleRow:
    id: int
    code: str
    name: str
    cadence: Cadence
    every: int
    first_opens_on: date
    open_days: int
    ends_on: date | None
    instrument_id: int | None  # None: the newest questionnaire when each wave is made
    mode: WaveMode
    k: int
    k_comments: int
    language: str
    active: bool
    unit_codes: tuple[str, ...]
    # The next day a wave opens (today or earlier when today's wave is still to be made at
    # the next run); None when paused or past ``ends_on``.
    next_opening: date | None
    waves: int


def describe_cadence(cadence: Cadence, every: int, open_days: int, ngettext: Ngettext) -> str:
    """ "every 2 months, open 7 days" in the reader's language."""
    if cadence is Cadence.MONTHLY:
        often = ngettext("every month", "every {count} months", every)
    else:
        often = ngettext("every week", "every {count} weeks", every)
    days = ngettext("open {count} day", "open {count} days", open_days)
    return f"{often.format(count=every)}, {days.format(count=open_days)}"


def wave_code_for(schedule_code: str, cadence: Cadence, opens_on: date) -> str:
    """``PULSE-2026-11`` (monthly) or ``PULSE-2026-11-02`` (weekly)."""
    return f"{schedule_code}-{occurrences.period_label(cadence.value, opens_on)}"


def occurrence_on(schedule: SurveySchedule, day: date) -> occurrences.Occurrence | None:
    """The schedule's occurrence open on ``day``, if any (:mod:`ee_app.occurrences`)."""
    return occurrences.occurrence_on(
        schedule.cadence.value,
        schedule.every,
        schedule.first_opens_on,
        schedule.open_days,
        schedule.ends_on,
        day,
    )


def _next_opening(session: Session, schedule: SurveySchedule, today: date) -> date | None:
    if not schedule.active:
        return None
    current = occurrence_on(schedule, today)
    if current is not None and not wave_of(session, schedule.id, current.opens_on):
        return current.opens_on
    return occurrences.next_opening(
        schedule.cadence.value, schedule.every, schedule.first_opens_on, schedule.ends_on, today
    )


def wave_of(session: Session, schedule_id: int, opens_on: date) -> SurveyWave | None:
    """The wave the schedule made for the occurrence opening on ``opens_on``, if made."""
    return session.scalar(
        select(SurveyWave).where(
            SurveyWave.schedule_id == schedule_id, SurveyWave.opens_on == opens_on
        )
    )


def schedule_rows(
    session: Session, schedules: Sequence[SurveySchedule], today: date
) -> list[ScheduleRow]:
    """The schedules as HR reads them, with their waves and next opening after ``today``."""
    ids = [s.id for s in schedules]
    codes = unit_codes_of(session, SurveyScheduleUnit.schedule_id, SurveyScheduleUnit.unit_id, ids)
    made = dict(
        session.execute(
            select(SurveyWave.schedule_id, func.count())
            .where(SurveyWave.schedule_id.in_(ids))
            .group_by(SurveyWave.schedule_id)
        ).all()
    )
    return [
        ScheduleRow(
            s.id,
            s.code,
            s.name,
            s.cadence,
            s.every,
            s.first_opens_on,
            s.open_days,
            s.ends_on,
            s.instrument_id,
            s.mode,
            s.k,
            s.k_comments,
            s.language,
            s.active,
            tuple(codes[s.id]),
            _next_opening(session, s, today),
            int(made.get(s.id, 0)),
        )
        for s in schedules
    ]


def schedule_by_code(session: Session, code: str) -> SurveySchedule:
    """The schedule with this code, or NotFound."""
    row = session.scalar(select(SurveySchedule).where(SurveySchedule.code == code))
    if row is None:
        raise NotFound(N_("No schedule “{code}”."), code=code)
    return row


def list_schedules(
    session: Session, actor: Actor, *, today: date | None = None
) -> list[ScheduleRow]:
    """Every schedule, by code, with its next opening day (HR)."""
    require(actor, Permission.MANAGE_SURVEYS)
    schedules = session.scalars(select(SurveySchedule).order_by(SurveySchedule.code)).all()
    return schedule_rows(session, schedules, today or clock.today())


def get_schedule(
    session: Session, actor: Actor, code: str, *, today: date | None = None
) -> ScheduleRow:
    require(actor, Permission.MANAGE_SURVEYS)
    return schedule_rows(session, [schedule_by_code(session, code)], today or clock.today())[0]


def _set_active(session: Session, actor: Actor, code: str, active: bool) -> ScheduleRow:
    require(actor, Permission.MANAGE_SURVEYS)
    schedule = schedule_by_code(session, code)
    if schedule.active is not active:
        schedule.active = active
        audit.record(
            session,
            actor,
            "schedule.resume" if active else "schedule.pause",
            "survey_schedule",
            schedule.id,
            code=code,
        )
        session.flush()
    return schedule_rows(session, [schedule], clock.today())[0]


@transactional
def pause_schedule(session: Session, actor: Actor, code: str) -> ScheduleRow:
    """No new waves until resumed; a wave already open still closes on its day."""
    return _set_active(session, actor, code, False)


@transactional
def resume_schedule(session: Session, actor: Actor, code: str) -> ScheduleRow:
    """Waves again from the next run; occurrences missed while paused are not made up."""
    return _set_active(session, actor, code, True)
