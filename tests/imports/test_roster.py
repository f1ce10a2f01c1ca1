from datetime import date

import pytest

from ee_app.imports.roster import UnitIndex, parse_roster
from ee_app.imports.roster_cells import parse_role
from ee_app.imports.tabular import Table
from ee_app.models import StaffRole

UNITS = UnitIndex(
    stores={"sh01": 10, "上海静安店": 10, "bj01": 20},
    teams={10: {"sh01-b": 11, "美容组": 11}, 20: {"bj01-b": 21}},
)
HEADER = ["员工编号", "姓名", "岗位", "门店", "团队", "入职日期", "离职日期"]


def table(*rows):
    return Table(HEADER, [(i, tuple(r)) for i, r in enumerate(rows, start=2)])


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("美容师", StaffRole.BEAUTICIAN),
        ("Front desk", StaffRole.FRONT_DESK),
        ("front_desk", StaffRole.FRONT_DESK),
        ("店长", StaffRole.STORE_MANAGER),
        ("医师", StaffRole.DOCTOR),
        ("咨询师", StaffRole.CONSULTANT),
    ],
)
def test_role_in_english_or_chinese(text, role):
    assert parse_role(text) == role


def test_clean_rows_resolve_store_and_team():
    rows, problems = parse_roster(
        table(
            ["E1", "王静", "美容师", "SH01", "美容组", "2024-05-01", ""],
            ["E2", "李娜", "店长", "上海静安店", "", "2020/1/2", None],
        ),
        UNITS,
    )
    assert problems == []
    assert [(r.employee_no, r.unit_id, r.role) for r in rows] == [
        ("E1", 11, StaffRole.BEAUTICIAN),
        ("E2", 10, StaffRole.STORE_MANAGER),
    ]
    assert rows[1].hire_date == date(2020, 1, 2)


def test_every_problem_is_reported_with_row_and_column():
    _, problems = parse_roster(
        table(
            ["E1", "王静", "美容师", "SH99", "", "2024-05-01", ""],  # unknown store
            ["E2", "李娜", "厨师", "SH01", "", "2024-05-01", ""],  # unknown role
            ["E1", "赵敏", "美容师", "SH01", "", "2026-13-40", ""],  # duplicate + bad date
            ["E4", "", "护士", "BJ01", "SH01-B", "2024-05-01", ""],  # no name, foreign team
            ["E5", "周雪", "护士", "BJ01", "", "2024-05-01", "2023-01-01"],  # leaves before hire
        ),
        UNITS,
    )
    found = {(p.row, p.column) for p in problems}
    assert found == {
        (2, "门店"),
        (3, "岗位"),
        (4, "员工编号"),
        (4, "入职日期"),
        (5, "姓名"),
        (5, "团队"),
        (6, "离职日期"),
    }
    duplicate = next(p for p in problems if p.column == "员工编号")
    assert (
        duplicate.render()
        == "row 4, column “员工编号”: employee number “E1” appears again (first on row 2)"
    )


def test_missing_columns_stop_before_rows_are_read():
    rows, problems = parse_roster(Table(["姓名"], [(2, ("王静",))]), UNITS)
    assert rows == []
    assert {p.params["field"] for p in problems} == {
        "Employee number",
        "Role",
        "Store",
        "Hire date",
    }


def test_header_only_file_is_a_problem():
    _, problems = parse_roster(Table(HEADER, []), UNITS)
    assert "no rows" in problems[0].render()
