"""Customer outcomes per staff member and store: CSAT with empirical-Bayes shrinkage, and
repurchase (复购) within a window after the last service.

Both feed service-quality pay, so each count comes with its n and a Wilson interval, and
small CSAT samples are shrunk toward their store before money depends on them. Definitions:

* CSAT top-2: answers of 4–5 on a 1–5 scale or 9–10 on a 0–10 scale; ``mean5`` puts both
  scales on 1–5 (a 0–10 answer x counts as 1 + 4·x/10, so 0 → 1, 5 → 3, 10 → 5);
* shrunk top-2 rate: the posterior mean (x + α) / (n + α + β) under a beta prior fitted by
  the method of moments (Kleinman 1973) on the staff of the same store
  (:func:`fit_beta_prior`);
* repurchase: of the customers a staff member (or a store) served in a period, those who
  bought again within ``window_days`` after the last service (:func:`repurchase`,
  :func:`repurchase_by_store`); customers whose window has not ended by the end of the data
  are *pending*, neither returned nor lost, even if they are already back (those are counted
  apart as ``pending_returned``): the rate is computed on decided customers only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "csat_by_staff",
    "fit_beta_prior",
    "repurchase",
    "repurchase_by_store",
    "repurchase_from_pairs",
]

#: A prior group (e.g. a store) needs this many units and answers for a prior of its own.
_PRIOR_MIN_UNITS = 3
_PRIOR_MIN_ANSWERS = 30
_ATTRIBUTIONS = ("last_served", "owner")


def fit_beta_prior(
    successes: np.ndarray, trials: np.ndarray, *, max_strength: float = 1000.0
) -> tuple[float, float]:
    """Beta prior (α, β) for per-unit rates by the method of moments of a beta-binomial.

    The moment estimator of Kleinman (1973, "Proportions with extraneous variance: single and
    independent samples", *JASA* 68:46–54) with weights n_i. With x_i successes of n_i
    trials per unit, k units and N = Σn_i, the units' true rates drawn from Beta(α, β) with
    mean μ and intraclass correlation ρ = 1/(α + β + 1):

    * pooled mean μ̂ = Σx_i / N;
    * S = Σ n_i (x_i/n_i − μ̂)², whose expectation under the beta-binomial is exactly
      μ(1 − μ)·[(k − 1) + ρ·(N − Σn_i²/N − (k − 1))]: the k − 1 is binomial noise (one
      degree of freedom goes to μ̂), the rest the spread of the true rates, which counts
      less the more the answers sit with a few units (Σn_i²/N);
    * solving for ρ: ρ̂ = (S/(μ̂(1 − μ̂)) − (k − 1)) / (N − Σn_i²/N − (k − 1));
    * prior strength α + β = 1/ρ̂ − 1, clipped to [2, ``max_strength``], or
      ``max_strength`` when ρ̂ ≤ 0 (the units differ no more than chance: all alike), when
      μ̂ is 0 or 1, and when the data cannot tell spread from noise (one unit, or one trial
      each: the denominator is 0);
    * α = μ̂·(α + β), β = (1 − μ̂)·(α + β).

    Before issue 16 the spread was S/N less μ(1 − μ)·k/N, which over-counted the noise by one
    unit and under-counted the spread's weight (N for N − Σn_i²/N): in simulation a true
    strength of 40 came out as 65, and 150 as 990 (the cap). The tests check this estimator
    on simulated data with known strengths.

    The posterior mean of a unit is then (x + α) / (n + α + β): its own rate, pulled toward μ
    the more the smaller its n is against α + β.

    >>> # μ = 28/40 = .7, μ(1−μ) = .21; S = 10·(.2² + .1² + .2² + .1²) = 1; S/.21 = 4.7619;
    >>> # ρ = (4.7619 − 3)/(40 − 400/40 − 3) = 1.7619/27 = .065256; α + β = 1/ρ − 1 = 14.324
    >>> [round(v, 3) for v in fit_beta_prior(np.array([5, 8, 9, 6]), np.array([10] * 4))]
    [10.027, 4.297]
    """
    x = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    if x.ndim != 1 or x.shape != n.shape:
        raise ValueError("successes and trials must be 1-D arrays of the same length.")
    if not len(x):
        raise ValueError("fit_beta_prior needs at least one unit.")
    if not (np.isfinite(x).all() and np.isfinite(n).all()):
        raise ValueError("successes and trials must be finite numbers.")
    if (n <= 0).any():
        raise ValueError("Every unit needs at least one trial; drop units with n = 0 first.")
    if ((x < 0) | (x > n)).any():
        raise ValueError("successes must lie between 0 and the unit's trials.")
    if not max_strength >= 2:
        raise ValueError("max_strength must be at least 2.")
    total = n.sum()
    mu = float(x.sum() / total)
    units = len(n)
    spread_weight = float(total - np.sum(n * n) / total - (units - 1))
    strength = float(max_strength)
    if 0 < mu < 1 and spread_weight > 1e-9:
        observed = float(np.sum(n * (x / n - mu) ** 2))
        rho = (observed / (mu * (1 - mu)) - (units - 1)) / spread_weight
        if rho > 0:
            strength = float(np.clip(1 / rho - 1, 2.0, max_strength))
    return (mu * strength, (1 - mu) * strength)


def csat_by_staff(
    records: pd.DataFrame,
    *,
    by: Sequence[str] = ("staff_id",),
    prior_by: str | None = "store_id",
    min_n: int = 10,
    level: float = 0.95,
) -> pd.DataFrame:
    """CSAT per group of ``by`` (a staff member, or a staff member at one touchpoint).

    ``records`` has one row per questionnaire answer: ``staff_id``, ``store_id``, ``role``,
    ``touchpoint``, ``score`` and ``scale`` (5 for a 1–5 answer, 10 for a 0–10 answer). Rows
    whose ``by`` values are missing are left out.

    Returns one row per group, sorted by ``by``, with:

    * the ``by`` columns, and ``store_id`` and ``role``: the group's most frequent store and
      role (ties go to the smallest value);
    * ``n`` answers, ``mean5``: the mean on a 1–5 scale, 1–5 answers as they are and a 0–10
      answer x as 1 + 4·x/10;
    * ``top2``: answers of 4–5 (1–5 scale) or 9–10 (0–10 scale), ``top2_rate`` = top2/n and
      its Wilson interval ``top2_low``, ``top2_high`` at ``level``;
    * ``shrunk``: (top2 + α)/(n + α + β), the empirical-Bayes posterior mean of the top-2 rate,
      with the prior ``prior_alpha``, ``prior_beta`` from :func:`fit_beta_prior` fitted on the
      groups that share the ``prior_by`` value (each group's most frequent one). A prior group
      with fewer than 3 groups (staff members for the default ``by``) or fewer than 30 answers,
      and every group when ``prior_by`` is None, uses the prior fitted on all groups;
    * ``below_min``: n < ``min_n``.

    For a touchpoint breakdown the prior pools all touchpoints of the store; to shrink toward
    the store's mean *at that touchpoint*, call once per touchpoint.

    >>> records = pd.DataFrame({
    ...     "staff_id": ["a"] * 4 + ["b"] * 4, "store_id": "s1", "role": "beautician",
    ...     "touchpoint": "treatment", "score": [5, 4, 3, 5, 10, 9, 8, 3],
    ...     "scale": [5] * 4 + [10] * 4})
    >>> table = csat_by_staff(records, prior_by=None)
    >>> table[["staff_id", "n", "mean5", "top2", "top2_rate", "below_min"]].to_dict("records")
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'staff_id': 'a', 'n': 4, 'mean5': 4.25, 'top2': 3, 'top2_rate': 0.75, 'below_min': True},
     {'staff_id': 'b', 'n': 4, 'mean5': 4.0, 'top2': 2, 'top2_rate': 0.5, 'below_min': True}]
    """
    keys = [by] if isinstance(by, str) else list(by)
    if not keys:
        raise ValueError("by must name at least one column, e.g. ('staff_id',).")
    needed = [*keys, "store_id", "role", "score", "scale"]
    if prior_by is not None:
        needed.append(prior_by)
    _require(records, needed, "records")
    _check_level(level)
    if min_n < 0:
        raise ValueError("min_n must be zero or more.")
    score = pd.to_numeric(records["score"], errors="coerce").to_numpy(dtype=float)
    scale = pd.to_numeric(records["scale"], errors="coerce").to_numpy(dtype=float)
    if np.isnan(score).any():
        raise ValueError("Every CSAT record needs a numeric score.")
    if not np.isin(scale, (5, 10)).all():
        raise ValueError("scale must be 5 (a 1–5 answer) or 10 (a 0–10 answer) on every record.")
    ten = scale == 10
    if (np.where(ten, (score < 0) | (score > 10), (score < 1) | (score > 5))).any():
        raise ValueError("score must lie in 1–5 when scale is 5 and in 0–10 when scale is 10.")

    frame = pd.DataFrame({key: records[key].to_numpy() for key in keys})
    frame["_mean5"] = np.where(ten, 1 + 4 * score / 10, score)
    frame["_top2"] = np.where(ten, score >= 9, score >= 4)
    grouped = frame.groupby(keys, sort=True, dropna=True).agg(
        n=("_mean5", "size"), mean5=("_mean5", "mean"), top2=("_top2", "sum")
    )
    extra = [c for c in ("store_id", "role") if c not in keys]
    for column in {*extra, *([prior_by] if prior_by and prior_by not in keys else [])}:
        grouped[column] = _most_frequent(records, keys, column).reindex(grouped.index)
    result = grouped.reset_index()

    n = result["n"].to_numpy(dtype=float)
    top2 = result["top2"].to_numpy(dtype=float)
    alpha, beta = np.full(len(result), np.nan), np.full(len(result), np.nan)
    if len(result):
        alpha[:], beta[:] = fit_beta_prior(top2, n)
    if prior_by is not None and len(result):
        for positions in result.groupby(prior_by, sort=False, dropna=True).indices.values():
            if len(positions) >= _PRIOR_MIN_UNITS and n[positions].sum() >= _PRIOR_MIN_ANSWERS:
                alpha[positions], beta[positions] = fit_beta_prior(top2[positions], n[positions])
    low, high = _wilson(top2, n, level)
    result = result.assign(
        n=n.astype(np.int64),
        top2=top2.astype(np.int64),
        top2_rate=top2 / n,
        top2_low=low,
        top2_high=high,
        shrunk=(top2 + alpha) / (n + alpha + beta),
        prior_alpha=alpha,
        prior_beta=beta,
        below_min=n < min_n,
    )
    columns = [*keys, *extra, "n", "mean5", "top2", "top2_rate", "top2_low", "top2_high"]
    columns += ["shrunk", "prior_alpha", "prior_beta", "below_min"]
    return result[columns]


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
    _require(transactions, ["tx_id", "customer", "date", "amount", *extra], "transactions")
    if isinstance(window_days, bool) or not isinstance(window_days, int | np.integer):
        raise ValueError("window_days must be a whole number of days.")
    if window_days < 1:
        raise ValueError("window_days must be at least 1.")
    start, end = _day_number(period_start), _day_number(period_end)
    if start > end:
        raise ValueError("period_start must not be after period_end.")
    for column in ("tx_id", "customer"):
        if transactions[column].isna().any():
            raise ValueError(f"Every transaction row needs a {column}; drop anonymous sales first.")
    amount = pd.to_numeric(transactions["amount"], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(amount).all():
        raise ValueError("Every transaction row needs a numeric amount.")
    days = _day_numbers(transactions["date"])
    last = int(days.max()) if len(days) else end
    if data_end is not None:
        last = _day_number(data_end)
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
    return _table(unit, t, ones, returned, value, sales.window, sales.last, ids, name)


def _table(
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
    ``customers``, ``returned`` (those of them back in (t, t + window]) and repeat value."""
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
    low, high = _wilson(counts["returned"].astype(float), decided, 0.95)
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
    """The table of :func:`repurchase` (``name="staff_id"``) or :func:`repurchase_by_store`
    (``name="store_id"``) from the customers already grouped per unit, as the database
    computes them (:func:`ee_app.services.sales_read.repurchase_pairs`).

    ``pairs`` has one row per group of a unit's customers whose windows are all closed or all
    still open at ``data_end`` (one row per customer is such a group): ``unit``, ``t`` (the
    day of the unit's last service of these customers in the period, or of their last sale
    for the owner: the latest such day of the group),
    ``customers``, ``returned`` (those of them with a counted transaction in (t, t + w]) and
    ``repeat_value`` (the amounts of those transactions). Pending, lost, the rate and its
    interval follow the definitions of :func:`repurchase`, with ``data_end`` the end of the
    data (t + w later than it: pending).

    >>> pairs = pd.DataFrame({"unit": [7, 7, 8], "customers": [2, 1, 1], "returned": [1, 0, 1],
    ...     "t": pd.to_datetime(["2025-01-10", "2025-01-31", "2025-01-20"]),
    ...     "repeat_value": [200.0, 0.0, 50.0]})
    >>> table = repurchase_from_pairs(pairs, window_days=30, data_end=date(2025, 2, 25))
    >>> table[["staff_id", "customers", "returned", "lost", "pending"]].to_dict("records")
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'staff_id': 7, 'customers': 3, 'returned': 1, 'lost': 1, 'pending': 1},
     {'staff_id': 8, 'customers': 1, 'returned': 1, 'lost': 0, 'pending': 0}]
    """
    _require(pairs, ["unit", "t", "customers", "returned", "repeat_value"], "pairs")
    if isinstance(window_days, bool) or not isinstance(window_days, int | np.integer):
        raise ValueError("window_days must be a whole number of days.")
    if window_days < 1:
        raise ValueError("window_days must be at least 1.")
    codes, ids = pd.factorize(pairs["unit"])
    t = _day_numbers(pairs["t"]) if len(pairs) else np.zeros(0, dtype=np.int64)
    value = pd.to_numeric(pairs["repeat_value"]).to_numpy(dtype=float)
    customers = pairs["customers"].to_numpy(dtype=np.int64)
    returned = pairs["returned"].to_numpy(dtype=np.int64)
    if ((returned < 0) | (returned > customers)).any():
        raise ValueError("returned must lie between 0 and the group's customers.")
    last = _day_number(data_end)
    return _table(codes, t, customers, returned, value, int(window_days), last, ids, name)


