"""The person-level relation of a confidential wave: computed once, frozen, coarse.

In a confidential wave each answer is linked to its person (``survey_response_link``) for
this analysis only: each respondent's engagement index against their own CSAT (shrunken
top-2 share over the months ending with the wave's: 3 by default, the window of the outcomes
page and of pay) or repurchase rate of the wave's month. The person who reads the relation (HR)
also controls its outcome data (imports and undo), so the rules below make sure that no
reading can be steered to reveal a person's answers:

* **Computed once.** :func:`compute_relation` runs once per wave and outcome, at or after
  close and once the month's outcomes are complete, and stores the result in
  ``confidential_relation`` with what went in (the month, the CSAT window in months or the
  repurchase window in days, the import batches that held the outcome data). Computing again raises
  :class:`~ee_app.errors.Conflict`; :func:`individual_relation` reads the stored row. Later
  imports and undos never change it, so import-read-undo cycles read the same numbers.
* **Robust.** The statistic is the winsorized correlation
  (:func:`~ee_app.analysis.winsorized.winsorized_correlation`) with at least k people (the
  wave's anonymity threshold) sharing each extreme value of each variable: an outcome file
  that singles one person out (1 for them, 5 for everyone else) leaves no variance at all,
  and no relation is computed.
* **Coarse.** Only r to one decimal, its interval rounded outward to one decimal, and
  whether p < 0.05 are stored and shown; p to more digits would give r back.
* **At least** :data:`MIN_PEOPLE` **people.** Fewer respondents with the outcome: nothing is
  computed (and the one computation is not used up). Fewer with both the outcome and an
  engagement index: the stored relation says only that there were too few.

Nothing per person ever leaves this module, and the audit log records who computed which
relation from which batches, not a number derived from answers.

HR and admins only (``MANAGE_SURVEYS`` with ``VIEW_RESULTS`` and ``VIEW_OUTCOMES``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ee_app import clock
from ee_app.analysis.winsorized import winsorized_correlation
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, Conflict, NotFound, ValidationError
from ee_app.instruments.pulse import CORE_SLOTS
from ee_app.models import (
    ConfidentialRelation,
    CsatRecord,
    Sale,
    SurveyResponse,
    SurveyResponseLink,
    SurveyWave,
    WaveMode,
    WaveStatus,
)
from ee_app.services import audit
from ee_app.services._tx import transactional
from ee_app.services.outcomes import (
    CSAT_MONTHS,
    DEFAULT_CSAT_MONTHS,
    WINDOWS,
    csat_table,
    csat_window,
    month_bounds,
    repurchase_table,
)

__all__ = [
    "MIN_PEOPLE",
    "PERSON_OUTCOMES",
    "TRIM",
    "FrozenRelation",
    "compute_relation",
    "confidential_waves",
    "individual_relation",
]

#: Person-level statistics of a confidential wave need at least this many people.
MIN_PEOPLE = 20
#: The outcomes a person has of their own.
PERSON_OUTCOMES = ("csat", "repurchase")
#: The share of values winsorized at each end at least (Wilcox's default 20%).
TRIM = 0.2
_METHOD = "winsorized-correlation"


@dataclass(frozen=True)
class FrozenRelation:
    """The stored person-level relation of one confidential wave and outcome.

    ``enough`` is False when fewer than :data:`MIN_PEOPLE` respondents had both an
    engagement index and the outcome: then every statistic, ``people`` included, is None.
    ``r`` is None when no relation can be computed (after winsorizing, a variable does not
    vary, or too few values are left as they were). ``r``, ``r_low`` and ``r_high`` have one
    decimal; ``significant`` is p < 0.05. ``batches`` are the import batches that held the
    month's outcome data when it was computed; ``window_days`` is the repurchase window (None
    for CSAT); ``csat_months`` the months of CSAT answers, ending with the wave's month
    (None for repurchase; 1 for relations computed before the window existed)."""

    wave: str
    outcome: str
    computed_at: datetime
    computed_by: str
    month: str
    window_days: int | None
    batches: tuple[int, ...]
    csat_months: int | None
    enough: bool
    people: int | None
    k: int
    winsorized: int | None  # values pulled in at each end of each variable (g)
    r: float | None
    r_low: float | None
    r_high: float | None
    significant: bool | None

    @property
    def computable(self) -> bool:
        return self.r is not None


def _allowed(actor: Actor) -> None:
    require(actor, Permission.VIEW_RESULTS)
    require(actor, Permission.VIEW_OUTCOMES)
    require(actor, Permission.MANAGE_SURVEYS)


def _confidential_wave(session: Session, wave_code: str) -> SurveyWave:
    wave = session.scalar(
        select(SurveyWave).where(
            SurveyWave.code == wave_code, SurveyWave.mode == WaveMode.CONFIDENTIAL
        )
    )
    if wave is None:
        raise NotFound(N_("No confidential wave “{wave}”."), wave=wave_code)
    return wave


def _check_outcome(outcome: str) -> None:
    if outcome not in PERSON_OUTCOMES:
        raise ValidationError(N_("A person's own outcome is their CSAT or their repurchase rate."))


def confidential_waves(session: Session, actor: Actor) -> list[str]:
    """Codes of the closed confidential waves, oldest first (HR and admins only)."""
    _allowed(actor)
    stmt = (
        select(SurveyWave.code)
        .where(SurveyWave.status == WaveStatus.CLOSED, SurveyWave.mode == WaveMode.CONFIDENTIAL)
        .order_by(SurveyWave.opens_on, SurveyWave.id)
    )
    return list(session.scalars(stmt))


def individual_relation(
    session: Session, actor: Actor, wave_code: str, outcome: str
) -> FrozenRelation | None:
    """The frozen person-level relation of a confidential wave with ``outcome``, or None
    while it has not been computed (:func:`compute_relation`)."""
    _allowed(actor)
    _check_outcome(outcome)
    wave = _confidential_wave(session, wave_code)
    row = session.get(ConfidentialRelation, (wave.id, outcome))
    return None if row is None else _frozen(wave, row)


@transactional
def compute_relation(
    session: Session,
    actor: Actor,
    wave_code: str,
    outcome: str,
    *,
    window_days: int = 90,
    csat_months: int = DEFAULT_CSAT_MONTHS,
    today: date | None = None,
) -> FrozenRelation:
    """Compute the person-level relation of a closed confidential wave with ``outcome`` on
    the outcome data as it is now, store it and return it; once only (see the module
    docstring). Raises Conflict when it was computed before, the wave is not closed, the
    month's outcomes are not complete yet, or fewer than :data:`MIN_PEOPLE` respondents
    have the outcome (then nothing is stored). A person's CSAT rests on the answers of the
    ``csat_months`` months ending with the wave's (as on the outcomes page and in pay)."""
    _allowed(actor)
    _check_outcome(outcome)
    if window_days not in WINDOWS:
        raise ValidationError(N_("The window is 30, 60, 90 or 120 days."))
    if csat_months not in CSAT_MONTHS:
        raise ValidationError(N_("The CSAT window is 1, 3 or 6 months."))
    wave = _confidential_wave(session, wave_code)
    if session.get(ConfidentialRelation, (wave.id, outcome)) is not None:
        raise Conflict(
            N_(
                "The relation of wave “{code}” with this outcome was computed already; it is "
                "computed once and never again, so that later imports cannot steer it."
            ),
            code=wave.code,
        )
    if wave.status is not WaveStatus.CLOSED:
        raise Conflict(
            N_("Wave “{code}” is not closed: person-level relations are computed after close."),
            code=wave.code,
        )
    month = f"{wave.opens_on:%Y-%m}"
    start, end = month_bounds(month)
    _check_complete(session, outcome, end, window_days, today or clock.today())
    people = _engagement(session, wave)
    values, batches = _outcome(session, actor, outcome, start, end, window_days, csat_months)
    with_outcome = values[values["staff_id"].isin(people["staff_id"])].dropna()
    if len(with_outcome) < MIN_PEOPLE:
        raise Conflict(
            N_(
                "Fewer than {minimum} respondents of wave “{code}” have an outcome of their own "
                "in {month}: nothing was computed. Import the month's CSAT and sales first."
            ),
            minimum=MIN_PEOPLE,
            code=wave.code,
            month=month,
        )
    joined = people.merge(with_outcome, on="staff_id").dropna()
    statistics: dict[str, Any] = {
        "method": _METHOD,
        "month": month,
        "window_days": window_days if outcome == "repurchase" else None,
        "csat_months": csat_months if outcome == "csat" else None,
        "batches": batches,
        "k": wave.k,
        "trim": TRIM,
        "min_people": MIN_PEOPLE,
        "enough": len(joined) >= MIN_PEOPLE,
    }
    if statistics["enough"]:
        found = winsorized_correlation(joined, "engagement", "y", shared=wave.k, trim=TRIM)
        statistics |= {"winsorized": found["g"], **_coarse(found)}
    row = ConfidentialRelation(
        wave_id=wave.id,
        outcome=outcome,
        computed_by=actor.email,
        people=len(joined) if statistics["enough"] else 0,
        statistics=statistics,
    )
    session.add(row)
    try:
        session.flush()  # two replicas computing at once: the second finds the key taken
    except IntegrityError as exc:
        raise Conflict(
            N_(
                "The relation of wave “{code}” with this outcome was computed already; it is "
                "computed once and never again, so that later imports cannot steer it."
            ),
            code=wave.code,
        ) from exc
    audit.record(
        session,
        actor,
        "confidential.compute",
        "survey_wave",
        wave.id,
        outcome=outcome,
        month=month,
        batches=batches,
    )
    return _frozen(wave, row)


