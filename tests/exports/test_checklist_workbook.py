"""The checklist workbook: shipped templates survive the round trip unchanged, headers are
bilingual, text never becomes a formula, LibreOffice opens it, and the example in the docs
is current."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ee_app.exports.checklist_workbook import HOW_TO_TITLE, blank_definition, checklist_workbook
from ee_app.exports.examples import CHECKLIST_EXAMPLE, example_files
from ee_app.imports.checklist_workbook import read_checklist_workbook
from ee_app.instruments.checklist import DEFAULT_TEMPLATES, default_definitions, definition_hash
from ee_app.instruments.checklist_tables import SHEETS
from tests.helpers import libreoffice_csv
from tests.services.test_checklist_templates import small

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def cells(data: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(data))
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in book}


@pytest.mark.parametrize("key", DEFAULT_TEMPLATES)
def test_a_shipped_template_round_trips_to_the_same_definition(key):
    definition = default_definitions()[key]
    back = read_checklist_workbook(checklist_workbook(definition))
    assert back == definition
    assert definition_hash(back) == definition_hash(definition)


def test_sheets_and_headers_are_bilingual():
    book = cells(checklist_workbook(small()))
    assert list(book) == [s.title for s in SHEETS.values()] + [HOW_TO_TITLE]
    assert book["Items 题目"][0][:4] == (
        "Section id / 部分编号",
        "Item id / 题目编号",
        "Type / 题型",
        "Points / 分值",
    )
    greet = book["Items 题目"][1]
    assert greet[:8] == ("welcome", "greet", "是非题 yes/no", 2, "Y", "N", "N", "N")
    assert book["Checklist 检查表"][1][0] == "hair-wash"
    how = book[HOW_TO_TITLE]
    assert how[0] == ("English", "中文") and all(en and zh for en, zh in how[1:])


def test_text_that_looks_like_a_formula_stays_text():
    definition = small()
    definition["sections"][0]["items"][0]["en"] = '=HYPERLINK("http://x")'
    book = load_workbook(io.BytesIO(checklist_workbook(definition)))
    cell = book["Items 题目"].cell(row=2, column=9)
    assert cell.value == '=HYPERLINK("http://x")'
    assert cell.data_type == "s" and cell.quotePrefix
    assert read_checklist_workbook(checklist_workbook(definition)) == definition


def test_the_blank_template_lists_what_to_fill_in():
    with pytest.raises(Exception) as caught:
        read_checklist_workbook(checklist_workbook(blank_definition()))
    assert len(caught.value.problems) == 8  # names, descriptions, section name, item text


def test_libreoffice_opens_the_workbook(tmp_path):
    data = checklist_workbook(default_definitions()["service-process"])
    items = libreoffice_csv(data, tmp_path, sheet=3)
    assert items[0][:4] == [
        "Section id / 部分编号",
        "Item id / 题目编号",
        "Type / 题型",
        "Points / 分值",
    ]
    assert items[1][:4] == ["booking", "booking-needs", "是非题 yes/no", "2"]
    (tmp_path / "head").mkdir()
    head = libreoffice_csv(data, tmp_path / "head", sheet=1)
    assert head[1][0] == "service-process" and head[1][6] == "80%"


def test_the_example_in_the_docs_is_current():
    for name, content in example_files().items():
        committed = EXAMPLES / name
        assert committed.exists(), f"run scripts/examples to write {committed}"
        assert cells(committed.read_bytes()) == cells(content), "run scripts/examples"
    assert (
        read_checklist_workbook((EXAMPLES / CHECKLIST_EXAMPLE).read_bytes())
        == (default_definitions()["service-process"])
    )
