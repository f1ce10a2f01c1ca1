"""The sums a closed wave stores: counts, sums and sums of squares per answer slot and per
group of respondents (:func:`sum_responses`), from which every engagement score is computed
(:mod:`~ee_app.analysis.engagement`), so any roll-up (:func:`roll_up`) or slice is a sum of
rows and no page ever needs the answers themselves. :data:`SUM_COLUMNS` names them;
:func:`check_sums` refuses counts that no answers give.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ee_app.instruments.pulse import CORE_SLOTS, CUSTOM_SLOTS

__all__ = ["SUM_COLUMNS", "check_sums", "roll_up", "sum_responses"]

ALL_SLOTS = (*CORE_SLOTS, *CUSTOM_SLOTS)
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

    >>> frame = pd.DataFrame({"unit": [1, 1, 2], "a01": [4, 5, 2], "enps": [10, 6, 9]})
    >>> tree = {1: [1, 0], 2: [2, 0]}  # stores 1 and 2 under region 0
    >>> rolled = roll_up(sum_responses(frame, ["unit"]), "unit", tree)
    >>> rolled[["unit", "n", "a01_sum"]].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'unit': 0, 'n': 3, 'a01_sum': 11}, {'unit': 1, 'n': 2, 'a01_sum': 9},
     {'unit': 2, 'n': 1, 'a01_sum': 2}]
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


def check_sums(sums: pd.DataFrame) -> None:
    """Raise ``ValueError`` unless the counts in rows of sums are whole, 0 or more, and fit
    into their totals (favourable answers into answers, promoters + detractors into eNPS
    answers): every score is computed from them, so a bad row is refused before any is.

    >>> sums = sum_responses(pd.DataFrame({"unit": [1], "a01": [4], "enps": [9]}), ["unit"])
    >>> check_sums(sums)
    >>> check_sums(sums.assign(enps_det=1))
    Traceback (most recent call last):
    ...
    ValueError: Promoters + detractors cannot be more than the eNPS answers.
    """
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