# --- helpers ----------------------------------------------------------------------------------


def _check_complete(
    session: Session, outcome: str, end: date, window_days: int, today: date
) -> None:
    """Refuse while the month's outcomes can still change: a frozen relation on half a
    month would stay half a month's forever."""
    if today <= end:
        raise Conflict(
            N_(
                "The month's outcomes are complete after {end}: compute the relation after "
                "that, once its CSAT and sales are imported."
            ),
            end=end,
        )
    if outcome == "repurchase":
        until = end + timedelta(days=window_days)
        last = session.scalar(select(func.max(Sale.sold_on)))
        if last is None or last < until:
            raise Conflict(
                N_(
                    "The {days}-day repurchase windows of the month's customers end on "
                    "{until}: import sales up to then first."
                ),
                days=window_days,
                until=until,
            )


def _engagement(session: Session, wave: SurveyWave) -> pd.DataFrame:
    """Each respondent's engagement index (the mean of the theme items answered; NaN when
    every one was skipped): ``staff_id``, ``engagement``."""
    answers = session.execute(
        select(SurveyResponseLink.staff_id, *(getattr(SurveyResponse, s) for s in CORE_SLOTS))
        .join(SurveyResponse, SurveyResponse.id == SurveyResponseLink.response_id)
        .where(SurveyResponse.wave_id == wave.id)
    ).all()
    people = pd.DataFrame(answers, columns=["staff_id", *CORE_SLOTS])
    items = people[list(CORE_SLOTS)].astype(float)
    people["engagement"] = items.mean(axis=1, skipna=True)
    return people[["staff_id", "engagement"]]


