"""Each person's measures for an incentive month: what a scheme computes pay from.

For every staff member at work in the month (:func:`period_inputs`): their sales revenue (a
sale served by several people is split equally), shrunken CSAT top-2 and its n (and their
store's) over the ``csat_months`` months ending with the pay month (3 by default, recorded on
every input row: ``csat_months``), repurchase rate and repeat value (of the customers they
served in the latest month whose 90-day windows have all ended by the pay month's end, e.g.
December for April: :func:`repurchase_cohort`), mystery-shopper scores (their store's, and the
visits they were recorded as serving), and whether they have passed the onboarding
assessment; and the same measures at the level of their store, for roles paid on the store's
results (issue 17). Engagement survey results are never read here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import numpy as np
import pandas as pd
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ee_app.analysis.pay import IDENTITY_COLUMNS
from ee_app.analysis.rounding import natural_key
from ee_app.auth import Actor, Permission, require
from ee_app.models import (
    ChecklistVersion,
    OrgUnit,
    Sale,
    SaleStaff,
    ShopVisit,
    Staff,
    StaffAssignment,
    VisitStatus,
)
from ee_app.services.outcomes import (
    DEFAULT_CSAT_MONTHS,
    csat_table,
    month_bounds,
    repurchase_table,
    store_summary,
)
from ee_app.services.training_status import onboarding_passed

__all__ = ["INPUT_COLUMNS", "SERVICE_CHECKLIST", "period_inputs", "repurchase_cohort"]


INPUT_COLUMNS = (
    *IDENTITY_COLUMNS,
    "sales_revenue",
    "csat_top2",
    "csat_n",
    "csat_months",
    "store_csat_top2",
    "repurchase_rate",
    "repurchase_value",
    "visit_score_store",
    "visit_score_staff",
    "visit_n_staff",
    "assessment_passed",
    "onboarding_passed",
    "store_sales_revenue",
    "store_repurchase_rate",
)


SERVICE_CHECKLIST = "service-process"


def _staff(session: Session, start: date, end: date) -> pd.DataFrame:
    """Everyone at work at some point in the month, in their unit on its last day there."""
    unit = OrgUnit.__table__.alias("unit")
    store = OrgUnit.__table__.alias("store")
    from ee_app.services.org import store_id_of

    rows = session.execute(
        select(
            Staff.id,
            Staff.employee_no,
            Staff.name,
            store.c.id,
            store.c.code,
            store.c.name,
            StaffAssignment.role,
            StaffAssignment.valid_from,
        )
        .join(StaffAssignment, StaffAssignment.staff_id == Staff.id)
        .join(unit, unit.c.id == StaffAssignment.unit_id)
        .join(store, store.c.id == store_id_of(unit))
        .where(
            StaffAssignment.valid_from <= end,
            or_(StaffAssignment.valid_to.is_(None), StaffAssignment.valid_to > start),
            Staff.hire_date <= end,
            or_(Staff.leave_date.is_(None), Staff.leave_date >= start),
        )
        .order_by(Staff.id, StaffAssignment.valid_from)
    ).all()
    frame = pd.DataFrame(
        rows,
        columns=[
            "staff_id",
            "employee_no",
            "name",
            "store_id",
            "store_code",
            "store_name",
            "role",
            "since",
        ],
    )
    frame = frame.drop_duplicates("staff_id", keep="last").drop(columns="since")
    frame["role"] = [r.value if hasattr(r, "value") else str(r) for r in frame["role"]]
    return frame.reset_index(drop=True)


def _sales(session: Session, start: date, end: date) -> pd.DataFrame:
    """Revenue per staff member in the month; a sale served by several is split equally."""
    shares = (
        select(SaleStaff.sale_id, func.count().label("people"))
        .group_by(SaleStaff.sale_id)
        .subquery()
    )
    rows = session.execute(
        select(SaleStaff.staff_id, Sale.amount, shares.c.people)
        .join(Sale, Sale.id == SaleStaff.sale_id)
        .join(shares, shares.c.sale_id == Sale.id)
        .where(Sale.sold_on.between(start, end))
    ).all()
    frame = pd.DataFrame(rows, columns=["staff_id", "amount", "people"])
    if frame.empty:
        return pd.DataFrame(columns=["staff_id", "sales_revenue"])
    frame["share"] = frame["amount"].astype(float) / frame["people"].astype(float)
    return (
        frame.groupby("staff_id", as_index=False)["share"]
        .sum()
        .rename(columns={"share": "sales_revenue"})
    )


def _store_sales(session: Session, start: date, end: date) -> pd.DataFrame:
    """Each store's revenue in the month: every sale at the store, however many served it."""
    rows = session.execute(
        select(Sale.store_id, func.sum(Sale.amount))
        .where(Sale.sold_on.between(start, end))
        .group_by(Sale.store_id)
    ).all()
    frame = pd.DataFrame(rows, columns=["store_id", "store_sales_revenue"])
    frame["store_sales_revenue"] = frame["store_sales_revenue"].astype(float)
    return frame


