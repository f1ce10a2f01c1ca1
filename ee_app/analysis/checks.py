"""Checks on the data and arguments handed to the statistics (the correlations of
:mod:`linkage`, :mod:`repeated_measures`, :mod:`reliability`, :mod:`winsorized`, and the
customer outcomes of :mod:`csat` and :mod:`repurchase`), in one place so that each says the
same thing in the same words: a bad input raises ``ValueError`` with what to do next, never
an ``assert`` (asserts vanish under ``python -O``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "check_count",
    "check_level",
    "check_probability",
    "complete_rows",
    "numeric_columns",
    "require_columns",
    "require_columns_in",
]


def require_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise ``ValueError`` unless ``frame`` is a DataFrame holding each of ``columns`` once.

    >>> require_columns(pd.DataFrame({"x": [1]}), ["x", "y"])
    Traceback (most recent call last):
    ...
    ValueError: The data lack the column(s) y.
    """
    if not isinstance(frame, pd.DataFrame):
        raise ValueError("Pass the data as a pandas DataFrame with one row per unit.")
    missing = [str(column) for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"The data lack the column(s) {', '.join(missing)}.")
    twice = [str(column) for column in columns if (frame.columns == column).sum() > 1]
    if twice:
        raise ValueError(f"The data have two columns named {', '.join(twice)}; rename one.")


def numeric_columns(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """The columns as an n × k float array, NaN where missing; ValueError if not numbers
    (an empty column passes whatever its dtype, e.g. ``pd.DataFrame(columns=[...])``).

    >>> numeric_columns(pd.DataFrame({"x": [1, None], "y": [2.5, 3.0]}), ["x", "y"])
    array([[1. , 2.5],
           [nan, 3. ]])
    """
    require_columns(frame, columns)
    out = np.empty((len(frame), len(columns)))
    for position, column in enumerate(columns):
        series = frame[column]
        if len(series) and not pd.api.types.is_numeric_dtype(series.dtype):
            raise ValueError(f"{column} must be numeric; convert it with pd.to_numeric first.")
        values = series.to_numpy(dtype=float, na_value=np.nan)
        if np.isinf(values).any():
            raise ValueError(f"{column} has infinite values; pass finite numbers or NaN.")
        out[:, position] = values
    return out


def complete_rows(values: np.ndarray) -> np.ndarray:
    """The rows of ``values`` with no NaN (listwise deletion).

    >>> complete_rows(np.array([[1.0, 2.0], [np.nan, 3.0], [4.0, 5.0]]))
    array([[1., 2.],
           [4., 5.]])
    """
    return values[~np.isnan(values).any(axis=1)]


def check_level(level: float) -> None:
    """Raise ``ValueError`` unless ``level`` (of an interval) lies strictly between 0 and 1.

    >>> check_level(0.95)
    >>> check_level(95)
    Traceback (most recent call last):
    ...
    ValueError: level must lie strictly between 0 and 1, e.g. 0.95.
    """
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise ValueError("level must lie strictly between 0 and 1, e.g. 0.95.")


def check_probability(value: float, name: str) -> None:
    """Raise ``ValueError`` unless ``value`` lies strictly between 0 and 1.

    >>> check_probability(1.0, "power")
    Traceback (most recent call last):
    ...
    ValueError: power must lie strictly between 0 and 1.
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise ValueError(f"{name} must lie strictly between 0 and 1.")


def check_count(value: int, name: str, least: int) -> None:
    """Raise ``ValueError`` unless ``value`` is a whole number of at least ``least``.

    >>> check_count(2.5, "points", 2)
    Traceback (most recent call last):
    ...
    ValueError: points must be a whole number of at least 2.
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
        raise ValueError(f"{name} must be a whole number of at least {least}.")


def require_columns_in(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Raise ``ValueError`` naming ``what`` (``"records"``, ``"transactions"`` …) and the
    columns it lacks, for tables whose rows are records rather than units.

    >>> require_columns_in(pd.DataFrame({"tx_id": [1]}), ["tx_id", "customer"], "transactions")
    Traceback (most recent call last):
    ...
    ValueError: transactions lacks the column(s) customer.
    """
    missing = [c for c in dict.fromkeys(columns) if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks the column(s) {', '.join(missing)}.")
