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

A store manager's single store makes no correlation. :func:`store_view` gives them what one
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

from ee_app.analysis import linkage
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, NotFound
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
    UserRole,
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
    "StoreView",
    "compute_relation",
    "confidential_waves",
    "individual_relation",
    "linkage_data",
    "outcome_relations",
    "store_view",
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
    closed = _closed_waves(session, WaveMode.ANONYMOUS)
    last_sale = session.scalar(select(func.max(Sale.sold_on)))
    units, covered, hidden = _store_rows(session, actor, closed, window_days, last_sale)
    codes = [w.code for w in closed if w.code in set(units["wave"])]
    units["listed"] = _side_by_side(session, units, {w.code: w for w in closed})
    pending = tuple(
        sorted(
            {
                f"{_month(w.opens_on)[0]:%Y-%m}"
                for w in closed
                if w.code in codes and not _decided(w.opens_on, window_days, last_sale)
            }
        )
    )
    return LinkageData(units, tuple(codes), hidden, covered, pending, window_days, last_sale)


def window_end(month: str, window_days: int = 90) -> date:
    """The day the repurchase windows of ``month`` ("YYYY-MM") end: its last customer's
    90 days (or ``window_days``) after the month's last day; until then they can still come
    back."""
    return _month(date.fromisoformat(f"{month}-01"))[1] + timedelta(days=window_days)


def _decided(opens_on: date, window_days: int, last_sale: date | None) -> bool:
    """Whether every customer of the wave's month has a decided repurchase: the window of the
    month's last day has ended within the sales imported (the latest sale date)."""
    return last_sale is not None and _month(opens_on)[1] + timedelta(days=window_days) <= last_sale


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


