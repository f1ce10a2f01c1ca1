"""What a reader may see of summed results: one decision, asked by every surface.

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

from ee_app.analysis.engagement import index_parts, item_scores, scores, theme_scores
from ee_app.analysis.intervals import SCALE, scale_interval
from ee_app.analysis.sums import check_sums
from ee_app.instruments.pulse import CORE_SLOTS

__all__ = [
    "INDEX_COLUMNS",
    "published_index",
    "published_index_interval",
    "published_items",
    "published_scores",
    "published_themes",
]

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


def published_index(sums: pd.DataFrame, hidden: Mapping[str, np.ndarray]) -> np.ndarray:
    """The engagement index of each row of ``sums`` as a reader may see it: the ``index``
    column of :func:`published_scores` (NaN where the row or the index is hidden), without
    the other figures and their intervals.

    >>> from ee_app.analysis.sums import sum_responses
    >>> answers = pd.DataFrame({"unit": [1, 1, 2, 2], "a01": [4, 5, 3, 4]})
    >>> sums = sum_responses(answers, ["unit"])
    >>> published_index(sums, {"index": np.array([False, True])}).tolist()
    [4.5, nan]
    """
    check_sums(sums)
    rows = len(sums)
    _respondents, index, _variance = index_parts(sums)
    blank = _flags(hidden, "n", rows) | _flags(hidden, "index", rows)
    return np.where(blank, np.nan, index.astype(float))


def published_index_interval(sums: pd.DataFrame, hidden: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """The ``n``, ``index``, ``index_low`` and ``index_high`` columns of
    :func:`published_scores` (the same functions on the same values: the same bits, blank
    where it blanks them), without the other figures: a trend shows only these, and the eNPS
    interval's bisection was most of the time of publishing a trend's few rows.

    >>> from ee_app.analysis.sums import sum_responses
    >>> answers = pd.DataFrame({"unit": [1, 1, 2, 2], "a01": [4, 5, 3, 4]})
    >>> sums = sum_responses(answers, ["unit"])
    >>> frame = published_index_interval(sums, {"index": np.array([False, True])})
    >>> frame[["n", "index"]].to_dict("records")
    [{'n': 2.0, 'index': 4.5}, {'n': 2.0, 'index': nan}]
    """
    check_sums(sums)
    rows = len(sums)
    respondents, index, variance = index_parts(sums)
    low, high = scale_interval(index, variance, respondents, 0.95, SCALE)
    none = _flags(hidden, "n", rows)
    blank = none | _flags(hidden, "index", rows)
    return pd.DataFrame(
        {
            "n": np.where(none, np.nan, sums["n"].to_numpy(int).astype(float)),
            "index": np.where(blank, np.nan, index.astype(float)),
            "index_low": np.where(blank, np.nan, low.astype(float)),
            "index_high": np.where(blank, np.nan, high.astype(float)),
        },
        index=sums.index,
    )


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
    # Each theme row's own flag: the row's flags, one column per slot, read at the row's slot.
    by_slot = np.column_stack([_flags(hidden, slot, rows) for slot in CORE_SLOTS])
    column = pd.Index(CORE_SLOTS).get_indexer(themes["slot"])
    blank = none[where] | by_slot.reshape(rows, len(CORE_SLOTS))[where, column]
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
