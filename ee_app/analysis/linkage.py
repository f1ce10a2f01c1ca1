"""Engagement–outcome linkage: do units with higher engagement have more satisfied (CSAT top-2
share) and more returning (repurchase rate) customers, and which themes go with it?

The unit of analysis is the *unit* (team or store): one row per unit and period, units below
the anonymity threshold already removed by the caller. Person-level relations are offered
only for confidential waves, as aggregates, by :func:`winsorized_correlation`.

What each function answers:

* :func:`unit_correlation`: across units, Pearson and Spearman correlations with intervals,
  and ``detectable_r``, the smallest correlation found with 80% power: .72 with 12 stores,
  so "no significant relation" among few units says little;
* :func:`fit_band`: the least-squares line with the confidence band of the mean, for a chart;
* :func:`repeated_measures`: the within-unit relation across waves (does a unit's outcome
  move with its own engagement?), free of stable differences between units;
* :func:`lagged_pairs`: engagement in one wave beside the outcome in the unit's next one
  (never across a wave it was hidden in), to correlate with :func:`unit_correlation`
  (temporal order, not proof of cause);
* :func:`partial`: the correlation controlling for covariates such as unit size and tenure;
* :func:`drivers`: each theme's correlation with an outcome, Benjamini–Hochberg adjusted;
* :func:`icc_from_sums`, :func:`icc_from_scores`: how much of the person-level engagement
  index lies between units (ICC(1)) and how reliable the unit means are (ICC(2));
* :func:`winsorized_correlation`: a person-level correlation in which at least k people
  share each extreme value, so no single person's values can move it far;
* :func:`standing`: where one unit's value stands among all units' (quartiles and the
  part it falls in), for a store manager's view of their store against the chain.

Conventions shared by all functions:

* rows with a missing value in any column used are dropped first (listwise; only
  :func:`lagged_pairs` keeps them), and ``n`` counts the rest; infinite values and
  non-numeric columns raise ``ValueError``;
* intervals of correlations use Fisher's z: tanh(atanh(r) ∓ z·SE), z the standard normal
  quantile at (1 + level)/2, with SE = 1/√(n − 3) for Pearson (as pingouin and R
  ``cor.test``) and SE = √((1 + ρ²/2)/(n − 3)) for Spearman (Bonett & Wright 2000,
  Psychometrika 65:23; the plain 1/√(n − 3) is too narrow for ranks); they are NaN when
  n ≤ 3 and [r, r] when |r| = 1;
* p-values are two-sided, from t = r·√(dof/(1 − r²)) with dof = n − 2 (as scipy's
  ``pearsonr`` and ``spearmanr``; fewer for :func:`partial` and :func:`repeated_measures`);
* a correlation is NaN when a variable does not vary: it is not defined, not zero.

Nothing here imports pingouin (it adds seconds to an import, and under pandas 3.1 its
``rm_corr`` and ``intraclass_corr`` emit ``Pandas4Warning``); ``tests/analysis/
test_linkage.py`` checks every statistic against pingouin 0.7 and published values. Unlike
pingouin's ``CI95`` column, rounded to two decimals and fixed at 95%, the intervals here are
unrounded and at any ``level``.

What the numbers cannot tell: a correlation across units is not a relation between people
(ecological fallacy), and neither direction nor cause: engaged teams may please customers,
or busy, well-run stores may do both. Unit means of few respondents carry error that shrinks
correlations toward zero (the smaller ICC(2), the more).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

__all__ = [
    "drivers",
    "fit_band",
    "icc_from_scores",
    "icc_from_sums",
    "lagged_pairs",
    "partial",
    "repeated_measures",
    "standing",
    "unit_correlation",
    "winsorized_correlation",
]

_NAN = math.nan
#: the fewest units whose quartiles :func:`standing` gives
MIN_STANDING = 5
_BAND_COLUMNS = ("x", "fit", "low", "high")
_DRIVER_COLUMNS = ("theme", "n", "r", "r_low", "r_high", "p", "p_adjusted", "significant")
_LAG_COLUMNS = ("unit", "period", "x", "y_next", "next_period")


def unit_correlation(
    frame: pd.DataFrame,
    x: str,
    y: str,
    *,
    level: float = 0.95,
    power: float = 0.8,
    alpha: float = 0.05,
    min_units: int = 10,
) -> dict[str, Any]:
    """Pearson and Spearman correlation of ``x`` and ``y`` across the rows (units).

    Pass one row per unit: one period, or each unit's mean over periods. Rows of one unit in
    several periods are not independent, and pooling them overstates the evidence; use
    :func:`repeated_measures` for the relation within units across waves.

    Returns a dict:

    * ``n``: rows with both ``x`` and ``y``;
    * ``r``, ``r_low``, ``r_high``, ``r_p``: Pearson's r, its Fisher-z interval at ``level``
      and the two-sided p-value;
    * ``rho``, ``rho_low``, ``rho_high``, ``rho_p``: Spearman's ρ (average ranks for ties),
      its Bonett–Wright interval and p-value (t approximation, as ``scipy.stats.spearmanr``);
    * ``detectable_r``: the smallest |r| a two-sided test at ``alpha`` detects with
      probability ``power`` given n, by the approximation of pingouin's ``power_corr`` and R
      ``pwr::pwr.r.test`` (0.5822 for n = 20 at 80% power and α = .05; the exact bivariate
      normal power gives 0.579); NaN for n < 5;
    * ``enough``: n ≥ ``min_units`` (and n ≥ 3): below it, show the numbers as too few units.

    Everything but ``n`` and ``enough`` is NaN when n < 3; the intervals also when n = 3;
    correlations and p-values when ``x`` or ``y`` is constant.

    >>> # Anscombe (1973), The American Statistician 27:17, data set I: r = 0.816
    >>> anscombe = pd.DataFrame(
    ...     {
    ...         "x": [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5],
    ...         "y": [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68],
    ...     }
    ... )
    >>> result = unit_correlation(anscombe, "x", "y")
    >>> # R: cor.test(anscombe$x1, anscombe$y1) gives [0.4243912, 0.9506933], p = 0.00217
    >>> result["n"], round(result["r"], 3), round(result["r_low"], 7), round(result["r_high"], 7)
    (11, 0.816, 0.4243912, 0.9506933)
    >>> round(result["rho"], 4), round(result["detectable_r"], 3), result["enough"]  # ρ = 9/11
    (0.8182, 0.743, True)
    """
    _check_level(level)
    _check_probability(power, "power")
    _check_probability(alpha, "alpha")
    _check_count(min_units, "min_units", 1)
    data = _complete(_numeric(frame, [x, y]))
    n = len(data)
    return {
        "n": n,
        **_correlations(data[:, 0], data[:, 1], level),
        "detectable_r": _detectable_r(n, power, alpha),
        "enough": bool(n >= max(min_units, 3)),
    }


def fit_band(
    frame: pd.DataFrame, x: str, y: str, *, level: float = 0.95, points: int = 50
) -> pd.DataFrame:
    """The least-squares line of ``y`` on ``x`` and the confidence band of its mean.

    One row per point of ``points`` evenly spaced values from the smallest to the largest x,
    with columns ``x``, ``fit`` (a + b·x), ``low`` and ``high``: fit ∓ t₍n−2₎ · s ·
    √(1/n + (x − x̄)²/Σ(xᵢ − x̄)²), s² the residual variance over n − 2. The band covers the
    mean of y at x (not single units, whose prediction band is wider); it is narrowest at
    x̄, where the fit is ȳ. Empty (same columns) when fewer than 3 complete rows or x is
    constant.

    >>> frame = pd.DataFrame({"x": [1, 2, 3, 4, 5], "y": [2.0, 4.0, 5.0, 4.0, 5.0]})
    >>> # b = 6/10, a = 3.0; s² = 2.4/3; at x̄ = 3: fit 4.0, half = t(3)·√(0.8/5) = 1.273
    >>> fit_band(frame, "x", "y", points=5).round(3).to_dict("records")[2]
    {'x': 3.0, 'fit': 4.0, 'low': 2.727, 'high': 5.273}
    """
    _check_level(level)
    _check_count(points, "points", 2)
    data = _complete(_numeric(frame, [x, y]))
    n = len(data)
    if n < 3 or np.ptp(data[:, 0]) == 0:
        return pd.DataFrame({column: pd.Series(dtype=float) for column in _BAND_COLUMNS})
    xs, ys = data[:, 0], data[:, 1]
    x_mean, y_mean = xs.mean(), ys.mean()
    dx = xs - x_mean
    sxx = float(dx @ dx)
    slope = float(dx @ (ys - y_mean)) / sxx
    residuals = ys - y_mean - slope * dx
    variance = float(residuals @ residuals) / (n - 2)
    grid = np.linspace(xs.min(), xs.max(), points)
    fit = y_mean + slope * (grid - x_mean)
    half = float(stats.t.ppf(0.5 + level / 2, n - 2)) * np.sqrt(
        variance * (1 / n + (grid - x_mean) ** 2 / sxx)
    )
    return pd.DataFrame({"x": grid, "fit": fit, "low": fit - half, "high": fit + half})


def repeated_measures(
    frame: pd.DataFrame, x: str, y: str, subject: str, *, level: float = 0.95
) -> dict[str, Any]:
    """Repeated-measures correlation (Bakdash & Marusich 2017): the common within-unit
    relation of ``x`` and ``y`` across waves, with each ``subject`` (unit) its own intercept.

    It is the ANCOVA of pingouin's ``rm_corr`` and R ``rmcorr``, computed in closed form:
    x and y are centred on each subject's means, r = Σx'y'/√(Σx'²·Σy'²), dof = N − J − 1
    (N observations of J subjects), p from t with dof, and the Fisher interval with
    SE = 1/√(dof − 1), i.e. n = dof + 2 as ``rmcorr`` does.

    Rows missing x, y or the subject are dropped, and so are subjects with a single
    observation (they add nothing within units and leave dof unchanged). Returns ``r``,
    ``dof``, ``p``, ``r_low``, ``r_high``, ``subjects`` (J, subjects with ≥ 2
    observations) and ``observations`` (N, their rows). With fewer than 3 such subjects
    everything but ``subjects`` and ``observations`` is NaN; r, p and the interval also when x
    or y never varies within a subject.

    >>> import pingouin as pg
    >>> data = pg.read_dataset("rm_corr")  # Bland & Altman (1995), BMJ 310:446
    >>> result = repeated_measures(data, "pH", "PacO2", "Subject")
    >>> # rmcorr (Bakdash & Marusich 2017, Front. Psychol. 8:456): r = -0.507, df = 38
    >>> round(result["r"], 3), result["dof"], round(result["r_low"], 2), round(result["r_high"], 2)
    (-0.507, 38, -0.71, -0.23)
    >>> round(result["p"], 6), result["subjects"], result["observations"]
    (0.000847, 8, 47)
    """
    _check_level(level)
    values = _numeric(frame, [x, y])
    _require(frame, [subject])
    labels = frame[subject]
    keep = ~np.isnan(values).any(axis=1) & labels.notna().to_numpy()
    codes, _ = pd.factorize(labels[keep])
    counts = np.bincount(codes) if len(codes) else np.zeros(0, dtype=np.int64)
    several = counts >= 2
    subjects, observations = int(several.sum()), int(counts[several].sum())
    result: dict[str, Any] = {
        "r": _NAN,
        "dof": _NAN,
        "p": _NAN,
        "r_low": _NAN,
        "r_high": _NAN,
        "subjects": subjects,
        "observations": observations,
    }
    if subjects < 3:
        return result
    rows = several[codes]
    codes, _ = pd.factorize(codes[rows])
    data = values[keep][rows]
    dof = observations - subjects - 1
    result["dof"] = dof
    centred = np.empty_like(data)
    for column in range(2):
        series = pd.Series(data[:, column])
        grouped = series.groupby(codes)
        if ((grouped.max() - grouped.min()) == 0).all():
            return result
        centred[:, column] = data[:, column] - grouped.transform("mean").to_numpy()
    dx, dy = centred[:, 0], centred[:, 1]
    r = float(np.clip(dx @ dy / math.sqrt(float(dx @ dx) * float(dy @ dy)), -1.0, 1.0))
    low, high = _fisher(r, dof + 2, level)
    result.update(r=r, p=_r_pvalue(r, dof), r_low=low, r_high=high)
    return result


def lagged_pairs(frame: pd.DataFrame, unit: str, period: str, x: str, y: str) -> pd.DataFrame:
    """Each unit's ``x`` in one period beside its ``y`` in the unit's next period.

    The next period is the following one in the sorted order of *that unit's* rows in
    ``frame``, so pass a row for every period that covered the unit, including those where
    nothing of it may be used (e.g. below the anonymity threshold) with x and y missing: the
    unit is then paired with the period right after, which holds nothing, and never across
    the gap with a later one. A period that did not cover the unit (a wave of another
    region) has no row and breaks nothing. The last period of each unit has no pair and is
    left out. Missing x or y values are kept as NaN (drop them before correlating, as
    :func:`unit_correlation` does).

    Returns columns ``unit``, ``period``, ``x``, ``y_next`` and ``next_period``, sorted by
    unit and period. Raises ValueError when a unit or period is missing or a unit has two
    rows for one period.

    >>> frame = pd.DataFrame(
    ...     {
    ...         "store": ["a", "a", "a", "b", "b", "b"],
    ...         "wave": [3, 1, 2, 1, 2, 3],
    ...         "index": [4.0, 3.0, 3.5, 4.2, None, 4.4],  # b was hidden in wave 2
    ...         "csat": [0.9, 0.7, 0.8, 0.85, None, 0.88],
    ...     }
    ... )
    >>> for row in lagged_pairs(frame, "store", "wave", "index", "csat").to_dict("records"):
    ...     print(row)
    {'unit': 'a', 'period': 1, 'x': 3.0, 'y_next': 0.8, 'next_period': 2}
    {'unit': 'a', 'period': 2, 'x': 3.5, 'y_next': 0.9, 'next_period': 3}
    {'unit': 'b', 'period': 1, 'x': 4.2, 'y_next': nan, 'next_period': 2}
    {'unit': 'b', 'period': 2, 'x': nan, 'y_next': 0.88, 'next_period': 3}

    Store b's wave 1 is not paired with its wave 3: the lag is always one wave of its own.
    """
    _require(frame, [unit, period, x, y])
    data = pd.DataFrame(
        {
            "unit": frame[unit].array,
            "period": frame[period].array,
            "x": frame[x].array,
            "y": frame[y].array,
        }
    )
    for column, name in (("unit", unit), ("period", period)):
        if data[column].isna().any():
            raise ValueError(f"The {name} column has missing values; every row needs one.")
    if data.duplicated(["unit", "period"]).any():
        raise ValueError(
            f"Some {unit} has two rows for one {period}; pass one row per unit and period."
        )
    try:
        data = data.sort_values(["unit", "period"], kind="stable", ignore_index=True)
    except TypeError as exc:
        raise ValueError(
            f"The {unit} and {period} values must each be of one sortable type."
        ) from exc
    following = data.groupby("unit", sort=False)[["period", "y"]].shift(-1)
    data["y_next"] = following["y"]
    data["next_period"] = following["period"]
    paired = data[data.groupby("unit", sort=False).cumcount(ascending=False) > 0]
    result = paired[list(_LAG_COLUMNS)].reset_index(drop=True)
    result["next_period"] = result["next_period"].astype(data["period"].dtype)
    return result


def partial(
    frame: pd.DataFrame,
    x: str,
    y: str,
    covariates: Sequence[str],
    *,
    level: float = 0.95,
) -> dict[str, Any]:
    """Partial Pearson correlation of ``x`` and ``y`` controlling for ``covariates`` (unit
    size, average tenure …): the correlation of their residuals after least squares on the
    covariates, as pingouin's ``partial_corr`` and R ``ppcor::pcor.test``.

    With n complete rows and q the number of independent covariates (their rank: a constant
    or duplicated covariate adds nothing), p comes from t with n − q − 2 degrees of freedom
    and the Fisher interval uses SE = 1/√(n − q − 3). Returns ``n``, ``r``, ``r_low``,
    ``r_high`` and ``p``; all but ``n`` NaN when n < len(covariates) + 3, and r, p and the
    interval also when the covariates explain x or y exactly. The interval is NaN when
    n − q ≤ 3.

    >>> import pingouin as pg
    >>> data = pg.read_dataset("partial_corr")
    >>> result = partial(data, "x", "y", ["cv1", "cv2", "cv3"])
    >>> # pingouin docs, partial_corr: df.pcorr() gives 0.493 for x and y
    >>> result["n"], round(result["r"], 3), round(result["r_low"], 2), round(result["r_high"], 2)
    (30, 0.493, 0.14, 0.74)
    """
    _check_level(level)
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    if not covariates:
        raise ValueError("Name at least one covariate; without any use unit_correlation.")
    if x in covariates or y in covariates:
        raise ValueError("x and y cannot also be covariates.")
    data = _complete(_numeric(frame, [x, y, *covariates]))
    n, k = len(data), len(covariates)
    result: dict[str, Any] = {"n": n, "r": _NAN, "r_low": _NAN, "r_high": _NAN, "p": _NAN}
    if n < k + 3:
        return result
    centred = data - data.mean(axis=0)
    spread = centred.std(axis=0)
    scaled = np.divide(centred, spread, out=np.zeros_like(centred), where=spread > 0)
    design = np.column_stack([np.ones(n), scaled[:, 2:]])
    q = int(np.linalg.matrix_rank(design)) - 1
    coefficients, *_ = np.linalg.lstsq(design, scaled[:, :2], rcond=None)
    residuals = scaled[:, :2] - design @ coefficients
    sums = (residuals * residuals).sum(axis=0)
    # Residual sums of squares of standardised x and y (total n): ~0 means explained exactly.
    if (spread[:2] == 0).any() or (sums <= 1e-12 * n).any():
        return result
    r = float(np.clip(residuals[:, 0] @ residuals[:, 1] / math.sqrt(sums[0] * sums[1]), -1, 1))
    low, high = _fisher(r, n - q, level)
    result.update(r=r, r_low=low, r_high=high, p=_r_pvalue(r, n - q - 2))
    return result


def drivers(
    frame: pd.DataFrame, themes: Sequence[str], y: str, *, level: float = 0.95
) -> pd.DataFrame:
    """Each theme's Pearson correlation with the outcome ``y`` across units (rows).

    One row per theme, sorted by ``r`` from the highest (ties keep the order of ``themes``,
    NaN last): ``theme``; ``n``, the rows with both the theme and y; ``r`` with its Fisher
    interval ``r_low``, ``r_high`` at ``level`` and two-sided ``p``; ``p_adjusted``, the
    Benjamini–Hochberg adjusted p over the themes with a p-value (as
    ``pingouin.multicomp(p, method="fdr_bh")``: the running minimum from the largest p of
    p₍ᵢ₎·m/i, at most 1); ``significant``: p_adjusted < 0.05 (False when NaN).

    These are marginal correlations: themes correlate with each other (a unit that does well
    on one tends to on all), so the order is not each theme's own effect, and neighbouring
    r's usually differ by less than their intervals' width.

    >>> frame = pd.DataFrame(
    ...     {
    ...         "growth": [3.1, 3.5, 3.9, 4.2, 4.4, 3.0],
    ...         "recognition": [3.8, 3.2, 4.1, 3.9, 3.3, 3.6],
    ...         "csat": [0.66, 0.70, 0.74, 0.85, 0.81, 0.60],
    ...     }
    ... )
    >>> table = drivers(frame, ["recognition", "growth"], "csat")
    >>> shown = table[["theme", "n", "r", "p_adjusted", "significant"]].round(3)
    >>> for row in shown.to_dict("records"):
    ...     print(row)
    {'theme': 'growth', 'n': 6, 'r': 0.952, 'p_adjusted': 0.007, 'significant': True}
    {'theme': 'recognition', 'n': 6, 'r': 0.098, 'p_adjusted': 0.854, 'significant': False}
    """
    _check_level(level)
    if isinstance(themes, str):
        raise ValueError("Pass the theme columns as a list of names, e.g. ['a01', 'a02'].")
    themes = list(themes)
    if not themes:
        raise ValueError("Name at least one theme column.")
    if len(set(themes)) < len(themes):
        raise ValueError("A theme column is named twice; name each once.")
    values = _numeric(frame, [*themes, y])
    rows = []
    for position, theme in enumerate(themes):
        pair = _complete(values[:, [position, -1]])
        r, p = _pearson(pair[:, 0], pair[:, 1])
        low, high = _fisher(r, len(pair), level)
        rows.append((theme, len(pair), r, low, high, p))
    table = pd.DataFrame(rows, columns=list(_DRIVER_COLUMNS[:6]))
    table["n"] = table["n"].astype(np.int64)
    table["p_adjusted"] = _benjamini_hochberg(table["p"].to_numpy(float))
    table["significant"] = (table["p_adjusted"] < 0.05).astype(bool)
    return table.sort_values("r", ascending=False, kind="stable", na_position="last").reset_index(
        drop=True
    )


def icc_from_sums(units: pd.DataFrame) -> dict[str, Any]:
    """ICC(1) and ICC(2) of the person-level engagement index from per-unit sums.

    ``units`` has one row per unit with ``n`` (respondents), ``sum`` and ``sumsq`` (sum of
    squares) of the person-level index, as :func:`~ee_app.analysis.engagement.sum_responses`
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
    values = _numeric(units, ["n", "sum", "sumsq"])
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
      :func:`repeated_measures`. Wilcox offers a percentile bootstrap instead; a closed
      form gives the same interval every time from the same data. NaN when h ≤ 3.

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
    _check_level(level)
    _check_count(shared, "shared", 1)
    if isinstance(trim, bool) or not isinstance(trim, int | float) or not 0 <= trim < 0.5:
        raise ValueError("trim must lie in [0, 0.5), e.g. 0.2 to winsorize 20% at each end.")
    data = _complete(_numeric(frame, [x, y]))
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
    low, high = _fisher(r, n - 2 * g, level)
    result.update(r=r, r_low=low, r_high=high, t=t, p=p)
    return result


