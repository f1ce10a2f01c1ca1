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

How engagement relates to each outcome, from these rows:
:func:`ee_app.services.linkage_relations.outcome_relations`.

Readers need both ``VIEW_RESULTS`` and ``VIEW_OUTCOMES``; managers get their scope only,
:func:`wave_icc` included (the waves they may see, the published stores in their scope).

A store manager's single store makes no correlation.
:func:`ee_app.services.linkage_store.store_view` gives them what one
store can read instead: its engagement and outcomes in a wave against the chain's
distribution (quartiles over the chain's published stores, no other store's id, name or
row), and its own trend across the waves that covered it (the rows that may be listed side
by side).
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ee_app.analysis.reliability import icc_from_sums
from ee_app.auth import Actor, Permission, require
from ee_app.errors import NotFound
from ee_app.instruments.pulse import THEMES
from ee_app.models import (
    ChecklistVersion,
    OrgUnit,
    Sale,
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
from ee_app.services.results import engagement_view
from ee_app.services.wave_access import closed_wave

__all__ = [
    "MEASURES",
    "MIN_PEOPLE",
    "OUTCOMES",
    "LinkageData",
    "closed_waves_of",
    "compute_relation",
    "confidential_waves",
    "individual_relation",
    "linkage_data",
    "listable_side_by_side",
    "month_bounds",
    "published_store_rows",
    "repurchase_decided",
    "wave_icc",
    "window_end",
]

#: The outcomes the analysis relates engagement to, by column of :class:`LinkageData.units`.
OUTCOMES = ("csat", "repurchase", "visit_score")
#: What a store's view places against the chain: engagement and the outcomes.
MEASURES = ("engagement", *OUTCOMES)
SERVICE_CHECKLIST = "service-process"


_COVERED_COLUMNS = ("store_id", "wave", "month", "order")


@dataclass(frozen=True)
class LinkageData:
    """One row per (store, wave) in scope with published engagement: ``wave``, ``month``,
    ``store_id``, ``code``, ``name``, ``n`` respondents, ``engagement`` (the index, 1–5),
    one column per theme (its mean), ``csat`` (shrunken top-2 share) with ``csat_n``,
    ``repurchase`` (rate; blank in a month of ``pending_months``) with ``repurchase_n``
    (customers decided) and ``repurchase_pending`` (customers whose window is still open),
    ``visit_score`` (mean mystery-shopper score, %) with ``visits``, ``headcount`` and
    ``tenure`` (years), and ``listed``: the row may be shown beside the store's others."""

    units: pd.DataFrame
    waves: tuple[str, ...]  # closed anonymous waves with published rows, oldest first
    hidden: int  # store × wave results left out because they are not published
    #: every store × wave the closed anonymous waves covered in scope, published or not:
    #: ``store_id``, ``wave``, ``month`` and ``order`` (the wave's place among them)
    covered: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(_COVERED_COLUMNS))
    )
    #: months of ``waves`` whose repurchase windows have not ended for every customer
    pending_months: tuple[str, ...] = ()
    window_days: int = 90
    last_sale: date | None = None  # the latest sale imported: where every window ends


def month_bounds(day: date) -> tuple[date, date]:
    """The first and last day of ``day``'s month."""
    return date(day.year, day.month, 1), date(
        day.year, day.month, monthrange(day.year, day.month)[1]
    )


def closed_waves_of(session: Session, mode: WaveMode) -> list[SurveyWave]:
    """The closed waves of one mode, oldest first."""
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
    closed = closed_waves_of(session, WaveMode.ANONYMOUS)
    last_sale = session.scalar(select(func.max(Sale.sold_on)))
    units, covered, hidden = published_store_rows(session, actor, closed, window_days, last_sale)
    codes = [w.code for w in closed if w.code in set(units["wave"])]
    units["listed"] = listable_side_by_side(session, units, {w.code: w for w in closed})
    pending = tuple(
        sorted(
            {
                f"{month_bounds(w.opens_on)[0]:%Y-%m}"
                for w in closed
                if w.code in codes and not repurchase_decided(w.opens_on, window_days, last_sale)
            }
        )
    )
    return LinkageData(units, tuple(codes), hidden, covered, pending, window_days, last_sale)


