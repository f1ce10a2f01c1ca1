"""A question bank as Excel: the shipped banks make the round trip export → import to the very
same definition in both languages; cells that look like formulas stay text; the blank template
explains itself and imports to "fill me in" problems only; LibreOffice opens the workbook."""

import io

import pytest
from openpyxl import load_workbook

from ee_app.errors import ImportRejected
from ee_app.exports.question_bank import question_bank_template_xlsx, question_bank_xlsx
from ee_app.exports.question_bank_example import example_definition
from ee_app.i18n import translator
from ee_app.imports.question_bank import read_question_bank
from ee_app.instruments.quiz import DEFAULT_QUIZZES, default_definitions
from tests.helpers import libreoffice_csv

LANGUAGES = ["en", "zh-CN"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", DEFAULT_QUIZZES)
def test_round_trip_gives_the_identical_definition(key, language):
    shipped = default_definitions()[key]
    assert read_question_bank(question_bank_xlsx(shipped, language)) == shipped


def test_the_onboarding_workbook_as_a_clerk_sees_it():
    book = load_workbook(io.BytesIO(question_bank_xlsx(default_definitions()["onboarding"])))
    assert book.sheetnames == ["Questions", "Settings", "Draw"]
    questions = book["Questions"]
    header = [c.value for c in questions[1]]
    assert header[:5] == ["ID", "Topic", "Type", "Question en", "Question zh"]
    # onboarding has a question with 7 options: the columns go to G, not beyond.
    assert "Option G zh" in header and "Option H en" not in header
    assert header[-3:] == ["Correct", "Explanation en", "Explanation zh"]
    rows = {r[0]: r for r in questions.iter_rows(min_row=2, values_only=True)}
    assert rows["skin-refer-doctor"][2] == "multiple"
    assert rows["skin-inflamed-acne"][2:3] == ("true-false",)
    assert questions.freeze_panes == "A2"
    settings = {r[0]: r[1] for r in book["Settings"].iter_rows(min_row=2, values_only=True)}
    assert settings["Key"] == "onboarding" and settings["Pass mark"] == 0.8
    assert settings["Time limit minutes"] == 30 and settings["Grading"] == "highest"
    draw = list(book["Draw"].iter_rows(min_row=2, values_only=True))
    assert draw == [(t, 5) for t in ("skin", "hygiene", "service", "compliance", "complaints")]


def test_cells_that_look_like_formulas_stay_text():
    definition = example_definition()
    definition["questions"][0]["en"] = '=HYPERLINK("http://x","click")'
    definition["questions"][0]["options"][1]["zh-CN"] = "-1 分"
    data = question_bank_xlsx(definition)
    sheet = load_workbook(io.BytesIO(data))["Questions"]
    cell = sheet["D2"]
    assert cell.data_type == "s" and cell.quotePrefix
    assert read_question_bank(data) == definition


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_blank_template_explains_itself(language):
    data = question_bank_template_xlsx(language)
    book = load_workbook(io.BytesIO(data))
    zh = language == "zh-CN"
    assert book.sheetnames == (
        ["题目", "设置", "抽题", "填写说明"]
        if zh
        else ["Questions", "Settings", "Draw", "How to fill"]
    )
    guide = "\n".join(str(c.value) for row in book.worksheets[3].iter_rows() for c in row)
    assert "对 / 错" in guide and "A,C" in guide
    with pytest.raises(ImportRejected) as caught:
        read_question_bank(data)
    rendered = caught.value.render(translator(language))
    assert ("表中没有题目" if zh else "The sheet has no questions.") in rendered
    assert (
        "设置项“Pass mark”（合格线）未填写" if zh else "“Pass mark” (合格线) is empty"
    ) in rendered


def test_libreoffice_opens_the_workbook(tmp_path):
    data = question_bank_xlsx(example_definition())
    rows = libreoffice_csv(data, tmp_path)
    assert rows[0][:3] == ["ID", "Topic", "Type"]
    assert len(rows) == 41
    assert rows[1][0] == "skin-layers"
    (tmp_path / "s").mkdir()
    settings = libreoffice_csv(data, tmp_path / "s", sheet=2)
    assert settings[1][:2] == ["Key", "onboarding"]
