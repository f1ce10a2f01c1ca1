"""The roster file: one row per staff member, in English or Chinese.

Parsing is pure: given the file's table and an index of the org units, it returns typed rows
or every problem at once (row, column, reason), so HR fixes the file in one pass.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from ee_app.errors import N_, Problem
from ee_app.imports.cells import CellError, parse_date, parse_employee_no, parse_text
from ee_app.imports.columns import Column, RowReader, map_columns, normalise_header
from ee_app.imports.tabular import Table
from ee_app.messaging.settings import EMAIL_SHAPE
from ee_app.models import StaffRole

__all__ = [
    "CONTACT_FIELDS",
    "ROLE_NAMES",
    "ROSTER_COLUMNS",
    "RosterRow",
    "UnitIndex",
    "parse_email",
    "parse_mobile",
    "parse_role",
    "parse_roster",
    "parse_wecom_userid",
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
    # Contacts, for reminders (optional columns; see CONTACT_FIELDS).
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
#: The contact columns: a file without one leaves that contact as stored; with it, an empty
#: cell leaves (or makes) the contact empty.
CONTACT_FIELDS = ("email", "mobile", "wecom_userid")

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


_MOBILE_SEPARATORS = re.compile(r"[\s\-()（）]")
_MOBILE = re.compile(r"^\+?\d{6,20}$")
_WECOM_USERID = re.compile(r"^[A-Za-z0-9_.@\-]{1,64}$")


def parse_email(value: object) -> str | None:
    """An e-mail address (full-width characters made half-width); empty: ``None``."""
    text = parse_text(value, max_length=254, required=False)
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text).strip()
    if not EMAIL_SHAPE.match(text):
        raise CellError(N_("“{value}” is not an e-mail address"), value=value)
    return text


def parse_mobile(value: object) -> str | None:
    """A mobile number: digits, an optional leading +, spaces and dashes dropped."""
    text = parse_text(value, max_length=32, required=False)
    if text is None:
        return None
    number = _MOBILE_SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    if not _MOBILE.match(number):
        raise CellError(N_("“{value}” is not a mobile number"), value=value)
    return number


def parse_wecom_userid(value: object) -> str | None:
    """A WeCom UserID (账号): 1–64 letters, digits, ``_ - . @``, as the WeCom admin shows it."""
    text = parse_text(value, max_length=64, required=False)
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text).strip()
    if not _WECOM_USERID.match(text):
        raise CellError(
            N_(
                "“{value}” is not a WeCom user id: letters, digits, _ - . and @, as in the "
                "WeCom admin's member list"
            ),
            value=value,
        )
    return text


_CONTACT_PARSERS = {
    "email": parse_email,
    "mobile": parse_mobile,
    "wecom_userid": parse_wecom_userid,
}
#: Contacts that must belong to one person only: a reminder sent there carries a personal link.
_UNIQUE_CONTACTS = ("email", "wecom_userid")


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
    contact_fields = [f for f in CONTACT_FIELDS if reader.has(f)]
    contact_seen: dict[tuple[str, str], int] = {}

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
        contacts = tuple((f, reader.read(f, _CONTACT_PARSERS[f])) for f in contact_fields)
        for f, value in contacts:
            if value is None or f not in _UNIQUE_CONTACTS:
                continue
            seen = (f, value.lower())
            if seen in contact_seen:
                reader.problem(
                    f,
                    N_(
                        "“{value}” is already the contact on row {first}: each person needs "
                        "their own"
                    ),
                    value=value,
                    first=contact_seen[seen],
                )
            else:
                contact_seen[seen] = number

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
        rows.append(RosterRow(number, employee_no, name, role, unit_id, hire, leave, contacts))
    if not table.rows:
        problems.append(Problem(N_("The file has a header but no rows.")))
    return rows, problems
