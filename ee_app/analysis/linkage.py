"""Engagement–outcome linkage across units: do units with higher engagement have more
satisfied (CSAT top-2 share) and more returning (repurchase rate) customers, and which themes
go with it?

The unit of analysis is the *unit* (team or store): one row per unit and period, units below
the anonymity threshold already removed by the caller. What each function answers:

* :func:`unit_correlation`: across units, Pearson and Spearman correlations with intervals,
  and ``detectable_r``, the smallest correlation found with 80% power: .72 with 12 stores,
  so "no significant relation" among few units says little;
* :func:`fit_band`: the least-squares line with the confidence band of the mean, for a chart;
* :func:`partial`: the correlation controlling for covariates such as unit size and tenure;
* :func:`drivers`: each theme's correlation with an outcome, Benjamini–Hochberg adjusted;
* :func:`fisher_interval`, :func:`r_pvalue`: the interval and p-value of a correlation that
  every module of the linkage shares.

The rest of the linkage lives beside it, one module per question a statistician asks:

* :mod:`~ee_app.analysis.repeated_measures`: the within-unit relation across waves
  (``repeated_measures``) and engagement beside the next wave's outcome (``lagged_pairs``);
* :mod:`~ee_app.analysis.reliability`: how much of the person-level engagement index lies between
  units (ICC(1)) and how reliable the unit means are (ICC(2));
* :mod:`~ee_app.analysis.winsorized`: a person-level correlation in which at least k people
  share each extreme value, for confidential waves, as aggregates;
* :mod:`~ee_app.analysis.ranks`: where one unit's value stands among all units'.

Conventions shared by all of them (inputs checked by :mod:`~ee_app.analysis.checks`):

* rows with a missing value in any column used are dropped first (listwise; only
  ``lagged_pairs`` keeps them), and ``n`` counts the rest; infinite values and
  non-numeric columns raise ``ValueError``;
* intervals of correlations use Fisher's z: tanh(atanh(r) ∓ z·SE), z the standard normal
  quantile at (1 + level)/2, with SE = 1/√(n − 3) for Pearson (as pingouin and R
  ``cor.test``) and SE = √((1 + ρ²/2)/(n − 3)) for Spearman (Bonett & Wright 2000,
  Psychometrika 65:23; the plain 1/√(n − 3) is too narrow for ranks); they are NaN when
  n ≤ 3 and [r, r] when |r| = 1;
* p-values are two-sided, from t = r·√(dof/(1 − r²)) with dof = n − 2 (as scipy's
  ``pearsonr`` and ``spearmanr``; fewer for :func:`partial` and ``repeated_measures``);
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
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ee_app.analysis.checks import (
    check_count,
    check_level,
    check_probability,
    complete_rows,
    numeric_columns,
)
from ee_app.analysis.drivers import benjamini_hochberg

__all__ = [
    "drivers",
    "fisher_interval",
    "fit_band",
    "partial",
    "r_pvalue",
    "unit_correlation",
]

_NAN = math.nan
# The themes of both driver tables are adjusted the same way (the p-values here come from
# r_pvalue, so drivers' check that they lie in [0, 1] always holds).
_benjamini_hochberg = benjamini_hochberg
_BAND_COLUMNS = ("x", "fit", "low", "high")
_DRIVER_COLUMNS = ("theme", "n", "r", "r_low", "r_high", "p", "p_adjusted", "significant")


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
    :func:`~ee_app.analysis.repeated_measures.repeated_measures` for the relation within
    units across waves.

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
    check_level(level)
    check_probability(power, "power")
    check_probability(alpha, "alpha")
    check_count(min_units, "min_units", 1)
    data = complete_rows(numeric_columns(frame, [x, y]))
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
    check_level(level)
    check_count(points, "points", 2)
    data = complete_rows(numeric_columns(frame, [x, y]))
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
    check_level(level)
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    if not covariates:
        raise ValueError("Name at least one covariate; without any use unit_correlation.")
    if x in covariates or y in covariates:
        raise ValueError("x and y cannot also be covariates.")
    data = complete_rows(numeric_columns(frame, [x, y, *covariates]))
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
    low, high = fisher_interval(r, n - q, level)
    result.update(r=r, r_low=low, r_high=high, p=r_pvalue(r, n - q - 2))
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
    check_level(level)
    if isinstance(themes, str):
        raise ValueError("Pass the theme columns as a list of names, e.g. ['a01', 'a02'].")
    themes = list(themes)
    if not themes:
        raise ValueError("Name at least one theme column.")
    if len(set(themes)) < len(themes):
        raise ValueError("A theme column is named twice; name each once.")
    values = numeric_columns(frame, [*themes, y])
    rows = []
    for position, theme in enumerate(themes):
        pair = complete_rows(values[:, [position, -1]])
        r, p = _pearson(pair[:, 0], pair[:, 1])
        low, high = fisher_interval(r, len(pair), level)
        rows.append((theme, len(pair), r, low, high, p))
    table = pd.DataFrame(rows, columns=list(_DRIVER_COLUMNS[:6]))
    table["n"] = table["n"].astype(np.int64)
    table["p_adjusted"] = _benjamini_hochberg(table["p"].to_numpy(float))
    table["significant"] = (table["p_adjusted"] < 0.05).astype(bool)
    return table.sort_values("r", ascending=False, kind="stable", na_position="last").reset_index(
        drop=True
    )


def r_pvalue(r: float, dof: int) -> float:
    """Two-sided p of a correlation from t = r·√(dof / (1 − r²)); NaN when r is NaN or
    dof < 1, 0 when |r| = 1.

    >>> round(r_pvalue(0.81642051634484, 9), 5)  # Anscombe I; R cor.test: p = 0.00217
    0.00217
    """
    if math.isnan(r) or dof < 1:
        return _NAN
    if abs(r) == 1:
        return 0.0
    t = r * math.sqrt(dof / (1 - r * r))
    return float(2 * stats.t.sf(abs(t), dof))


def fisher_interval(r: float, n: float, level: float, spread: float = 1.0) -> tuple[float, float]:
    """Fisher-z interval tanh(atanh r ± z·spread/√(n − 3)) at ``level``; NaN when n ≤ 3 or
    r is NaN, [r, r] when |r| = 1. ``spread`` widens it (√(1 + ρ²/2) for Spearman's ρ).

    >>> # Anscombe I: r = 0.816 on 11 pairs; R cor.test gives [0.4243912, 0.9506933]
    >>> low, high = fisher_interval(0.81642051634484, 11, 0.95)
    >>> round(low, 7), round(high, 7)
    (0.4243912, 0.9506933)
    >>> fisher_interval(0.5, 3, 0.95)
    (nan, nan)
    """
    if math.isnan(r) or n <= 3:
        return (_NAN, _NAN)
    if abs(r) == 1:
        return (r, r)
    half = float(stats.norm.ppf(0.5 + level / 2)) * spread / math.sqrt(n - 3)
    z = math.atanh(r)
    return (math.tanh(z - half), math.tanh(z + half))


def _correlations(x: np.ndarray, y: np.ndarray, level: float) -> dict[str, float]:
    """Pearson and Spearman correlations with intervals and p-values (NaN when n < 3)."""
    r, r_p = _pearson(x, y)
    r_low, r_high = fisher_interval(r, len(x), level)
    if len(x) >= 3:
        rho, rho_p = _pearson(stats.rankdata(x), stats.rankdata(y))
    else:
        rho, rho_p = _NAN, _NAN
    spread = math.sqrt(1 + rho * rho / 2) if not math.isnan(rho) else 1.0
    rho_low, rho_high = fisher_interval(rho, len(x), level, spread)
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


def _pearson(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Pearson's r and its two-sided p-value; NaN when n < 3 or either side is constant."""
    n = len(x)
    if n < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return (_NAN, _NAN)
    dx, dy = x - x.mean(), y - y.mean()
    r = float(np.clip(dx @ dy / math.sqrt(float(dx @ dx) * float(dy @ dy)), -1.0, 1.0))
    return (r, r_pvalue(r, n - 2))


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