# --- helpers ----------------------------------------------------------------------------------


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


def _correlations(x: np.ndarray, y: np.ndarray, level: float) -> dict[str, float]:
    """Pearson and Spearman correlations with intervals and p-values (NaN when n < 3)."""
    r, r_p = _pearson(x, y)
    r_low, r_high = _fisher(r, len(x), level)
    if len(x) >= 3:
        rho, rho_p = _pearson(stats.rankdata(x), stats.rankdata(y))
    else:
        rho, rho_p = _NAN, _NAN
    spread = math.sqrt(1 + rho * rho / 2) if not math.isnan(rho) else 1.0
    rho_low, rho_high = _fisher(rho, len(x), level, spread)
    return {
        "r": r,
        "r_low": r_low,
        "r_high": r_high,
        "r_p": r_p,
        "rho": rho,
        "rho_low": rho_low,
        "rho_high": rho_high,
        "rho_p": rho_p,
    }


def _winsorize(values: np.ndarray, g: int) -> np.ndarray:
    """Values below the (g + 1)-th smallest raised to it, above the (g + 1)-th largest
    lowered to it (Wilcox's ``winval``; ties count once each, as in a sorted list)."""
    ordered = np.sort(values)
    return np.clip(values, ordered[g], ordered[len(values) - 1 - g])


