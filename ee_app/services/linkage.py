"""Engagement against customer outcomes, store by store: the data the linkage analysis reads.

For every closed anonymous wave, each store in the reader's scope whose engagement results
are published (at least k respondents and not hidden to protect a smaller group: the same
rows the results page shows) is matched with its outcomes in the wave's month: the CSAT
top-2 share (shrunk toward the chain, so a store with few answers is not taken at face
value), the repurchase rate (90-day window), the mean mystery-shopper score of approved
visits, and its size and staff's average tenure then. Hidden stores never enter: the
analysis cannot reveal what the results page does not. The store × wave table lists a store's
waves side by side, so ``listed`` marks the rows it may show: a wave's row is left out where
the store's respondents differ from an earlier listed row's by fewer than k people.

Confidential waves add a person-level view, re-exported from
:mod:`ee_app.services.confidential`: each respondent's engagement index against their own
CSAT and repurchase, computed once (:func:`compute_relation`) and then only read
(:func:`individual_relation`), as coarse aggregate statistics over at least 20 people.

Readers need both ``VIEW_RESULTS`` and ``VIEW_OUTCOMES``; managers get their scope only,
:func:`wave_icc` included (the waves they may see, the published stores in their scope).
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ee_app.analysis import linkage
from ee_app.auth import Actor, Permission, require
from ee_app.errors import NotFound
from ee_app.instruments.pulse import THEMES
from ee_app.models import (
    ChecklistVersion,
    OrgUnit,
    ShopVisit,
    Staff,
    StaffAssignment,
    SurveyResult,
    SurveyWave,
    UnitLevel,
    VisitStatus,
    WaveMode,
    WaveStatus,
)
from ee_app.services.confidential import (
    MIN_PEOPLE,
    compute_relation,
    confidential_waves,
    individual_relation,
)
from ee_app.services.outcomes import store_summary
from ee_app.services.respondents import comparable_cells
from ee_app.services.results import _closed_wave, engagement_view

__all__ = [
    "MIN_PEOPLE",
    "OUTCOMES",
    "LinkageData",
    "compute_relation",
    "confidential_waves",
    "individual_relation",
    "linkage_data",
    "outcome_relations",
    "wave_icc",
]

#: The outcomes the analysis relates engagement to, by column of :class:`LinkageData.units`.
OUTCOMES = ("csat", "repurchase", "visit_score")
SERVICE_CHECKLIST = "service-process"


@dataclass(frozen=True)
class LinkageData:
    """One row per (store, wave) in scope with published engagement: ``wave``, ``month``,
    ``store_id``, ``code``, ``name``, ``n`` respondents, ``engagement`` (the index, 1–5),
    one column per theme (its mean), ``csat`` (shrunken top-2 share) with ``csat_n``,
    ``repurchase`` (rate) with ``repurchase_n`` (customers decided), ``visit_score`` (mean
    mystery-shopper score, %) with ``visits``, ``headcount`` and ``tenure`` (years)."""

    units: pd.DataFrame  # plus ``listed``: the row may be shown beside the store's others
    waves: tuple[str, ...]  # closed anonymous waves, oldest first
    hidden: int  # store × wave results left out because they are not published


def _month(day: date) -> tuple[date, date]:
    return date(day.year, day.month, 1), date(
        day.year, day.month, monthrange(day.year, day.month)[1]
    )


def _closed_waves(session: Session, mode: WaveMode) -> list[SurveyWave]:
    stmt = (
        select(SurveyWave)
        .where(SurveyWave.status == WaveStatus.CLOSED, SurveyWave.mode == mode)
        .order_by(SurveyWave.opens_on, SurveyWave.id)
    )
    return list(session.scalars(stmt))


def _staffing(session: Session, on: date) -> pd.DataFrame:
    """Per store: staff at work on ``on`` and their mean tenure in years."""
    team = OrgUnit.__table__.alias("team")
    rows = session.execute(
        select(team.c.id, team.c.level, team.c.parent_id, Staff.hire_date)
        .select_from(StaffAssignment)
        .join(Staff, Staff.id == StaffAssignment.staff_id)
        .join(team, team.c.id == StaffAssignment.unit_id)
        .where(
            StaffAssignment.valid_from <= on,
            or_(StaffAssignment.valid_to.is_(None), StaffAssignment.valid_to > on),
            Staff.hire_date <= on,
            or_(Staff.leave_date.is_(None), Staff.leave_date >= on),
        )
    ).all()
    frame = pd.DataFrame(rows, columns=["unit_id", "level", "parent_id", "hired"])
    if frame.empty:
        return pd.DataFrame(columns=["store_id", "headcount", "tenure"])
    frame["store_id"] = np.where(
        frame["level"] == UnitLevel.TEAM.value, frame["parent_id"], frame["unit_id"]
    )
    frame["years"] = [(on - h).days / 365.25 for h in frame["hired"]]
    return (
        frame.groupby("store_id")
        .agg(headcount=("years", "size"), tenure=("years", "mean"))
        .reset_index()
    )


def _visits(session: Session, actor: Actor, start: date, end: date) -> pd.DataFrame:
    """Mean score of approved service-process visits per store in the month (needs no
    separate permission: only counts and means per store, for the stores in scope)."""
    stmt = (
        select(ShopVisit.store_id, ShopVisit.score)
        .join(ChecklistVersion, ChecklistVersion.id == ShopVisit.template_id)
        .where(
            ShopVisit.status == VisitStatus.APPROVED,
            ChecklistVersion.key == SERVICE_CHECKLIST,
            ShopVisit.visited_on.between(start, end),
        )
    )
    frame = pd.DataFrame(session.execute(stmt).all(), columns=["store_id", "score"])
    if frame.empty:
        return pd.DataFrame(columns=["store_id", "visit_score", "visits"])
    frame["score"] = frame["score"].astype(float)
    return (
        frame.groupby("store_id")
        .agg(visit_score=("score", "mean"), visits=("score", "size"))
        .reset_index()
    )


def linkage_data(session: Session, actor: Actor, *, window_days: int = 90) -> LinkageData:
    """Every closed anonymous wave's published store results with the store's outcomes in
    the wave's month (see the module docstring)."""
    require(actor, Permission.VIEW_RESULTS)
    require(actor, Permission.VIEW_OUTCOMES)
    frames, hidden, codes = [], 0, []
    closed = _closed_waves(session, WaveMode.ANONYMOUS)
    for wave in closed:
        try:
            view = engagement_view(session, actor, wave.code, level=UnitLevel.STORE)
        except NotFound:  # a wave that did not reach this manager's units
            continue
        rows = view.rows
        hidden += int(rows["hidden"].sum()) if len(rows) else 0
        shown = rows[~rows["hidden"].astype(bool)] if len(rows) else rows
        if shown.empty:
            continue
        codes.append(wave.code)
        themes = view.themes[~view.themes["hidden"].astype(bool)]
        wide = themes.pivot_table(index="unit_id", columns="theme", values="mean").reset_index()
        start, end = _month(wave.opens_on)
        outcomes = store_summary(session, actor, start, end, window_days=window_days)
        keep = {"store_id": "unit_id"}
        if "shrunk" in outcomes:
            keep |= {"shrunk": "csat", "csat_n": "csat_n"}
        if "rate" in outcomes:
            keep |= {"rate": "repurchase"}
        outcome = outcomes[[c for c in keep if c in outcomes]].rename(columns=keep)
        if "returned" in outcomes:
            outcome["repurchase_n"] = (outcomes["returned"] + outcomes["lost"]).to_numpy()
        unit = (
            shown[["unit_id", "code", "name", "n", "index"]]
            .rename(columns={"index": "engagement"})
            .merge(wide, on="unit_id", how="left")
            .merge(outcome, on="unit_id", how="left")
            .merge(
                _visits(session, actor, start, end).rename(columns={"store_id": "unit_id"}),
                on="unit_id",
                how="left",
            )
            .merge(
                _staffing(session, start).rename(columns={"store_id": "unit_id"}),
                on="unit_id",
                how="left",
            )
        )
        frames.append(unit.assign(wave=wave.code, month=f"{start:%Y-%m}"))
    columns = [
        "wave",
        "month",
        "unit_id",
        "code",
        "name",
        "n",
        "engagement",
        *THEMES,
        "csat",
        "csat_n",
        "repurchase",
        "repurchase_n",
        "visit_score",
        "visits",
        "headcount",
        "tenure",
    ]
    units = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    for column in columns:
        if column not in units:
            units[column] = np.nan
    units = units[columns].rename(columns={"unit_id": "store_id"})
    units["listed"] = _side_by_side(session, units, {w.code: w for w in closed})
    return LinkageData(units, tuple(codes), hidden)


