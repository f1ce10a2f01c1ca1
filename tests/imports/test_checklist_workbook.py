"""Reading an edited checklist workbook: one row per rule, each problem found at its sheet,
row and column and worded in both languages; Y/N in either language; missing sheets and
columns; a damaged file refused."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from ee_app.errors import ImportRejected
from ee_app.exports.checklist_workbook import checklist_workbook
from ee_app.i18n import translator
from ee_app.imports.checklist_workbook import read_checklist_workbook
from ee_app.instruments.checklist_tables import SHEETS
from tests.services.test_checklist_templates import small

ZH = translator("zh-CN")


def edited(*changes, drop_sheet=None, drop_column=None) -> bytes:
    """The workbook of :func:`small` with cells changed: (sheet key, row, field key, value).

    Rows of the small checklist: Items 2 greet (yes/no, critical), 3 wait (choice),
    4 water (scale), 5 notes (text); Sections 2 welcome, 3 wash; Options 2 short, 3 long.
    """
    book = load_workbook(io.BytesIO(checklist_workbook(small())))
    for sheet, row, key, value in changes:
        spec = SHEETS[sheet]
        ws = book[spec.title]
        column = [f.key for f in spec.fields].index(key) + 1
        ws.cell(row=row, column=column).value = value
    if drop_sheet:
        del book[SHEETS[drop_sheet].title]
    if drop_column:
        sheet, key = drop_column
        spec = SHEETS[sheet]
        book[spec.title].delete_cols([f.key for f in spec.fields].index(key) + 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def problems_of(data: bytes):
    with pytest.raises(ImportRejected) as caught:
        read_checklist_workbook(data)
    return caught.value.problems


def header(sheet, key):
    return SHEETS[sheet].field(key).header


@pytest.mark.parametrize(
    ("change", "sheet", "row", "column", "english", "chinese"),
    [
        (("items", 2, "type", "maybe"), "items", 2, "type", "is not a type", "不是有效题型"),
        (("items", 2, "points", 150), "items", 2, "points", "0 to 100", "0至100的整数"),
        (("items", 4, "points", 2.5), "items", 4, "points", "whole number", "整数"),
        (("items", 3, "critical", "Y"), "items", 3, "critical", "only a yes/no", "仅是非题"),
        (("items", 4, "comment_on_no", "是"), "items", 4, "comment_on_no", "only a yes/no", "仅"),
        (
            ("items", 2, "zh", None),
            "items",
            2,
            "zh",
            "is empty; write the text",
            "为空，请填写内容",
        ),
        (("sections", 3, "name_zh", " "), "sections", 3, "name_zh", "is empty", "为空"),
        (("items", 3, "id", "greet"), "items", 3, "id", "used twice", "重复"),
        (("items", 2, "id", "Greet Me"), "items", 2, "id", "is not an id", "不是有效的编号"),
        (
            ("items", 2, "section", "nowhere"),
            "items",
            2,
            "section",
            "not a section",
            "不是“部分”表",
        ),
        (("options", 2, "credit", 1.5), "options", 2, "credit", "from 0 to 1", "0至1"),
        (("options", 2, "credit", 0.9), "items", 3, "id", "credit 1", "得分比例为1"),
        (("options", 3, "item", "greet"), "options", 3, "item", "not a choice item", "选择题"),
        (("options", 3, "item", "greet"), "items", 3, "id", "at least two options", "至少有两个"),
        (("items", 2, "na", "maybe"), "items", 2, "na", "is not Y or N", "不是Y或N"),
        (("items", 4, "points", 0), "sections", 3, "id", "at least one item with points", "计分题"),
        (("items", 5, "points", 3), "items", 5, "points", "earns no points", "不计分"),
        (("items", 2, "points", None), "items", 2, "points", "give the item's points", "分值"),
        (("sections", 2, "weight", 0), "sections", 2, "weight", "above 0", "大于0"),
        (("checklist", 2, "key", "Hair Wash"), "checklist", 2, "key", "is not a key", "编号"),
        (("checklist", 2, "pass_mark", 120), "checklist", 2, "pass_mark", "at most 100%", "合格线"),
        (("checklist", 2, "version", 0), "checklist", 2, "version", "1 or more", "版本号"),
    ],
)
def test_each_cell_problem_is_found_where_it_is(change, sheet, row, column, english, chinese):
    problems = problems_of(edited(change))
    here = [
        p
        for p in problems
        if (p.sheet, p.row, p.column) == (SHEETS[sheet].title, row, header(sheet, column))
    ]
    assert here, [p.render() for p in problems]
    assert any(english in p.render() for p in here), [p.render() for p in here]
    zh = [p.render(ZH) for p in here]
    assert any(chinese in text for text in zh), zh
    assert all(f"工作表“{SHEETS[sheet].title}”" in t for t in zh)
    assert all(f"第 {row} 行" in t for t in zh)


def test_every_problem_is_listed_at_once():
    problems = problems_of(
        edited(
            ("items", 2, "type", "maybe"),
            ("items", 3, "zh", ""),
            ("options", 2, "credit", "lots"),
        )
    )
    assert {(p.sheet, p.row) for p in problems} >= {
        ("Items 题目", 2),
        ("Items 题目", 3),
        ("Options 选项", 2),
    }


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Y", True),
        ("yes", True),
        ("TRUE", True),
        (True, True),
        ("是", True),
        ("N", False),
        ("no", False),
        ("FALSE", False),
        ("否", False),
        (None, False),
    ],
)
def test_yes_and_no_in_either_language(cell, expected):
    definition = read_checklist_workbook(edited(("items", 4, "na", cell)))
    water = definition["sections"][1]["items"][0]
    assert water.get("na", False) is expected


@pytest.mark.parametrize(
    ("cell", "kind"),
    [("是非题", "yes_no"), ("yes_no", "yes_no"), ("评分题 scale", "scale"), ("评分题", "scale")],
)
def test_types_in_either_language(cell, kind):
    definition = read_checklist_workbook(edited(("items", 4, "type", cell)))
    assert definition["sections"][1]["items"][0]["type"] == kind


@pytest.mark.parametrize(
    ("kwargs", "english", "chinese"),
    [
        ({"drop_sheet": "options"}, "the sheet “Options” (选项) is missing", "缺少“选项”"),
        (
            {"drop_column": ("items", "points")},
            "the column “Points” (分值) is missing",
            "缺少“分值”",
        ),
    ],
)
def test_a_missing_sheet_or_column_is_named(kwargs, english, chinese):
    problems = problems_of(edited(**kwargs))
    assert any(english in p.render() for p in problems), [p.render() for p in problems]
    assert any(chinese in p.render(ZH) for p in problems)


def test_sheets_and_columns_are_found_by_either_language():
    book = load_workbook(io.BytesIO(checklist_workbook(small())))
    for spec in SHEETS.values():
        ws = book[spec.title]
        ws.title = spec.zh
        for cell in ws[1]:
            field = next(f for f in spec.fields if f.header == cell.value)
            cell.value = field.zh if spec.key != "checklist" else field.en
    buffer = io.BytesIO()
    book.save(buffer)
    assert read_checklist_workbook(buffer.getvalue()) == small()


@pytest.mark.parametrize("data", [b"not a workbook at all", b"PK\x03\x04broken"])
def test_a_file_that_is_no_workbook_is_refused(data):
    with pytest.raises(ImportRejected) as caught:
        read_checklist_workbook(data)
    assert "readable .xlsx" in caught.value.render()
    assert "xlsx" in caught.value.render(ZH)


def test_the_example_round_trips():
    assert read_checklist_workbook(checklist_workbook(small())) == small()
