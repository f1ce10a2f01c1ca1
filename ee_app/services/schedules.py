"""Schedules: a pulse that opens and closes its waves on time without anyone at the keyboard.

HR sets up a schedule once (audience, questionnaire, mode, thresholds, every N months or
weeks, how many days each wave stays open); :func:`run_schedules`, called by
``ee-app schedule run`` from a systemd timer or cron and once at each app start, then makes
and opens the wave of the occurrence open today and closes the scheduled waves whose close
day has passed. The dates are :mod:`ee_app.occurrences`; the waves are made, opened and
closed by :mod:`ee_app.services.waves` as if HR did it, so every rule of anonymity (k, pooling
at opening, sealing, pooling and shuffling at closing, the clean-up after it) applies
unchanged.

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ee_app import clock, occurrences
from ee_app.analysis.disclosure import MIN_K
from ee_app.auth import Actor, Permission, require, system_actor
from ee_app.config import LANGUAGES, Settings
from ee_app.db import read_session, write_session
from ee_app.errors import N_, Conflict, EeError, NotFound, Problem, ValidationError
from ee_app.i18n import Ngettext
from ee_app.models import (
    Cadence,
    InstrumentVersion,
    OrgUnit,
    SurveySchedule,
    SurveyScheduleUnit,
    SurveyWave,
    WaveMode,
    WaveStatus,
)
from ee_app.services import audit
from ee_app.services._tx import transactional
from ee_app.services.cleanup import DEFAULT_TIMEOUT, CleanupResult, clean_up_after_close
from ee_app.services.overlap import Overlap, overlapping_waves
from ee_app.services.waves import close_wave, create_wave, open_wave

__all__ = [
    "MAX_CODE",
    "Outcome",
    "ScheduleEvent",
    "ScheduleReport",
    "ScheduleRow",
    "StartupRun",
    "create_schedule",
    "describe_cadence",
    "edit_schedule",
    "get_schedule",
    "list_schedules",
    "pause_schedule",
    "resume_schedule",
    "run_schedules",
    "start_in_background",
    "wave_code_for",
]

#: A schedule's code is at most this long, so its weekly wave codes (``CODE-2026-11-02``)
#: still fit the 32 characters of a wave code.
MAX_CODE = 21
MAX_NAME = 80
MAX_EVERY = 12

logger = logging.getLogger(__name__)
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


def _occurrence_on(schedule: SurveySchedule, day: date) -> occurrences.Occurrence | None:
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
    current = _occurrence_on(schedule, today)
    if current is not None and not _wave_of(session, schedule.id, current.opens_on):
        return current.opens_on
    return occurrences.next_opening(
        schedule.cadence.value, schedule.every, schedule.first_opens_on, schedule.ends_on, today
    )


def _wave_of(session: Session, schedule_id: int, opens_on: date) -> SurveyWave | None:
    return session.scalar(
        select(SurveyWave).where(
            SurveyWave.schedule_id == schedule_id, SurveyWave.opens_on == opens_on
        )
    )


def _rows(session: Session, schedules: Sequence[SurveySchedule], today: date) -> list[ScheduleRow]:
    ids = [s.id for s in schedules]
    codes: dict[int, list[str]] = {i: [] for i in ids}
    for schedule_id, code in session.execute(
        select(SurveyScheduleUnit.schedule_id, OrgUnit.code)
        .join(OrgUnit, OrgUnit.id == SurveyScheduleUnit.unit_id)
        .where(SurveyScheduleUnit.schedule_id.in_(ids))
        .order_by(OrgUnit.code)
    ):
        codes[schedule_id].append(code)
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


def _schedule(session: Session, code: str) -> SurveySchedule:
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
    return _rows(session, schedules, today or clock.today())


def get_schedule(
    session: Session, actor: Actor, code: str, *, today: date | None = None
) -> ScheduleRow:
    require(actor, Permission.MANAGE_SURVEYS)
    return _rows(session, [_schedule(session, code)], today or clock.today())[0]


@dataclass(frozen=True)
class _Recipe:
    """What HR sets: everything of a schedule but its code."""

    name: str
    unit_codes: Sequence[str]
    cadence: Cadence
    every: int
    first_opens_on: date
    open_days: int
    ends_on: date | None
    instrument_id: int | None
    mode: WaveMode
    k: int
    k_comments: int
    language: str


def _checked(session: Session, recipe: _Recipe, failure: str) -> list[OrgUnit]:
    """The audience's units; raises ValidationError naming every problem of the recipe."""
    problems = []
    if not recipe.name.strip() or len(recipe.name.strip()) > MAX_NAME:
        problems.append(N_("A schedule needs a name of at most 80 characters."))
    if not 1 <= recipe.every <= MAX_EVERY:
        problems.append(N_("“Every” must be a whole number from 1 to 12."))
    longest = occurrences.longest_open_days(recipe.cadence.value, max(recipe.every, 1))
    if not 1 <= recipe.open_days <= longest:
        problems.append(
            Problem(
                N_(
                    "Each wave must stay open from 1 to {days} days, so that it closes before "
                    "the next one opens."
                ),
                {"days": longest},
            )
        )
    if recipe.ends_on is not None and recipe.ends_on < recipe.first_opens_on:
        problems.append(N_("The schedule ends before its first wave opens."))
    if recipe.k < MIN_K:
        problems.append(N_("The anonymity threshold must be at least 3."))
    if recipe.k_comments < recipe.k:
        problems.append(N_("The comment threshold cannot be below the anonymity threshold."))
    if recipe.language not in LANGUAGES:
        problems.append(N_("Unknown language."))
    if recipe.instrument_id is not None and (
        session.scalar(
            select(InstrumentVersion.id).where(
                InstrumentVersion.id == recipe.instrument_id, InstrumentVersion.kind == "pulse"
            )
        )
        is None
    ):
        problems.append(N_("Unknown questionnaire version."))
    units = session.scalars(select(OrgUnit).where(OrgUnit.code.in_(list(recipe.unit_codes)))).all()
    missing = sorted(set(recipe.unit_codes) - {u.code for u in units})
    if missing or not units:
        problems.append(
            Problem(
                N_("Choose the audience: unknown or missing units {codes}."),
                {"codes": ", ".join(missing) or "-"},
            )
        )
    if problems:
        raise ValidationError(
            failure, [p if isinstance(p, Problem) else Problem(p) for p in problems]
        )
    return list(units)


