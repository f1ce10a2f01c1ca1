"""The roster file: one row per staff member, in English or Chinese.

Parsing is pure: given the file's table and an index of the org units, it returns typed rows
or every problem at once (row, column, reason), so HR fixes the file in one pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import TypeVar

import numpy as np
import pandas as pd

from ee_app.errors import N_, Problem
from ee_app.imports.cells import CellError, parse_date, parse_employee_no, parse_text
from ee_app.imports.columns import Column, map_columns, normalise_header
from ee_app.imports.roster_cells import CONTACT_FIELDS, CONTACT_PARSERS, UNIQUE_CONTACTS, parse_role
from ee_app.imports.tabular import Frame, Table
from ee_app.models import StaffRole

T = TypeVar("T")

__all__ = [
    "ROSTER_COLUMNS",
    "Roster",
    "RosterRow",
    "UnitIndex",
    "parse_roster",
    "read_roster",
    "table_frame",
]

ROSTER_COLUMNS: tuple[Column, ...] = (
    Column(
        "employee_no",
        "Employee number",
        "员工编号",
        ("工号", "员工号", "employee no", "emp no", "staff id", "staff no", "employee id"),
    ),
    Column("name", "Name", "姓名", ("员工姓名", "full name", "staff name")),
    Column("role", "Role", "岗位", ("职位", "职务", "position", "job title", "岗位名称")),
    Column("store", "Store", "门店", ("门店编号", "门店代码", "store code", "店铺", "门店名称")),
    Column("team", "Team", "团队", ("小组", "组别", "team code", "团队编号"), required=False),
    Column("hire_date", "Hire date", "入职日期", ("入职时间", "start date", "hired")),
    Column(
        "leave_date", "Leave date", "离职日期", ("离职时间", "end date", "left"), required=False
    ),
    # Contacts, for reminders (optional columns; see roster_cells.CONTACT_FIELDS).
    Column(
        "email",
        "E-mail",
        "邮箱",
        ("email", "电子邮箱", "邮箱地址", "电子邮件", "email address", "mail"),
        required=False,
    ),
    Column(
        "mobile",
        "Mobile",
        "手机号",
        ("手机", "手机号码", "mobile phone", "cell phone"),
        required=False,
    ),
    Column(
        "wecom_userid",
        "WeCom user id",
        "企业微信账号",
        ("企业微信", "企业微信id", "企业微信userid", "企业微信帐号", "wecom", "wecom id", "userid"),
        required=False,
    ),
)


@dataclass(frozen=True)
class UnitIndex:
    """How to find a store by code or name, and a team by code or name within its store."""

    stores: Mapping[str, int]  # normalised code or unique name → store id
    teams: Mapping[int, Mapping[str, int]]  # store id → normalised code or name → team id
    ambiguous_stores: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class RosterRow:
    row: int
    employee_no: str
    name: str
    role: StaffRole
    unit_id: int
    hire_date: date
    leave_date: date | None
    #: (field, value) for each contact column the file has; value None for an empty cell.
    contacts: tuple[tuple[str, str | None], ...] = ()


def _distinct(
    cells: np.ndarray, parse: Callable[[object], T]
) -> tuple[list[T | None], list[tuple[int, CellError]]]:
    """``parse`` of every cell, called once per distinct value (a roster repeats its roles,
    stores and dates): the values (``None`` where a cell is refused) and (position, error)
    for each refused cell, in row order.

    Text columns (every CSV) are grouped in C by :func:`pandas.factorize`. Other columns (an
    .xlsx mixes numbers, dates and text) are grouped by type as well as value, so ``1`` and
    ``True``, equal in Python, are not taken for one another."""
    if pd.api.types.infer_dtype(cells, skipna=True) in ("string", "empty"):
        codes, uniques = pd.factorize(cells, use_na_sentinel=True)
        distinct: list[object] = [*uniques.tolist(), None]  # code -1 (missing): the last
    else:
        seen: dict[tuple[type, object], int] = {}
        distinct, code_list = [], []
        for value in cells.tolist():
            if isinstance(value, float) and value != value:  # NaN: a missing cell
                value = None
            code = seen.setdefault((value.__class__, value), len(distinct))
            if code == len(distinct):
                distinct.append(value)
            code_list.append(code)
        codes = np.asarray(code_list, dtype=np.intp)
    values = np.empty(len(distinct), dtype=object)
    errors: dict[int, CellError] = {}
    for code, value in enumerate(distinct):
        try:
            values[code] = parse(value)
        except CellError as exc:
            errors[code] = exc
    codes[codes < 0] = len(distinct) - 1 if distinct else 0
    refused: list[tuple[int, CellError]] = []
    if errors:
        positions = np.flatnonzero(np.isin(codes, list(errors)))
        refused = [(int(p), errors[int(codes[p])]) for p in positions]
    return values[codes].tolist(), refused


def _first_rows(keys: list[object], rows: list[int]) -> tuple[list[int], dict[object, int]]:
    """The positions whose key (not ``None``) appeared on an earlier row, and the row each
    key first appeared on (only looked for when one repeats)."""
    series = pd.Series(keys, dtype=object)
    repeated = np.flatnonzero(
        series.duplicated(keep="first").to_numpy() & series.notna().to_numpy()
    )
    first: dict[object, int] = {}
    if len(repeated):
        for key, row in zip(keys, rows, strict=True):
            if key is not None:
                first.setdefault(key, row)
    return repeated.tolist(), first


@dataclass(frozen=True)
class Roster:
    """The file's usable rows as columns, in file order: what the service writes in bulk.
    ``contacts`` holds a column per contact field the file has (``None`` for an empty cell)."""

    rows: list[int]
    employee_no: list[str]
    name: list[str]
    role: list[StaffRole]
    unit_id: list[int]
    hire_date: list[date]
    leave_date: list[date | None]
    contacts: dict[str, list[str | None]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)

    def record(self, i: int) -> RosterRow:
        return RosterRow(
            self.rows[i],
            self.employee_no[i],
            self.name[i],
            self.role[i],
            self.unit_id[i],
            self.hire_date[i],
            self.leave_date[i],
            tuple((f, values[i]) for f, values in self.contacts.items()),
        )

    def records(self) -> list[RosterRow]:
        return [self.record(i) for i in range(len(self))]


#: Within a row, problems come in this order: the cells as read left to right in
#: :data:`ROSTER_COLUMNS`' order (contacts last), then repeated contacts, the store or team
#: looked up, a repeated employee number, and a leave date before the hire date.
_READ, _CONTACT_AGAIN, _UNIT, _NUMBER_AGAIN, _LEAVE_BEFORE_HIRE = 0, 20, 30, 31, 32


def _unit_of(
    units: UnitIndex, store: str, team: str | None
) -> tuple[int | None, tuple[str, str, dict[str, object]] | None]:
    """The team's id if a team is given, else the store's; or (key, message, params) of the
    problem if either is unknown."""
    key = normalise_header(store)
    store_id = units.stores.get(key)
    if store_id is None:
        message = (
            N_("store “{value}” matches more than one store; use its code")
            if key in units.ambiguous_stores
            else N_("unknown store “{value}”; use a store code from the org page")
        )
        return None, ("store", message, {"value": store})
    if team is None:
        return store_id, None
    team_id = units.teams.get(store_id, {}).get(normalise_header(team))
    if team_id is None:
        message = N_("team “{value}” is not a team of store “{store}”")
        return None, ("team", message, {"value": team, "store": store})
    return team_id, None


def read_roster(
    frame: Frame, units: UnitIndex, mapping: Mapping[str, str] | None = None
) -> tuple[Roster, list[Problem]]:
    """The usable rows as columns and every problem in the file (rows are only usable if
    there are no problems), checked column by column: each column is parsed once per distinct
    value with the cell parsers of :mod:`ee_app.imports.cells`, and a row-and-column message
    is made only for the cells that fail. The messages, and their order (by row, then as
    :data:`_READ` … :data:`_LEAVE_BEFORE_HIRE` say), are those a row-by-row reading gives."""
    positions, problems = map_columns(frame.header, ROSTER_COLUMNS, mapping)
    empty = Roster([], [], [], [], [], [], [])
    if problems:
        return empty, problems
    if not len(frame):
        return empty, [Problem(N_("The file has a header but no rows."))]
    headers = {key: frame.header[i] for key, i in positions.items()}
    rows = [int(n) for n in frame.rows]
    found: list[tuple[int, int, Problem]] = []  # (position, order within the row, problem)

    def column(key: str) -> np.ndarray:
        i = positions.get(key)
        if i is None or i not in frame.data.columns:
            return np.full(len(rows), None, dtype=object)
        return frame.data[i].to_numpy(dtype=object)

    def problem(position: int, order: int, key: str, message: str, params: dict) -> None:
        found.append((position, order, Problem(message, params, rows[position], headers.get(key))))

    def read(key: str, order: int, parse: Callable[[object], T]) -> list[T | None]:
        values, refused = _distinct(column(key), parse)
        for position, exc in refused:
            problem(position, order, key, exc.message, dict(exc.params))
        return values

    employee_no = read("employee_no", 0, parse_employee_no)
    name = read("name", 1, partial(parse_text, max_length=100))
    role = read("role", 2, parse_role)
    store = read("store", 3, partial(parse_text, max_length=100))
    team = read("team", 4, partial(parse_text, max_length=100, required=False))
    hire = read("hire_date", 5, parse_date)
    leave = read("leave_date", 6, partial(parse_date, required=False))
    leave = [None if d == date.max else d for d in leave]  # 9999-12-31: "no end"
    contact_fields = [f for f in CONTACT_FIELDS if f in positions]
    contacts = {f: read(f, 7 + n, CONTACT_PARSERS[f]) for n, f in enumerate(contact_fields)}
    for n, f in enumerate(contact_fields):
        if f not in UNIQUE_CONTACTS:
            continue
        lowered = [None if v is None else v.lower() for v in contacts[f]]
        again, first = _first_rows(lowered, rows)
        for position in again:
            problem(
                position,
                _CONTACT_AGAIN + n,
                f,
                N_("“{value}” is already the contact on row {first}: each person needs their own"),
                {"value": contacts[f][position], "first": first[lowered[position]]},
            )

    unit_id: list[int | None] = []
    resolved: dict[tuple[str, str | None], tuple] = {}
    for position, pair in enumerate(zip(store, team, strict=True)):
        if pair[0] is None:
            unit_id.append(None)
            continue
        if pair not in resolved:
            resolved[pair] = _unit_of(units, *pair)
        unit, wrong = resolved[pair]
        unit_id.append(unit)
        if wrong is not None:
            problem(position, _UNIT, wrong[0], wrong[1], dict(wrong[2]))

    again, first = _first_rows(employee_no, rows)
    for position in again:
        number = employee_no[position]
        problem(
            position,
            _NUMBER_AGAIN,
            "employee_no",
            N_("employee number “{value}” appears again (first on row {first})"),
            {"value": number, "first": first[number]},
        )
    for position, (h, lv) in enumerate(zip(hire, leave, strict=True)):
        if h is not None and lv is not None and lv < h:
            problem(
                position,
                _LEAVE_BEFORE_HIRE,
                "leave_date",
                N_("leave date {leave} is before hire date {hire}"),
                {"leave": lv.isoformat(), "hire": h.isoformat()},
            )

    found.sort(key=lambda item: (item[0], item[1]))  # stable: a column's cells in row order
    bad = {position for position, _, _ in found}
    keep = [p for p in range(len(rows)) if p not in bad] if bad else range(len(rows))

    def pick(values: list) -> list:
        return values if not bad else [values[p] for p in keep]

    roster = Roster(
        pick(rows),
        pick(employee_no),
        pick(name),
        pick(role),
        pick(unit_id),
        pick(hire),
        pick(leave),
        {f: pick(values) for f, values in contacts.items()},
    )
    return roster, [p for _, _, p in found]


def table_frame(table: Table) -> Frame:
    """A :class:`Table` (rows of cells) as a :class:`Frame` (columns), cells as they are; a
    row shorter than the header has empty cells at its end."""
    width = len(table.header)
    records = [record for _, record in table.rows]
    if any(len(record) != width for record in records):
        records = [(*r[:width], *(None,) * (width - len(r))) for r in records]
    columns = list(zip(*records, strict=True)) if records else [()] * width
    data = pd.DataFrame({i: pd.Series(cells, dtype=object) for i, cells in enumerate(columns)})
    numbers = np.array([number for number, _ in table.rows], dtype=np.int64)
    return Frame(list(table.header), data, numbers, table.encoding)


def parse_roster(
    table: Table | Frame, units: UnitIndex, mapping: Mapping[str, str] | None = None
) -> tuple[list[RosterRow], list[Problem]]:
    """Typed rows and every problem in the file; rows are only usable if there are no problems.
    See :func:`read_roster`, which this reads with and which keeps the rows as columns."""
    frame = table if isinstance(table, Frame) else table_frame(table)
    roster, problems = read_roster(frame, units, mapping)
    return roster.records(), problems
