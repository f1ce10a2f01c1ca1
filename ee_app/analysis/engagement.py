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
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ee_app.instruments.pulse import CORE_SLOTS, THEMES

__all__ = [
    "SUM_COLUMNS",
    "change_ci",
    "change_frame",
    "cronbach_alpha",
    "enps_ci",
    "index_ci",
    "mean_ci",
    "percentile_rank",
    "percentile_ranks",
    "roll_up",
    "scores",
    "sum_responses",
    "theme_scores",
    "wilson_ci",
]

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


def mean_ci(
    n: float, total: float, squares: float, level: float = 0.95
) -> tuple[float, float, float]:
    """Mean and t interval from a count, a sum and a sum of squares (NaN when n < 2).

    >>> [round(v, 3) for v in mean_ci(4, 14.0, 54.0)]  # 2, 3, 4, 5: sd 1.291, t(3) = 3.182
    [3.5, 1.446, 5.554]
    """
    if n <= 0:
        return (math.nan, math.nan, math.nan)
    mean = total / n
    if n < 2:
        return (mean, math.nan, math.nan)
    variance = max((squares - n * mean * mean) / (n - 1), 0.0)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * math.sqrt(variance / n)
    return (mean, mean - half, mean + half)


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
    n/(n − 1) · Σ(y − r·m)² / items² (Cochran 1977, §6.4; ``survey::svyratio`` in R), and the
    interval uses t with n − 1 degrees of freedom. NaN bounds when n < 2.

    >>> # 2,3,4,5 (one answer each): the t interval of mean_ci (3.5 [1.446, 5.554])
    >>> [round(v, 3) for v in index_ci(4, 4, 14, 54, 14, 4)]
    [3.5, 1.446, 5.554]
    """
    mean, variance = _ratio_variance(
        np.asarray([respondents], float),
        np.asarray([items], float),
        np.asarray([total], float),
        np.asarray([yy], float),
        np.asarray([ym], float),
        np.asarray([mm], float),
    )
    half = _t_half(variance, np.asarray([respondents], float), level)
    return (float(mean[0]), float(mean[0] - half[0]), float(mean[0] + half[0]))


def _ratio_variance(respondents, items, total, yy, ym, mm):  # type: ignore[no-untyped-def]
    """Vectorised ratio ``total / items`` and its linearisation variance (see index_ci)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(items > 0, total / items, np.nan)
        residual = np.maximum(yy - 2 * ratio * ym + ratio * ratio * mm, 0.0)
        variance = np.where(
            respondents >= 2, respondents / (respondents - 1) * residual / (items * items), np.nan
        )
    return ratio, variance