def _pearson(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Pearson's r and its two-sided p-value; NaN when n < 3 or either side is constant."""
    n = len(x)
    if n < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return (_NAN, _NAN)
    dx, dy = x - x.mean(), y - y.mean()
    r = float(np.clip(dx @ dy / math.sqrt(float(dx @ dx) * float(dy @ dy)), -1.0, 1.0))
    return (r, _r_pvalue(r, n - 2))


def _r_pvalue(r: float, dof: int) -> float:
    """Two-sided p of a correlation from t = r·√(dof / (1 − r²))."""
    if math.isnan(r) or dof < 1:
        return _NAN
    if abs(r) == 1:
        return 0.0
    t = r * math.sqrt(dof / (1 - r * r))
    return float(2 * stats.t.sf(abs(t), dof))


def _fisher(r: float, n: float, level: float, spread: float = 1.0) -> tuple[float, float]:
    """Fisher-z interval tanh(atanh r ± z·spread/√(n − 3)); NaN when n ≤ 3 or r is NaN."""
    if math.isnan(r) or n <= 3:
        return (_NAN, _NAN)
    if abs(r) == 1:
        return (r, r)
    half = float(stats.norm.ppf(0.5 + level / 2)) * spread / math.sqrt(n - 3)
    z = math.atanh(r)
    return (math.tanh(z - half), math.tanh(z + half))


def _detectable_r(n: int, power: float, alpha: float) -> float:
    """Smallest r detected with ``power`` by a two-sided test at ``alpha`` with n pairs.

    pingouin ``power_corr(n=n, power=power, alpha=alpha)``, itself R ``pwr::pwr.r.test``:
    the critical r from t(n − 2), then normal power on Fisher's z with the bias term
    r / (2(n − 1)). NaN for n < 5, as pingouin, and when no r in (0, 1) reaches ``power``.
    """
    if n < 5:
        return _NAN
    dof = n - 2
    t = float(stats.t.ppf(1 - alpha / 2, dof))
    critical = math.atanh(math.sqrt(t * t / (t * t + dof)))
    root = math.sqrt(n - 3)

    def shortfall(r: float) -> float:
        z = math.atanh(r) + r / (2 * (n - 1))
        reached = stats.norm.cdf((z - critical) * root) + stats.norm.cdf((-z - critical) * root)
        return float(reached) - power

    try:
        return float(optimize.brentq(shortfall, 1e-10, 1 - 1e-10))
    except ValueError:
        return _NAN


def _benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values over the non-NaN entries (NaN stay NaN)."""
    adjusted = np.full(len(p), _NAN)
    finite = np.flatnonzero(~np.isnan(p))
    m = len(finite)
    if not m:
        return adjusted
    order = finite[np.argsort(p[finite], kind="stable")]
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    return adjusted


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


def _require(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError("Pass the data as a pandas DataFrame with one row per unit.")
    missing = [str(column) for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"The data lack the column(s) {', '.join(missing)}.")
    twice = [str(column) for column in columns if (frame.columns == column).sum() > 1]
    if twice:
        raise ValueError(f"The data have two columns named {', '.join(twice)}; rename one.")


def _numeric(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """The columns as an n × k float array, NaN where missing; ValueError if not numbers
    (an empty column passes whatever its dtype, e.g. ``pd.DataFrame(columns=[...])``)."""
    _require(frame, columns)
    out = np.empty((len(frame), len(columns)))
    for position, column in enumerate(columns):
        series = frame[column]
        if len(series) and not pd.api.types.is_numeric_dtype(series.dtype):
            raise ValueError(f"{column} must be numeric; convert it with pd.to_numeric first.")
        values = series.to_numpy(dtype=float, na_value=np.nan)
        if np.isinf(values).any():
            raise ValueError(f"{column} has infinite values; pass finite numbers or NaN.")
        out[:, position] = values
    return out


def _complete(values: np.ndarray) -> np.ndarray:
    return values[~np.isnan(values).any(axis=1)]


def _check_level(level: float) -> None:
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise ValueError("level must lie strictly between 0 and 1, e.g. 0.95.")


def _check_probability(value: float, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise ValueError(f"{name} must lie strictly between 0 and 1.")


def _check_count(value: int, name: str, least: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
        raise ValueError(f"{name} must be a whole number of at least {least}.")
