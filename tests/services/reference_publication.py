"""A frozen copy of ee_app/analysis/publication.py (and the score functions it calls) before
issue 20 (part E), the reference for tests/services/test_results_reference.py.

What a reader may see of summed results: one decision, asked by every surface.

A closed wave's results are sums per unit (and per store slice) with, for each row, the
metrics that must stay hidden, decided once by the disclosure rules
(:mod:`ee_app.analysis.disclosure`) on the number of *answers* each metric rests on. These
functions turn such rows into the figures a page, an export, a headline card, a trend or the
command line shows, blanking exactly the hidden ones, so no surface can show a figure another
surface hides:

* ``"n"`` hidden: nothing of the row (not even its number of respondents);
* ``"index"`` hidden: the engagement index and the overall % favourable (both pool every
  theme, so they are hidden wherever one theme is) and everything computed from them;
* ``"enps"`` hidden: the eNPS, its interval, the promoter and detractor shares and its n;
* a question's slot hidden: that theme's (or own question's) n, mean, interval and %
  favourable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ee_app.analysis.engagement import THEMES, _scale_intervals, index_parts, item_scores
from ee_app.analysis.intervals import SCALE, enps_bounds, scale_interval
from ee_app.analysis.sums import ALL_SLOTS, SUM_COLUMNS
from ee_app.instruments.pulse import CORE_SLOTS

__all__ = ["INDEX_COLUMNS", "published_items", "published_scores", "published_themes"]


def check_sums(sums: pd.DataFrame) -> None:
    """Counts in rows of sums must be whole, 0 or more, and fit into their totals."""
    counts = [c for c in SUM_COLUMNS if c in sums and c not in ("idx_sum", "idx_sumsq")]
    counts = [c for c in counts if not c.endswith(("_sum", "_sumsq")) and c[:4] != "idx_"]
    values = sums[counts].to_numpy(float)
    if ((values < 0) | (values != np.floor(values))).any():
        raise ValueError("Counts in the sums must be whole numbers, 0 or more.")
    if (sums["enps_pro"] + sums["enps_det"] > sums["enps_n"]).any():
        raise ValueError("Promoters + detractors cannot be more than the eNPS answers.")
    for slot in ALL_SLOTS:
        if f"{slot}_fav" in sums and (sums[f"{slot}_fav"] > sums[f"{slot}_n"]).any():
            raise ValueError(f"Favourable answers to {slot} cannot be more than its answers.")


def scores(sums: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Headline scores per row of sums: n, index with its interval, favourable with its
    Wilson interval, eNPS with its interval, promoter and detractor shares (vectorised forms
    of :func:`index_ci`, :func:`wilson_ci` and :func:`enps_ci`; every interval inside its
    scale). The index and % favourable both pool every answer to the twelve theme items."""
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
    :func:`scale_mean_ci`, inside 1–5), favourable share."""
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


#: Columns that rest on every theme: hidden together with the index.
INDEX_COLUMNS = (
    "index",
    "index_low",
    "index_high",
    "favourable",
    "favourable_low",
    "favourable_high",
)
_ENPS_COLUMNS = ("enps_n", "enps", "enps_low", "enps_high", "promoters", "detractors")
_THEME_COLUMNS = ("n", "mean", "mean_low", "mean_high", "favourable")


def _flags(hidden: Mapping[str, np.ndarray], metric: str, rows: int) -> np.ndarray:
    flags = np.asarray(hidden.get(metric, np.zeros(rows, dtype=bool)), dtype=bool)
    if flags.shape != (rows,):
        raise ValueError(f"hidden[{metric!r}] must have one flag per row.")
    return flags


def published_scores(sums: pd.DataFrame, hidden: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """The headline scores of each row of ``sums`` (see
    :func:`~ee_app.analysis.engagement.scores`) as a reader may see them, with a boolean
    ``hidden`` column (nothing of the row is shown) and NaN in every hidden figure.

    ``hidden`` maps a metric (``"n"``, ``"index"``, ``"enps"``) to one flag per row.

    >>> from ee_app.analysis.sums import sum_responses
    >>> answers = pd.DataFrame({"unit": [1] * 6, "a01": [4, 5, 3, 4, 5, 4],
    ...                         "enps": [10, 9, None, None, None, 3]})
    >>> sums = sum_responses(answers, ["unit"])
    >>> shown = published_scores(sums, {"enps": np.array([True])})  # 3 eNPS answers < k
    >>> shown[["n", "index", "enps_n", "enps"]].to_dict("records")
    [{'n': 6.0, 'index': 4.166666666666667, 'enps_n': nan, 'enps': nan}]
    """
    rows = len(sums)
    frame = scores(sums).astype(float)
    none = _flags(hidden, "n", rows)
    index = none | _flags(hidden, "index", rows)
    enps = none | _flags(hidden, "enps", rows)
    for columns, blank in ((INDEX_COLUMNS, index), (_ENPS_COLUMNS, enps)):
        if blank.any():
            for column in columns:
                frame[column] = np.where(blank, np.nan, frame[column].to_numpy())
    if none.any():
        for column in frame.columns:
            frame[column] = np.where(none, np.nan, frame[column].to_numpy())
    frame.insert(0, "hidden", none)
    return frame


def published_themes(
    sums: pd.DataFrame, key: str, hidden: Mapping[str, np.ndarray]
) -> pd.DataFrame:
    """One row per (``key``, theme) as a reader may see it: n, mean with its interval, %
    favourable, and a boolean ``hidden`` (that theme's answers, or the whole row, are
    hidden; its figures are NaN).

    >>> from ee_app.analysis.sums import sum_responses
    >>> answers = pd.DataFrame(
    ...     {"unit": [1] * 5, "a01": [4, 5, 3, 4, 5], "a02": [2, 3, None, None, None]}
    ... )
    >>> sums = sum_responses(answers, ["unit"])
    >>> themes = published_themes(sums, "unit", {"a02": np.array([True])})
    >>> themes.loc[themes["slot"].isin(["a01", "a02"]), ["slot", "n", "hidden"]].to_dict("records")
    [{'slot': 'a01', 'n': 5.0, 'hidden': False}, {'slot': 'a02', 'n': nan, 'hidden': True}]
    """
    rows = len(sums)
    themes = theme_scores(sums, key)
    none = _flags(hidden, "n", rows)
    position = {value: i for i, value in enumerate(sums[key].tolist())}
    where = themes[key].map(position).to_numpy(int)
    blank = none[where]
    for slot in CORE_SLOTS:
        blank |= (themes["slot"] == slot).to_numpy() & _flags(hidden, slot, rows)[where]
    themes["n"] = themes["n"].astype(float)
    for column in _THEME_COLUMNS:
        themes[column] = themes[column].where(~blank)
    themes["hidden"] = blank
    return themes


def published_items(
    sums: pd.DataFrame, key: str, hidden: Mapping[str, np.ndarray], slots: Sequence[str]
) -> pd.DataFrame:
    """HR's own questions (``slots``, e.g. ``x1``, ``x2``) per row of ``sums`` as a reader may
    see them: like :func:`published_themes`, each blank where its own answers (or the whole
    row) are hidden. They never enter the index, so hiding one hides nothing else.

    >>> from ee_app.analysis.sums import sum_responses
    >>> answers = pd.DataFrame({"unit": [1] * 5, "x1": [4, 5, 3, 4, 5], "x2": [2, 3] + [None] * 3})
    >>> sums = sum_responses(answers, ["unit"])
    >>> items = published_items(sums, "unit", {"x2": np.array([True])}, ["x1", "x2"])
    >>> items[["slot", "n", "hidden"]].to_dict("records")
    [{'slot': 'x1', 'n': 5.0, 'hidden': False}, {'slot': 'x2', 'n': nan, 'hidden': True}]
    """
    rows = len(sums)
    items = item_scores(sums, key, slots)
    none = _flags(hidden, "n", rows)
    position = {value: i for i, value in enumerate(sums[key].tolist())}
    where = items[key].map(position).to_numpy(int)
    blank = none[where]
    for slot in slots:
        blank |= (items["slot"] == slot).to_numpy() & _flags(hidden, slot, rows)[where]
    items["n"] = items["n"].astype(float)
    for column in _THEME_COLUMNS:
        items[column] = items[column].where(~blank)
    items["hidden"] = blank
    return items
