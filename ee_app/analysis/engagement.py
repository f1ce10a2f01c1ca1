"""Engagement scores from summed answers: means with intervals, favourable shares, eNPS,
change between waves, percentiles, and the scale's reliability.

Scores are computed from *sums* (counts, sums and sums of squares per answer slot), which a
closed wave stores once per unit (:func:`sum_responses`), so any roll-up or slice is a sum of
rows and no page ever needs the answers themselves. Definitions:

* engagement index: the mean of every answer given to the twelve theme items (1–5), so it is a
  function of the themes' own sums and counts and can never reveal more than they do; its
  interval treats each respondent's answers as one cluster (the linearisation variance of a
  ratio estimator: Cochran, *Sampling Techniques*, 3rd ed., 1977, §6.4; R's
  ``survey::svyratio``). With no skipped question it equals the mean of the respondents' own
  means and the t interval around it;
* favourable: the share of 4 and 5 answers among all answered theme items (认同率);
* eNPS: % of 9–10 minus % of 0–6 on the recommendation question, from −100 to 100.

Every interval stays inside its scale by construction (no clipping): means on the 1–5 scale
(themes, index) use a score interval on the share of the scale (:func:`scale_mean_ci`), the
eNPS Tango's score interval for a difference of two shares of one sample (:func:`enps_ci`),
shares Wilson's (:func:`wilson_ci`). Counts that cannot be (negative, fractional, more
successes than answers) raise ``ValueError``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ee_app.instruments.pulse import CORE_SLOTS, THEMES

__all__ = [
    "SCALE",
    "SUM_COLUMNS",
    "change_ci",
    "change_frame",
    "cronbach_alpha",
    "enps_ci",
    "index_ci",
    "item_scores",
    "mean_ci",
    "percentile_rank",
    "percentile_ranks",
    "roll_up",
    "scale_mean_ci",
    "scores",
    "sum_responses",
    "theme_scores",
    "wilson_ci",
]

#: The answer scale of the theme items: 1 (strongly disagree) to 5 (strongly agree).
SCALE: tuple[float, float] = (1.0, 5.0)
ALL_SLOTS = (*CORE_SLOTS, *(f"x{i}" for i in range(1, 6)))
SUM_COLUMNS: tuple[str, ...] = (
    "n",
    "idx_n",
    "idx_sum",
    "idx_sumsq",
    "idx_yy",
    "idx_ym",
    "idx_mm",
    "enps_n",
    "enps_pro",
    "enps_det",
    *(f"{slot}_{part}" for slot in ALL_SLOTS for part in ("n", "sum", "sumsq", "fav")),
)


def sum_responses(responses: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Counts and sums per group of ``keys`` from one row per response.

    ``responses`` has the answer slots (``a01``…``a12``, ``x1``…``x5``; missing = skipped)
    and ``enps``. The result has one row per group and the :data:`SUM_COLUMNS`.

    >>> frame = pd.DataFrame({"unit": [1, 1], "a01": [4, 5], "a02": [2, None], "enps": [10, 6]})
    >>> columns = ["n", "idx_sum", "a01_fav", "enps_pro", "enps_det"]
    >>> sum_responses(frame, ["unit"])[columns].to_dict("records")
    [{'n': 2, 'idx_sum': 8.0, 'a01_fav': 2, 'enps_pro': 1, 'enps_det': 1}]
    """
    rows = len(responses)
    answers = np.full((rows, len(ALL_SLOTS)), np.nan)
    for position, slot in enumerate(ALL_SLOTS):
        if slot in responses:
            answers[:, position] = pd.to_numeric(responses[slot], errors="coerce").to_numpy(float)
    enps = (
        pd.to_numeric(responses["enps"], errors="coerce").to_numpy(float)
        if "enps" in responses
        else np.full(rows, np.nan)
    )
    core = answers[:, : len(CORE_SLOTS)]
    answered = ~np.isnan(core)
    with np.errstate(invalid="ignore", divide="ignore"):
        index = np.where(answered.any(axis=1), np.nansum(core, axis=1) / answered.sum(axis=1), 0.0)
    has_index = answered.any(axis=1)
    total = np.nansum(core, axis=1)  # each respondent's sum over the theme items answered
    counted = answered.sum(axis=1)
    columns = [
        np.ones(rows),
        has_index,
        index,
        index * index,
        total * total,
        total * counted,
        counted * counted,
        ~np.isnan(enps),
        enps >= 9,
        enps <= 6,
    ]
    present = ~np.isnan(answers)
    filled = np.nan_to_num(answers)
    for position in range(len(ALL_SLOTS)):
        columns += [
            present[:, position],
            filled[:, position],
            filled[:, position] ** 2,
            filled[:, position] >= 4,
        ]
    summed = pd.DataFrame(np.column_stack(columns).astype(float), columns=list(SUM_COLUMNS))
    for key in keys:
        summed[key] = responses[key].to_numpy()
    result = summed.groupby(list(keys), dropna=False, sort=True).sum().reset_index()
    for column in SUM_COLUMNS:
        if column not in ("idx_sum", "idx_sumsq") and not column.endswith("sumsq"):
            result[column] = result[column].astype(int)
    return result[[*keys, *SUM_COLUMNS]]


