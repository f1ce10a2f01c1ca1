"""The agency's visits template: its example visit passes the import's dry run on the demo
chain, for both shipped checklists, in both languages, as .xlsx and .csv; the item hint
column is read-only and ignored; every cell is formula-safe; LibreOffice opens it."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from ee_app.auth import system_actor
from ee_app.db import read_session, write_session
from ee_app.exports.visit_templates import (
    HINT_KEY,
    visit_headers,
    visit_template_csv,
    visit_template_rows,
    visit_template_xlsx,
)
from ee_app.imports.visit_columns import VISIT_COLUMNS
from ee_app.instruments.checklist import default_definitions, validate
from ee_app.models import ChecklistVersion
from ee_app.services.visit_import import import_visits
from ee_app.services.visits import checklist_of
from tests.helpers import libreoffice_csv, snapshot

LANGUAGES = ["en", "zh-CN"]
KEYS = ["service-process", "consultation-compliance"]
FORMS = {"xlsx": (visit_template_xlsx, "template.xlsx"), "csv": (visit_template_csv, "t.csv")}
HINT = [c.key for c in VISIT_COLUMNS].index(HINT_KEY)


def shipped(key):
    return validate(default_definitions()[key])


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("form", list(FORMS))
def test_the_example_passes_a_dry_run(engine, demo, form, language):
    build, name = FORMS[form]
    with read_session(engine) as session:
        stored = {r.key: checklist_of(r) for r in session.scalars(select(ChecklistVersion))}
    before = snapshot(engine)
    for key in KEYS:
        with write_session(engine) as session:
            result = import_visits(
                session, system_actor(), build(stored[key], language), name, dry_run=True
            )
        assert (result.rows, result.visits, result.new) == (len(stored[key].items), 1, 1)
        assert result.warnings == []  # E10002 worked at SH01 on the example's day
    assert snapshot(engine) == before


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_one_row_per_item_showing_each_kind_of_answer(key, language):
    checklist = shipped(key)
    rows = visit_template_rows(checklist, language)
    item_ids = [row[4] for row in rows]
    assert item_ids == [i.id for i in checklist.items]
    answers = [row[5] for row in rows]
    yes, no, na = ("是", "否", "不适用") if language == "zh-CN" else ("yes", "no", "na")
    assert answers.count(no) == 1 and answers.count(na) == 1 and yes in answers
    [said_no] = [row for row in rows if row[5] == no]
    assert said_no[6]  # the "no" comes with its comment
    for row, item in zip(rows, checklist.items, strict=True):
        assert row[3] == f"{key} v1"
        assert item.text.get(language) in row[HINT]
        if item.critical:
            assert ("一票否决项" if language == "zh-CN" else "critical") in row[HINT]


@pytest.mark.parametrize("language", LANGUAGES)
def test_csv_has_the_headers_of_its_language_and_a_bom(language):
    data = visit_template_csv(shipped("service-process"), language)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == visit_headers(language)
    assert len(rows) == 1 + len(shipped("service-process").items)


def test_headers_follow_the_parsers_columns():
    assert visit_headers("zh-CN")[:9] == [c.zh for c in VISIT_COLUMNS][:9]
    assert visit_headers("en")[:9] == [c.en for c in VISIT_COLUMNS][:9]
    assert visit_headers("zh-CN")[HINT] == "题目内容（仅供参考，不导入）"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_hint_column_is_read_only_and_explained(language):
    book = load_workbook(io.BytesIO(visit_template_xlsx(shipped("service-process"), language)))
    first, notes = book.worksheets
    letter = first.cell(row=1, column=HINT + 1).column_letter
    [guard] = first.data_validations.dataValidation
    assert guard.type == "custom" and guard.formula1 == "FALSE" and guard.showErrorMessage
    assert str(guard.sqref) == f"{letter}2:{letter}1048576"
    assert first.cell(row=2, column=HINT + 1).font.italic
    assert first["C2"].number_format == "yyyy-mm-dd"
    text = [str(c) for row in notes.iter_rows(values_only=True) for c in row if c]
    zh = language == "zh-CN"
    for column in VISIT_COLUMNS:
        assert (column.zh if zh else column.en) in text
    assert ("答案填写方式" if zh else "Accepted answers") in text
    assert any("不适用" in t for t in text) and any("1" in t and "5" in t for t in text)


def test_every_cell_is_formula_safe():
    definition = default_definitions()["service-process"]
    sections = [dict(s) for s in definition["sections"]]
    first_item = dict(sections[0]["items"][0])
    first_item["en"] = '=HYPERLINK("http://evil.example","click")'
    first_item["zh-CN"] = "+cmd|' /C calc'!A0"
    sections[0] = {**sections[0], "items": [first_item, *sections[0]["items"][1:]]}
    checklist = validate({**definition, "sections": sections})
    for language, prefix in (("en", "="), ("zh-CN", "+")):
        rows = list(csv.reader(io.StringIO(visit_template_csv(checklist, language).decode())))
        assert rows[1][HINT].startswith("'" + prefix)
        sheet = load_workbook(io.BytesIO(visit_template_xlsx(checklist, language))).active
        cell = sheet.cell(row=2, column=HINT + 1)
        assert cell.data_type == "s" and cell.quotePrefix and cell.value.startswith(prefix)


@pytest.mark.parametrize("language", LANGUAGES)
def test_opens_in_libreoffice(tmp_path, language):
    checklist = shipped("consultation-compliance")
    data = visit_template_xlsx(checklist, language)
    rows = libreoffice_csv(data, tmp_path)
    assert rows[0] == visit_headers(language)
    assert len(rows) == 1 + len(checklist.items)
    assert [r[4] for r in rows[1:]] == [i.id for i in checklist.items]
    (tmp_path / "notes").mkdir()
    notes = libreoffice_csv(data, tmp_path / "notes", sheet=2)
    assert notes[0][0] == ("列" if language == "zh-CN" else "Column")
