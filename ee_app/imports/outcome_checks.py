"""The column-wise checks that CSAT answers (:mod:`ee_app.imports.csat`) and sales
(:mod:`ee_app.imports.sales`) share: a whole column is read at once (a chain's year of sales
is a million rows), and :class:`ColumnProblems` makes a row-and-column problem only for the
cells that fail, up to :data:`~ee_app.imports.outcomes.MAX_PROBLEMS`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

import numpy as np
import pandas as pd

from ee_app.errors import N_, Problem
from ee_app.imports.cells import (
    EARLIEST_DATE,
    FUTURE_TOLERANCE,
    UNSTORABLE_MESSAGE,
    control_code,
)
from ee_app.imports.columns import Column, map_columns, normalise_header
from ee_app.imports.outcomes import MAX_PROBLEMS, Parsed
from ee_app.imports.tabular import Frame
from ee_app.imports.vector import blank, parse_dates, parse_texts, unstorable

__all__ = [
    "ColumnProblems",
    "check_required",
    "check_storable",
    "look_up",
    "look_up_staff",
    "look_up_stores",
    "read_columns",
    "read_dates",
    "read_source_ids",
    "read_texts",
]


class ColumnProblems:
    def __init__(self, frame: Frame, headers: Mapping[str, str]) -> None:
        self.frame, self.headers = frame, headers
        self.items: list[Problem] = []
        self.count = 0

    def add(
        self,
        mask: np.ndarray,
        key: str,
        message: str,
        params: Callable[[int], dict] = lambda i: {},
    ) -> None:
        positions = np.flatnonzero(mask)
        self.count += len(positions)
        room = MAX_PROBLEMS - len(self.items)
        for position in positions[: max(room, 0)]:
            self.items.append(
                Problem(
                    message,
                    params(int(position)),
                    int(self.frame.rows[position]),
                    self.headers.get(key),
                )
            )

    def whole(self, problem: Problem) -> None:
        self.count += 1
        self.items.append(problem)

    def sorted(self) -> list[Problem]:
        return sorted(self.items, key=lambda p: (p.row or 0, p.column or ""))


def read_columns(frame: Frame, spec: tuple[Column, ...], mapping: Mapping[str, str] | None):  # type: ignore[no-untyped-def]
    """(refused, problems, headers, cells): the file's column of each field of ``spec`` and
    its header. ``refused`` is the :class:`~ee_app.imports.outcomes.Parsed` to return at once
    when a column is missing or the file has no rows, else None."""
    positions, missing = map_columns(frame.header, spec, mapping)
    headers = {key: frame.header[i] for key, i in positions.items()}
    cells = {
        key: frame.data[i] if i in frame.data.columns else pd.Series([None] * len(frame))
        for key, i in positions.items()
    }
    problems = ColumnProblems(frame, headers)
    if missing:
        return Parsed(pd.DataFrame(), None, missing, len(missing)), problems, headers, cells
    if not len(frame):
        problems.whole(Problem(N_("The file has a header but no rows.")))
        refused = Parsed(pd.DataFrame(), None, problems.items, problems.count)
        return refused, problems, headers, cells
    return None, problems, headers, cells


def check_required(
    problems: ColumnProblems, cells: Mapping[str, pd.Series], keys: tuple[str, ...]
) -> np.ndarray:
    missing = np.zeros(len(next(iter(cells.values()))), bool) if cells else np.zeros(0, bool)
    for key in keys:
        empty = blank(cells[key])
        problems.add(empty, key, N_("is empty"))
        missing |= empty
    return missing


def check_storable(
    problems: ColumnProblems, cells: Mapping[str, pd.Series], numeric: tuple[str, ...]
) -> None:
    """A problem for every text cell holding a character no database stores (NUL …): the
    dry run must refuse what PostgreSQL would refuse in the real import. Number and date
    columns are left to their own parsers, which cannot read such a cell anyway."""
    for key, values in cells.items():
        if key in numeric:
            continue
        mask = unstorable(values)
        if mask.any():
            problems.add(
                mask,
                key,
                UNSTORABLE_MESSAGE,
                lambda i, v=values: {"code": control_code(str(v.iloc[i]))},
            )


def read_texts(
    problems: ColumnProblems, cells: Mapping[str, pd.Series], key: str, limit: int
) -> pd.Series:
    """A text column that is stored: a problem for each cell longer than its column holds."""
    text, too_long = parse_texts(cells[key], limit)
    problems.add(too_long, key, N_("is longer than {limit} characters"), lambda i: {"limit": limit})
    return text


def read_dates(
    problems: ColumnProblems, cells: Mapping[str, pd.Series], key: str, today: date
) -> pd.Series:
    """A date column: a problem for each cell that is not a date, lies before
    :data:`~ee_app.imports.cells.EARLIEST_DATE` or after tomorrow. A sale dated 2099 would
    make every repurchase window look closed; 9999-12-31 is a placeholder, not a day."""
    dates, bad = parse_dates(cells[key])
    problems.add(
        bad,
        key,
        N_("“{value}” is not a date; write it as 2026-03-05"),
        lambda i: {"value": cells[key].iloc[i]},
    )
    latest = today + FUTURE_TOLERANCE
    early = (dates < pd.Timestamp(EARLIEST_DATE)).to_numpy()
    problems.add(
        early,
        key,
        N_("{value} is before {earliest}; check the year"),
        lambda i: {"value": dates.iloc[i].date().isoformat(), "earliest": str(EARLIEST_DATE)},
    )
    future = (dates > pd.Timestamp(latest)).to_numpy()
    problems.add(
        future,
        key,
        N_("{value} lies in the future (the latest date accepted is {latest}); check the year"),
        lambda i: {"value": dates.iloc[i].date().isoformat(), "latest": latest.isoformat()},
    )
    return dates.where(~(early | future))


def read_source_ids(problems: ColumnProblems, cells, headers) -> pd.Series:  # type: ignore[no-untyped-def]
    ids = read_texts(problems, cells, "source_id", 64)
    repeated = ids.duplicated(keep="first").to_numpy() & ids.notna().to_numpy()
    first_row = {}
    if repeated.any():  # the first row of each id, looked for only when one repeats
        for position, value in enumerate(ids.tolist()):
            if value is not None and value not in first_row:
                first_row[value] = int(problems.frame.rows[position])
    problems.add(
        repeated,
        "source_id",
        N_("“{value}” appears again (first on row {first})"),
        lambda i: {"value": ids.iloc[i], "first": first_row[ids.iloc[i]]},
    )
    return ids


def look_up(
    problems: ColumnProblems,
    cells,
    key: str,
    table: Mapping[str, int],
    message: str,
    normalise: bool = False,
) -> pd.Series:  # type: ignore[no-untyped-def]
    text, _ = parse_texts(cells[key], 100)
    # looked up once per distinct cell (a year of sales names the same few hundred stores)
    codes, uniques = pd.factorize(text.to_numpy(dtype=object), use_na_sentinel=True)
    found = [table.get(normalise_header(v) if normalise else v) for v in uniques.tolist()]
    ids = pd.Series([found[c] if c >= 0 else None for c in codes.tolist()], index=text.index)
    unknown = text.notna().to_numpy() & ids.isna().to_numpy()
    problems.add(unknown, key, message, lambda i: {"value": text.iloc[i]})
    return ids


def look_up_staff(problems: ColumnProblems, cells, key: str, staff: Mapping[str, int]) -> pd.Series:  # type: ignore[no-untyped-def]
    """The staff id of each employee number in column ``key``; unknown ones are problems."""
    message = N_("unknown employee number “{value}”; import the roster first")
    return look_up(problems, cells, key, staff, message)


def look_up_stores(problems: ColumnProblems, cells, stores: Mapping[str, int]) -> pd.Series:  # type: ignore[no-untyped-def]
    """The store id of each store code or unique name; unknown ones are problems."""
    message = N_("unknown store “{value}”; use a store code from the org page")
    return look_up(problems, cells, "store", stores, message, True)
