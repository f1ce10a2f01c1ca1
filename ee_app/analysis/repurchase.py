"""Repurchase (复购) per staff member and per store, from transactions: of the customers a
staff member (or a store) served in a period, those who bought again within ``window_days``
after the last service (:func:`repurchase`, :func:`repurchase_by_store`).

Customers whose window has not ended by the end of the data are *pending*, neither returned
nor lost, even if they are already back (those are counted apart as ``pending_returned``):
the rate is computed on decided customers only. Both feed service-quality pay, so each rate
comes with its n and a Wilson interval.

Here the transactions become groups of customers per unit with their day t and whether they
returned; :mod:`~ee_app.analysis.repurchase_table` counts those into the table, and does the
same for the groups the database computes (``repurchase_from_pairs``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

import numpy as np
import pandas as pd

from ee_app.analysis.checks import require_columns_in
from ee_app.analysis.repurchase_table import day_number, day_numbers, repurchase_table

__all__ = ["repurchase", "repurchase_by_store"]

_ATTRIBUTIONS = ("last_served", "owner")


def repurchase(
    transactions: pd.DataFrame,
    *,
    period_start: date,
    period_end: date,
    window_days: int = 90,
    attribution: str = "last_served",
    same_staff: bool = False,
    data_end: date | None = None,
) -> pd.DataFrame:
    """Repurchase (复购) per staff member: of the customers they served, who bought again.

    ``transactions`` has one row per (transaction, staff member who served it): ``tx_id``,
    ``customer``, ``date``, ``amount`` (the whole transaction's amount, the same on each of its
    rows), ``staff_id`` (missing on a transaction nobody served) and, for
    ``attribution="owner"``, ``owner_id`` (the customer's designated owner 指定客 at that
    transaction; may be missing). Dates count as days. Rows after ``data_end`` (default: the
    latest date in the data) are ignored.

    Definitions, with w = ``window_days`` and the period [``period_start``, ``period_end``]:

    * ``"last_served"``: staff member s *served* customer c if s is on a transaction of c dated
      within the period; t = the last such date. Each staff member on a transaction counts it.
    * ``"owner"``: s's customers are those who bought anything in the period and whose owner at
      their last transaction in the period is s (on several that day, the last in the input);
      t = the date of that transaction. Customers with no owner there count for nobody.
    * c *returned* if c has another transaction dated in (t, t + w]: strictly after t, so a
      second purchase the same day is no return. With ``same_staff`` only a transaction on which
      s served counts. As the first transaction after t is the return, under "last_served" s
      is the last staff member who served c before the repeat purchase.
    * *pending*: t + w later than ``data_end`` (the window is still open), whether or not
      the customer is already back (``pending_returned`` counts those); reported apart, not
      as lost or returned, so that early returners of open windows do not flatter the rate.
      *Returned* and *lost* are the decided customers: back within the window, or not.
    * repeat value: the sum of the amounts of c's transactions in (t, t + w] (with
      ``same_staff`` those s served), summed over s's customers. A transaction served by two
      staff members counts in full for each of them.

    Returns one row per staff member with customers, sorted by ``staff_id``: ``customers`` =
    ``returned`` + ``lost`` + ``pending``, ``pending_returned`` (the pending customers already
    back), ``rate`` = returned / (returned + lost) (NaN when 0), its 95% Wilson interval
    ``rate_low``, ``rate_high``, and ``repeat_value``.

    >>> sales = pd.DataFrame({
    ...     "tx_id": [1, 2, 3, 4], "customer": ["c1", "c1", "c2", "c3"],
    ...     "date": pd.to_datetime(["2025-01-10", "2025-02-05", "2025-01-20", "2025-03-25"]),
    ...     "amount": [100.0, 200.0, 50.0, 80.0], "staff_id": ["s1", "s2", "s1", "s1"]})
    >>> table = repurchase(sales, period_start=date(2025, 1, 1), period_end=date(2025, 1, 31),
    ...                    window_days=30)  # c1 back on day 26; c2 not by 19 Feb: lost
    >>> table[["staff_id", "customers", "returned", "lost", "pending", "repeat_value"]].to_dict(
    ...     "records")  # doctest: +NORMALIZE_WHITESPACE
    [{'staff_id': 's1', 'customers': 2, 'returned': 1, 'lost': 1, 'pending': 0,
      'repeat_value': 200.0}]
    """
    if attribution not in _ATTRIBUTIONS:
        raise ValueError(f"attribution must be one of {', '.join(_ATTRIBUTIONS)}.")
    owner = attribution == "owner"
    extra = ["staff_id", "owner_id"] if owner else ["staff_id"]
    sales = _prepare(transactions, extra, period_start, period_end, window_days, data_end)
    columns = [sales.frame["staff_id"], *([sales.frame["owner_id"]] if owner else [])]
    codes, staff_ids = pd.factorize(pd.concat(columns, ignore_index=True))
    rows = len(sales.frame)
    staff = codes[:rows]
    if owner:
        unit, customer, t = _owned(sales, codes[rows:][sales.first])
    else:
        unit, customer, t = _last_served(sales, staff, sales.customer, sales.day)
    if same_staff:
        # each staff member once per transaction, even if listed twice on it
        once = ~pd.Series(sales.tx * (len(staff_ids) + 1) + staff + 1).duplicated().to_numpy()
        served = (staff >= 0) & once
        events = (staff[served], sales.customer[served], sales.day[served], sales.amount[served])
        count, value = _window_sums(*_pair_events(events, unit, customer), t, sales.window)
    else:
        count, value = _window_sums(*_customer_events(sales, customer), t, sales.window)
    return _summary(unit, t, count > 0, value, sales, staff_ids, "staff_id")


def repurchase_by_store(
    transactions: pd.DataFrame,
    *,
    period_start: date,
    period_end: date,
    window_days: int = 90,
    same_store: bool = False,
    data_end: date | None = None,
) -> pd.DataFrame:
    """Repurchase per store: the definitions of :func:`repurchase` with the store as the unit.

    ``transactions`` as for :func:`repurchase`, with ``store_id`` (the same on every row of a
    transaction) in place of the staff columns. A customer c was *served* at store S if c has
    a transaction at S dated in the period, staffed or not; t = the last such date. c
    *returned* if c has a transaction in (t, t + w] at any store, or at S with ``same_store``;
    pending, lost and repeat value (each transaction once) as in :func:`repurchase`.

    Returns one row per store with customers, sorted by ``store_id``: ``customers``,
    ``returned``, ``lost``, ``pending``, ``pending_returned``, ``rate``, ``rate_low``,
    ``rate_high``, ``repeat_value``.

    c1 bought at A on 10 Jan and at B on 5 Feb. With the data running to 28 Feb, A's window
    for c1 (to 9 Feb) has closed: c1 returned to the chain, but not to A (``same_store``):

    >>> sales = pd.DataFrame({
    ...     "tx_id": [1, 2], "customer": ["c1", "c1"], "store_id": ["A", "B"],
    ...     "date": pd.to_datetime(["2025-01-10", "2025-02-05"]), "amount": [100.0, 200.0]})
    >>> period = {"period_start": date(2025, 1, 1), "period_end": date(2025, 1, 31)}
    >>> columns = ["returned", "lost", "pending", "pending_returned"]
    >>> [repurchase_by_store(sales, **period, window_days=30, same_store=same,
    ...                      data_end=date(2025, 2, 28)).loc[0, columns].tolist()
    ...  for same in (False, True)]
    [[1, 0, 0, 0], [0, 1, 0, 0]]

    With the data ending on 5 Feb (the last date) the window is still open, so c1 is pending
    either way, although already back at B (``pending_returned``):

    >>> [repurchase_by_store(sales, **period, window_days=30, same_store=same)
    ...  .loc[0, columns].tolist() for same in (False, True)]
    [[0, 0, 1, 1], [0, 0, 1, 0]]
    """
    sales = _prepare(transactions, ["store_id"], period_start, period_end, window_days, data_end)
    codes, store_ids = pd.factorize(sales.frame["store_id"])
    first = sales.first
    store, customer, day = codes[first], sales.customer[first], sales.day[first]
    unit, served, t = _last_served(sales, store, customer, day)
    if same_store:
        events = (store, customer, day, sales.amount[first])
        count, value = _window_sums(*_pair_events(events, unit, served), t, sales.window)
    else:
        count, value = _window_sums(*_customer_events(sales, served), t, sales.window)
    return _summary(unit, t, count > 0, value, sales, store_ids, "store_id")


class _Sales(NamedTuple):
    """Transactions ready for windows: integer codes and day numbers per kept row."""

    frame: pd.DataFrame  # the kept rows
    tx: np.ndarray  # transaction code of each row
    customer: np.ndarray  # customer code of each row
    day: np.ndarray  # day number of each row (0 = the earliest day in the data)
    amount: np.ndarray
    first: np.ndarray  # position of each transaction's first row, in code order
    start: int
    end: int
    last: int  # data_end
    window: int


def _prepare(
    transactions: pd.DataFrame,
    extra: Sequence[str],
    period_start: date,
    period_end: date,
    window_days: int,
    data_end: date | None,
) -> _Sales:
    """Check the transactions and code them; each transaction must agree with itself."""
    require_columns_in(
        transactions, ["tx_id", "customer", "date", "amount", *extra], "transactions"
    )
    if isinstance(window_days, bool) or not isinstance(window_days, int | np.integer):
        raise ValueError("window_days must be a whole number of days.")
    if window_days < 1:
        raise ValueError("window_days must be at least 1.")
    start, end = day_number(period_start), day_number(period_end)
    if start > end:
        raise ValueError("period_start must not be after period_end.")
    for column in ("tx_id", "customer"):
        if transactions[column].isna().any():
            raise ValueError(f"Every transaction row needs a {column}; drop anonymous sales first.")
    amount = pd.to_numeric(transactions["amount"], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(amount).all():
        raise ValueError("Every transaction row needs a numeric amount.")
    days = day_numbers(transactions["date"])
    last = int(days.max()) if len(days) else end
    if data_end is not None:
        last = day_number(data_end)
    keep = days <= last
    frame = transactions.loc[keep] if not keep.all() else transactions
    days, amount = days[keep], amount[keep]
    tx = pd.factorize(frame["tx_id"])[0]
    customer = pd.factorize(frame["customer"])[0]
    first = np.flatnonzero(~pd.Series(tx).duplicated().to_numpy())  # codes follow first rows
    checks = {"customer": customer, "date": days, "amount": amount}
    if "store_id" in extra:
        checks["store_id"] = pd.factorize(frame["store_id"])[0]
    for column, values in checks.items():
        differ = values != values[first][tx]
        if differ.any():
            example = frame["tx_id"].iloc[int(np.argmax(differ))]
            raise ValueError(
                f"Transaction {example!r} has different {column} values on its rows; each row "
                f"of a transaction must repeat the transaction's {column}."
            )
    origin = int(days.min()) if len(days) else 0
    return _Sales(
        frame=frame,
        tx=tx,
        customer=customer,
        day=days - origin,
        amount=amount,
        first=first,
        start=start - origin,
        end=end - origin,
        last=last - origin,
        window=int(window_days),
    )


def _last_served(
    sales: _Sales, unit: np.ndarray, customer: np.ndarray, day: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(unit, customer, t) for each unit and customer it served in the period: t = last day."""
    inside = (unit >= 0) & (day >= sales.start) & (day <= sales.end)
    customers = int(customer.max()) + 1 if len(customer) else 1
    pair = unit[inside].astype(np.int64) * customers + customer[inside]
    last = pd.Series(day[inside]).groupby(pair, sort=False).max()
    pairs = last.index.to_numpy(dtype=np.int64)
    return pairs // customers, pairs % customers, last.to_numpy(dtype=np.int64)