def _outcome(
    session: Session,
    actor: Actor,
    outcome: str,
    start: date,
    end: date,
    window_days: int,
    csat_months: int,
) -> tuple[pd.DataFrame, list[int]]:
    """Each staff member's own outcome (``staff_id``, ``y``) and the ids of the import
    batches that hold the data it rests on."""
    if outcome == "csat":
        table = csat_table(session, actor, start, end, months=csat_months, min_n=1)
        values = table[["staff_id", "shrunk"]].rename(columns={"shrunk": "y"})
        first, last = csat_window(start, end, csat_months)
        batches = select(CsatRecord.batch_id).where(CsatRecord.service_date.between(first, last))
    else:
        table = repurchase_table(session, actor, start, end, window_days=window_days)
        values = table[["staff_id", "rate"]].rename(columns={"rate": "y"})
        until = end + timedelta(days=window_days)
        batches = select(Sale.batch_id).where(Sale.sold_on.between(start, until))
    values = values.astype({"y": float})
    return values, sorted(int(b) for b in session.scalars(batches.distinct()) if b is not None)


def _coarse(found: dict[str, Any]) -> dict[str, Any]:
    """What is kept of a winsorized correlation: r to one decimal, its interval rounded
    outward to one decimal (it still covers the exact one), and whether p < 0.05."""
    r = found["r"]
    if math.isnan(r):
        return {"r": None, "r_low": None, "r_high": None, "significant": None}
    low, high = found["r_low"], found["r_high"]
    return {
        "r": _tenth(round(r, 1)),
        "r_low": None if math.isnan(low) else _tenth(math.floor(low * 10) / 10),
        "r_high": None if math.isnan(high) else _tenth(math.ceil(high * 10) / 10),
        "significant": bool(found["p"] < 0.05),
    }


def _tenth(value: float) -> float:
    return round(value, 1) + 0.0  # + 0.0 turns −0.0 into 0.0


def _utc(moment: datetime) -> datetime:
    """Stored in UTC; SQLite gives it back without its time zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _frozen(wave: SurveyWave, row: ConfidentialRelation) -> FrozenRelation:
    stats = row.statistics
    enough = bool(stats.get("enough"))
    return FrozenRelation(
        wave=wave.code,
        outcome=row.outcome,
        computed_at=_utc(row.computed_at),
        computed_by=row.computed_by,
        month=stats["month"],
        window_days=stats.get("window_days"),
        batches=tuple(stats.get("batches", ())),
        csat_months=stats.get("csat_months", 1) if row.outcome == "csat" else None,
        enough=enough,
        people=row.people if enough else None,
        k=int(stats.get("k", wave.k)),
        winsorized=stats.get("winsorized") if enough else None,
        r=stats.get("r") if enough else None,
        r_low=stats.get("r_low") if enough else None,
        r_high=stats.get("r_high") if enough else None,
        significant=stats.get("significant") if enough else None,
    )
