"""CSAT per staff member with empirical-Bayes shrinkage: small samples are shrunk toward
their store before service-quality pay depends on them, and each rate comes with its n and a
Wilson interval. Definitions:

* CSAT top-2: answers of 4–5 on a 1–5 scale or 9–10 on a 0–10 scale; ``mean5`` puts both
  scales on 1–5 (a 0–10 answer x counts as 1 + 4·x/10, so 0 → 1, 5 → 3, 10 → 5);
* shrunk top-2 rate: the posterior mean (x + α) / (n + α + β) under a beta prior fitted by
  the method of moments (Kleinman 1973) on the staff of the same store
  (:func:`fit_beta_prior`).

Repurchase, the other customer outcome, is in :mod:`~ee_app.analysis.repurchase`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ee_app.analysis.checks import require_columns_in
from ee_app.analysis.intervals import wilson_bounds

__all__ = ["csat_by_staff", "fit_beta_prior"]

#: A prior group (e.g. a store) needs this many units and answers for a prior of its own.
_PRIOR_MIN_UNITS = 3
_PRIOR_MIN_ANSWERS = 30


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
    require_columns_in(records, needed, "records")
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
    low, high = wilson_bounds(top2, n, level)
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


def _most_frequent(records: pd.DataFrame, keys: list[str], column: str) -> pd.Series:
    """The most frequent value of ``column`` per group of ``keys`` (ties: the smallest)."""
    counts = records.groupby([*keys, column], sort=True, dropna=True).size()
    counts = counts.rename("_count").reset_index()
    top = counts.sort_values("_count", ascending=False, kind="stable").drop_duplicates(keys)
    return top.set_index(keys)[column]


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise ValueError("level must lie strictly between 0 and 1, e.g. 0.95.")