def _visits(session: Session, start: date, end: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = session.execute(
        select(ShopVisit.store_id, ShopVisit.staff_id, ShopVisit.score)
        .join(ChecklistVersion, ChecklistVersion.id == ShopVisit.template_id)
        .where(
            ShopVisit.status == VisitStatus.APPROVED,
            ChecklistVersion.key == SERVICE_CHECKLIST,
            ShopVisit.visited_on.between(start, end),
        )
    ).all()
    frame = pd.DataFrame(rows, columns=["store_id", "staff_id", "score"])
    frame["score"] = frame["score"].astype(float)
    stores = (
        frame.groupby("store_id", as_index=False)["score"]
        .mean()
        .rename(columns={"score": "visit_score_store"})
    )
    staff = (
        frame.dropna(subset=["staff_id"])
        .groupby("staff_id")
        .agg(visit_score_staff=("score", "mean"), visit_n_staff=("score", "size"))
        .reset_index()
    )
    staff["staff_id"] = staff["staff_id"].astype(int)
    return stores, staff


def repurchase_cohort(period: str, window_days: int = 90) -> str:
    """The month whose customers a pay month's repurchase counts: the latest month whose
    customers' windows have *all* ended by the pay month's last day, i.e. whose last day +
    ``window_days`` is on or before it (a customer last served on day t is decided once t + w
    has passed, as in :func:`ee_app.analysis.outcomes.repurchase`). Paying on the pay month's
    own customers would pay on returns that cannot be known yet.

    For 90 days: April 2026 → December 2025 (31 January + 90 days is 1 May, after 30 April;
    31 December + 90 is 31 March), September → June (30 June + 90 is 28 September). Raises
    ValidationError on a period that is not a month such as 2026-04 and ValueError when
    ``window_days`` is not a whole number of days ≥ 1.
    """
    if isinstance(window_days, bool) or not isinstance(window_days, int) or window_days < 1:
        raise ValueError("window_days must be a whole number of days, at least 1, e.g. 90.")
    _start, end = month_bounds(period)
    decided = date.fromordinal(end.toordinal() - window_days)  # the last day served decided
    year, month = decided.year, decided.month
    if date.fromordinal(decided.toordinal() + 1).month == month:
        # Only part of that month is decided: its later customers' windows are still open.
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return f"{year:04d}-{month:02d}"


def _joined(
    staff: pd.DataFrame, measures: pd.DataFrame, key: str, names: dict[str, str]
) -> pd.DataFrame:
    """``staff`` with the ``names`` columns of ``measures`` joined on ``key`` (a person or a
    store) under the names the inputs give them; NaN where ``measures`` has no row."""
    return staff.merge(measures[[key, *names]].rename(columns=names), on=key, how="left")


def period_inputs(
    session: Session, actor: Actor, period: str, *, csat_months: int = DEFAULT_CSAT_MONTHS
) -> pd.DataFrame:
    """One row per staff member at work in the month, with every measure a scheme may use
    (:data:`INPUT_COLUMNS`). Missing measures are NaN (the scheme's gates decide).

    CSAT (a person's shrunken top-2 rate and its n, and their store's) rests on the answers
    of the ``csat_months`` whole months ending with the pay month (1, 3 or 6; issue 16: one
    month left nearly everyone below the scheme's minimum n and paid on the store's rate),
    and every row records the window in ``csat_months``."""
    require(actor, Permission.MANAGE_INCENTIVES)
    start, end = month_bounds(period)
    staff = _staff(session, start, end)
    if staff.empty:
        return pd.DataFrame(columns=list(INPUT_COLUMNS))
    csat = csat_table(session, actor, start, end, months=csat_months, prior_by="store", min_n=1)
    if len(csat):
        staff = _joined(staff, csat, "staff_id", {"shrunk": "csat_top2", "n": "csat_n"})
    stores = store_summary(session, actor, start, end, csat_months=csat_months)
    if "top2_rate" in stores:
        # The store's CSAT: the top-2 share of all its answers in the window (hundreds of
        # answers, so it needs no shrinking); it also stands in for a person with few answers.
        staff = _joined(staff, stores, "store_id", {"top2_rate": "store_csat_top2"})
    cohort_start, cohort_end = month_bounds(repurchase_cohort(period))
    cohort = store_summary(session, actor, cohort_start, cohort_end, csat_months=1)
    if "rate" in cohort:
        staff = _joined(staff, cohort, "store_id", {"rate": "store_repurchase_rate"})
    repurchase = repurchase_table(session, actor, cohort_start, cohort_end)
    if len(repurchase):
        names = {"rate": "repurchase_rate", "repeat_value": "repurchase_value"}
        staff = _joined(staff, repurchase, "staff_id", names)
    staff = staff.merge(_sales(session, start, end), on="staff_id", how="left")
    staff = staff.merge(_store_sales(session, start, end), on="store_id", how="left")
    store_visits, staff_visits = _visits(session, start, end)
    staff = staff.merge(store_visits, on="store_id", how="left").merge(
        staff_visits, on="staff_id", how="left"
    )
    passed_by = datetime.combine(end, time(23, 59, 59), tzinfo=UTC)
    gate = onboarding_passed(session, staff["staff_id"].tolist())
    staff["onboarding_passed"] = [
        gate.get(s) is not None and gate[s] <= passed_by for s in staff["staff_id"]
    ]
    staff["assessment_passed"] = staff["onboarding_passed"]
    for column in INPUT_COLUMNS:
        if column not in staff:
            staff[column] = np.nan
    staff["sales_revenue"] = staff["sales_revenue"].fillna(0.0)
    staff["store_sales_revenue"] = staff["store_sales_revenue"].fillna(0.0)
    staff["csat_n"] = staff["csat_n"].fillna(0).astype(int)
    staff["csat_months"] = int(csat_months)
    staff["visit_n_staff"] = staff["visit_n_staff"].fillna(0).astype(int)
    order = sorted(range(len(staff)), key=lambda i: natural_key(staff["employee_no"].iloc[i]))
    return staff[list(INPUT_COLUMNS)].iloc[order].reset_index(drop=True)
