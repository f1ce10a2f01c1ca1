"""Bad rosters through the column-wise reading: every message as HR saw it when the roster was
read row by row (same text, row, column and order), and the usable rows as they were.

The expected messages were produced by the row-by-row reader this replaced (issue 20)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ee_app.imports.roster import UnitIndex, parse_roster
from ee_app.imports.tabular import Table, read_table

UNITS = UnitIndex(
    stores={"sh01": 10, "上海静安店": 10, "bj01": 20},
    teams={10: {"sh01-b": 11, "美容组": 11}, 20: {"bj01-b": 21}},
    ambiguous_stores=frozenset({"静安店"}),
)
HEADER = [
    "员工编号",
    "姓名",
    "岗位",
    "门店",
    "团队",
    "入职日期",
    "离职日期",
    "邮箱",
    "企业微信账号",
]
GOOD = ["E9", "吴敏", "美容师", "SH01", "", "2024-05-01", "", "", ""]
ROLES = (
    "use one of: Beautician / 美容师, Consultant / 咨询师, Doctor / 医生, Nurse / 护士, "
    "Front desk / 前台, Store manager / 店长"
)
WECOM = "is not a WeCom user id: letters, digits, _ - . and @, as in the WeCom admin's member list"
AGAIN = "is already the contact on row 2: each person needs their own"


def table(*rows: list, header: list[str] = HEADER) -> Table:
    return Table(list(header), [(i, tuple(r)) for i, r in enumerate(rows, start=2)])


def gbk(*rows: list[str]) -> Table:
    text = "\n".join(",".join(r) for r in [HEADER, *rows]) + "\n"
    return read_table(text.encode("gbk"), "roster.csv")


def person(number: str, store: str = "SH01", hire: str = "2024-05-01", leave: str = "") -> list:
    return [number, "王静", "美容师", store, "", hire, leave, "", ""]


CASES = [
    (
        "wrong column",
        table(
            GOOD,
            header=["工号", "Name", "职位", "店铺", "团队", "开始", "离职日期", "邮箱", "微信"],
        ),
        ["Required column “Hire date” (入职日期) is missing."],
        [],
    ),
    (
        "two columns for one field",
        table([*GOOD, "E9"], header=[*HEADER, "工号"]),
        ["Two columns could mean “Employee number”: 员工编号, 工号. Keep one."],
        [],
    ),
    (
        "blank required cells",
        table(["", " ", "美容师", "SH01", "", "", "", "", ""]),
        [
            "row 2, column “员工编号”: is empty",
            "row 2, column “姓名”: is empty",
            "row 2, column “入职日期”: is empty",
        ],
        [],
    ),
    (
        "duplicate staff id, full-width too",
        table(GOOD, person("E1"), GOOD, person("Ｅ９", "BJ01")),
        [
            "row 4, column “员工编号”: employee number “E9” appears again (first on row 2)",
            "row 5, column “员工编号”: employee number “E9” appears again (first on row 2)",
        ],
        [(2, "E9", 10, date(2024, 5, 1), None), (3, "E1", 10, date(2024, 5, 1), None)],
    ),
    (
        "bad dates",
        table(
            person("E1", hire="2026-13-40", leave="someday"),
            person("E2", hire="2024年3月5日", leave="20240306"),
            person("E3", "BJ01", hire="45000", leave="9999-12-31"),
        ),
        [
            "row 2, column “入职日期”: “2026-13-40” is not a valid date",
            "row 2, column “离职日期”: “someday” is not a date; write it as 2026-03-05",
        ],
        [
            (3, "E2", 10, date(2024, 3, 5), date(2024, 3, 6)),
            (4, "E3", 20, date(2023, 3, 15), None),
        ],
    ),
    (
        "unknown or ambiguous store, foreign team",
        table(
            person("E1", "SH99"),
            person("E2", "静安店"),
            ["E3", "周雪", "护士", "BJ01", "SH01-B", "2024-05-01", "", "", ""],
            ["E4", "陈晨", "护士", "上海静安店", "美容组", "2024-05-01", "", "", ""],
        ),
        [
            "row 2, column “门店”: unknown store “SH99”; use a store code from the org page",
            "row 3, column “门店”: store “静安店” matches more than one store; use its code",
            "row 4, column “团队”: team “SH01-B” is not a team of store “BJ01”",
        ],
        [(5, "E4", 11, date(2024, 5, 1), None)],
    ),
    (
        "unknown role",
        table(["E1", "王静", "厨师", "SH01", "", "2024-05-01", "", "", ""]),
        [f"row 2, column “岗位”: “厨师” is not a role; {ROLES}"],
        [],
    ),
    (
        "leave before hire",
        table(person("E5", leave="2023-01-01")),
        ["row 2, column “离职日期”: leave date 2023-01-01 is before hire date 2024-05-01"],
        [],
    ),
    (
        "contacts: wrong, or someone else's whatever the case",
        table(
            [*person("E1")[:7], "zhao@c.cn", "Zhao1"],
            [*person("E2")[:7], "ZHAO@c.cn", "sun 3"],
            [*person("E3")[:7], "li@", "zhao1"],
            [*person("E4")[:7], "zhao@c.cn", "Zhao1"],
        ),
        [
            f"row 3, column “企业微信账号”: “sun 3” {WECOM}",
            f"row 3, column “邮箱”: “ZHAO@c.cn” {AGAIN}",
            "row 4, column “邮箱”: “li@” is not an e-mail address",
            f"row 4, column “企业微信账号”: “zhao1” {AGAIN}",
            f"row 5, column “邮箱”: “zhao@c.cn” {AGAIN}",
            f"row 5, column “企业微信账号”: “Zhao1” {AGAIN}",
        ],
        [(2, "E1", 10, date(2024, 5, 1), None)],
    ),
    (
        "unstorable and too long",
        table(
            ["E1\x00", "王\x07静", "美容师", "SH01", "", "2024-05-01", "", "", ""],
            ["E" * 33, "名" * 101, "美容师", "S" * 101, "", "2024-05-01", "", "", ""],
        ),
        [
            "row 2, column “员工编号”: contains the control character U+0000, which cannot be "
            "stored; remove it",
            "row 2, column “姓名”: contains the control character U+0007, which cannot be "
            "stored; remove it",
            "row 3, column “员工编号”: is longer than 32 characters",
            "row 3, column “姓名”: is longer than 100 characters",
            "row 3, column “门店”: is longer than 100 characters",
        ],
        [],
    ),
    (
        "many problems in one row, in reading order",
        table(
            ["E1", "", "厨师", "SH99", "X", "bad", "2020-01-01", "a@b", "张三"],
            ["E1", "王静", "美容师", "SH01", "nope", "2024-05-01", "2020-01-01", "", ""],
        ),
        [
            "row 2, column “姓名”: is empty",
            f"row 2, column “岗位”: “厨师” is not a role; {ROLES}",
            "row 2, column “入职日期”: “bad” is not a date; write it as 2026-03-05",
            "row 2, column “邮箱”: “a@b” is not an e-mail address",
            f"row 2, column “企业微信账号”: “张三” {WECOM}",
            "row 2, column “门店”: unknown store “SH99”; use a store code from the org page",
            "row 3, column “团队”: team “nope” is not a team of store “SH01”",
            "row 3, column “员工编号”: employee number “E1” appears again (first on row 2)",
            "row 3, column “离职日期”: leave date 2020-01-01 is before hire date 2024-05-01",
        ],
        [],
    ),
    (
        "GBK file",
        gbk(
            ["E1", "王静", "美容师", "SH01", "美容组", "2024-05-01", "", "", ""],
            ["E1", "李娜", "咨询师", "北京店", "", "2024-05-01", "", "", ""],
        ),
        [
            "row 3, column “门店”: unknown store “北京店”; use a store code from the org page",
            "row 3, column “员工编号”: employee number “E1” appears again (first on row 2)",
        ],
        [(2, "E1", 11, date(2024, 5, 1), None)],
    ),
    (
        "Excel cells: numbers, dates, True, empty",
        table(
            [1024, "王静", "美容师", "SH01", None, datetime(2024, 5, 1), None, None, None],
            [1024.0, "李娜", "店长", "BJ01", None, date(2020, 1, 2), datetime(9999, 12, 31)],
            [True, "周雪", "护士", "BJ01", None, 45000, 45001.5, None, None],
            [1, "陈晨", "护士", "BJ01", None, -3, "2024-05-01", None, 13800138000.0],
        ),
        [
            "row 3, column “员工编号”: employee number “1024” appears again (first on row 2)",
            "row 5, column “入职日期”: “-3” is not a date",
        ],
        [
            (2, "1024", 10, date(2024, 5, 1), None),
            (4, "True", 20, date(2023, 3, 15), date(2023, 3, 16)),
        ],
    ),
    (
        "short rows",
        table(["E1", "王静", "美容师", "SH01"], person("E2")[:6]),
        ["row 2, column “入职日期”: is empty"],
        [(3, "E2", 10, date(2024, 5, 1), None)],
    ),
    ("header only", table(), ["The file has a header but no rows."], []),
]


@pytest.mark.parametrize(("case", "file", "messages", "rows"), CASES, ids=[c[0] for c in CASES])
def test_bad_rosters_keep_their_messages(case, file, messages, rows):
    usable, problems = parse_roster(file, UNITS)
    assert [p.render() for p in problems] == messages
    assert [(r.row, r.employee_no, r.unit_id, r.hire_date, r.leave_date) for r in usable] == rows