def _store_rows(
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
        start, end = _month(wave.opens_on)
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
        if "repurchase" in outcome and not _decided(wave.opens_on, window_days, last_sale):
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


def _side_by_side(
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


def outcome_relations(data: LinkageData, outcome: str, wave: str | None = None) -> dict:
    """Everything the page shows for one outcome: the unit-level relation in one wave (the
    newest whose month has the outcome for at least three stores, by default) with its
    fitted band, the within-store relation across waves, the lagged relation, the partial
    correlation controlling for size and tenure, and the theme drivers (Benjamini–Hochberg
    adjusted). Every unit-level statistic rests on one row per store.

    Repurchase enters only from months whose windows have ended for every customer (the
    rate is blank in the others, see :func:`linkage_data`); ``decidable`` is False when the
    chosen wave's month is not such a month, and then nothing is computed for it; ``until``
    is then the day its windows end (:func:`window_end`). ``months`` says which months went
    into each analysis: ``unit``, ``partial`` and ``drivers`` the chosen wave's, ``within``
    the months of the store-waves compared, ``lagged`` the (earlier month, month) pairs of
    the waves paired."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}")
    units = data.units
    month_of = dict(zip(units["wave"], units["month"], strict=False))
    if wave is None:  # the newest wave whose month has this outcome for three stores
        counts = units.dropna(subset=["engagement", outcome]).groupby("wave").size()
        ready = [w for w in data.waves if counts.get(w, 0) >= 3]
        wave = ready[-1] if ready else (data.waves[-1] if data.waves else None)
    month = month_of.get(wave)
    decidable = not (outcome == "repurchase" and (month is None or month in data.pending_months))
    one = units[units["wave"] == wave] if wave else units.iloc[0:0]
    one = one.dropna(subset=["engagement", outcome])
    across = units.dropna(subset=["engagement", outcome])
    repeated = across[across.groupby("store_id")["wave"].transform("size") >= 2]
    lagged = _lagged(data, outcome, one)
    return {
        "wave": wave,
        "month": month,
        "decidable": decidable,
        "until": None if decidable or month is None else window_end(month, data.window_days),
        "points": one,
        "unit": linkage.unit_correlation(one, "engagement", outcome),
        "band": linkage.fit_band(one, "engagement", outcome),
        "within": linkage.repeated_measures(across, "engagement", outcome, "store_id"),
        "lagged": linkage.unit_correlation(lagged, "engagement", outcome),
        "partial": linkage.partial(
            one.dropna(subset=["headcount", "tenure"]),
            "engagement",
            outcome,
            ["headcount", "tenure"],
        ),
        "drivers": linkage.drivers(one, list(THEMES), outcome),
        "months": {
            "unit": [month] if len(one) else [],
            "within": sorted(set(repeated["month"])) if len(repeated) >= 3 else [],
            "lagged": sorted(set(zip(lagged["from_month"], lagged["month"], strict=True))),
            "partial": [month] if len(one) else [],
            "drivers": [month] if len(one) else [],
        },
    }


def _lagged(data: LinkageData, outcome: str, one: pd.DataFrame) -> pd.DataFrame:
    """Each store's engagement in the wave just before the chosen one against its outcome in
    the chosen wave's month: one pair per store, so no store counts twice. "Just before" is
    in the sequence of closed anonymous waves that covered the store: where the store was
    hidden in that wave (or its index was), it has no pair, rather than one with an older
    wave."""
    columns = ["store_id", "engagement", outcome, "from_month", "month"]
    if one.empty or data.covered.empty:
        return pd.DataFrame(columns=columns)
    wave, month = one["wave"].iloc[0], one["month"].iloc[0]
    frame = data.covered.merge(
        data.units[["store_id", "wave", "engagement", outcome]], on=["store_id", "wave"], how="left"
    )
    pairs = linkage.lagged_pairs(frame, "store_id", "order", "engagement", outcome)
    order = data.covered.drop_duplicates("wave").set_index("order")
    chosen = order.index[order["wave"] == wave]
    pairs = pairs[pairs["next_period"].isin(chosen)].dropna(subset=["x", "y_next"])
    return pd.DataFrame(
        {
            "store_id": pairs["unit"].to_numpy(),
            "engagement": pairs["x"].astype(float).to_numpy(),
            outcome: pairs["y_next"].astype(float).to_numpy(),
            "from_month": order.loc[pairs["period"], "month"].to_numpy(),
            "month": month,
        },
        columns=columns,
    )


@dataclass(frozen=True)
class StoreView:
    """One store's linkage as its manager reads it: ``standing`` has a row per measure of
    :data:`MEASURES` in ``wave``: the store's ``value`` and the ``n`` it rests on
    (respondents, CSAT answers, customers decided, visits), the chain's ``stores`` with a
    published value, its quartiles ``q1``, ``median``, ``q3``, the store's ``part`` (top,
    middle, bottom; None with too few stores) and ``decidable`` (False for repurchase in a
    month whose windows have not ended, see ``until``). ``trend`` holds the store's rows
    that may be listed side by side (wave, month, n and the measures with their n) and the
    chain's median of each measure in that wave (``median_<measure>``). Nothing in it
    names, counts or describes another store but through the chain's quartiles."""

    store_id: int
    code: str
    name: str
    wave: str | None
    month: str | None
    standing: pd.DataFrame
    trend: pd.DataFrame
    until: date | None  # the day the chosen month's repurchase windows end
    window_days: int = 90


_MEASURE_N = {
    "engagement": "n",
    "csat": "csat_n",
    "repurchase": "repurchase_n",
    "visit_score": "visits",
}
_TREND_COLUMNS = [
    "wave",
    "month",
    "n",
    "engagement",
    "csat",
    "csat_n",
    "repurchase",
    "repurchase_n",
    "visit_score",
    "visits",
]


def store_view(
    session: Session,
    actor: Actor,
    store_id: int,
    wave: str | None = None,
    *,
    window_days: int = 90,
) -> StoreView:
    """One store of the actor's scope against the chain's distribution in ``wave`` (by
    default the newest of the store's waves that may be listed side by side: the view shows
    the wave beside the trend), and its own trend (see :class:`StoreView`). The chain's
    quartiles rest on published store rows only, over at least
    :data:`~ee_app.analysis.linkage.MIN_STANDING` stores, and on the waves the actor may
    see; no other store's row leaves this function. Raises NotFound for a store outside the
    actor's scope or without a published row, or a wave it has none in that may be listed."""
    require(actor, Permission.VIEW_RESULTS)
    require(actor, Permission.VIEW_OUTCOMES)
    if actor.scope is not None and store_id not in actor.scope:
        raise NotFound(N_("No published results for this store in your scope."))
    # The chain as a whole, read once: the store's own rows come from it, and the others'
    # only as quartiles and medians. A wave with a row of the store covered the store, so the
    # actor may see it. No other store's row is returned.
    whole = Actor(email=actor.email, role=UserRole.HR)
    closed = _closed_waves(session, WaveMode.ANONYMOUS)
    last_sale = session.scalar(select(func.max(Sale.sold_on)))
    chain, _covered, _hidden = _store_rows(session, whole, closed, window_days, last_sale)
    own = chain[chain["store_id"] == store_id].reset_index(drop=True)
    own["listed"] = _side_by_side(session, own, {w.code: w for w in closed})
    own = own[own["listed"]]
    if own.empty:
        raise NotFound(N_("No published results for this store in your scope."))
    if wave is None:
        wave = own["wave"].iloc[-1]
    row = own[own["wave"] == wave]
    if row.empty:
        raise NotFound(N_("No published results for this store in this wave."))
    row = row.iloc[0]
    month = str(row["month"])
    pending = {
        f"{_month(w.opens_on)[0]:%Y-%m}"
        for w in closed
        if not _decided(w.opens_on, window_days, last_sale)
    }
    in_wave = chain[chain["wave"] == wave]
    standing = []
    for measure in MEASURES:
        decidable = not (measure == "repurchase" and month in pending)
        place = linkage.standing(in_wave[measure].tolist(), row[measure])
        count = row[_MEASURE_N[measure]]
        standing.append(
            {
                "measure": measure,
                "value": row[measure],
                "n": None if count is None or count != count else int(count),
                "stores": place["n"],
                "q1": place["q1"],
                "median": place["median"],
                "q3": place["q3"],
                "part": place["part"],
                "decidable": decidable,
            }
        )
    medians = {}
    for code, rows in chain.groupby("wave", sort=False):
        medians[code] = {
            f"median_{m}": linkage.standing(rows[m].tolist(), rows[m].median())["median"]
            for m in MEASURES
        }
    trend = own[own["listed"].astype(bool)][_TREND_COLUMNS].reset_index(drop=True)
    for measure in MEASURES:
        trend[f"median_{measure}"] = [
            medians.get(code, {}).get(f"median_{measure}", np.nan) for code in trend["wave"]
        ]
    return StoreView(
        int(store_id),
        str(row["code"]),
        str(row["name"]),
        wave,
        month,
        pd.DataFrame(standing),
        trend,
        window_end(month, window_days) if month in pending else None,
        window_days,
    )


def wave_icc(session: Session, actor: Actor, wave_code: str) -> dict:
    """ICC(1) and ICC(2) of the engagement index by store in one closed wave, from the
    per-store sums stored at close, over the stores the actor may read: in their scope, with
    a published index (the rows :func:`~ee_app.services.results.engagement_view` shows with
    an index; it is hidden wherever a theme is). ``people`` and ``units`` count that same
    set. Raises NotFound for a wave the actor may not see, Conflict for one not closed."""
    require(actor, Permission.VIEW_RESULTS)
    wave = closed_wave(session, actor, wave_code)
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
