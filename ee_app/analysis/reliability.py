"""Reliability: how much of the person-level engagement index lies between units (ICC(1))
and how reliable the unit means are (ICC(2)), from the per-unit sums a closed wave stores
(:func:`icc_from_sums`) or from person-level scores (:func:`icc_from_scores`, computed the
other way round so each checks the other); and how consistently the items of a scale
measure one thing (:func:`cronbach_alpha`).

The smaller ICC(2), the more the error in unit means of few respondents shrinks every
correlation across units (:mod:`~ee_app.analysis.linkage`) toward zero.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ee_app.analysis.checks import numeric_columns

__all__ = ["cronbach_alpha", "icc_from_scores", "icc_from_sums"]

_NAN = math.nan


def icc_from_sums(units: pd.DataFrame) -> dict[str, Any]:
    """ICC(1) and ICC(2) of the person-level engagement index from per-unit sums.

    ``units`` has one row per unit with ``n`` (respondents), ``sum`` and ``sumsq`` (sum of
    squares) of the person-level index, as :func:`~ee_app.analysis.sums.sum_responses`
    stores them (``idx_n``, ``idx_sum``, ``idx_sumsq``). Units with n = 0 are left out. The
    one-way ANOVA of J units and N people, with unit means m_j and grand mean m:

    * SSB = Σ n_j (m_j − m)², df_between = J − 1, MSB = SSB / (J − 1);
    * SSW = Σ (sumsq_j − n_j·m_j²), df_within = N − J, MSW = SSW / (N − J);
    * k0 = (N − Σ n_j²/N) / (J − 1), the adjusted average group size for unbalanced groups
      (Snedecor & Cochran; Searle 1971), for which E(MSB) = σ²_w + k0·σ²_b; it equals n when
      all units have n people, and is below N/J otherwise (R ``multilevel::ICC1`` uses N/J);
    * ``icc1`` = (MSB − MSW) / (MSB + (k0 − 1)·MSW): the share of the variance of people's
      scores that lies between units (ICC(1,1) of Shrout & Fleiss 1979, Bliese 2000);
    * ``icc2`` = (MSB − MSW) / MSB = 1 − 1/F: the reliability of unit means (ICC(1,k),
      Bliese 2000), for groups of about k0 people;
    * ``f`` = MSB / MSW, ``p`` its upper tail on (J − 1, N − J) degrees of freedom.

    Returns ``icc1``, ``icc2``, ``f``, ``df_between``, ``df_within``, ``p``, ``msb``,
    ``msw``, ``units`` (J), ``people`` (N) and ``k0``. Estimates below zero are kept (they
    mean no detectable difference between units; report them as 0 if you must). Everything
    but the counts is NaN with fewer than 2 units or N − J < 1; ``icc2`` also when MSB = 0,
    and F is infinite (p = 0) when everyone within a unit answered alike.

    >>> # Units of 2 people: (1, 3), (3, 5), (5, 7). Means 2, 4, 6, grand mean 4.
    >>> # SSB = 2·(4 + 0 + 4) = 16, MSB = 16/2 = 8; SSW = 3·(1 + 1) = 6, MSW = 6/3 = 2
    >>> units = pd.DataFrame({"n": [2, 2, 2], "sum": [4.0, 8.0, 12.0], "sumsq": [10, 34, 74]})
    >>> result = icc_from_sums(units)
    >>> result["icc1"], result["icc2"], result["f"], round(result["p"], 4)  # 6/10, 6/8, 8/2
    (0.6, 0.75, 4.0, 0.1424)
    """
    values = numeric_columns(units, ["n", "sum", "sumsq"])
    if np.isnan(values).any():
        raise ValueError("n, sum and sumsq must be present on every unit row.")
    n, total, squares = values.T
    if ((n < 0) | (n != np.floor(n))).any():
        raise ValueError("n must count respondents: a whole number of at least 0.")
    present = n > 0
    n, total, squares = n[present], total[present], squares[present]
    means = total / n
    within = squares - total * means
    if (within < -1e-9 * np.maximum(1.0, np.abs(squares))).any():
        raise ValueError("Some unit has sumsq below sum²/n, which no scores give; check the sums.")
    grand = total.sum() / n.sum() if len(n) else _NAN
    between = float(np.sum(n * (means - grand) ** 2))
    return _icc(between, float(np.maximum(within, 0).sum()), n)


def icc_from_scores(scores: Sequence[float], unit: Sequence[Hashable]) -> dict[str, Any]:
    """:func:`icc_from_sums` from person-level scores: ``scores[i]`` belongs to ``unit[i]``
    (two sequences of the same length; a pair with a missing score or unit is left out).

    The ANOVA is computed directly (deviations from unit and grand means, not from sums), so
    it cross-checks :func:`icc_from_sums`. Shrout & Fleiss (1979), Table 2, 6 targets rated
    by 4 judges: BMS = 11.24, WMS = 6.26, ICC(1,1) = .17 and ICC(1,4) = .44 (Table 4).

    >>> ratings = [9, 2, 5, 8, 6, 1, 3, 2, 8, 4, 6, 8, 7, 1, 2, 6, 10, 5, 6, 9, 6, 2, 4, 7]
    >>> result = icc_from_scores(ratings, [t for t in range(6) for _ in range(4)])
    >>> round(result["msb"], 2), round(result["msw"], 2), round(result["icc1"], 2)
    (11.24, 6.26, 0.17)
    >>> round(result["icc2"], 2), result["k0"]
    (0.44, 4.0)
    """
    values = pd.Series(scores) if not isinstance(scores, pd.Series) else scores
    labels = pd.Series(unit) if not isinstance(unit, pd.Series) else unit
    if len(values) != len(labels):
        raise ValueError("scores and unit must have the same length: one unit per score.")
    if not pd.api.types.is_numeric_dtype(values.dtype):
        raise ValueError("scores must be numbers; convert them with pd.to_numeric first.")
    x = values.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(x).any():
        raise ValueError("scores has infinite values; pass finite numbers or NaN.")
    keep = ~np.isnan(x) & labels.notna().to_numpy()
    x = x[keep]
    codes, _ = pd.factorize(labels[keep])
    counts = np.bincount(codes).astype(float) if len(codes) else np.zeros(0)
    means = np.bincount(codes, weights=x) / counts if len(codes) else np.zeros(0)
    grand = x.mean() if len(x) else _NAN
    between = float(np.sum(counts * (means - grand) ** 2))
    within = float(np.sum((x - means[codes]) ** 2))
    return _icc(between, within, counts)


def _icc(between: float, within: float, counts: np.ndarray) -> dict[str, Any]:
    """ICC(1), ICC(2) and the one-way ANOVA from the sums of squares and the group sizes."""
    units, people = len(counts), float(np.sum(counts))
    result: dict[str, Any] = dict.fromkeys(
        ("icc1", "icc2", "f", "df_between", "df_within", "p", "msb", "msw"), _NAN
    )
    result.update(units=units, people=int(people), k0=_NAN)
    if units < 2 or people - units < 1:
        return result
    df_between, df_within = units - 1, int(people) - units
    msb, msw = between / df_between, within / df_within
    k0 = (people - float(np.sum(counts * counts)) / people) / df_between
    if msw > 0:
        f = msb / msw
        p = float(stats.f.sf(f, df_between, df_within))
    elif msb > 0:
        f, p = math.inf, 0.0
    else:
        f, p = _NAN, _NAN
    denominator = msb + (k0 - 1) * msw
    result.update(
        icc1=(msb - msw) / denominator if denominator > 0 else _NAN,
        icc2=(msb - msw) / msb if msb > 0 else _NAN,
        f=f,
        df_between=df_between,
        df_within=df_within,
        p=p,
        msb=msb,
        msw=msw,
        k0=k0,
    )
    return result


def cronbach_alpha(answers: pd.DataFrame, level: float = 0.95) -> tuple[float, float, float, int]:
    """Cronbach's alpha of the items (columns) with Feldt's interval; returns (alpha, low,
    high, respondents).

    Computed as pingouin does with its default pairwise deletion (the covariance matrix of
    pairwise-complete answers; Feldt's F interval with n − 1 and (n − 1)(k − 1) degrees of
    freedom), without importing pingouin on this path: the tests check it against
    ``pingouin.cronbach_alpha`` on pingouin's own data sets (0.733 [0.435, 0.909] for
    ``cronbach_wide_missing``, tests/analysis/test_engagement.py).

    >>> import pingouin as pg
    >>> alpha, low, high, n = cronbach_alpha(pg.read_dataset("cronbach_wide_missing"))
    >>> [round(float(v), 3) for v in (alpha, low, high)], n  # pingouin docs: 0.733 [0.435, 0.909]
    ([0.733, 0.435, 0.909], 12)
    """
    data = answers.dropna(how="all").astype(float)
    n, k = data.shape
    if n < 3 or k < 2:
        return (math.nan, math.nan, math.nan, n)
    covariance = data.cov()
    total = covariance.to_numpy().sum()
    if not total:
        return (math.nan, math.nan, math.nan, n)
    alpha = (k / (k - 1)) * (1 - np.trace(covariance.to_numpy()) / total)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lower = 1 - (1 - alpha) * float(stats.f.isf((1 - level) / 2, df1, df2))
    upper = 1 - (1 - alpha) * float(stats.f.isf(1 - (1 - level) / 2, df1, df2))
    return (float(alpha), lower, upper, n)
