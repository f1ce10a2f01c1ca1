"""Where one unit stands among all units: how many of the others it is better than
(:func:`percentile_rank`, :func:`percentile_ranks`, beside each unit's results), and the
quartiles and the part of the distribution its value falls in (:func:`standing`, for a store
manager's view of their store against the chain).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["MIN_STANDING", "percentile_rank", "percentile_ranks", "standing"]

_NAN = math.nan
#: the fewest units whose quartiles :func:`standing` gives
MIN_STANDING = 5


def standing(values: Sequence[float], value: float) -> dict[str, Any]:
    """Where ``value`` stands among ``values`` (the distribution it is part of): the number
    of values, the lower quartile, the median and the upper quartile, and ``part``:
    ``"top"`` above the upper quartile (the top quarter), ``"bottom"`` below the lower one,
    ``"middle"`` from one to the other (the middle half). Quartiles are numpy's default,
    type 7 of Hyndman & Fan (1996, The American Statistician 50:361), R's ``quantile``
    default. Missing values are left out; with fewer than ``MIN_STANDING`` values (or a
    missing ``value``) the quartiles are NaN and ``part`` is None: a quarter of three
    units is not a group, and the quartiles of so few would be single units' values.

    >>> found = standing([3.1, 3.4, 3.5, 3.6, 3.8, 3.9, 4.0, 4.2], 4.0)
    >>> found["n"], round(found["q1"], 3), round(found["median"], 3), round(found["q3"], 3)
    (8, 3.475, 3.7, 3.925)
    >>> found["part"]
    'top'
    >>> standing([3.1, 3.4, 3.5, 3.6, 3.8, 3.9, 4.0, 4.2], 3.6)["part"]
    'middle'
    >>> standing([0.2, 0.3, 0.4], 0.2)["part"] is None  # too few to speak of quarters
    True

    In R: ``quantile(c(3.1, 3.4, 3.5, 3.6, 3.8, 3.9, 4.0, 4.2))`` gives 3.475, 3.70, 3.925.
    """
    data = np.asarray([v for v in values if v is not None], dtype=float)
    if np.isinf(data).any():
        raise ValueError("values must be finite numbers.")
    data = data[~np.isnan(data)]
    n = len(data)
    known = value is not None and not math.isnan(float(value))
    if n < MIN_STANDING or not known:
        return {"n": n, "q1": _NAN, "median": _NAN, "q3": _NAN, "part": None}
    q1, median, q3 = (float(q) for q in np.percentile(data, [25, 50, 75]))
    value = float(value)
    part = "top" if value > q3 else "bottom" if value < q1 else "middle"
    return {"n": n, "q1": q1, "median": median, "q3": q3, "part": part}


def percentile_rank(values: Sequence[float], value: float) -> float:
    """How many of the *other* units ``value`` is better than, in percent (0–100).

    ``value`` is one of ``values`` (a unit among the units of its level); the result is the
    share of the others with a lower value, an equal one counting half: the best of 11 is
    better than 100% of the other 10. NaN when there is no other unit to compare with.

    >>> percentile_rank([1, 2, 3, 4], 3)  # better than 2 of the other 3
    66.66666666666667
    >>> percentile_rank([2.5], 2.5)
    nan
    """
    return float(percentile_ranks(values, [value])[0])


def percentile_ranks(peers: Sequence[float], values: Sequence[float]) -> np.ndarray:
    """Vectorised :func:`percentile_rank`: each value against the *other* peers (a value
    found among ``peers`` is one unit and is not compared with itself; one that is not is
    compared with them all), ties counting half; NaN for a NaN value or when no other peer has
    a value.

    >>> percentile_ranks([1, 2, 3, 4], [3, 4]).tolist()
    [66.66666666666667, 100.0]
    >>> percentile_ranks([1, 2, 3, 4], [2.5]).tolist()  # not a peer: 2 of the 4 are lower
    [50.0]
    """
    ordered = np.sort(np.asarray([p for p in peers if not math.isnan(p)], dtype=float))
    values = np.asarray(values, dtype=float)
    below = np.searchsorted(ordered, values, side="left")
    upto = np.searchsorted(ordered, values, side="right")
    itself = (upto > below).astype(int)  # the unit's own value, not compared with itself
    others = len(ordered) - itself
    with np.errstate(invalid="ignore", divide="ignore"):
        ranks = 100 * (below + 0.5 * (upto - below - itself)) / others
    return np.where(~np.isnan(values) & (others > 0), ranks, np.nan)
