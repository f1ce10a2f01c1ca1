"""The roster file: one row per staff member, in English or Chinese.

Parsing is pure: given the file's table and an index of the org units, it returns typed rows
or every problem at once (row, column, reason), so HR fixes the file in one pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from ee_app.errors import N_, Problem
from ee_app.imports.cells import CellError, parse_date, parse_employee_no, parse_text
from ee_app.imports.columns import Column, RowReader, map_columns, normalise_header
from ee_app.imports.tabular import Table
from ee_app.models import StaffRole

__all__ = ["ROLE_NAMES", "ROSTER_COLUMNS", "RosterRow", "UnitIndex", "parse_role", "parse_roster"]

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
)

#: The English and Chinese words for each role, as they appear in rosters and in the interface.
ROLE_NAMES: dict[StaffRole, tuple[str, str]] = {
    StaffRole.BEAUTICIAN: ("Beautician", "美容师"),
    StaffRole.CONSULTANT: ("Consultant", "咨询师"),
    StaffRole.DOCTOR: ("Doctor", "医生"),
    StaffRole.NURSE: ("Nurse", "护士"),
    StaffRole.FRONT_DESK: ("Front desk", "前台"),
    StaffRole.STORE_MANAGER: ("Store manager", "店长"),
}

_ROLE_ALIASES: dict[str, StaffRole] = {
    normalise_header(alias): role
    for role, names in {
        StaffRole.BEAUTICIAN: ("美容顾问", "美容技师", "技师", "therapist"),
        StaffRole.CONSULTANT: ("顾问", "医美咨询师", "咨询顾问", "advisor"),
        StaffRole.DOCTOR: ("医师", "主诊医生", "physician"),
        StaffRole.NURSE: ("护理", "护士长"),
        StaffRole.FRONT_DESK: ("前台接待", "接待", "receptionist", "reception"),
        StaffRole.STORE_MANAGER: ("店经理", "门店经理", "manager"),
    }.items()
    for alias in (*names, role.value, *ROLE_NAMES[role])
}


def parse_role(value: object) -> StaffRole:
    text = parse_text(value, max_length=40)
    role = _ROLE_ALIASES.get(normalise_header(text or ""))
    if role is None:
        choices = ", ".join(f"{en} / {zh}" for en, zh in ROLE_NAMES.values())
        raise CellError(
            N_("“{value}” is not a role; use one of: {choices}"), value=value, choices=choices
        )
    return role


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


def _resolve_unit(
    reader: RowReader, units: UnitIndex, store: str | None, team: str | None
) -> int | None:
    """The team's id if a team is given, else the store's; a problem if either is unknown."""
    if store is None:
        return None
    key = normalise_header(store)
    store_id = units.stores.get(key)
    if store_id is None:
        message = (
            N_("store “{value}” matches more than one store; use its code")
            if key in units.ambiguous_stores
            else N_("unknown store “{value}”; use a store code from the org page")
        )
        reader.problem("store", message, value=store)
        return None
    if team is None:
        return store_id
    team_id = units.teams.get(store_id, {}).get(normalise_header(team))
    if team_id is None:
        reader.problem(
            "team", N_("team “{value}” is not a team of store “{store}”"), value=team, store=store
        )
    return team_id


def parse_roster(
    table: Table, units: UnitIndex, mapping: Mapping[str, str] | None = None
) -> tuple[list[RosterRow], list[Problem]]:
    """Typed rows and every problem in the file; rows are only usable if there are no problems."""
    positions, problems = map_columns(table.header, ROSTER_COLUMNS, mapping)
    if problems:
        return [], problems
    reader = RowReader(table.header, positions)
    rows: list[RosterRow] = []
    first_seen: dict[str, int] = {}

    for number, record in table.rows:
        reader.start(number, record)
        employee_no = reader.read("employee_no", parse_employee_no)
        name = reader.read("name", parse_text, max_length=100)
        role = reader.read("role", parse_role)
        store = reader.read("store", parse_text, max_length=100)
        team = reader.read("team", parse_text, max_length=100, required=False)
        hire = reader.read("hire_date", parse_date)
        leave = reader.read("leave_date", parse_date, required=False)
        if leave == date.max:  # 9999-12-31, how HR systems often write "no end"
            leave = None

        unit_id = _resolve_unit(reader, units, store, team)
        if employee_no is not None:
            if employee_no in first_seen:
                reader.problem(
                    "employee_no",
                    N_("employee number “{value}” appears again (first on row {first})"),
                    value=employee_no,
                    first=first_seen[employee_no],
                )
            else:
                first_seen[employee_no] = number
        if hire is not None and leave is not None and leave < hire:
            reader.problem(
                "leave_date",
                N_("leave date {leave} is before hire date {hire}"),
                leave=leave.isoformat(),
                hire=hire.isoformat(),
            )

        if reader.problems:
            problems.extend(reader.problems)
            continue
        assert employee_no and name and role and unit_id and hire
        rows.append(RosterRow(number, employee_no, name, role, unit_id, hire, leave))
    if not table.rows:
        problems.append(Problem(N_("The file has a header but no rows.")))
    return rows, problems