def window_end(month: str, window_days: int = 90) -> date:
    """The day the repurchase windows of ``month`` ("YYYY-MM") end: its last customer's
    90 days (or ``window_days``) after the month's last day; until then they can still come
    back."""
    return month_bounds(date.fromisoformat(f"{month}-01"))[1] + timedelta(days=window_days)


def repurchase_decided(opens_on: date, window_days: int, last_sale: date | None) -> bool:
    """Whether every customer of the wave's month has a decided repurchase: the window of the
    month's last day has ended within the sales imported (the latest sale date)."""
    return (
        last_sale is not None
        and month_bounds(opens_on)[1] + timedelta(days=window_days) <= last_sale
    )


_UNIT_COLUMNS = [
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
    "repurchase_pending",
    "visit_score",
    "visits",
    "headcount",
    "tenure",
]


def published_store_rows(
    session: Session,
    actor: Actor,
    waves: list[SurveyWave],
    window_days: int,
    last_sale: date | None,
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """The published store rows of ``waves`` that ``actor`` may read with their outcomes,
    every store × wave of the actor's scope that the waves covered (published or not: the
    lagged relation pairs a store's adjacent waves only), and how many rows were hidden.
    The repurchase rate is left blank in a month whose windows have not all ended: its
    decided customers would be only those who did not come back."""
    frames, covered, hidden = [], [], 0
    for order, wave in enumerate(waves):
        try:
            view = engagement_view(session, actor, wave.code, level=UnitLevel.STORE)
        except NotFound:  # a wave that did not reach this manager's units
            continue
        rows = view.rows
        start, end = month_bounds(wave.opens_on)
        month = f"{start:%Y-%m}"
        covered += [(int(u), wave.code, month, order) for u in rows["unit_id"]]
        hidden += int(rows["hidden"].sum()) if len(rows) else 0
        shown = rows[~rows["hidden"].astype(bool)] if len(rows) else rows
        if shown.empty:
            continue
        themes = view.themes[~view.themes["hidden"].astype(bool)]
        wide = themes.pivot_table(index="unit_id", columns="theme", values="mean").reset_index()
        outcomes = store_summary(session, actor, start, end, window_days=window_days)
        keep = {"store_id": "unit_id"}
        if "shrunk" in outcomes:
            keep |= {"shrunk": "csat", "csat_n": "csat_n"}
        if "rate" in outcomes:
            keep |= {"rate": "repurchase", "pending": "repurchase_pending"}
        outcome = outcomes[[c for c in keep if c in outcomes]].rename(columns=keep)
        if "returned" in outcomes:
            outcome["repurchase_n"] = (outcomes["returned"] + outcomes["lost"]).to_numpy()
        if "repurchase" in outcome and not repurchase_decided(
            wave.opens_on, window_days, last_sale
        ):
            outcome["repurchase"] = np.nan
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
        frames.append(unit.assign(wave=wave.code, month=month))
    units = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    for column in _UNIT_COLUMNS:
        if column not in units:
            units[column] = np.nan
    units = units[_UNIT_COLUMNS].rename(columns={"unit_id": "store_id"})
    return units, pd.DataFrame(covered, columns=list(_COVERED_COLUMNS)), hidden


def listable_side_by_side(
    session: Session, units: pd.DataFrame, waves: dict[str, SurveyWave]
) -> np.ndarray:
    """Which store rows may be *listed* together (the workbook's store × wave table, a
    store's trend against the chain): a store's row of a wave only if its respondents are
    the same as, or differ by at least k people from, those of every earlier row listed for
    it; otherwise "wave minus wave" would isolate who joined or left. The statistics use
    every published row: they show only correlations over many stores, never a store's
    figures."""
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


def wave_icc(session: Session, actor: Actor, wave_code: str) -> dict:
    """ICC(1) and ICC(2) of the engagement index by store in one closed wave, from the
    per-store sums stored at close, over the stores the actor may read: in their scope, with
    a published index (the rows :func:`~ee_app.services.results.engagement_view` shows with
    an index; it is hidden wherever a theme is). ``people`` and ``units`` count that same
    set. Raises NotFound for a wave the actor may not see, Conflict for one not closed."""
    require(actor, Permission.VIEW_RESULTS)
    wave = closed_wave(session, actor, wave_code)
    return icc_from_sums(_published_sums(session, actor, wave))


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
