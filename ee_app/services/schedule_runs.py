"""Running the schedules: make and open today's waves, close those whose close day has passed.

:func:`run_schedules` is called by ``ee-app schedule run`` from a systemd timer or cron, and
once at each app start in the background (:func:`start_in_background`). The waves are made,
opened and closed by :mod:`ee_app.services.waves` as if HR did it, so every rule of anonymity
(k, pooling at opening, sealing, pooling and shuffling at closing, the clean-up after it)
applies unchanged.

Two app replicas may run it at the same moment. Each wave is made in its own transaction,
and the unique index on (schedule, opening day) lets only one insert win: the other sees the
integrity error, rolls back and reports the wave as made elsewhere. Opening and closing lock
the wave's row (``SELECT … FOR UPDATE``; SQLite's write transactions queue), so the one that
waited reads the new status and does nothing. The report names waves and counts, never a
person.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ee_app import clock, occurrences
from ee_app.auth import Actor, system_actor
from ee_app.config import Settings
from ee_app.db import read_session, write_session
from ee_app.errors import N_, Conflict, EeError, ValidationError
from ee_app.i18n import Ngettext
from ee_app.models import (
    InstrumentVersion,
    OrgUnit,
    SurveySchedule,
    SurveyScheduleUnit,
    SurveyWave,
    WaveStatus,
)
from ee_app.services.cleanup import DEFAULT_TIMEOUT, CleanupResult, clean_up_after_close
from ee_app.services.overlap import Overlap, overlapping_waves
from ee_app.services.schedules import Gettext, occurrence_on, wave_code_for, wave_of
from ee_app.services.waves import close_wave, create_wave, open_wave

__all__ = [
    "Outcome",
    "ScheduleEvent",
    "ScheduleReport",
    "StartupRun",
    "logger",
    "run_schedules",
    "start_in_background",
]


logger = logging.getLogger(__name__)


class Outcome(enum.StrEnum):
    OPENED = "opened"
    CLOSED = "closed"
    SKIPPED = "skipped"  # not opened: the audience is too small, a unit is gone, …
    FAILED = "failed"  # not closed: e.g. another EE_SECRET_KEY than at opening
    ELSEWHERE = "elsewhere"  # another replica made, opened or closed it at the same time


_SAID = {
    Outcome.CLOSED: N_("Schedule {schedule}: closed wave {wave}."),
    Outcome.SKIPPED: N_("Schedule {schedule}: wave {wave} was not opened. {reason}"),
    Outcome.FAILED: N_("Schedule {schedule}: wave {wave} was not closed. {reason}"),
    Outcome.ELSEWHERE: N_(
        "Schedule {schedule}: wave {wave} was handled by another copy of the app at the same "
        "moment; nothing more to do."
    ),
}


@dataclass(frozen=True)
class ScheduleEvent:
    """What one run did to one wave; names a schedule, a wave and counts, never a person."""

    schedule: str
    wave: str
    outcome: Outcome
    invited: int = 0
    opens_on: date | None = None
    closes_on: date | None = None
    reason: EeError | None = None
    cleanup: CleanupResult | None = None
    overlaps: tuple[Overlap, ...] = ()

    def lines(self, gettext: Gettext, ngettext: Ngettext) -> list[str]:
        """The event in plain words, one line each (and one per overlapping wave)."""
        names = {"schedule": self.schedule, "wave": self.wave}
        reason = self.reason.render(gettext) if self.reason is not None else ""
        if self.outcome is Outcome.OPENED:
            head = ngettext(
                "Schedule {schedule}: opened wave {wave} ({opens} to {closes}), {count} "
                "personal link issued.",
                "Schedule {schedule}: opened wave {wave} ({opens} to {closes}), {count} "
                "personal links issued.",
                self.invited,
            ).format(**names, opens=self.opens_on, closes=self.closes_on, count=self.invited)
        else:
            head = gettext(_SAID[self.outcome]).format(**names, reason=reason)
            if self.cleanup is not None:
                head += " " + self.cleanup.render(gettext)
        return [head] + [
            ngettext(
                "Wave {wave} reaches {count} person who is also invited to open wave {other} "
                "(open until {closes}).",
                "Wave {wave} reaches {count} people who are also invited to open wave {other} "
                "(open until {closes}).",
                o.people,
            ).format(wave=self.wave, count=o.people, other=o.code, closes=o.closes_on)
            for o in self.overlaps
        ]

    @property
    def failed(self) -> bool:
        """A wave not opened or not closed, or a clean-up not verified: HR must act."""
        return self.outcome in (Outcome.SKIPPED, Outcome.FAILED) or (
            self.cleanup is not None and not self.cleanup.verified
        )

    @property
    def problem(self) -> bool:
        """Whether HR should look at it: :attr:`failed`, or an audience shared with another
        open wave (a warning)."""
        return self.failed or bool(self.overlaps)


@dataclass
class ScheduleReport:
    today: date
    events: list[ScheduleEvent] = field(default_factory=list)

    def of(self, outcome: Outcome) -> list[ScheduleEvent]:
        return [e for e in self.events if e.outcome is outcome]

    @property
    def problems(self) -> list[ScheduleEvent]:
        return [e for e in self.events if e.problem]

    def counts(self) -> dict[str, int]:
        """Per outcome, for the log: codes and counts only."""
        return {o.value: len(self.of(o)) for o in Outcome if self.of(o)}


def _newest_pulse(session: Session) -> int | None:
    return session.scalar(
        select(InstrumentVersion.id)
        .where(InstrumentVersion.kind == "pulse")
        .order_by(InstrumentVersion.version.desc())
        .limit(1)
    )


def _make_wave(
    engine: Engine, actor: Actor, schedule_id: int, occurrence: occurrences.Occurrence
) -> tuple[tuple[int, WaveStatus] | None, ScheduleEvent | None]:
    """The id and status of the wave of ``occurrence``, made now unless it exists; in its
    own transaction."""
    with write_session(engine) as session:
        schedule = session.get(SurveySchedule, schedule_id)
        assert schedule is not None
        code = wave_code_for(schedule.code, schedule.cadence, occurrence.opens_on)
        existing = wave_of(session, schedule_id, occurrence.opens_on)
        if existing is not None:
            return (existing.id, existing.status), None
        units = session.scalars(
            select(OrgUnit.code)
            .join(SurveyScheduleUnit, SurveyScheduleUnit.unit_id == OrgUnit.id)
            .where(SurveyScheduleUnit.schedule_id == schedule_id)
        ).all()
        period = occurrences.period_label(schedule.cadence.value, occurrence.opens_on)
        try:
            create_wave(
                session,
                actor,
                code=code,
                name=f"{schedule.name} {period}",
                unit_codes=list(units),
                opens_on=occurrence.opens_on,
                closes_on=occurrence.closes_on,
                mode=schedule.mode,
                k=schedule.k,
                k_comments=schedule.k_comments,
                language=schedule.language,
                instrument_id=schedule.instrument_id or _newest_pulse(session),
                schedule_id=schedule_id,
            )
        except IntegrityError:  # the other replica's insert won (create_wave rolled back)
            made = wave_of(session, schedule_id, occurrence.opens_on)
            if made is None:
                raise
            return (made.id, made.status), None
        except Conflict as error:  # a wave has this code: the other replica's, or HR's own
            made = wave_of(session, schedule_id, occurrence.opens_on)
            if made is not None:
                return (made.id, made.status), None
            return None, ScheduleEvent(schedule.code, code, Outcome.SKIPPED, reason=error)
        except ValidationError as error:  # e.g. every unit of the audience was removed
            return None, ScheduleEvent(schedule.code, code, Outcome.SKIPPED, reason=error)
        made = wave_of(session, schedule_id, occurrence.opens_on)
        return (None if made is None else (made.id, made.status)), None


def _open(
    engine: Engine, actor: Actor, settings: Settings, schedule: str, wave_id: int, today: date
) -> ScheduleEvent:
    with write_session(engine) as session:
        try:
            row = open_wave(session, actor, wave_id, settings, today=today)
        except Conflict:
            status, code = session.execute(
                select(SurveyWave.status, SurveyWave.code).where(SurveyWave.id == wave_id)
            ).one()
            if status is WaveStatus.DRAFT:
                raise
            return ScheduleEvent(schedule, code, Outcome.ELSEWHERE)
        except ValidationError as error:  # fewer people than k: it stays a draft
            code = session.scalar(select(SurveyWave.code).where(SurveyWave.id == wave_id))
            return ScheduleEvent(schedule, code or "", Outcome.SKIPPED, reason=error)
    with read_session(engine) as session:
        overlaps = tuple(overlapping_waves(session, actor, wave_id, on=today))
    return ScheduleEvent(
        schedule,
        row.code,
        Outcome.OPENED,
        invited=row.invited,
        opens_on=row.opens_on,
        closes_on=row.closes_on,
        overlaps=overlaps,
    )


def _close(
    engine: Engine, actor: Actor, settings: Settings, schedule: str, wave_id: int, timeout: float
) -> ScheduleEvent:
    with write_session(engine) as session:
        try:
            row = close_wave(session, actor, wave_id, settings)
        except EeError as error:
            status, code = session.execute(
                select(SurveyWave.status, SurveyWave.code).where(SurveyWave.id == wave_id)
            ).one()
            if status is WaveStatus.CLOSED:
                return ScheduleEvent(schedule, code, Outcome.ELSEWHERE)
            return ScheduleEvent(schedule, code, Outcome.FAILED, reason=error)
    cleanup = clean_up_after_close(engine, actor, row.code, timeout=timeout)
    return ScheduleEvent(schedule, row.code, Outcome.CLOSED, cleanup=cleanup)


def run_schedules(
    engine: Engine,
    settings: Settings,
    *,
    today: date | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> ScheduleReport:
    """Close the scheduled waves whose close day has passed, then make and open the wave of
    every active schedule's occurrence that is open today; each wave in its own transaction.

    Safe to run at any time and as often as wanted (twice a day by a timer, at every app
    start, on two replicas at once): what is done already is not done again.
    ``timeout``: how long each clean-up after closing may wait for other connections.
    """
    today = today or clock.today()
    actor = system_actor("schedule")
    report = ScheduleReport(today)
    with read_session(engine) as session:
        due = session.execute(
            select(SurveyWave.id, SurveySchedule.code)
            .join(SurveySchedule, SurveySchedule.id == SurveyWave.schedule_id)
            .where(SurveyWave.status == WaveStatus.OPEN, SurveyWave.closes_on < today)
            .order_by(SurveyWave.closes_on, SurveyWave.id)
        ).all()
        active = [
            (s.id, s.code, occurrence_on(s, today))
            for s in session.scalars(
                select(SurveySchedule)
                .where(SurveySchedule.active.is_(True))
                .order_by(SurveySchedule.code)
            )
        ]
    for wave_id, schedule in due:
        report.events.append(_close(engine, actor, settings, schedule, wave_id, timeout))
    for schedule_id, schedule, occurrence in active:
        if occurrence is None:
            continue
        wave, event = _make_wave(engine, actor, schedule_id, occurrence)
        if event is not None:
            report.events.append(event)
        if wave is not None and wave[1] is WaveStatus.DRAFT:
            report.events.append(_open(engine, actor, settings, schedule, wave[0], today))
    if report.events:
        logger.info("schedule run %s: %s", today.isoformat(), report.counts())
    return report


@dataclass
class StartupRun:
    """The run of the schedules that an app process starts in the background at its start:
    the first page does not wait for it. ``error`` holds the message of a failure (English;
    the full trace goes to the log)."""

    started: float = field(default_factory=time.monotonic)
    finished: threading.Event = field(default_factory=threading.Event)
    report: ScheduleReport | None = None
    error: str | None = None
    seconds: float | None = None


def start_in_background(engine: Engine, settings: Settings) -> StartupRun:
    """Run the schedules once in a daemon thread; never raises, whatever the run does."""
    run = StartupRun()

    def work() -> None:
        try:
            run.report = run_schedules(engine, settings)
        except EeError as error:
            run.error = str(error)
            logger.warning("schedule run at start-up failed: %s", error)
        except Exception as error:  # never fatal to the app; the trace goes to the log
            run.error = f"{type(error).__name__}: {error}"
            logger.exception("schedule run at start-up failed")
        finally:
            run.seconds = time.monotonic() - run.started
            run.finished.set()

    threading.Thread(target=work, name="ee-schedule-start", daemon=True).start()
    return run