def _side_by_side(
    session: Session, units: pd.DataFrame, waves: dict[str, SurveyWave]
) -> np.ndarray:
    """Which store rows may be *listed* together (the workbook's store × wave table): a
    store's row of a wave only if its respondents are the same as, or differ by at least k
    people from, those of every earlier row listed for it; otherwise "wave minus wave" would
    isolate who joined or left. The statistics use every published row: they show only
    correlations over many stores, never a store's figures."""
    keep = np.zeros(len(units), dtype=bool)
    if units.empty:
        return keep
    for _store, rows in units.groupby("store_id", sort=False):
        earlier: list[tuple[SurveyWave, int]] = []
        for position, code in zip(rows.index, rows["wave"], strict=True):
            wave = waves[code]
            cell = (int(units.at[position, "store_id"]), "", "")
            n = int(units.at[position, "n"])
            if all(cell in comparable_cells(session, w, wave, [cell], (m, n)) for w, m in earlier):
                keep[position] = True
                earlier.append((wave, n))
    return keep


def outcome_relations(data: LinkageData, outcome: str, wave: str | None = None) -> dict:
    """Everything the page shows for one outcome: the unit-level relation in one wave (the
    newest by default) with its fitted band, the within-store relation across waves, the
    lagged relation, the partial correlation controlling for size and tenure, and the
    theme drivers (Benjamini–Hochberg adjusted). Every unit-level statistic rests on one row
    per store."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}")
    units = data.units
    if wave is None:  # the newest wave whose month has this outcome (repurchase waits 90 days)
        counts = units.dropna(subset=["engagement", outcome]).groupby("wave").size()
        ready = [w for w in data.waves if counts.get(w, 0) >= 3]
        wave = ready[-1] if ready else (data.waves[-1] if data.waves else None)
    one = units[units["wave"] == wave] if wave else units.iloc[0:0]
    one = one.dropna(subset=["engagement", outcome])
    return {
        "wave": wave,
        "points": one,
        "unit": linkage.unit_correlation(one, "engagement", outcome),
        "band": linkage.fit_band(one, "engagement", outcome),
        "within": linkage.repeated_measures(
            units.dropna(subset=["engagement", outcome]), "engagement", outcome, "store_id"
        ),
        "lagged": linkage.unit_correlation(_lagged(units, outcome, one), "engagement", outcome),
        "partial": linkage.partial(
            one.dropna(subset=["headcount", "tenure"]),
            "engagement",
            outcome,
            ["headcount", "tenure"],
        ),
        "drivers": linkage.drivers(one, list(THEMES), outcome),
    }


def _lagged(units: pd.DataFrame, outcome: str, one: pd.DataFrame) -> pd.DataFrame:
    """Each store's engagement in the wave before the chosen one against its outcome in the
    chosen wave's month: one pair per store, so no store counts twice."""
    if one.empty:
        return pd.DataFrame(columns=["engagement", outcome])
    month = one["month"].iloc[0]
    pairs = linkage.lagged_pairs(
        units.dropna(subset=["engagement"]), "store_id", "month", "engagement", outcome
    )
    pairs = pairs[pairs["next_period"] == month]
    return pairs.rename(columns={"x": "engagement", "y_next": outcome})


