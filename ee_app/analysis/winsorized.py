"""A person-level correlation that no single person can move far, for confidential waves:
the winsorized correlation (:func:`winsorized_correlation`), with at least k people sharing
each extreme value. Only its aggregates leave the service that calls it.

Conventions (missing values, intervals) are those of :mod:`~ee_app.analysis.linkage`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ee_app.analysis.checks import check_count, check_level, complete_rows, numeric_columns
from ee_app.analysis.linkage import fisher_interval

__all__ = ["winsorized_correlation"]

_NAN = math.nan


def winsorized_correlation(
    frame: pd.DataFrame,
    x: str,
    y: str,
    *,
    shared: int = 1,
    trim: float = 0.2,
    level: float = 0.95,
) -> dict[str, Any]:
    """Winsorized correlation of ``x`` and ``y``: a Pearson correlation that no single row
    can move far, for person-level relations (Wilcox 2012, *Introduction to Robust
    Estimation and Hypothesis Testing*, 3rd ed., the winsorized correlation and its test,
    R ``WRS2::wincor``).

    Each variable is winsorized on its own: of n complete rows, the g smallest values are
    set to the (g + 1)-th smallest and the g largest to the (g + 1)-th largest, with

        g = max(⌊trim · n⌋, shared − 1),

    so at least ``shared`` rows hold each extreme value (pass the anonymity threshold k:
    no extreme then belongs to fewer than k people). Wilcox's ``wincor`` is the case
    ``shared = 1``. Returns a dict:

    * ``n`` complete rows and ``g``, the values pulled in at each end of each variable;
    * ``r``: Pearson's r of the winsorized values;
    * ``t`` = r·√((n − 2)/(1 − r²)) and ``p``, two-sided, from Student's t on ``dof`` =
      n − 2g − 2 degrees of freedom, exactly as ``wincor``;
    * ``r_low``, ``r_high``: the Fisher-z interval at ``level`` on the h = n − 2g values
      left as they were, tanh(atanh r ∓ z/√(h − 3)), i.e. n = dof + 2 as for
      :func:`~ee_app.analysis.repeated_measures.repeated_measures`. Wilcox offers a
      percentile bootstrap instead; a closed form gives the same interval every time from
      the same data. NaN when h ≤ 3.

    Everything but ``n`` and ``g`` is NaN when dof < 1 (too few rows for g) or when a
    winsorized variable is constant, as it is when all but fewer than g + 1 rows share one
    value: a column that singles one row out (1 for it, 5 for everyone else) loses that
    row's difference entirely, and with it the correlation.

    >>> x = [3.1, 3.4, 3.6, 3.8, 4.0, 4.1, 4.3, 4.5, 4.8, 1.0]  # one far outlier
    >>> y = [0.60, 0.70, 0.65, 0.80, 0.75, 0.85, 0.80, 0.90, 0.95, 0.99]
    >>> result = winsorized_correlation(pd.DataFrame({"x": x, "y": y}), "x", "y")
    >>> # g = 2: x becomes [3.4, 3.4, 3.6, 3.8, 4.0, 4.1, 4.3, 4.3, 4.3, 3.4], y likewise, and
    >>> # scipy's pearsonr(*(mstats.winsorize(v, limits=(0.2, 0.2)) for v in (x, y))) is
    >>> # 0.5541; Pearson's r of the raw values is −0.08, turned by the one outlier.
    >>> result["n"], result["g"], round(result["r"], 4), result["dof"]
    (10, 2, 0.5541, 4)
    >>> # t = 0.5541·√(8 / (1 − 0.5541²)) = 1.883 on 4 degrees of freedom
    >>> round(result["t"], 3), round(result["p"], 4)
    (1.883, 0.1328)
    >>> round(result["r_low"], 2), round(result["r_high"], 2)  # Fisher z on h = 6 values
    (-0.47, 0.94)
    >>> crafted = pd.DataFrame({"index": np.linspace(2, 5, 20), "csat": [1] + [5] * 19})
    >>> winsorized_correlation(crafted, "index", "csat", shared=5)["r"]  # nothing to read
    nan
    """
    check_level(level)
    check_count(shared, "shared", 1)
    if isinstance(trim, bool) or not isinstance(trim, int | float) or not 0 <= trim < 0.5:
        raise ValueError("trim must lie in [0, 0.5), e.g. 0.2 to winsorize 20% at each end.")
    data = complete_rows(numeric_columns(frame, [x, y]))
    n = len(data)
    g = max(math.floor(trim * n), shared - 1)
    dof = n - 2 * g - 2
    result: dict[str, Any] = {
        "n": n,
        "g": g,
        "r": _NAN,
        "r_low": _NAN,
        "r_high": _NAN,
        "t": _NAN,
        "dof": dof if dof >= 1 else _NAN,
        "p": _NAN,
    }
    if dof < 1:
        return result
    xw, yw = _winsorize(data[:, 0], g), _winsorize(data[:, 1], g)
    if np.ptp(xw) == 0 or np.ptp(yw) == 0:
        return result
    dx, dy = xw - xw.mean(), yw - yw.mean()
    r = float(np.clip(dx @ dy / math.sqrt(float(dx @ dx) * float(dy @ dy)), -1.0, 1.0))
    if abs(r) == 1:
        t, p = math.copysign(math.inf, r), 0.0
    else:
        t = r * math.sqrt((n - 2) / (1 - r * r))
        p = float(2 * stats.t.sf(abs(t), dof))
    low, high = fisher_interval(r, n - 2 * g, level)
    result.update(r=r, r_low=low, r_high=high, t=t, p=p)
    return result


def _winsorize(values: np.ndarray, g: int) -> np.ndarray:
    """Values below the (g + 1)-th smallest raised to it, above the (g + 1)-th largest
    lowered to it (Wilcox's ``winval``; ties count once each, as in a sorted list)."""
    ordered = np.sort(values)
    return np.clip(values, ordered[g], ordered[len(values) - 1 - g])
