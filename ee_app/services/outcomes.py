"""Per-staff CSAT and repurchase contribution for a period, for the actor's scope.

The statistics live in :mod:`ee_app.analysis.outcomes`; this module reads the rows they need
(one period of answers; for repurchase, the customers grouped per staff member or store
and day by the database, :func:`ee_app.services.sales_read.repurchase_pairs`), adds names,
codes and roles, and keeps to the actor's scope: a manager sees the staff and stores of their units
only (the computations run on the whole chain, so a store's prior and a customer's return to
another store are the same whoever looks).

Per-staff CSAT is read over a rolling window of whole months ending with the period's
(:data:`CSAT_MONTHS`, :func:`csat_window`; issue 16): a month holds a handful of answers per
person, too few to say anything, and HR chooses 1, 3 or 6 months (3 by default) on the
outcomes page; pay and the confidential person-level relation use the same windows.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ee_app import clock
from ee_app.analysis.csat import csat_by_staff
from ee_app.analysis.repurchase_table import COLUMNS as REPURCHASE_COLUMNS
from ee_app.analysis.repurchase_table import repurchase_from_pairs
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, ValidationError
from ee_app.models import CsatRecord, OrgUnit, Sale, Staff, StaffAssignment
from ee_app.services.sales_read import has_sales, repurchase_pairs

__all__ = [
    "ATTRIBUTIONS",
    "CSAT_MONTHS",
    "DEFAULT_CSAT_MONTHS",
    "WINDOWS",
    "DataRange",
    "csat_table",
    "csat_window",
    "data_range",
    "last_complete_month",
    "month_bounds",
    "repurchase_table",
    "store_summary",
]

WINDOWS = (30, 60, 90, 120)
ATTRIBUTIONS = ("last_served", "owner")
#: Per-staff CSAT over the last 1, 3 or 6 months (the month shown and those before it).
CSAT_MONTHS = (1, 3, 6)
DEFAULT_CSAT_MONTHS = 3


@dataclass(frozen=True)
class DataRange:
    csat_first: date | None
    csat_last: date | None
    sales_first: date | None
    sales_last: date | None


def month_bounds(month: str) -> tuple[date, date]:
    """ "2026-10" → (2026-10-01, 2026-10-31)."""
    try:
        year, number = (int(p) for p in month.split("-"))
        return date(year, number, 1), date(year, number, monthrange(year, number)[1])
    except (ValueError, TypeError):
        raise ValidationError(
            N_("A period is a month written as 2026-10, not “{value}”."), value=month
        ) from None


def _check_csat_months(months: int) -> None:
    if months not in CSAT_MONTHS:
        raise ValidationError(N_("The CSAT window is 1, 3 or 6 months."))


def csat_window(start: date, end: date, months: int = DEFAULT_CSAT_MONTHS) -> tuple[date, date]:
    """The days whose answers per-staff CSAT rests on for the period [start, end] with a
    window of ``months``: from the first day of the month ``months − 1`` months before
    ``start``'s to ``end``. One month leaves the period as it is.

    >>> csat_window(date(2026, 10, 1), date(2026, 10, 31), 3)
    (datetime.date(2026, 8, 1), datetime.date(2026, 10, 31))
    >>> csat_window(date(2026, 2, 1), date(2026, 2, 28), 6)  # across the new year
    (datetime.date(2025, 9, 1), datetime.date(2026, 2, 28))
    >>> csat_window(date(2026, 10, 15), date(2026, 10, 31), 1)
    (datetime.date(2026, 10, 15), datetime.date(2026, 10, 31))
    """
    _check_csat_months(months)
    if months == 1:
        return start, end
    index = start.year * 12 + start.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1), end


def last_complete_month(span: DataRange, today: date | None = None) -> str | None:
    """The month a page opens on: the newest month with data that has ended before
    ``today`` (by default the server's date), rather than the current month that has only
    begun (a six-day-old month holds a fifth of a month's answers). When no month with data
    has ended yet, the newest; None without data.

    >>> span = DataRange(date(2025, 11, 7), date(2026, 11, 6), date(2025, 11, 7), date(2026, 11, 6))
    >>> last_complete_month(span, date(2026, 11, 6))
    '2026-10'
    >>> last_complete_month(span, date(2026, 12, 1))  # November is over
    '2026-11'
    >>> span = DataRange(None, None, date(2026, 11, 2), date(2026, 11, 4))
    >>> last_complete_month(span, date(2026, 11, 6))  # nothing has ended yet
    '2026-11'
    """
    days = [d for d in (span.csat_first, span.csat_last, span.sales_first, span.sales_last) if d]
    if not days:
        return None
    first, last = min(days), max(days)
    today = today or clock.today()
    ended = min(last, today.replace(day=1) - timedelta(days=1))  # the last day of a past month
    if ended < first:
        return f"{last:%Y-%m}"
    return f"{ended:%Y-%m}"


def data_range(session: Session, actor: Actor) -> DataRange:
    require(actor, Permission.VIEW_OUTCOMES)
    csat = session.execute(
        select(func.min(CsatRecord.service_date), func.max(CsatRecord.service_date))
    ).one()
    sales = session.execute(select(func.min(Sale.sold_on), func.max(Sale.sold_on))).one()
    return DataRange(*csat, *sales)


#: Who a staff member is in :func:`_staff_frame`, and so at the head of the repurchase table.
_STAFF_COLUMNS = ("staff_id", "employee_no", "name", "role", "unit_id", "unit_code")


def _staff_frame(session: Session) -> pd.DataFrame:
    """Every staff member with their current unit, store and role."""
    unit = OrgUnit.__table__.alias("unit")
    result = session.connection().execute(
        select(
            Staff.id,
            Staff.employee_no,
            Staff.name,
            StaffAssignment.role,
            unit.c.id,
            unit.c.code,
            unit.c.level,
            unit.c.parent_id,
        )
        .join(StaffAssignment, StaffAssignment.staff_id == Staff.id)
        .join(unit, unit.c.id == StaffAssignment.unit_id)
        .where(StaffAssignment.valid_to.is_(None))
    )
    # The driver's tuples (the role as stored): building ORM rows, and pandas probing each
    # for attributes it lacks, took a third of the repurchase table's time (issue 20).
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    frame = pd.DataFrame(rows, columns=[*_STAFF_COLUMNS, "level", "parent_id"])
    frame["role"] = [getattr(r, "value", r) for r in frame["role"]]
    return frame.drop(columns=["level", "parent_id"])


def _stores(session: Session) -> pd.DataFrame:
    rows = session.execute(
        select(OrgUnit.id, OrgUnit.code, OrgUnit.name).where(OrgUnit.level == "store")
    ).all()
    return pd.DataFrame(rows, columns=["store_id", "store_code", "store_name"])


def _in_scope(actor: Actor, frame: pd.DataFrame, column: str) -> pd.DataFrame:
    if actor.scope is None:
        return frame.reset_index(drop=True)
    return frame[frame[column].isin(list(actor.scope))].reset_index(drop=True)


def csat_table(
    session: Session,
    actor: Actor,
    start: date,
    end: date,
    *,
    months: int = 1,
    by_touchpoint: bool = False,
    prior_by: str = "store",
    min_n: int = 10,
) -> pd.DataFrame:
    """Per staff member (and touchpoint) over [start, end], widened to the ``months`` whole
    months ending with ``start``'s (:func:`csat_window`): n, mean on 1–5, top-2 count and
    rate with its Wilson interval, the shrunken rate (the prior fitted on the same window's
    answers), and the min-n flag; store in scope."""
    require(actor, Permission.VIEW_OUTCOMES)
    if prior_by not in ("store", "role"):
        raise ValidationError(N_("Shrink toward the store or the role."))
    start, end = csat_window(start, end, months)
    rows = session.execute(
        select(
            CsatRecord.staff_id,
            CsatRecord.store_id,
            CsatRecord.touchpoint,
            CsatRecord.score,
            CsatRecord.scale,
        ).where(CsatRecord.service_date.between(start, end))
    ).all()
    staff = _staff_frame(session)
    records = pd.DataFrame(rows, columns=["staff_id", "store_id", "touchpoint", "score", "scale"])
    columns = [
        "staff_id",
        "employee_no",
        "name",
        "role",
        "store_id",
        "store_code",
        "store_name",
        *(["touchpoint"] if by_touchpoint else []),
        "n",
        "mean5",
        "top2",
        "top2_rate",
        "top2_low",
        "top2_high",
        "shrunk",
        "below_min",
    ]
    if records.empty:
        return pd.DataFrame(columns=columns)
    records["touchpoint"] = [getattr(t, "value", t) for t in records["touchpoint"]]
    records = records.merge(staff[["staff_id", "role"]], on="staff_id", how="left")
    records["role"] = records["role"].fillna("")
    table = csat_by_staff(
        records,
        by=("staff_id", "touchpoint") if by_touchpoint else ("staff_id",),
        prior_by="store_id" if prior_by == "store" else "role",
        min_n=min_n,
    )
    table = table.drop(columns=["role"], errors="ignore").merge(
        staff[["staff_id", "employee_no", "name", "role"]], on="staff_id", how="left"
    )
    table = table.merge(_stores(session), on="store_id", how="left")
    return _in_scope(actor, table, "store_id")[columns]


def _window_args(window_days: int, attribution: str) -> None:
    if window_days not in WINDOWS:
        raise ValidationError(N_("The window is 30, 60, 90 or 120 days."))
    if attribution not in ATTRIBUTIONS:
        raise ValidationError(
            N_(
                "Attribute to the last staff member who served, or to the "
                "customer's designated owner."
            )
        )


def repurchase_table(
    session: Session,
    actor: Actor,
    start: date,
    end: date,
    *,
    window_days: int = 90,
    attribution: str = "last_served",
    same_staff: bool = False,
) -> pd.DataFrame:
    """Per staff member: customers served in [start, end], returned within the window,
    lost, pending (window still open at the end of the data), rate with its Wilson
    interval, and the value of the repeat purchases."""
    require(actor, Permission.VIEW_OUTCOMES)
    _window_args(window_days, attribution)
    last = session.scalar(select(func.max(Sale.sold_on)))
    columns = [*_STAFF_COLUMNS, *REPURCHASE_COLUMNS]
    if last is None:
        return pd.DataFrame(columns=columns)
    until = end + timedelta(days=window_days)
    # the per-(staff, customer) work is done by the database (issue 20)
    pairs = repurchase_pairs(
        session, start, end, last, window_days, by=attribution, same_unit=same_staff
    )
    if pairs.empty and not has_sales(session, start, until):
        return pd.DataFrame(columns=columns)
    table = repurchase_from_pairs(pairs, window_days=window_days, data_end=last)
    table = table.merge(_staff_frame(session), on="staff_id", how="left")
    scoped = _in_scope(actor, table, "unit_id")
    return scoped.reindex(columns=columns)


def store_summary(
    session: Session,
    actor: Actor,
    start: date,
    end: date,
    *,
    window_days: int = 90,
    csat_months: int = 1,
) -> pd.DataFrame:
    """Per store in scope: CSAT answers (over ``csat_months`` months ending with the
    period's, as :func:`csat_table`), top-2 rate with its interval, and repurchase (of the
    period's customers)."""
    require(actor, Permission.VIEW_OUTCOMES)
    _window_args(window_days, "last_served")
    stores = _stores(session)
    csat_start, csat_end = csat_window(start, end, csat_months)
    csat = session.execute(
        select(CsatRecord.store_id, CsatRecord.score, CsatRecord.scale).where(
            CsatRecord.service_date.between(csat_start, csat_end)
        )
    ).all()
    answers = pd.DataFrame(csat, columns=["store_id", "score", "scale"])
    if not answers.empty:
        # The same counts and intervals as for staff, with the store standing in for a person.
        answers = answers.assign(staff_id=answers["store_id"], touchpoint="", role="")
        per_store = csat_by_staff(answers, by=("staff_id",), prior_by=None, min_n=1)
        per_store = per_store.rename(columns={"staff_id": "store_key"})[
            ["store_key", "n", "top2_rate", "top2_low", "top2_high", "shrunk", "mean5"]
        ].rename(columns={"store_key": "store_id", "n": "csat_n"})
        stores = stores.merge(per_store, on="store_id", how="left")
    last = session.scalar(select(func.max(Sale.sold_on)))
    if last is not None:
        until = end + timedelta(days=window_days)
        pairs = repurchase_pairs(session, start, end, last, window_days, by="store")
        if not pairs.empty or has_sales(session, start, until):
            by_store = repurchase_from_pairs(
                pairs, window_days=window_days, data_end=last, name="store_id"
            )
            stores = stores.merge(by_store, on="store_id", how="left")
    return _in_scope(actor, stores, "store_id")
