import pytest

from ee_app.imports.columns import map_columns, normalise_header
from ee_app.imports.roster import ROSTER_COLUMNS


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("入职日期（yyyy-mm-dd）", "入职日期"),
        ("Hire Date", "hiredate"),
        ("hire_date", "hiredate"),
        ("  员工 编号 ", "员工编号"),
        ("ＥＭＰ　ＮＯ", "empno"),  # full-width letters and space
    ],
)
def test_normalise_header(header, expected):
    assert normalise_header(header) == expected


def test_chinese_and_english_headers_map_to_the_same_fields():
    zh = ["员工编号", "姓名", "岗位", "门店", "团队", "入职日期"]
    en = ["Employee number", "Name", "Role", "Store", "Team", "Hire date"]
    for header in (zh, en):
        positions, problems = map_columns(header, ROSTER_COLUMNS)
        assert problems == []
        assert positions == {
            "employee_no": 0,
            "name": 1,
            "role": 2,
            "store": 3,
            "team": 4,
            "hire_date": 5,
        }


def test_missing_required_column_is_named_in_both_languages():
    _, problems = map_columns(["员工编号", "姓名", "门店", "入职日期"], ROSTER_COLUMNS)
    assert [p.params["field"] for p in problems] == ["Role"]
    assert problems[0].params["zh"] == "岗位"


def test_two_headers_for_one_field_is_a_problem():
    _, problems = map_columns(
        ["工号", "员工编号", "姓名", "岗位", "门店", "入职日期"], ROSTER_COLUMNS
    )
    assert len(problems) == 1
    assert "工号" in problems[0].params["headers"]


def test_explicit_mapping_wins():
    header = ["ID", "姓名", "岗位", "门店", "入职日期"]
    positions, problems = map_columns(header, ROSTER_COLUMNS, {"employee_no": "ID"})
    assert problems == []
    assert positions["employee_no"] == 0
