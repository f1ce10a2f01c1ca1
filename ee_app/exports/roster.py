"""The roster template (what HR fills in) and the staff list download."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from openpyxl import Workbook

from ee_app.exports.safe import csv_bytes
from ee_app.exports.xlsx import DATE_FORMAT, add_table_sheet, workbook_bytes
from ee_app.imports.roster import ROSTER_COLUMNS
from ee_app.imports.roster_cells import CONTACT_FIELDS, ROLE_NAMES
from ee_app.models import StaffRole
from ee_app.services.org import StaffRow, UnitRow

__all__ = ["roster_headers", "roster_template_csv", "roster_template_xlsx", "staff_xlsx"]


def roster_headers(language: str, *, contacts: bool = True) -> list[str]:
    """The roster's column headers; ``contacts=False`` leaves out e-mail, mobile and WeCom
    user id (a file without them leaves the stored contacts as they are)."""
    return [
        c.zh if language == "zh-CN" else c.en
        for c in ROSTER_COLUMNS
        if contacts or c.key not in CONTACT_FIELDS
    ]


def _role_label(role: StaffRole, language: str) -> str:
    en, zh = ROLE_NAMES[role]
    return zh if language == "zh-CN" else en


def _examples(units: Sequence[UnitRow], language: str) -> list[list[object]]:
    stores = [u for u in units if u.level == "store"]
    store = stores[0] if stores else None
    team = next((u for u in units if store and u.parent_id == store.id), None)
    store_code = store.code if store else "SH01"
    team_code = team.code if team else ""
    return [
        [
            "E20001",
            "王小美",
            _role_label(StaffRole.BEAUTICIAN, language),
            store_code,
            team_code,
            date(2026, 3, 1),
            None,
            "",
            "13800138000",
            "WangXiaoMei",
        ],
        [
            "E20002",
            "李思雨",
            _role_label(StaffRole.CONSULTANT, language),
            store_code,
            "",
            date(2025, 11, 15),
            None,
            "lisiyu@example.com",
            "",
            "",
        ],
    ]


def roster_template_xlsx(units: Sequence[UnitRow], language: str) -> bytes:
    """The template with two example rows, and a second sheet listing valid codes and roles."""
    zh = language == "zh-CN"
    book = Workbook()
    add_table_sheet(
        book,
        "花名册" if zh else "Roster",
        roster_headers(language),
        _examples(units, language),
        formats={5: DATE_FORMAT, 6: DATE_FORMAT},
        first=True,
    )
    code_rows: list[list[object]] = [
        [u.level.value, u.code, u.name, next((p.code for p in units if p.id == u.parent_id), "")]
        for u in units
        if u.level in ("store", "team")
    ]
    add_table_sheet(
        book,
        "门店与团队代码" if zh else "Store and team codes",
        ["层级", "代码", "名称", "上级代码"] if zh else ["Level", "Code", "Name", "Parent code"],
        code_rows,
    )
    add_table_sheet(
        book,
        "岗位" if zh else "Roles",
        ["英文", "中文"] if zh else ["English", "Chinese"],
        [list(names) for names in ROLE_NAMES.values()],
    )
    return workbook_bytes(book)


def roster_template_csv(units: Sequence[UnitRow], language: str) -> bytes:
    rows = [
        [v.isoformat() if isinstance(v, date) else v for v in row]
        for row in _examples(units, language)
    ]
    return csv_bytes(roster_headers(language), rows)


def staff_xlsx(
    rows: Sequence[StaffRow],
    language: str,
    contacts: Mapping[int, Sequence[str | None]] | None = None,
) -> bytes:
    """The staff list as shown on the org page, in the roster's own columns (re-importable).

    ``contacts`` (staff id → e-mail, mobile, WeCom user id; HR only, see
    :func:`ee_app.services.roster.staff_contacts`) adds the contact columns; without it the
    file has none, and importing it leaves the stored contacts as they are.
    """
    book = Workbook()
    blank: tuple[None, ...] = (None, None, None)
    data = [
        [
            r.employee_no,
            r.name,
            _role_label(r.role, language),
            r.store_code,
            r.unit_code if r.unit_code != r.store_code else "",
            r.hire_date,
            r.leave_date,
            *(() if contacts is None else contacts.get(r.id, blank)),
        ]
        for r in rows
    ]
    add_table_sheet(
        book,
        "员工" if language == "zh-CN" else "Staff",
        roster_headers(language, contacts=contacts is not None),
        data,
        formats={5: DATE_FORMAT, 6: DATE_FORMAT},
        first=True,
    )
    return workbook_bytes(book)