def _apply(schedule: SurveySchedule, recipe: _Recipe, units: Sequence[OrgUnit]) -> None:
    schedule.name = recipe.name.strip()
    schedule.cadence = recipe.cadence
    schedule.every = recipe.every
    schedule.first_opens_on = recipe.first_opens_on
    schedule.open_days = recipe.open_days
    schedule.ends_on = recipe.ends_on
    schedule.instrument_id = recipe.instrument_id
    schedule.mode = recipe.mode
    schedule.k = recipe.k
    schedule.k_comments = recipe.k_comments
    schedule.language = recipe.language
    wanted = {u.id for u in units}
    schedule.units = [u for u in schedule.units if u.unit_id in wanted] + [
        SurveyScheduleUnit(unit_id=i) for i in sorted(wanted - {u.unit_id for u in schedule.units})
    ]


@transactional
def create_schedule(
    session: Session,
    actor: Actor,
    *,
    code: str,
    name: str,
    unit_codes: Sequence[str],
    first_opens_on: date,
    cadence: Cadence = Cadence.MONTHLY,
    every: int = 1,
    open_days: int = 7,
    ends_on: date | None = None,
    instrument_id: int | None = None,
    mode: WaveMode = WaveMode.ANONYMOUS,
    k: int = 5,
    k_comments: int | None = None,
    language: str = "zh-CN",
    today: date | None = None,
) -> ScheduleRow:
    """A new, active schedule; its first wave opens at the first run on or after
    ``first_opens_on`` (a run on a day inside an occurrence's window opens it that day)."""
    require(actor, Permission.MANAGE_SURVEYS)
    code = code.strip()
    recipe = _Recipe(
        name, unit_codes, cadence, every, first_opens_on, open_days, ends_on, instrument_id,
        mode, k, k if k_comments is None else k_comments, language,
    )  # fmt: skip
    failure = N_("The schedule was not created.")
    if not code or len(code) > MAX_CODE or not code.replace("-", "").replace("_", "").isalnum():
        raise ValidationError(
            failure,
            [
                Problem(
                    N_(
                        "A schedule needs a short code (at most 21 letters, digits, - or _); "
                        "its waves are named after it."
                    )
                )
            ],
        )
    units = _checked(session, recipe, failure)
    if session.scalar(select(SurveySchedule.id).where(SurveySchedule.code == code)) is not None:
        raise Conflict(N_("A schedule with code “{code}” exists already."), code=code)
    schedule = SurveySchedule(code=code, active=True, created_by=actor.email, units=[])
    _apply(schedule, recipe, units)
    session.add(schedule)
    session.flush()
    audit.record(
        session,
        actor,
        "schedule.create",
        "survey_schedule",
        schedule.id,
        code=code,
        cadence=cadence.value,
        every=every,
        open_days=open_days,
        units=sorted(u.code for u in units),
        k=k,
    )
    return _rows(session, [schedule], today or clock.today())[0]