def _owned(sales: _Sales, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(owner, customer, t) from each customer's last transaction in the period; ``owner`` is
    the owner code per transaction (−1 when missing)."""
    customer, day = sales.customer[sales.first], sales.day[sales.first]
    inside = np.flatnonzero((day >= sales.start) & (day <= sales.end))
    if not len(inside):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    ordered = inside[np.lexsort((inside, day[inside], customer[inside]))]
    ends = np.r_[customer[ordered][1:] != customer[ordered][:-1], True]
    last = ordered[ends]
    owned = owner[last] >= 0
    return owner[last][owned], customer[last][owned], day[last][owned].astype(np.int64)


def _customer_events(
    sales: _Sales, customer: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every transaction of each customer, once: (event group, day, amount, query group)."""
    first = sales.first
    return sales.customer[first], sales.day[first], sales.amount[first], customer


def _pair_events(
    events: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    unit: np.ndarray,
    customer: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Transactions of each customer with one unit, grouped by (unit, customer) pairs."""
    event_unit, event_customer, day, amount = events
    keep = event_unit >= 0
    customers = int(max(event_customer.max(initial=0), customer.max(initial=0))) + 1
    groups = event_unit[keep].astype(np.int64) * customers + event_customer[keep]
    return groups, day[keep], amount[keep], unit.astype(np.int64) * customers + customer


def _window_sums(
    event_group: np.ndarray,
    event_day: np.ndarray,
    event_amount: np.ndarray,
    query_group: np.ndarray,
    query_day: np.ndarray,
    window: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Count and amount of the events of each query's group dated in (day, day + window].

    One sort of (group, day) keys and two binary searches per query: the same as a forward
    ``merge_asof`` without exact matches, plus the sums, in O((events + queries)·log events).
    """
    if not len(query_group):
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    codes = pd.factorize(np.concatenate([event_group, query_group]))[0].astype(np.int64)
    span = int(max(event_day.max(initial=0), query_day.max(initial=0))) + window + 1
    keys = codes[: len(event_group)] * span + event_day
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    totals = np.concatenate([[0.0], np.cumsum(event_amount[order])])
    query = codes[len(event_group) :] * span + query_day
    low = np.searchsorted(keys, query, side="right")
    high = np.searchsorted(keys, query + window, side="right")
    return high - low, totals[high] - totals[low]


def _summary(
    unit: np.ndarray,
    t: np.ndarray,
    returned: np.ndarray,
    value: np.ndarray,
    sales: _Sales,
    ids: pd.Index,
    name: str,
) -> pd.DataFrame:
    """Customers, returned, lost, pending, rate with its interval and value per unit."""
    ones = np.ones(len(unit), dtype=np.int64)
    return repurchase_table(unit, t, ones, returned, value, sales.window, sales.last, ids, name)