def roll_up(sums: pd.DataFrame, unit: str, ancestors: Mapping[int, Sequence[int]]) -> pd.DataFrame:
    """Sums per unit *including everything beneath it*: each row counts for its own unit and
    for every ancestor (``ancestors[u]`` lists u and its ancestors).

    One row per (row, ancestor) pair is taken at once and summed in a single group-by.
    """
    keys = [c for c in sums.columns if c not in SUM_COLUMNS]
    rows: list[int] = []
    targets: list[int] = []
    for position, own in enumerate(sums[unit].to_numpy()):
        for ancestor in ancestors[own]:
            rows.append(position)
            targets.append(ancestor)
    if not rows:
        return sums.iloc[0:0]
    expanded = sums.iloc[rows].reset_index(drop=True)
    expanded[unit] = targets
    return expanded.groupby(keys, dropna=False, sort=True)[list(SUM_COLUMNS)].sum().reset_index()


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


def mean_ci(
    n: float, total: float, squares: float, level: float = 0.95
) -> tuple[float, float, float]:
    """Mean and t interval from a count, a sum and a sum of squares (NaN when n < 2).

    For values without bounds (or already cut to them by the caller); means on the 1–5
    answer scale use :func:`scale_mean_ci`, whose interval cannot leave the scale.

    >>> [round(v, 3) for v in mean_ci(4, 14.0, 54.0)]  # 2, 3, 4, 5: sd 1.291, t(3) = 3.182
    [3.5, 1.446, 5.554]
    """
    n = _count("n", n)
    if n <= 0:
        return (math.nan, math.nan, math.nan)
    mean = total / n
    if n < 2:
        return (mean, math.nan, math.nan)
    variance = max((squares - n * mean * mean) / (n - 1), 0.0)
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
    n = _count("n", n)
    if n <= 0:
        return (math.nan, math.nan, math.nan)
    mean = total / n
    if n < 2:
        return (mean, math.nan, math.nan)
    variance = max((squares - n * mean * mean) / (n - 1), 0.0) / n
    low, high = _scale_interval(
        np.asarray([mean]), np.asarray([variance]), np.asarray([n]), level, scale
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


def _scale_interval(mean, variance, n, level, scale):  # type: ignore[no-untyped-def]
    """Vectorised interval of :func:`scale_mean_ci` from means, the variances of the means
    and the numbers of independent units (answers or respondents); NaN where n < 2."""
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
    mean, variance = _ratio_variance(
        np.asarray([respondents], float),
        np.asarray([items], float),
        np.asarray([total], float),
        np.asarray([yy], float),
        np.asarray([ym], float),
        np.asarray([mm], float),
    )
    low, high = _scale_interval(mean, variance, np.asarray([respondents], float), level, SCALE)
    return (float(mean[0]), float(low[0]), float(high[0]))


def _ratio_variance(respondents, items, total, yy, ym, mm):  # type: ignore[no-untyped-def]
    """Vectorised ratio ``total / items`` and its linearisation variance (see index_ci)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(items > 0, total / items, np.nan)
        residual = np.maximum(yy - 2 * ratio * ym + ratio * ratio * mm, 0.0)
        variance = np.where(
            respondents >= 2, respondents / (respondents - 1) * residual / (items * items), np.nan
        )
    return ratio, variance


def _index_parts(sums: pd.DataFrame):  # type: ignore[no-untyped-def]
    """Per row: respondents, items answered, pooled index and its variance."""
    respondents = sums["idx_n"].to_numpy(float)
    items = sum(sums[f"{s}_n"].to_numpy(float) for s in CORE_SLOTS)
    total = sum(sums[f"{s}_sum"].to_numpy(float) for s in CORE_SLOTS)
    ratio, variance = _ratio_variance(
        respondents,
        items,
        total,
        sums["idx_yy"].to_numpy(float),
        sums["idx_ym"].to_numpy(float),
        sums["idx_mm"].to_numpy(float),
    )
    return respondents, ratio, variance


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
    low, high = _enps_bounds(
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


def _enps_bounds(promoters, detractors, n, level, steps: int = 60):  # type: ignore[no-untyped-def]
    """Vectorised bounds of :func:`enps_ci` on −1…1, by bisection on each side of D (the
    score statistic grows as δ moves away from D); NaN where n = 0. Both sides are bisected
    in one pass over arrays twice as long (the same steps for every element)."""
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
    (n1, s1, q1), (n2, s2, q2) = before, after
    n1, n2 = _count("n before", n1), _count("n after", n2)
    if n1 < 2 or n2 < 2:
        return (math.nan, math.nan, math.nan)
    m1, m2 = s1 / n1, s2 / n2
    v1 = max((q1 - n1 * m1 * m1) / (n1 - 1), 0.0) / n1
    v2 = max((q2 - n2 * m2 * m2) / (n2 - 1), 0.0) / n2
    diff = m2 - m1
    if v1 + v2 == 0:
        return (diff, diff, diff)
    dof = (v1 + v2) ** 2 / ((v1 * v1) / (n1 - 1) + (v2 * v2) / (n2 - 1))
    half = float(stats.t.ppf(0.5 + level / 2, dof)) * math.sqrt(v1 + v2)
    span = scale[1] - scale[0]
    return (diff, max(diff - half, -span), min(diff + half, span))


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


def _check_sums(sums: pd.DataFrame) -> None:
    """Counts in rows of sums must be whole, 0 or more, and fit into their totals."""
    counts = [c for c in SUM_COLUMNS if c in sums and c not in ("idx_sum", "idx_sumsq")]
    counts = [c for c in counts if not c.endswith(("_sum", "_sumsq")) and c[:4] != "idx_"]
    values = sums[counts].to_numpy(float)
    if ((values < 0) | (values != np.floor(values))).any():
        raise ValueError("Counts in the sums must be whole numbers, 0 or more.")
    column = {name: i for i, name in enumerate(counts)}
    if (
        values[:, column["enps_pro"]] + values[:, column["enps_det"]] > values[:, column["enps_n"]]
    ).any():
        raise ValueError("Promoters + detractors cannot be more than the eNPS answers.")
    slots = [s for s in ALL_SLOTS if f"{s}_fav" in column and f"{s}_n" in column]
    over = (
        values[:, [column[f"{s}_fav"] for s in slots]]
        > values[:, [column[f"{s}_n"] for s in slots]]
    ).any(axis=0)
    for slot, bad in zip(slots, over, strict=True):
        if bad:
            raise ValueError(f"Favourable answers to {slot} cannot be more than its answers.")


def scores(sums: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Headline scores per row of sums: n, index with its interval, favourable with its
    Wilson interval, eNPS with its interval, promoter and detractor shares (vectorised forms
    of :func:`index_ci`, :func:`wilson_ci` and :func:`enps_ci`; every interval inside its
    scale). The index and % favourable both pool every answer to the twelve theme items."""
    _check_sums(sums)
    respondents, mean, variance = _index_parts(sums)
    index_low, index_high = _scale_interval(mean, variance, respondents, level, SCALE)
    with np.errstate(invalid="ignore", divide="ignore"):
        fav = sum(sums[f"{s}_fav"].to_numpy(float) for s in CORE_SLOTS)
        answered = sum(sums[f"{s}_n"].to_numpy(float) for s in CORE_SLOTS)
        z = float(stats.norm.ppf(0.5 + level / 2))
        p = fav / answered
        denominator = 1 + z * z / answered
        centre = (p + z * z / (2 * answered)) / denominator
        spread = z * np.sqrt(p * (1 - p) / answered + z * z / (4 * answered**2)) / denominator
        fav_low = np.where(fav <= 0, 0.0, centre - spread)  # exact ends, as wilson_ci
        fav_high = np.where(fav >= answered, 1.0, centre + spread)
        valid = answered > 0
        enps_n = sums["enps_n"].to_numpy(float)
        promoters = sums["enps_pro"].to_numpy(float)
        detractors = sums["enps_det"].to_numpy(float)
        pro = promoters / enps_n
        det = detractors / enps_n
        enps_low, enps_high = _enps_bounds(promoters, detractors, enps_n, level)
    return pd.DataFrame(
        {
            "n": sums["n"].to_numpy(int),
            "index": mean,
            "index_low": index_low,
            "index_high": index_high,
            "favourable": p,
            "favourable_low": np.where(valid, fav_low, np.nan),
            "favourable_high": np.where(valid, fav_high, np.nan),
            "enps_n": enps_n.astype(int),
            "enps": 100 * (pro - det),
            "enps_low": 100 * enps_low,
            "enps_high": 100 * enps_high,
            "promoters": pro,
            "detractors": det,
        },
        index=sums.index,
    )


def theme_scores(sums: pd.DataFrame, key: str, level: float = 0.95) -> pd.DataFrame:
    """One row per (``key``, theme): answers n, mean with its interval (that of
    :func:`scale_mean_ci`, inside 1–5), favourable share; the rows of each ``key`` together,
    in the order of ``sums``, the themes in their order."""
    keys = sums[key]
    if not keys.is_unique:  # one group per distinct key, as the order below assumes
        return _theme_scores_grouped(sums, key, level)
    rows, width = len(sums), len(CORE_SLOTS)

    parts = ("n", "sum", "sumsq", "fav")
    # One block read: per row, the twelve themes' n, then their sums, squares, favourables.
    values = sums[[f"{slot}_{part}" for part in parts for slot in CORE_SLOTS]].to_numpy(float)
    # row-major: each row's twelve themes in order
    n, total, squares, fav = (
        np.ascontiguousarray(values[:, i * width : (i + 1) * width]).reshape(-1)
        for i in range(len(parts))
    )
    mean, low, high = _scale_intervals(n, total, squares, level)
    with np.errstate(invalid="ignore", divide="ignore"):
        favourable = np.where(n > 0, fav / n, np.nan)
    return pd.DataFrame(
        {
            key: np.repeat(keys.to_numpy(), width),
            "theme": list(THEMES) * rows,
            "slot": list(CORE_SLOTS) * rows,
            "n": n.astype(int),
            "mean": mean,
            "mean_low": low,
            "mean_high": high,
            "favourable": favourable,
        }
    )


def _theme_scores_grouped(sums: pd.DataFrame, key: str, level: float) -> pd.DataFrame:
    pieces = []
    for slot, theme in zip(CORE_SLOTS, THEMES, strict=True):
        n = sums[f"{slot}_n"].to_numpy(float)
        mean, low, high = _scale_intervals(
            n, sums[f"{slot}_sum"].to_numpy(float), sums[f"{slot}_sumsq"].to_numpy(float), level
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            favourable = np.where(n > 0, sums[f"{slot}_fav"].to_numpy(float) / n, np.nan)
        pieces.append(
            pd.DataFrame(
                {
                    key: sums[key].to_numpy(),
                    "theme": theme,
                    "slot": slot,
                    "n": n.astype(int),
                    "mean": mean,
                    "mean_low": low,
                    "mean_high": high,
                    "favourable": favourable,
                }
            )
        )
    frame = pd.concat(pieces, ignore_index=True)
    order = {k: i for i, k in enumerate(sums[key].tolist())}
    frame["_order"] = frame[key].map(order)
    return (
        frame.sort_values(["_order"], kind="stable").drop(columns="_order").reset_index(drop=True)
    )


def item_scores(
    sums: pd.DataFrame, key: str, slots: Sequence[str], level: float = 0.95
) -> pd.DataFrame:
    """One row per (``key``, slot) for any 1–5 items (HR's own questions ``x1``…``x5``):
    answers n, mean with its interval (:func:`scale_mean_ci`'s, inside 1–5), favourable
    share. Like :func:`theme_scores`, but for the given slots; none of them is part of the
    engagement index or the overall % favourable.

    >>> frame = pd.DataFrame({"unit": [1] * 4, "x1": [5, 5, 4, None]})
    >>> row = item_scores(sum_responses(frame, ["unit"]), "unit", ["x1"]).iloc[0]
    >>> int(row["n"]), round(float(row["mean"]), 2), float(row["favourable"])
    (3, 4.67, 1.0)
    """
    pieces = []
    for slot in slots:
        n = sums[f"{slot}_n"].to_numpy(float)
        mean, low, high = _scale_intervals(
            n, sums[f"{slot}_sum"].to_numpy(float), sums[f"{slot}_sumsq"].to_numpy(float), level
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            favourable = np.where(n > 0, sums[f"{slot}_fav"].to_numpy(float) / n, np.nan)
        pieces.append(
            pd.DataFrame(
                {
                    key: sums[key].to_numpy(),
                    "slot": slot,
                    "n": n.astype(int),
                    "mean": mean,
                    "mean_low": low,
                    "mean_high": high,
                    "favourable": favourable,
                }
            )
        )
    columns = [key, "slot", "n", "mean", "mean_low", "mean_high", "favourable"]
    if not pieces:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(pieces, ignore_index=True)
    order = {k: i for i, k in enumerate(sums[key].tolist())}
    frame["_order"] = frame[key].map(order)
    return (
        frame.sort_values(["_order"], kind="stable").drop(columns="_order").reset_index(drop=True)
    )


def _scale_intervals(n, total, squares, level):  # type: ignore[no-untyped-def]
    """Vectorised :func:`scale_mean_ci`: means and intervals inside 1–5 (NaN where n < 2)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, total / n, np.nan)
        variance = np.maximum((squares - n * mean * mean) / (n - 1), 0.0) / n
    low, high = _scale_interval(mean, variance, n, level, SCALE)
    return mean, low, high


def change_frame(before: pd.DataFrame, after: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Change of the engagement index between aligned rows of sums (after − before) with a
    Welch–Satterthwaite interval on the two linearisation variances (independent samples:
    answers are anonymous, so people cannot be paired across waves); NaN where either side
    has fewer than 2 respondents. With no skipped question this is Welch's t interval. The
    interval stays symmetric but ends at ±4, the most the index can change on the 1–5 scale
    (see :func:`change_ci`)."""
    n1, m1, v1 = _index_parts(before)
    n2, m2, v2 = _index_parts(after)
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = m2 - m1
        dof = (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
        t = stats.t.ppf(0.5 + level / 2, np.where(np.isfinite(dof) & (dof > 0), dof, 1.0))
        half = np.where(v1 + v2 > 0, t * np.sqrt(v1 + v2), 0.0)
        valid = (n1 >= 2) & (n2 >= 2)
    span = SCALE[1] - SCALE[0]
    return pd.DataFrame(
        {
            "change": np.where(valid, diff, np.nan),
            "change_low": np.where(valid, np.maximum(diff - half, -span), np.nan),
            "change_high": np.where(valid, np.minimum(diff + half, span), np.nan),
        },
        index=after.index,
    )


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


def cronbach_alpha(answers: pd.DataFrame, level: float = 0.95) -> tuple[float, float, float, int]:
    """Cronbach's alpha of the items (columns) with Feldt's interval; returns (alpha, low,
    high, respondents).

    Computed as pingouin does with its default pairwise deletion (the covariance matrix of
    pairwise-complete answers; Feldt's F interval with n − 1 and (n − 1)(k − 1) degrees of
    freedom), without importing pingouin on this path: the tests check it against
    ``pingouin.cronbach_alpha`` on pingouin's own data sets (0.733 [0.435, 0.909] for
    ``cronbach_wide_missing``, tests/analysis/test_engagement.py).
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