def _wilson(successes: np.ndarray, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised :func:`ee_app.analysis.intervals.wilson_ci` bounds (NaN where n = 0)."""
    z = float(stats.norm.ppf(0.5 + level / 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = successes / n
        denominator = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denominator
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # at p = 0 (or 1) the bound is 0 (or 1) exactly; rounding would leave it a hair off
    low = np.where(successes <= 0, 0.0, centre - half)
    high = np.where(successes >= n, 1.0, centre + half)
    valid = n > 0
    return np.where(valid, low, np.nan), np.where(valid, high, np.nan)


def _most_frequent(records: pd.DataFrame, keys: list[str], column: str) -> pd.Series:
    """The most frequent value of ``column`` per group of ``keys`` (ties: the smallest)."""
    counts = records.groupby([*keys, column], sort=True, dropna=True).size()
    counts = counts.rename("_count").reset_index()
    top = counts.sort_values("_count", ascending=False, kind="stable").drop_duplicates(keys)
    return top.set_index(keys)[column]


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in dict.fromkeys(columns) if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks the column(s) {', '.join(missing)}.")


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise ValueError("level must lie strictly between 0 and 1, e.g. 0.95.")


def _day_number(value: date) -> int:
    """Days since 1970-01-01 of a date, datetime or Timestamp (its calendar day)."""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{value!r} is not a date.") from exc
    if stamp is pd.NaT:
        raise ValueError("Dates must not be missing.")
    return int(np.datetime64(stamp.date(), "D").astype(np.int64))


def _day_numbers(values: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 of a column of dates or datetimes (times of day are dropped)."""
    try:
        stamps = pd.to_datetime(values, format="ISO8601")
    except (TypeError, ValueError) as exc:
        raise ValueError("date must hold dates (text as ISO 8601, e.g. 2025-01-31).") from exc
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    if stamps.isna().any():
        raise ValueError("Every transaction row needs a date.")
    return stamps.to_numpy(dtype="datetime64[D]").astype(np.int64)
