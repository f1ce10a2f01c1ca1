"""Setting up a schedule: create one, or edit its recipe (audience, questionnaire, cadence).

HR sets up a schedule once: audience, questionnaire, mode, thresholds, every N months or
weeks, how many days each wave stays open. The recipe is checked as a wave made from it
would be (the units exist, the audience reaches k) before it is saved; an edit applies to
the waves the schedule makes from then on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ee_app import clock, occurrences
from ee_app.analysis.disclosure import MIN_K
from ee_app.auth import Actor, Permission, require
from ee_app.config import LANGUAGES
from ee_app.errors import N_, Conflict, Problem, ValidationError
from ee_app.models import (
    Cadence,
    InstrumentVersion,
    OrgUnit,
    SurveySchedule,
    SurveyScheduleUnit,
    WaveMode,
)
from ee_app.services import audit
from ee_app.services._tx import transactional
from ee_app.services.schedules import (
    MAX_CODE,
    MAX_EVERY,
    MAX_NAME,
    ScheduleRow,
    schedule_by_code,
    schedule_rows,
)

__all__ = ["create_schedule", "edit_schedule"]


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


def _recorded(
    session: Session,
    actor: Actor,
    action: str,
    schedule: SurveySchedule,
    recipe: _Recipe,
    units: Sequence[OrgUnit],
    today: date | None,
) -> ScheduleRow:
    """The audit entry of a schedule just created or changed, and the schedule as listed."""
    audit.record(
        session,
        actor,
        action,
        "survey_schedule",
        schedule.id,
        code=schedule.code,
        cadence=recipe.cadence.value,
        every=recipe.every,
        open_days=recipe.open_days,
        units=sorted(u.code for u in units),
        k=recipe.k,
    )
    return schedule_rows(session, [schedule], today or clock.today())[0]


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
    return _recorded(session, actor, "schedule.create", schedule, recipe, units, today)


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
    schedule = schedule_by_code(session, code)
    recipe = _Recipe(
        name, unit_codes, cadence, every, first_opens_on, open_days, ends_on, instrument_id,
        mode, k, k_comments, language,
    )  # fmt: skip
    units = _checked(session, recipe, N_("The schedule was not changed."))
    _apply(schedule, recipe, units)
    session.flush()
    return _recorded(session, actor, "schedule.edit", schedule, recipe, units, today)
