"""Means, shares and eNPS with intervals, each from counts and sums (never the answers), and
each staying inside its scale by construction (no clipping):

* :func:`mean_ci`: a mean and its t interval, for values without bounds;
* :func:`scale_mean_ci`: a mean on the 1–5 answer scale with a score interval on the share
  of the scale (:func:`scale_interval` for many at once);
* :func:`index_ci`: the engagement index with respondents as clusters (the linearisation
  variance of a ratio, :func:`ratio_variance`);
* :func:`wilson_ci`: a share with Wilson's interval (:func:`wilson_bounds` for many at once);
* :func:`enps_ci`: the eNPS with Tango's score interval for a difference of two shares of
  one sample (:func:`enps_bounds` for many at once);
* :func:`change_ci`: the change of a mean between two waves, with Welch's interval.

The vectorised forms give the same numbers as the scalar ones, so :mod:`engagement` scores
whole tables of sums with them. Counts that cannot be (negative, fractional, more successes
than answers) raise ``ValueError``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

__all__ = [
    "SCALE",
    "change_ci",
    "enps_bounds",
    "enps_ci",
    "index_ci",
    "mean_ci",
    "ratio_variance",
    "scale_interval",
    "scale_mean_ci",
    "wilson_bounds",
    "wilson_ci",
]

#: The answer scale of the theme items: 1 (strongly disagree) to 5 (strongly agree).
SCALE: tuple[float, float] = (1.0, 5.0)


def _count(name: str, value: float) -> float:
    """``value`` as a count: a whole number, 0 or more (``ValueError`` otherwise)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a whole number of answers, not {value!r}.")
    number = float(value)
    if not math.isfinite(number) or number < 0 or number != math.floor(number):
        raise ValueError(f"{name} must be a whole number of answers, 0 or more, not {value!r}.")
    return number


def _counts_within(n: float, n_name: str, **parts: float) -> tuple[float, ...]:
    """Check that ``parts`` are counts that together fit into ``n`` answers."""
    total = _count(n_name, n)
    checked = tuple(_count(name, value) for name, value in parts.items())
    if sum(checked) > total:
        names = " + ".join(parts)
        raise ValueError(
            f"{names} ({sum(checked):g}) cannot be more than {n_name} ({total:g}): "
            "check that the counts come from the same answers."
        )
    return (total, *checked)


def _sample(name: str, n: float, total: float, squares: float) -> tuple[float, float, float]:
    """``n`` as a count, the mean and the sample variance s² from a count, a sum and a sum of
    squares: the mean NaN when n = 0, s² NaN when n < 2, and s² never below 0 (rounding can
    leave Σx² − n·mean² a hair under it when every value is the same)."""
    n = _count(name, n)
    mean = total / n if n > 0 else math.nan
    variance = max((squares - n * mean * mean) / (n - 1), 0.0) if n >= 2 else math.nan
    return n, mean, variance


def mean_ci(
    n: float, total: float, squares: float, level: float = 0.95
) -> tuple[float, float, float]:
    """Mean and t interval from a count, a sum and a sum of squares (NaN when n < 2).

    For values without bounds (or already cut to them by the caller); means on the 1–5
    answer scale use :func:`scale_mean_ci`, whose interval cannot leave the scale.

    >>> [round(v, 3) for v in mean_ci(4, 14.0, 54.0)]  # 2, 3, 4, 5: sd 1.291, t(3) = 3.182
    [3.5, 1.446, 5.554]
    """
    n, mean, variance = _sample("n", n, total, squares)
    if n < 2:
        return (mean, math.nan, math.nan)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * math.sqrt(variance / n)
    return (mean, mean - half, mean + half)


