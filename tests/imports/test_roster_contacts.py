"""The roster's contact columns: each cell read as meant, or refused naming row and column."""

from __future__ import annotations

import pytest

from ee_app.imports.cells import CellError
from ee_app.imports.roster import UnitIndex, parse_roster
from ee_app.imports.roster_cells import parse_email, parse_mobile, parse_wecom_userid
from ee_app.imports.tabular import Table


@pytest.mark.parametrize(
    ("parser", "cell", "expected"),
    [
        (parse_email, "li.si@chain.cn", "li.si@chain.cn"),
        (parse_email, " ｌｉ＠ｃｈａｉｎ．ｃｎ ", "li@chain.cn"),  # full-width
        (parse_email, "", None),
        (parse_email, None, None),
        (parse_email, "li@", CellError),
        (parse_email, "li si@chain.cn", CellError),
        (parse_email, "a@b.c", CellError),
        (parse_email, "x" * 250 + "@c.cn", CellError),
        (parse_mobile, "138 0013-8000", "13800138000"),
        (parse_mobile, 13800138000.0, "13800138000"),  # Excel's number
        (parse_mobile, "+86 138 0013 8000", "+8613800138000"),
        (parse_mobile, "(021) 6234 5678", "02162345678"),
        (parse_mobile, "138-abc", CellError),
        (parse_mobile, "12345", CellError),
        (parse_mobile, "", None),
        (parse_wecom_userid, "ZhangSan", "ZhangSan"),
        (parse_wecom_userid, "zhang.san-01@corp", "zhang.san-01@corp"),
        (parse_wecom_userid, "张三", CellError),
        (parse_wecom_userid, "a b", CellError),
        (parse_wecom_userid, "x" * 65, CellError),
        (parse_wecom_userid, " ", None),
    ],
)
def test_contact_cells(parser, cell, expected):
    if expected is CellError:
        with pytest.raises(CellError):
            parser(cell)
    else:
        assert parser(cell) == expected


UNITS = UnitIndex(stores={"sh01": 1}, teams={})
HEADER = ("员工编号", "姓名", "岗位", "门店", "入职日期", "邮箱", "企业微信账号")


def table(*rows: tuple) -> Table:
    return Table(header=list(HEADER), rows=list(enumerate(rows, start=2)))


def test_contacts_are_read_and_problems_name_row_and_column():
    rows, problems = parse_roster(
        table(
            ("E1", "赵一", "美容师", "SH01", "2025-01-01", "zhao@c.cn", "Zhao1"),
            ("E2", "钱二", "美容师", "SH01", "2025-01-01", "", ""),
            ("E3", "孙三", "美容师", "SH01", "2025-01-01", "ZHAO@c.cn", "sun 3"),
        ),
        UNITS,
    )
    assert [(p.row, p.column) for p in problems] == [(4, "企业微信账号"), (4, "邮箱")]
    assert "not a WeCom user id" in problems[0].render()
    assert problems[1].params["first"] == 2  # the same address, whatever its case
    assert rows[:2] and rows[1].contacts == (("email", None), ("wecom_userid", None))


def test_a_file_without_contact_columns_reads_no_contacts():
    plain = Table(
        header=list(HEADER[:5]), rows=[(2, ("E1", "赵一", "美容师", "SH01", "2025-01-01"))]
    )
    rows, problems = parse_roster(plain, UNITS)
    assert not problems and rows[0].contacts == ()
