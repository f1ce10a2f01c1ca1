"""The attempts an item analysis reads, checked, and their attempt × slot matrix.

:mod:`ee_app.analysis.items` takes one row per (attempt, question drawn in it), first attempts
only. Every statistic there assumes what is checked here, so a file that breaks it is refused
with a message saying what to fix rather than giving figures that look right: each attempt of
one test draws the same number k of questions into slots 0 … k − 1, each question at most once,
and every answer is right (1) or wrong (0).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = ["COLUMNS", "Attempts", "checked_attempts"]

#: The columns of the attempts: ``attempt`` and ``question`` (ids), ``slot`` (the question's
#: position in the attempt's draw) and ``right`` (1 or 0; booleans are accepted).
COLUMNS = ("attempt", "question", "slot", "right")


class Attempts(NamedTuple):
    """The checked input: per-row codes and values, and the attempt × slot matrix."""

    attempt: np.ndarray  # attempt code of each row
    question: np.ndarray  # question code of each row
    questions: pd.Index  # the question ids, sorted; code i is questions[i]
    right: np.ndarray  # 0/1 of each row (int64)
    matrix: np.ndarray  # attempts × slots, 0/1 (int64)
    totals: np.ndarray  # right answers per attempt (int64)


def checked_attempts(frame: pd.DataFrame) -> Attempts:
    """Check the rows and build the attempt × slot matrix.

    Raises ValueError, saying what to fix, on a missing column or id, ``right`` other than
    0/1, attempts with different numbers of slots, slots not numbered 0 … k − 1, or a
    question drawn twice in one attempt.

    >>> frame = pd.DataFrame(
    ...     {"attempt": [7, 7, 8, 8], "question": ["b", "a", "a", "b"], "slot": [0, 1, 0, 1],
    ...      "right": [1, 0, 1, 1]},
    ... )
    >>> attempts = checked_attempts(frame)
    >>> attempts.matrix.tolist(), attempts.totals.tolist(), attempts.questions.tolist()
    ([[1, 0], [1, 1]], [1, 2], ['a', 'b'])
    >>> attempts.question.tolist()  # each row's question as a code into questions
    [1, 0, 0, 1]
    """
    if not isinstance(frame, pd.DataFrame):
        raise ValueError("Pass the attempts as a DataFrame with one row per question drawn.")
    missing = [column for column in COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(
            f"The attempts lack the column(s) {', '.join(missing)}; each row needs "
            "attempt, question, slot and right."
        )
    for column in ("attempt", "question"):
        if frame[column].isna().any():
            raise ValueError(f"The {column} column has missing ids; every row needs one.")
    right = _numbers(frame["right"])
    if not np.isin(right, (0.0, 1.0)).all():
        raise ValueError("right must be 1 (right) or 0 (wrong) on every row.")
    slot = _numbers(frame["slot"])
    if not (np.isfinite(slot).all() and (slot == np.floor(slot)).all() and (slot >= 0).all()):
        raise ValueError("slot must be the question's position in the attempt: 0, 1, 2, …")
    attempt, attempts = pd.factorize(frame["attempt"])
    try:
        question, questions = pd.factorize(frame["question"], sort=True)
    except TypeError as exc:
        raise ValueError("Question ids must be all numbers or all text.") from exc
    counts = np.bincount(attempt, minlength=len(attempts))
    k = int(counts[0]) if len(counts) else 0
    if (counts != k).any():
        other = int(np.argmax(counts != k))
        raise ValueError(
            f"Attempt {attempts[0]!r} has {k} questions but attempt {attempts[other]!r} has "
            f"{int(counts[other])}; every attempt of one test draws the same number of "
            "questions: analyse one test (one quiz version) at a time."
        )
    slots = slot.astype(np.int64)
    if (slots >= k).any() or _has_duplicates(attempt, slots, k):
        raise ValueError(
            f"Each attempt's {k} slots must be numbered 0 to {k - 1}, each once; "
            "check the slot column."
        )
    if _has_duplicates(attempt, question, len(questions)):
        raise ValueError("A question appears twice in one attempt; each is drawn at most once.")
    right = right.astype(np.int64)
    matrix = np.zeros((len(attempts), k), dtype=np.int64)
    matrix[attempt, slots] = right
    return Attempts(attempt, question, pd.Index(questions), right, matrix, matrix.sum(axis=1))


def _numbers(values: pd.Series) -> np.ndarray:
    """A column as floats, NaN where it is missing or not a number."""
    numeric = pd.to_numeric(values, errors="coerce")
    return np.asarray(numeric.to_numpy(dtype=float, na_value=np.nan), dtype=float)


def _has_duplicates(group: np.ndarray, code: np.ndarray, size: int) -> bool:
    keys = group.astype(np.int64) * max(size, 1) + code.astype(np.int64)
    return len(np.unique(keys)) < len(keys)
