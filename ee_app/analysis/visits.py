"""Mystery-shopper results: visit scores summarised by store, section, staff member or month.

Pure functions: one row per approved visit in (``score`` and ``raw_score`` as percentages,
``passed`` and ``critical_failed`` as booleans, plus the grouping columns), one row per group
out, each with its n and 95% intervals: for the mean score the interval of
:func:`~ee_app.analysis.intervals.scale_mean_ci` on the 0–100 range a score can take (a
score interval on the share of the range, inside it by construction, where a t interval of a
few visits near 100% would pass it; none below n = 2), Wilson intervals for the pass rate and
the critical-failure rate.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ee_app.analysis.intervals import scale_mean_ci, wilson_ci

__all__ = ["SCORE_RANGE", "score_ci", "section_summary", "visit_summary"]

#: The range a visit score (or a section's) can take, in %.
SCORE_RANGE: tuple[float, float] = (0.0, 100.0)

_VISIT_COLUMNS = ("score", "raw_score", "passed", "critical_failed")


def _require(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"visits need the columns {missing}.")


def score_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of scores in % (NaN ignored) and its interval inside 0–100 (NaN bounds below 2).

    >>> # y = .83, v = (s²/n)/100² = (6.667/4)/10⁴, t(3) = 3.1824, c = t²v/(y(1 − y)) = .011963:
    >>> # (2y + c ∓ √(c² + 4c·y(1 − y)))/(2(1 + c)) = .78507, .86713 (t interval: 78.89, 87.11)
    >>> [round(v, 2) for v in score_ci(np.array([80.0, 82.0, 84.0, 86.0]))]
    [83.0, 78.51, 86.71]
    >>> [round(v, 2) for v in score_ci(np.array([100.0, 100.0, 100.0]))]  # u = z²/(3 + z²)
    [100.0, 43.85, 100.0]
    """
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    n = len(values)
    return scale_mean_ci(n, float(values.sum()), float((values**2).sum()), level, scale=SCORE_RANGE)


def visit_summary(visits: pd.DataFrame, by: Sequence[str], level: float = 0.95) -> pd.DataFrame:
    """Per group: ``n`` visits, ``mean`` final score with ``low``–``high``, ``raw_mean`` (the
    score before critical failures set visits to 0), ``passed`` and ``pass_rate`` with
    ``pass_low``–``pass_high``, ``critical`` failures and ``critical_rate``.

    >>> v = pd.DataFrame({"store": ["A"] * 4, "score": [90.0, 80.0, 0.0, 70.0],
    ...     "raw_score": [90.0, 80.0, 85.0, 70.0], "passed": [True, True, False, False],
    ...     "critical_failed": [False, False, True, False]})
    >>> row = visit_summary(v, ["store"]).iloc[0]
    >>> int(row.n), float(row["mean"]), float(row.raw_mean), float(row.pass_rate)
    (4, 60.0, 81.25, 0.5)
    >>> # a t interval would be 60 ± 64.96, past both ends; this one stays inside 0–100
    >>> round(float(row.low), 2), round(float(row.high), 2)
    (14.0, 93.26)
    """
    _require(visits, [*by, *_VISIT_COLUMNS])
    rows = []
    for key, group in visits.groupby(list(by), sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        n = len(group)
        mean, low, high = score_ci(group["score"].to_numpy(dtype=float), level)
        passed = int(group["passed"].astype(bool).sum())
        critical = int(group["critical_failed"].astype(bool).sum())
        _, pass_low, pass_high = wilson_ci(passed, n, level)
        _, crit_low, crit_high = wilson_ci(critical, n, level)
        rows.append(
            {
                **dict(zip(by, key, strict=True)),
                "n": n,
                "mean": mean,
                "low": low,
                "high": high,
                "raw_mean": float(np.nanmean(group["raw_score"].to_numpy(dtype=float))),
                "passed": passed,
                "pass_rate": passed / n,
                "pass_low": pass_low,
                "pass_high": pass_high,
                "critical": critical,
                "critical_rate": critical / n,
                "critical_low": crit_low,
                "critical_high": crit_high,
            }
        )
    columns = [
        *by,
        "n",
        "mean",
        "low",
        "high",
        "raw_mean",
        "passed",
        "pass_rate",
        "pass_low",
        "pass_high",
        "critical",
        "critical_rate",
        "critical_low",
        "critical_high",
    ]
    return pd.DataFrame(rows, columns=columns)


def section_summary(sections: pd.DataFrame, by: Sequence[str], level: float = 0.95) -> pd.DataFrame:
    """Per group and section: ``n`` visits in which the section had points possible (a
    section that was all N/A in a visit is left out, not counted as 0), the ``mean`` section
    score (a percentage) with ``low``–``high``.

    ``sections`` has one row per visit and section: the ``by`` columns, ``section`` and
    ``share`` (the section's score in that visit, NaN when all N/A).

    >>> s = pd.DataFrame({"store": ["A", "A", "A"], "section": ["x", "x", "x"],
    ...     "share": [100.0, 50.0, float("nan")]})
    >>> row = section_summary(s, ["store"]).iloc[0]
    >>> int(row.n), float(row["mean"])
    (2, 75.0)
    """
    _require(sections, [*by, "section", "share"])
    rows = []
    keys = [*by, "section"]
    for key, group in sections.groupby(keys, sort=True, dropna=False):
        values = group["share"].to_numpy(dtype=float)
        values = values[~np.isnan(values)]
        if not len(values):
            continue
        mean, low, high = score_ci(values, level)
        rows.append(
            {
                **dict(zip(keys, key, strict=True)),
                "n": len(values),
                "mean": mean,
                "low": low,
                "high": high,
            }
        )
    return pd.DataFrame(rows, columns=[*keys, "n", "mean", "low", "high"])
