"""The repurchase table: customers, returned, lost, pending and the rate with its Wilson
interval per unit, counted from groups of a unit's customers with their day t
(:func:`repurchase_table`). :mod:`~ee_app.analysis.repurchase` builds the groups from
transactions; the database builds them in SQL (:func:`ee_app.services.sales_read.
repurchase_pairs`) and :func:`repurchase_from_pairs` counts them the same way. Dates count
as days (:func:`day_number`, :func:`day_numbers`).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ee_app.analysis.checks import require_columns_in
from ee_app.analysis.intervals import wilson_bounds

__all__ = ["COLUMNS", "day_number", "day_numbers", "repurchase_from_pairs", "repurchase_table"]

#: The table's columns after the unit's, in order.
COLUMNS = (
    "customers",
    "returned",
    "lost",
    "pending",
    "pending_returned",
    "rate",
    "rate_low",
    "rate_high",
    "repeat_value",
)


def repurchase_table(
    unit: np.ndarray,
    t: np.ndarray,
    customers: np.ndarray,
    returned: np.ndarray,
    value: np.ndarray,
    window: int,
    last: int,
    ids: pd.Index,
    name: str,
) -> pd.DataFrame:
    """The table from groups of customers: per group its unit (code into ``ids``), day t,
    ``customers``, ``returned`` (those of them back in (t, t + window]) and repeat value;
    ``last`` is the day number of the end of the data, ``name`` the unit column's name.

    >>> table = repurchase_table(
    ...     np.array([0, 0, 1]), np.array([10, 30, 20]), np.array([2, 1, 1]), np.array([1, 0, 1]),
    ...     np.array([200.0, 0.0, 50.0]), 30, 55, pd.Index(["s1", "s2"]), "staff_id")
    >>> table[["staff_id", "customers", "returned", "lost", "pending"]].to_dict("records")
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'staff_id': 's1', 'customers': 3, 'returned': 1, 'lost': 1, 'pending': 1},
     {'staff_id': 's2', 'customers': 1, 'returned': 1, 'lost': 0, 'pending': 0}]
    >>> list(table.columns) == ["staff_id", *COLUMNS]
    True
    """
    # Only customers whose whole window lies inside the data are decided: counting the early
    # returners of an open window, but not those still to come, would flatter the rate.
    pending = t + window > last
    size = len(ids)

    def total(weights: np.ndarray) -> np.ndarray:
        return np.bincount(unit, weights=weights, minlength=size).astype(np.int64)

    returned = np.asarray(returned, dtype=np.int64)
    customers = np.asarray(customers, dtype=np.int64)
    counts = {
        "returned": total(np.where(pending, 0, returned)),
        "lost": total(np.where(pending, 0, customers - returned)),
        "pending": total(np.where(pending, customers, 0)),
        "pending_returned": total(np.where(pending, returned, 0)),
    }
    all_customers = total(customers)
    decided = (counts["returned"] + counts["lost"]).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(decided > 0, counts["returned"] / decided, np.nan)
    low, high = wilson_bounds(counts["returned"].astype(float), decided, 0.95)
    keep = all_customers > 0
    table = pd.DataFrame(
        {
            name: ids[keep],
            "customers": all_customers[keep],
            **{key: values[keep] for key, values in counts.items()},
            "rate": rate[keep],
            "rate_low": low[keep],
            "rate_high": high[keep],
            "repeat_value": np.bincount(unit, weights=value, minlength=size)[keep],
        }
    )
    return table.sort_values(name, kind="stable").reset_index(drop=True)


def repurchase_from_pairs(
    pairs: pd.DataFrame,
    *,
    window_days: int,
    data_end: date,
    name: str = "staff_id",
) -> pd.DataFrame:
    """The table of :func:`~ee_app.analysis.repurchase.repurchase` (``name="staff_id"``) or
    :func:`~ee_app.analysis.repurchase.repurchase_by_store` (``name="store_id"``) from the
    customers already grouped per unit, as the database computes them
    (:func:`ee_app.services.sales_read.repurchase_pairs`).

    ``pairs`` has one row per group of a unit's customers whose windows are all closed or all
    still open at ``data_end`` (one row per customer is such a group): ``unit``, ``t`` (the
    day of the unit's last service of these customers in the period, or of their last sale
    for the owner: the latest such day of the group),
    ``customers``, ``returned`` (those of them with a counted transaction in (t, t + w]) and
    ``repeat_value`` (the amounts of those transactions). Pending, lost, the rate and its
    interval follow the definitions of :func:`~ee_app.analysis.repurchase.repurchase`, with
    ``data_end`` the end of the data (t + w later than it: pending).

    >>> pairs = pd.DataFrame({"unit": [7, 7, 8], "customers": [2, 1, 1], "returned": [1, 0, 1],
    ...     "t": pd.to_datetime(["2025-01-10", "2025-01-31", "2025-01-20"]),
    ...     "repeat_value": [200.0, 0.0, 50.0]})
    >>> table = repurchase_from_pairs(pairs, window_days=30, data_end=date(2025, 2, 25))
    >>> table[["staff_id", "customers", "returned", "lost", "pending"]].to_dict("records")
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'staff_id': 7, 'customers': 3, 'returned': 1, 'lost': 1, 'pending': 1},
     {'staff_id': 8, 'customers': 1, 'returned': 1, 'lost': 0, 'pending': 0}]
    """
    require_columns_in(pairs, ["unit", "t", "customers", "returned", "repeat_value"], "pairs")
    if isinstance(window_days, bool) or not isinstance(window_days, int | np.integer):
        raise ValueError("window_days must be a whole number of days.")
    if window_days < 1:
        raise ValueError("window_days must be at least 1.")
    codes, ids = pd.factorize(pairs["unit"])
    t = day_numbers(pairs["t"]) if len(pairs) else np.zeros(0, dtype=np.int64)
    value = pd.to_numeric(pairs["repeat_value"]).to_numpy(dtype=float)
    customers = pairs["customers"].to_numpy(dtype=np.int64)
    returned = pairs["returned"].to_numpy(dtype=np.int64)
    if ((returned < 0) | (returned > customers)).any():
        raise ValueError("returned must lie between 0 and the group's customers.")
    last = day_number(data_end)
    return repurchase_table(codes, t, customers, returned, value, int(window_days), last, ids, name)


def day_number(value: date) -> int:
    """Days since 1970-01-01 of a date, datetime or Timestamp (its calendar day).

    >>> day_number(date(1970, 1, 31)), day_number(pd.Timestamp("1970-01-02 23:59"))
    (30, 1)
    """
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{value!r} is not a date.") from exc
    if stamp is pd.NaT:
        raise ValueError("Dates must not be missing.")
    return int(np.datetime64(stamp.date(), "D").astype(np.int64))


def day_numbers(values: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 of a column of dates or datetimes (times of day are dropped).

    >>> day_numbers(pd.Series(["1970-01-02", "1970-02-01T18:00"])).tolist()
    [1, 31]
    """
    try:
        stamps = pd.to_datetime(values, format="ISO8601")
    except (TypeError, ValueError) as exc:
        raise ValueError("date must hold dates (text as ISO 8601, e.g. 2025-01-31).") from exc
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    if stamps.isna().any():
        raise ValueError("Every transaction row needs a date.")
    return stamps.to_numpy(dtype="datetime64[D]").astype(np.int64)
