"""The personal links of an assessment as Excel: one row per person, clickable links, the
rules on a second sheet, and names that look like formulas kept as text."""

import io

import pytest
from openpyxl import load_workbook

from ee_app.exports.quiz_links import quiz_links_xlsx
from ee_app.instruments.quiz import default_definitions, validate
from ee_app.services.training_links import QuizLink

QUIZ = validate(default_definitions()["onboarding"])
LINKS = [
    QuizLink("E10001", "王敏", "上海静安店", "美容组", "http://x/assessment?t=abc", True),
    QuizLink(
        "E10002", '=HYPERLINK("http://evil")', "上海静安店", "", "http://x/assessment?t=def", False
    ),
]


@pytest.mark.parametrize(
    ("language", "header", "yes"),
    [("en", "Personal link", "yes"), ("zh-CN", "专属链接", "是")],
)
def test_links_workbook(language, header, yes):
    book = load_workbook(io.BytesIO(quiz_links_xlsx(LINKS, QUIZ, language)))
    sheet = book.worksheets[0]
    assert sheet.cell(1, 5).value == header
    assert [sheet.cell(r, 5).value for r in (2, 3)] == [link.link for link in LINKS]
    assert sheet.cell(2, 5).hyperlink.target == LINKS[0].link
    assert sheet.cell(2, 6).value == yes
    name = sheet.cell(3, 2)
    assert name.data_type == "s" and name.value == LINKS[1].name  # text, never a formula
    about = {row[0]: row[1] for row in book.worksheets[1].iter_rows(values_only=True) if row[0]}
    assert QUIZ.draw in about.values() and QUIZ.max_attempts in about.values()