def scale_mean_ci(
    n: float,
    total: float,
    squares: float,
    level: float = 0.95,
    scale: tuple[float, float] = SCALE,
) -> tuple[float, float, float]:
    """Mean of answers on a bounded scale (1–5 by default) and an interval inside the scale.

    The mean is read as a share of the scale, y = (mean − 1) / 4, and the interval is the
    score (Wilson-type) interval of a quasi-binomial model, whose variance is proportional to
    μ(1 − μ) (Wedderburn 1974, Biometrika 61:439; McCullagh & Nelder, *Generalized Linear
    Models*, 2nd ed., 1989, §9.2): the set of μ with (y − μ)² ≤ t² · v · μ(1 − μ) / (y(1 − y)),
    where v is the usual variance of the mean, s²/n, and t has n − 1 degrees of freedom. It is
    Wilson's interval at the effective sample size n* = y(1 − y)/v · (z/t)² (Korn & Graubard
    1998, Survey Methodology 24:193), lies inside the scale for every sample, and near the
    middle of the scale it is close to the t interval (for 2, 3, 4, 5 it is [1.80, 4.67] where
    the t interval, [1.45, 5.55], leaves the scale).

    When every answer is the same (v = 0) the spread gives no width; the interval is then
    the bounded-outcome rule: the share of people who would answer otherwise is at most
    Wilson's upper bound for 0 of n, u = z²/(n + z²), and each of them moves the mean at most
    to the end of the scale: [mean − (mean − 1)·u, mean + (5 − mean)·u]. NaN bounds when
    n < 2.

    >>> [round(v, 3) for v in scale_mean_ci(4, 14.0, 54.0)]  # 2, 3, 4, 5
    [3.5, 1.802, 4.669]
    >>> [round(v, 3) for v in scale_mean_ci(5, 25.0, 125.0)]  # all 5: u = 3.84/8.84
    [5.0, 3.262, 5.0]
    """
    n, mean, variance = _sample("n", n, total, squares)
    if n < 2:
        return (mean, math.nan, math.nan)
    low, high = scale_interval(
        np.asarray([mean]), np.asarray([variance / n]), np.asarray([n]), level, scale
    )
    return (mean, float(low[0]), float(high[0]))


def _t_quantiles(q: float, dof: np.ndarray) -> np.ndarray:
    """``stats.t.ppf(q, dof)``, computed once per distinct number of degrees of freedom: a
    wave's thousands of theme cells share a few dozen answer counts, and each quantile costs
    about 0.4 µs (2 ms of a cold results view). The same function on the same values: the
    same bits."""
    dof = np.asarray(dof, dtype=float)
    distinct, where = np.unique(dof, return_inverse=True)
    return stats.t.ppf(q, distinct)[where.reshape(-1)].reshape(dof.shape)


