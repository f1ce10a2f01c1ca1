"""Engagement scores from the sums a closed wave stores (:mod:`~ee_app.analysis.sums`):
headline scores, theme and item means, the change between waves. Definitions:

* engagement index: the mean of every answer given to the twelve theme items (1–5), so it is a
  function of the themes' own sums and counts and can never reveal more than they do; its
  interval treats each respondent's answers as one cluster (the linearisation variance of a
  ratio estimator: Cochran, *Sampling Techniques*, 3rd ed., 1977, §6.4; R's
  ``survey::svyratio``). With no skipped question it equals the mean of the respondents' own
  means and the t interval around it;
* favourable: the share of 4 and 5 answers among all answered theme items (认同率);
* eNPS: % of 9–10 minus % of 0–6 on the recommendation question, from −100 to 100.

The intervals, each inside its scale, are those of :mod:`~ee_app.analysis.intervals`, in
their vectorised forms; percentile ranks are in :mod:`~ee_app.analysis.ranks` and the
scale's reliability (Cronbach's alpha) in :mod:`~ee_app.analysis.reliability`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ee_app.analysis.intervals import SCALE, enps_bounds, ratio_variance, scale_interval
from ee_app.analysis.sums import check_sums
from ee_app.instruments.pulse import CORE_SLOTS, THEMES

__all__ = [
    "change_frame",
    "index_parts",
    "item_scores",
    "scores",
    "theme_scores",
]


def index_parts(sums: pd.DataFrame):  # type: ignore[no-untyped-def]
    """Per row of sums: respondents, the pooled engagement index and the variance of it (the
    linearisation variance of :func:`~ee_app.analysis.intervals.index_ci`), as arrays.

    >>> from ee_app.analysis.sums import sum_responses
    >>> sums = sum_responses(pd.DataFrame({"unit": [1] * 4, "a01": [2, 3, 4, 5]}), ["unit"])
    >>> respondents, index, variance = index_parts(sums)
    >>> float(respondents[0]), float(index[0]), round(float(variance[0]), 4)
    (4.0, 3.5, 0.4167)
    """
    respondents = sums["idx_n"].to_numpy(float)
    items = sum(sums[f"{s}_n"].to_numpy(float) for s in CORE_SLOTS)
    total = sum(sums[f"{s}_sum"].to_numpy(float) for s in CORE_SLOTS)
    ratio, variance = ratio_variance(
        respondents,
        items,
        total,
        sums["idx_yy"].to_numpy(float),
        sums["idx_ym"].to_numpy(float),
        sums["idx_mm"].to_numpy(float),
    )
    return respondents, ratio, variance


def scores(sums: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Headline scores per row of sums: n, index with its interval, favourable with its
    Wilson interval, eNPS with its interval, promoter and detractor shares (vectorised forms
    of ``index_ci``, ``wilson_ci`` and ``enps_ci`` of :mod:`~ee_app.analysis.intervals`;
    every interval inside its scale). The index and % favourable both pool every answer to
    the twelve theme items.

    >>> from ee_app.analysis.sums import sum_responses
    >>> frame = pd.DataFrame(
    ...     {"unit": [1] * 4, "a01": [2, 3, 4, 5], "a02": [4, 4, 5, 5], "enps": [10, 9, 6, 8]}
    ... )
    >>> row = scores(sum_responses(frame, ["unit"])).iloc[0]
    >>> shown = ("index", "index_low", "index_high", "favourable", "enps")
    >>> [round(float(row[column]), 3) for column in shown]
    [4.0, 2.4, 4.774, 0.75, 25.0]
    """
    check_sums(sums)
    respondents, mean, variance = index_parts(sums)
    index_low, index_high = scale_interval(mean, variance, respondents, level, SCALE)
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
        enps_low, enps_high = enps_bounds(promoters, detractors, enps_n, level)
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
    :func:`~ee_app.analysis.intervals.scale_mean_ci`, inside 1–5), favourable share; the
    rows of each ``key`` together, in the order of ``sums``, the themes in their order.

    >>> from ee_app.analysis.sums import sum_responses
    >>> frame = pd.DataFrame({"unit": [1] * 4, "a01": [2, 3, 4, 5], "a02": [4, 4, 5, 5]})
    >>> table = theme_scores(sum_responses(frame, ["unit"]), "unit")
    >>> table[["theme", "n", "mean", "favourable"]].head(2).to_dict("records")
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'theme': 'expectations', 'n': 4, 'mean': 3.5, 'favourable': 0.5},
     {'theme': 'resources', 'n': 4, 'mean': 4.5, 'favourable': 1.0}]
    """
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
    return _slot_scores(sums, key, CORE_SLOTS, level, themes=THEMES)


def _slot_scores(
    sums: pd.DataFrame,
    key: str,
    slots: Sequence[str],
    level: float,
    themes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per ``key`` and slot (in ``sums``' order of keys, then ``slots``' order): n, the mean
    with its interval inside 1–5, the favourable share; the slot's theme beside it when
    ``themes`` names one per slot."""
    pieces = []
    for i, slot in enumerate(slots):
        n = sums[f"{slot}_n"].to_numpy(float)
        mean, low, high = _scale_intervals(
            n, sums[f"{slot}_sum"].to_numpy(float), sums[f"{slot}_sumsq"].to_numpy(float), level
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            favourable = np.where(n > 0, sums[f"{slot}_fav"].to_numpy(float) / n, np.nan)
        named = {"theme": themes[i]} if themes is not None else {}
        pieces.append(
            pd.DataFrame(
                {
                    key: sums[key].to_numpy(),
                    **named,
                    "slot": slot,
                    "n": n.astype(int),
                    "mean": mean,
                    "mean_low": low,
                    "mean_high": high,
                    "favourable": favourable,
                }
            )
        )
    if not pieces:
        return pd.DataFrame(
            columns=[key, "slot", "n", "mean", "mean_low", "mean_high", "favourable"]
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
    answers n, mean with its interval (that of
    :func:`~ee_app.analysis.intervals.scale_mean_ci`, inside 1–5), favourable share. Like
    :func:`theme_scores`, but for the given slots; none of them is part of the engagement
    index or the overall % favourable.

    >>> from ee_app.analysis.sums import sum_responses
    >>> frame = pd.DataFrame({"unit": [1] * 4, "x1": [5, 5, 4, None]})
    >>> row = item_scores(sum_responses(frame, ["unit"]), "unit", ["x1"]).iloc[0]
    >>> int(row["n"]), round(float(row["mean"]), 2), float(row["favourable"])
    (3, 4.67, 1.0)
    """
    return _slot_scores(sums, key, slots, level)


def _scale_intervals(n, total, squares, level):  # type: ignore[no-untyped-def]
    """Vectorised :func:`~ee_app.analysis.intervals.scale_mean_ci`: means and intervals
    inside 1–5 (NaN where n < 2)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, total / n, np.nan)
        variance = np.maximum((squares - n * mean * mean) / (n - 1), 0.0) / n
    low, high = scale_interval(mean, variance, n, level, SCALE)
    return mean, low, high


def change_frame(before: pd.DataFrame, after: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Change of the engagement index between aligned rows of sums (after − before) with a
    Welch–Satterthwaite interval on the two linearisation variances (independent samples:
    answers are anonymous, so people cannot be paired across waves); NaN where either side
    has fewer than 2 respondents. With no skipped question this is Welch's t interval. The
    interval stays symmetric but ends at ±4, the most the index can change on the 1–5 scale
    (see :func:`~ee_app.analysis.intervals.change_ci`).

    >>> from ee_app.analysis.sums import sum_responses
    >>> def wave(answers):
    ...     return sum_responses(pd.DataFrame({"unit": [1] * 4, "a01": answers}), ["unit"])
    >>> change_frame(wave([2, 3, 4, 5]), wave([2, 4, 5, 5])).round(3).to_dict("records")
    [{'change': 0.5, 'change_low': -1.847, 'change_high': 2.847}]

    As ``change_ci((4, 14.0, 54.0), (4, 16.0, 70.0))``: one answer each, Welch's interval.
    """
    n1, m1, v1 = index_parts(before)
    n2, m2, v2 = index_parts(after)
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
