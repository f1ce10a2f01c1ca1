"""Who gains, who loses: one set of pay lines (a draft) against another (the baseline).

Pure arithmetic on two DataFrames of pay lines, one row per staff member, with the columns
``staff_id``, ``employee_no``, ``name``, ``store_name``, ``role`` and ``amount`` (CNY, to the
fen; a :class:`~decimal.Decimal`, an int or a float that prints as the amount). People are
matched on ``staff_id``. Every sum is exact: amounts are counted in whole fen.

* :func:`compare_lines`: one row per person in either set, with the amount before and after,
  the change, and whether the person gains, loses, keeps the same pay, is new in the draft
  (``joined``) or only in the baseline (``left``).
* :func:`group_totals`: before, after and difference per role or per store; *before* sums the
  baseline's lines under the role and store they had there, *after* the draft's under the
  current ones, so the groups add up to the grand totals of both sets.
* :func:`top_movers`: the largest gains and the largest losses, largest first.
* :func:`change_bins`: a histogram of the changes whose bars never straddle zero: the
  unchanged are a bar of their own at 0, gains and losses bins of one "nice" width (1, 2 or
  5 × 10ⁿ CNY) either side, so the picture reads at a glance (the chart of issue 17 painted
  188 unchanged people as one red bar).
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd

from ee_app.analysis.rounding import natural_key

__all__ = ["LINE_COLUMNS", "change_bins", "compare_lines", "group_totals", "top_movers"]

LINE_COLUMNS = ("staff_id", "employee_no", "name", "store_name", "role", "amount")
STATUSES = ("gains", "loses", "same", "joined", "left")


def _fen(value: Any) -> int:
    """An amount in CNY as whole fen, exactly (a float counts as the decimal it prints as)."""
    if isinstance(value, bool) or value is None:
        raise ValueError("an amount must be a number of CNY, e.g. 1234.50.")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("an amount must be finite.")
        value = Decimal(repr(value))
    fen = Fraction(Decimal(value) if not isinstance(value, int) else value) * 100
    if fen.denominator != 1:
        raise ValueError(f"an amount must be whole fen (0.01 CNY), not {value}.")
    return int(fen)


def _check(lines: pd.DataFrame, which: str) -> pd.DataFrame:
    missing = [c for c in LINE_COLUMNS if c not in lines.columns]
    if missing:
        raise ValueError(f"the {which} lines lack the columns {', '.join(missing)}.")
    frame = lines[list(LINE_COLUMNS)].copy()
    if frame["staff_id"].duplicated().any():
        raise ValueError(f"the {which} lines name a staff member twice.")
    frame["fen"] = [_fen(a) for a in frame["amount"]]
    return frame.drop(columns="amount")


def compare_lines(after: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """The draft's lines (``after``) against the baseline's (``before``), one row per person.

    Columns: ``staff_id``, ``employee_no``, ``name``, ``store_name``, ``role`` (the draft's,
    or the baseline's for someone only there), ``before``, ``after`` and ``change`` in CNY
    (``before`` of a newcomer and ``after`` of a leaver are NaN, their ``change`` too) and
    ``status``: gains, loses, same, joined or left. Ordered by employee number as people read
    it (E2 before E10).

    >>> after = pd.DataFrame({"staff_id": [1, 2, 3], "employee_no": ["E1", "E2", "E10"],
    ...     "name": ["An", "Bo", "Cai"], "store_name": ["S1", "S1", "S2"],
    ...     "role": ["nurse", "doctor", "nurse"], "amount": [Decimal("1200.50"), 900, 300.0]})
    >>> before = pd.DataFrame({"staff_id": [1, 2, 4], "employee_no": ["E1", "E2", "E4"],
    ...     "name": ["An", "Bo", "Du"], "store_name": ["S1", "S1", "S2"],
    ...     "role": ["nurse", "doctor", "nurse"], "amount": [1000, 900, 450]})
    >>> compare_lines(after, before)[["employee_no", "before", "after", "change", "status"]]
      employee_no  before   after  change  status
    0          E1  1000.0  1200.5   200.5   gains
    1          E2   900.0   900.0     0.0    same
    2          E4   450.0     NaN     NaN    left
    3         E10     NaN   300.0     NaN  joined
    """
    now, then = _check(after, "draft"), _check(before, "baseline")
    merged = now.merge(then, on="staff_id", how="outer", suffixes=("", "_b"), indicator=True)
    for column in ("employee_no", "name", "store_name", "role"):
        merged[column] = merged[column].where(
            merged["_merge"] != "right_only", merged[f"{column}_b"]
        )
    change = merged["fen"] - merged["fen_b"]
    status = []
    for where, delta in zip(merged["_merge"], change, strict=True):
        if where == "left_only":
            status.append("joined")
        elif where == "right_only":
            status.append("left")
        else:
            status.append("gains" if delta > 0 else "loses" if delta < 0 else "same")
    out = pd.DataFrame(
        {
            "staff_id": merged["staff_id"],
            "employee_no": merged["employee_no"].astype(object),
            "name": merged["name"].astype(object),
            "store_name": merged["store_name"].astype(object),
            "role": merged["role"].astype(object),
            "before": merged["fen_b"].astype(float) / 100,
            "after": merged["fen"].astype(float) / 100,
            "change": change.astype(float) / 100,
            "status": status,
        }
    )
    order = sorted(range(len(out)), key=lambda i: natural_key(out["employee_no"].iloc[i]))
    return out.iloc[order].reset_index(drop=True)


def group_totals(after: pd.DataFrame, before: pd.DataFrame, by: str) -> pd.DataFrame:
    """Before, after and difference (CNY) per ``by`` (``"role"`` or ``"store_name"``), with
    the number of staff in each set; groups in natural order of their name.

    A person who moved counts before under the baseline's group and after under the draft's,
    so each column adds up to its set's total.

    >>> after = pd.DataFrame({"staff_id": [1, 2], "employee_no": ["E1", "E2"],
    ...     "name": ["An", "Bo"], "store_name": ["S2", "S1"], "role": ["nurse", "nurse"],
    ...     "amount": [500, 700]})
    >>> before = pd.DataFrame({"staff_id": [1, 2], "employee_no": ["E1", "E2"],
    ...     "name": ["An", "Bo"], "store_name": ["S1", "S1"], "role": ["nurse", "nurse"],
    ...     "amount": [400, 700]})
    >>> group_totals(after, before, "store_name")
      store_name  staff_before  staff_after  before  after  difference
    0         S1             2            1  1100.0  700.0      -400.0
    1         S2             0            1     0.0  500.0       500.0
    """
    if by not in ("role", "store_name"):
        raise ValueError('by must be "role" or "store_name".')
    now, then = _check(after, "draft"), _check(before, "baseline")
    groups = sorted(set(now[by]) | set(then[by]), key=natural_key)
    rows = []
    for group in groups:
        a, b = now[now[by] == group], then[then[by] == group]
        rows.append(
            {
                by: group,
                "staff_before": len(b),
                "staff_after": len(a),
                "before": int(b["fen"].sum()) / 100,
                "after": int(a["fen"].sum()) / 100,
                "difference": (int(a["fen"].sum()) - int(b["fen"].sum())) / 100,
            }
        )
    columns = [by, "staff_before", "staff_after", "before", "after", "difference"]
    return pd.DataFrame(rows, columns=columns)


def top_movers(comparison: pd.DataFrame, n: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``n`` largest gains and the ``n`` largest losses of a :func:`compare_lines` table,
    largest first (ties by employee number in natural order); people whose pay is unchanged,
    new or gone are in neither.

    >>> comparison = pd.DataFrame({"employee_no": ["E1", "E2", "E3", "E10"],
    ...     "change": [50.0, -20.0, 0.0, 50.0], "status": ["gains", "loses", "same", "gains"]})
    >>> up, down = top_movers(comparison, 5)
    >>> list(up["employee_no"]), list(down["employee_no"])
    (['E1', 'E10'], ['E2'])
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError("n must be a whole number, 0 or more.")

    def ranked(status: str, sign: int) -> pd.DataFrame:
        part = comparison[comparison["status"] == status]
        order = sorted(
            range(len(part)),
            key=lambda i: (
                -sign * part["change"].iloc[i],
                natural_key(part["employee_no"].iloc[i]),
            ),
        )
        return part.iloc[order[:n]].reset_index(drop=True)

    return ranked("gains", 1), ranked("loses", -1)


def _nice_width(largest: float, bins: int) -> float:
    """The smallest of 1, 2, 5 × 10ⁿ CNY (at least 0.01) that covers ``largest`` in ``bins``."""
    raw = max(largest / bins, 0.01)
    power = 10.0 ** math.floor(math.log10(raw))
    for step in (1, 2, 5, 10):
        if step * power >= raw * (1 - 1e-12):
            return round(step * power, 2)
    return round(10 * power, 2)  # pragma: no cover - the loop always returns


def change_bins(changes: pd.Series, bins: int = 12) -> pd.DataFrame:
    """A histogram of pay changes (CNY) that never mixes gains, losses and no change.

    Columns ``lower``, ``upper``, ``staff`` and ``direction`` (loses, same, gains). The
    unchanged form one bar from 0 to 0; a gain lies in a bar (k·w, (k+1)·w] and a loss in
    [−(k+1)·w, −k·w), k = 0, 1, …, with ``w`` the smallest nice width (1, 2 or 5 × 10ⁿ CNY)
    that covers the largest change in at most ``bins`` bars per side.
    Empty bars are left out; NaN changes (people new or gone) are not counted.

    >>> change_bins(pd.Series([0.0, 0.0, 120.0, 35.0, -8.0, float("nan")]), bins=5)
       lower  upper  staff direction
    0  -50.0    0.0      1     loses
    1    0.0    0.0      2      same
    2    0.0   50.0      1     gains
    3  100.0  150.0      1     gains
    """
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        raise ValueError("bins must be a whole number, at least 1.")
    values = pd.to_numeric(changes, errors="raise").dropna()
    fen = [round(v * 100) for v in values]
    columns = ["lower", "upper", "staff", "direction"]
    if not fen:
        return pd.DataFrame(columns=columns)
    width = _nice_width(max(abs(f) for f in fen) / 100, bins)
    width_fen = round(width * 100)
    counts: dict[tuple[str, int], int] = {}
    for f in fen:
        if f == 0:
            key = ("same", 0)
        elif f > 0:
            key = ("gains", (f - 1) // width_fen)  # (k·w, (k+1)·w]
        else:
            key = ("loses", -((-f - 1) // width_fen) - 1)  # [−(k+1)·w, −k·w)
        counts[key] = counts.get(key, 0) + 1
    rows = []
    for (direction, k), staff in counts.items():
        if direction == "same":
            rows.append((0.0, 0.0, staff, direction, 0))
        else:
            rows.append((k * width + 0.0, (k + 1) * width + 0.0, staff, direction, k))
    order = {"loses": 0, "same": 1, "gains": 2}
    rows.sort(key=lambda r: (order[r[3]], r[4]))
    return pd.DataFrame([r[:4] for r in rows], columns=columns)