def scale_interval(mean, variance, n, level=0.95, scale=SCALE):  # type: ignore[no-untyped-def]
    """Vectorised interval of :func:`scale_mean_ci` from means, the variances of the means
    and the numbers of independent units (answers or respondents); NaN where n < 2.

    >>> low, high = scale_interval(np.array([3.5]), np.array([5 / 12]), np.array([4]))
    >>> round(float(low[0]), 3), round(float(high[0]), 3)  # 2, 3, 4, 5 as in scale_mean_ci
    (1.802, 4.669)
    """
    bottom, top = scale
    width = top - bottom
    z = float(stats.norm.ppf(0.5 + level / 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.clip((mean - bottom) / width, 0.0, 1.0)
        v = variance / (width * width)
        t = _t_quantiles(0.5 + level / 2, np.maximum(n - 1, 1))
        spread = y * (1 - y)
        # all answers alike (or a mean at an end of the scale): no spread to go on
        alike = (v <= 1e-12) | (spread <= 1e-12)
        c = np.where(alike, 1.0, t * t * v / np.where(alike, 1.0, spread))
        root = np.sqrt(np.maximum(c * c + 4 * c * spread, 0.0))
        low = (2 * y + c - root) / (2 * (1 + c))
        high = (2 * y + c + root) / (2 * (1 + c))
        u = z * z / (n + z * z)
        low = np.where(alike, y - y * u, low)
        high = np.where(alike, y + (1 - y) * u, high)
        valid = n >= 2
        low = np.where(valid, np.clip(low, 0.0, y), np.nan)  # rounding only
        high = np.where(valid, np.clip(high, y, 1.0), np.nan)
    return bottom + width * low, bottom + width * high


def index_ci(
    respondents: float,
    items: float,
    total: float,
    yy: float,
    ym: float,
    mm: float,
    level: float = 0.95,
) -> tuple[float, float, float]:
    """The engagement index (all theme answers pooled) and its interval, from sums.

    ``respondents`` answered at least one theme item; ``items`` answers in all with sum
    ``total``; ``yy``, ``ym`` and ``mm`` are the sums over respondents of y², y·m and m², where
    y is a respondent's sum of answers and m their number of answers. The variance is the
    linearisation variance of the ratio ``total / items`` with respondents as clusters,
    n/(n − 1) · Σ(y − r·m)² / items² (Cochran 1977, §6.4; ``survey::svyratio`` in R); the
    interval is that of :func:`scale_mean_ci` with this variance and n − 1 degrees of freedom
    (inside 1–5 by construction; when every respondent's own average is the same, the
    bounded-outcome rule on the n respondents). NaN bounds when n < 2.

    >>> # 2,3,4,5 (one answer each): the interval of scale_mean_ci
    >>> [round(v, 3) for v in index_ci(4, 4, 14, 54, 14, 4)]
    [3.5, 1.802, 4.669]
    """
    respondents = _count("respondents", respondents)
    items = _count("items", items)
    mean, variance = ratio_variance(
        np.asarray([respondents], float),
        np.asarray([items], float),
        np.asarray([total], float),
        np.asarray([yy], float),
        np.asarray([ym], float),
        np.asarray([mm], float),
    )
    low, high = scale_interval(mean, variance, np.asarray([respondents], float), level, SCALE)
    return (float(mean[0]), float(low[0]), float(high[0]))


def ratio_variance(respondents, items, total, yy, ym, mm):  # type: ignore[no-untyped-def]
    """Vectorised ratio ``total / items`` and its linearisation variance (see
    :func:`index_ci`); NaN variance where fewer than 2 respondents.

    >>> # 2, 3, 4, 5, one answer each: the mean 3.5 and s²/n = (5/3)/4
    >>> ratio, variance = ratio_variance(*(np.array([v], float) for v in (4, 4, 14, 54, 14, 4)))
    >>> float(ratio[0]), round(float(variance[0]), 4)
    (3.5, 0.4167)
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(items > 0, total / items, np.nan)
        residual = np.maximum(yy - 2 * ratio * ym + ratio * ratio * mm, 0.0)
        variance = np.where(
            respondents >= 2, respondents / (respondents - 1) * residual / (items * items), np.nan
        )
    return ratio, variance


def wilson_ci(successes: float, n: float, level: float = 0.95) -> tuple[float, float, float]:
    """A proportion and its Wilson score interval (better than Wald for small n or p near 0/1).

    ``successes`` and ``n`` are counts (whole numbers, successes ≤ n); anything else raises
    ``ValueError``.

    >>> [round(v, 4) for v in wilson_ci(8, 10)]  # Newcombe (1998), Statist. Med. 17:857, table I
    [0.8, 0.4902, 0.9433]
    """
    n, successes = _counts_within(n, "n", successes=successes)
    if n <= 0:
        return (math.nan, math.nan, math.nan)
    z = float(stats.norm.ppf(0.5 + level / 2))
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # at p = 0 (or 1) the bound is 0 (or 1) exactly; rounding would leave it a hair off
    low = 0.0 if successes == 0 else centre - half
    high = 1.0 if successes == n else centre + half
    return (p, low, high)


def wilson_bounds(
    successes: np.ndarray, n: np.ndarray, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised :func:`wilson_ci` bounds (NaN where n = 0).

    >>> low, high = wilson_bounds(np.array([8.0, 0.0]), np.array([10.0, 0.0]), 0.95)
    >>> low.round(4).tolist(), high.round(4).tolist()  # as wilson_ci(8, 10); nothing for n = 0
    ([0.4902, nan], [0.9433, nan])
    """
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


def enps_ci(
    promoters: float, detractors: float, n: float, level: float = 0.95
) -> tuple[float, float, float]:
    """eNPS (−100…100) with Tango's score interval, which stays inside −100…100.

    The eNPS is the difference of two shares of one sample (promoters 9–10 minus detractors
    0–6, the rest passives), the same structure as the difference of two paired proportions.
    The interval is the set of δ that the score test does not reject: with D the observed
    difference, n·(D − δ)² ≤ z²·(p̃ + d̃ − δ²), where p̃ and d̃ are the maximum-likelihood
    shares under p − d = δ, in closed form (Tango 1998, Statistics in Medicine 17:891, eq. 4,
    with promoters and detractors as the two discordant cells). Rocks (2016, The American
    Statistician 70:365) compares intervals for the NPS and finds this "iterative score"
    interval among the best. Unlike the Wald interval it never leaves −100…100 and keeps a
    width when every answer is a promoter: with n answers all promoters the lower bound is
    100·(n − z²)/(n + z²) (13.1 for n = 5).

    Counts must be whole numbers with promoters + detractors ≤ n (``ValueError`` otherwise).

    >>> [round(v, 1) for v in enps_ci(50, 20, 100)]  # Wald: [14.7, 45.3]
    [30.0, 14.0, 44.3]
    >>> [round(v, 1) for v in enps_ci(5, 0, 5)]  # (5 − 3.84)/(5 + 3.84) = 0.131
    [100.0, 13.1, 100.0]
    """
    n, promoters, detractors = _counts_within(n, "n", promoters=promoters, detractors=detractors)
    if n <= 0:
        return (math.nan, math.nan, math.nan)
    low, high = enps_bounds(
        np.asarray([promoters]), np.asarray([detractors]), np.asarray([n]), level
    )
    return (100 * (promoters - detractors) / n, 100 * float(low[0]), 100 * float(high[0]))


def _enps_excess(delta, promoters, detractors, n, z, parts=None):  # type: ignore[no-untyped-def]
    """n·(D − δ)² − z²·(p̃ + d̃ − δ²): ≤ 0 inside Tango's interval (see :func:`enps_ci`).

    ``parts`` are the terms that do not depend on δ (:func:`_enps_parts`), computed once
    per bisection rather than at every step."""
    two_n, eight_n_det, four_n, observed, zz = parts or _enps_parts(promoters, detractors, n, z)
    rest = 1 - delta
    b = promoters * (1 + delta) + detractors * rest - two_n * delta
    root = np.sqrt(np.maximum(b * b + eight_n_det * delta * rest, 0.0))
    d_tilde = (b + root) / four_n
    variance = np.maximum(2 * d_tilde + delta - delta * delta, 0.0)
    return n * (observed - delta) ** 2 - zz * variance


def _enps_parts(promoters, detractors, n, z):  # type: ignore[no-untyped-def]
    """The terms of :func:`_enps_excess` that do not depend on δ, grouped as it uses them."""
    return (2 * n, 8 * n * detractors, 4 * n, (promoters - detractors) / n, z * z)


def enps_bounds(promoters, detractors, n, level=0.95, steps: int = 60):  # type: ignore[no-untyped-def]
    """Vectorised bounds of :func:`enps_ci` on −1…1, by bisection on each side of D (the
    score statistic grows as δ moves away from D); NaN where n = 0. Both sides are bisected
    in one pass over arrays twice as long (the same steps for every element).

    >>> low, high = enps_bounds(np.array([50, 5]), np.array([20, 0]), np.array([100, 5]), 0.95)
    >>> (100 * low).round(1).tolist(), (100 * high).round(1).tolist()  # as enps_ci
    ([14.0, 13.1], [44.3, 100.0])
    """
    z = float(stats.norm.ppf(0.5 + level / 2))
    promoters, detractors, n = (np.asarray(v, dtype=float) for v in (promoters, detractors, n))
    with np.errstate(invalid="ignore", divide="ignore"):
        size = np.where(n > 0, n, 1.0)
        observed = (promoters - detractors) / size
        flat = observed.reshape(-1)
        both = (
            np.concatenate([promoters.reshape(-1)] * 2),
            np.concatenate([detractors.reshape(-1)] * 2),
            np.concatenate([size.reshape(-1)] * 2),
        )
        end = np.concatenate([np.full(flat.shape, -1.0), np.full(flat.shape, 1.0)])
        outside = end.copy()  # excess ≥ 0 here
        inside = np.concatenate([flat, flat])  # excess ≤ 0 here
        parts = _enps_parts(*both, z)
        for _ in range(steps):
            middle = (outside + inside) / 2
            beyond = _enps_excess(middle, *both, z, parts) > 0
            outside = np.where(beyond, middle, outside)
            inside = np.where(beyond, inside, middle)
        twice = np.concatenate([flat, flat])
        bound = np.where(twice == end, end, (outside + inside) / 2)
        bound = np.where(np.concatenate([n.reshape(-1)] * 2) > 0, bound, np.nan)
    low, high = bound[: flat.size], bound[flat.size :]
    return low.reshape(observed.shape), high.reshape(observed.shape)


def change_ci(
    before: tuple[float, float, float],
    after: tuple[float, float, float],
    level: float = 0.95,
    scale: tuple[float, float] = SCALE,
) -> tuple[float, float, float]:
    """Difference of two independent means (after − before) with Welch's interval.

    Each argument is (n, sum, sum of squares) of answers on ``scale`` (1–5). Waves are
    treated as independent samples: answers are anonymous, so the same people cannot be paired
    across waves. The interval stays symmetric, but never claims more than the scale allows: it
    ends at ±4 (a change from all 1 to all 5), the only bound a difference of two means has.

    >>> [round(v, 3) for v in change_ci((4, 14.0, 54.0), (4, 16.0, 70.0))]  # 2,3,4,5 → 2,4,5,5
    [0.5, -1.847, 2.847]
    >>> [round(v, 3) for v in change_ci((3, 5.0, 9.0), (3, 13.0, 59.0))]  # 1,1,3 → 3,5,5
    [2.667, 0.268, 4.0]
    """
    n1, m1, s1 = _sample("n before", *before)
    n2, m2, s2 = _sample("n after", *after)
    if n1 < 2 or n2 < 2:
        return (math.nan, math.nan, math.nan)
    v1, v2 = s1 / n1, s2 / n2
    diff = m2 - m1
    if v1 + v2 == 0:
        return (diff, diff, diff)
    dof = (v1 + v2) ** 2 / ((v1 * v1) / (n1 - 1) + (v2 * v2) / (n2 - 1))
    half = float(stats.t.ppf(0.5 + level / 2, dof)) * math.sqrt(v1 + v2)
    span = scale[1] - scale[0]
    return (diff, max(diff - half, -span), min(diff + half, span))
