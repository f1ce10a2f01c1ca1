"""Engagement and outcomes of the same units across waves: does a unit's outcome move with
its own engagement (:func:`repeated_measures`), and does engagement in one wave go with the
outcome in the next (:func:`lagged_pairs`, to correlate with
:func:`~ee_app.analysis.linkage.unit_correlation`: temporal order, not proof of cause)?

Comparing a unit with itself leaves out stable differences between units (size, location,
clientele), which a correlation across units cannot. Conventions (missing values, intervals,
p-values) are those of :mod:`~ee_app.analysis.linkage`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ee_app.analysis.checks import check_level, numeric_columns, require_columns
from ee_app.analysis.linkage import fisher_interval, r_pvalue

__all__ = ["lagged_pairs", "repeated_measures"]

_NAN = math.nan
_LAG_COLUMNS = ("unit", "period", "x", "y_next", "next_period")


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
    check_level(level)
    values = numeric_columns(frame, [x, y])
    require_columns(frame, [subject])
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
    low, high = fisher_interval(r, dof + 2, level)
    result.update(r=r, p=r_pvalue(r, dof), r_low=low, r_high=high)
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
    :func:`~ee_app.analysis.linkage.unit_correlation` does).

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
    require_columns(frame, [unit, period, x, y])
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