@transactional
def edit_schedule(
    session: Session,
    actor: Actor,
    code: str,
    *,
    name: str,
    unit_codes: Sequence[str],
    first_opens_on: date,
    cadence: Cadence,
    every: int,
    open_days: int,
    ends_on: date | None,
    instrument_id: int | None,
    mode: WaveMode,
    k: int,
    k_comments: int,
    language: str,
    today: date | None = None,
) -> ScheduleRow:
    """Change what the schedule's *future* waves will be; waves already made keep theirs (an
    open wave's close date is changed on the wave, :mod:`ee_app.services.wave_dates`)."""
    require(actor, Permission.MANAGE_SURVEYS)
    schedule = _schedule(session, code)
    recipe = _Recipe(
        name, unit_codes, cadence, every, first_opens_on, open_days, ends_on, instrument_id,
        mode, k, k_comments, language,
    )  # fmt: skip
    units = _checked(session, recipe, N_("The schedule was not changed."))
    _apply(schedule, recipe, units)
    session.flush()
    audit.record(
        session,
        actor,
        "schedule.edit",
        "survey_schedule",
        schedule.id,
        code=code,
        cadence=cadence.value,
        every=every,
        open_days=open_days,
        units=sorted(u.code for u in units),
        k=k,
    )
    return _rows(session, [schedule], today or clock.today())[0]


def _set_active(session: Session, actor: Actor, code: str, active: bool) -> ScheduleRow:
    require(actor, Permission.MANAGE_SURVEYS)
    schedule = _schedule(session, code)
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
    return _rows(session, [schedule], clock.today())[0]


@transactional
def pause_schedule(session: Session, actor: Actor, code: str) -> ScheduleRow:
    """No new waves until resumed; a wave already open still closes on its day."""
    return _set_active(session, actor, code, False)


@transactional
def resume_schedule(session: Session, actor: Actor, code: str) -> ScheduleRow:
    """Waves again from the next run; occurrences missed while paused are not made up."""
    return _set_active(session, actor, code, True)


# Running ---------------------------------------------------------------------------------------


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
        existing = _wave_of(session, schedule_id, occurrence.opens_on)
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
            made = _wave_of(session, schedule_id, occurrence.opens_on)
            if made is None:
                raise
            return (made.id, made.status), None
        except Conflict as error:  # a wave has this code: the other replica's, or HR's own
            made = _wave_of(session, schedule_id, occurrence.opens_on)
            if made is not None:
                return (made.id, made.status), None
            return None, ScheduleEvent(schedule.code, code, Outcome.SKIPPED, reason=error)
        except ValidationError as error:  # e.g. every unit of the audience was removed
            return None, ScheduleEvent(schedule.code, code, Outcome.SKIPPED, reason=error)
        made = _wave_of(session, schedule_id, occurrence.opens_on)
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
            (s.id, s.code, _occurrence_on(s, today))
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


# At app start ---------------------------------------------------------------------------------


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