def _t_half(variance, respondents, level):  # type: ignore[no-untyped-def]
    with np.errstate(invalid="ignore"):
        t = stats.t.ppf(0.5 + level / 2, np.maximum(respondents - 1, 1))
        return np.where(respondents >= 2, t * np.sqrt(variance), np.nan)


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

    >>> [round(v, 4) for v in wilson_ci(8, 10)]  # Newcombe (1998), Statist. Med. 17:857, table I
    [0.8, 0.4902, 0.9433]
    """
    if n <= 0:
        return (math.nan, math.nan, math.nan)
    z = float(stats.norm.ppf(0.5 + level / 2))
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (p, centre - half, centre + half)


def enps_ci(
    promoters: float, detractors: float, n: float, level: float = 0.95
) -> tuple[float, float, float]:
    """eNPS (−100…100) with a normal interval from the trinomial variance.

    Each answer scores +1 (9–10), 0 (7–8) or −1 (0–6); the score is 100 × their mean.

    >>> [round(v, 1) for v in enps_ci(50, 20, 100)]  # var = (0.7 - 0.3²)/100, half = 1.96·0.078
    [30.0, 14.7, 45.3]
    """
    if n <= 0:
        return (math.nan, math.nan, math.nan)
    p, d = promoters / n, detractors / n
    score = p - d
    variance = (p + d - score * score) / n
    half = float(stats.norm.ppf(0.5 + level / 2)) * math.sqrt(max(variance, 0.0))
    return (100 * score, 100 * (score - half), 100 * (score + half))


def change_ci(
    before: tuple[float, float, float], after: tuple[float, float, float], level: float = 0.95
) -> tuple[float, float, float]:
    """Difference of two independent means (after − before) with Welch's interval.

    Each argument is (n, sum, sum of squares). Waves are treated as independent samples:
    answers are anonymous, so the same people cannot be paired across waves.

    >>> [round(v, 3) for v in change_ci((4, 14.0, 54.0), (4, 18.0, 86.0))]  # 2,3,4,5 → 3,4,5,6
    [1.0, -1.234, 3.234]
    """
    (n1, s1, q1), (n2, s2, q2) = before, after
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
    return (diff, diff - half, diff + half)


def percentile_rank(values: Sequence[float], value: float) -> float:
    """Share of ``values`` below ``value`` plus half of those equal, in percent (0–100).

    >>> percentile_rank([1, 2, 3, 4], 3)
    62.5
    """
    finite = [v for v in values if not math.isnan(v)]
    if not finite or math.isnan(value):
        return math.nan
    below = sum(v < value for v in finite)
    equal = sum(v == value for v in finite)
    return 100 * (below + 0.5 * equal) / len(finite)


def scores(sums: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Headline scores per row of sums: n, index with its interval, favourable with its
    Wilson interval, eNPS with its interval, promoter and detractor shares (vectorised forms
    of :func:`index_ci`, :func:`wilson_ci` and :func:`enps_ci`). The index and % favourable
    both pool every answer to the twelve theme items."""
    respondents, mean, variance = _index_parts(sums)
    half = _t_half(variance, respondents, level)
    with np.errstate(invalid="ignore", divide="ignore"):
        fav = sum(sums[f"{s}_fav"].to_numpy(float) for s in CORE_SLOTS)
        answered = sum(sums[f"{s}_n"].to_numpy(float) for s in CORE_SLOTS)
        z = float(stats.norm.ppf(0.5 + level / 2))
        p = fav / answered
        denominator = 1 + z * z / answered
        centre = (p + z * z / (2 * answered)) / denominator
        spread = z * np.sqrt(p * (1 - p) / answered + z * z / (4 * answered**2)) / denominator
        enps_n = sums["enps_n"].to_numpy(float)
        pro = sums["enps_pro"].to_numpy(float) / enps_n
        det = sums["enps_det"].to_numpy(float) / enps_n
        net = pro - det
        enps_half = z * np.sqrt(np.maximum(pro + det - net * net, 0.0) / enps_n)
    return pd.DataFrame(
        {
            "n": sums["n"].to_numpy(int),
            "index": mean,
            "index_low": mean - half,
            "index_high": mean + half,
            "favourable": p,
            "favourable_low": centre - spread,
            "favourable_high": centre + spread,
            "enps_n": enps_n.astype(int),
            "enps": 100 * net,
            "enps_low": 100 * (net - enps_half),
            "enps_high": 100 * (net + enps_half),
            "promoters": pro,
            "detractors": det,
        },
        index=sums.index,
    )


def theme_scores(sums: pd.DataFrame, key: str, level: float = 0.95) -> pd.DataFrame:
    """One row per (``key``, theme): answers n, mean with its t interval, favourable share."""
    pieces = []
    for slot, theme in zip(CORE_SLOTS, THEMES, strict=True):
        n = sums[f"{slot}_n"].to_numpy(float)
        mean, low, high = _t_intervals(
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


def _t_intervals(n, total, squares, level):  # type: ignore[no-untyped-def]
    """Vectorised :func:`mean_ci`: means and t intervals (NaN where n < 2)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, total / n, np.nan)
        variance = np.maximum((squares - n * mean * mean) / (n - 1), 0.0)
        t = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1))
        half = np.where(n >= 2, t * np.sqrt(variance / n), np.nan)
    return mean, mean - half, mean + half


def change_frame(before: pd.DataFrame, after: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Change of the engagement index between aligned rows of sums (after − before) with a
    Welch–Satterthwaite interval on the two linearisation variances (independent samples:
    answers are anonymous, so people cannot be paired across waves); NaN where either side
    has fewer than 2 respondents. With no skipped question this is Welch's t interval."""
    n1, m1, v1 = _index_parts(before)
    n2, m2, v2 = _index_parts(after)
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = m2 - m1
        dof = (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
        t = stats.t.ppf(0.5 + level / 2, np.where(np.isfinite(dof) & (dof > 0), dof, 1.0))
        half = np.where(v1 + v2 > 0, t * np.sqrt(v1 + v2), 0.0)
        valid = (n1 >= 2) & (n2 >= 2)
    return pd.DataFrame(
        {
            "change": np.where(valid, diff, np.nan),
            "change_low": np.where(valid, diff - half, np.nan),
            "change_high": np.where(valid, diff + half, np.nan),
        },
        index=after.index,
    )


def percentile_ranks(peers: Sequence[float], values: Sequence[float]) -> np.ndarray:
    """Vectorised :func:`percentile_rank` of each value among ``peers``.

    >>> percentile_ranks([1, 2, 3, 4], [3, 4]).tolist()
    [62.5, 87.5]
    """
    ordered = np.sort(np.asarray([p for p in peers if not math.isnan(p)], dtype=float))
    values = np.asarray(values, dtype=float)
    if not len(ordered):
        return np.full(len(values), np.nan)
    below = np.searchsorted(ordered, values, side="left")
    upto = np.searchsorted(ordered, values, side="right")
    ranks = 100 * (below + 0.5 * (upto - below)) / len(ordered)
    return np.where(np.isnan(values), np.nan, ranks)


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