def wave_icc(session: Session, actor: Actor, wave_code: str) -> dict:
    """ICC(1) and ICC(2) of the engagement index by store in one closed wave, from the
    per-store sums stored at close, over the stores the actor may read: in their scope, with
    a published index (the rows :func:`~ee_app.services.results.engagement_view` shows with
    an index; it is hidden wherever a theme is). ``people`` and ``units`` count that same
    set. Raises NotFound for a wave the actor may not see, Conflict for one not closed."""
    require(actor, Permission.VIEW_RESULTS)
    wave = _closed_wave(session, actor, wave_code)
    return linkage.icc_from_sums(_published_sums(session, actor, wave))


def _published_sums(session: Session, actor: Actor, wave: SurveyWave) -> pd.DataFrame:
    """``n``, ``sum``, ``sumsq`` of the person-level index of each store in scope whose
    index is published."""
    rows = engagement_view(session, actor, wave.code, level=UnitLevel.STORE).rows
    shown = set(rows.loc[~rows["hidden"].astype(bool) & rows["index"].notna(), "unit_id"])
    empty = pd.DataFrame(columns=["n", "sum", "sumsq"])
    if not shown:
        return empty
    sums = pd.DataFrame(
        session.execute(
            select(SurveyResult.idx_n, SurveyResult.idx_sum, SurveyResult.idx_sumsq).where(
                SurveyResult.wave_id == wave.id,
                SurveyResult.dim == "",
                SurveyResult.unit_id.in_(sorted(int(u) for u in shown)),
            )
        ).all(),
        columns=["n", "sum", "sumsq"],
    )
    return sums[sums["n"] > 0] if len(sums) else empty
