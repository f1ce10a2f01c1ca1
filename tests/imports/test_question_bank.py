"""A question bank from Excel: one row per rule a clerk can break, each reported with its sheet,
row and column, in English and Chinese; what a clerk may write (Chinese sheets and headers,
单选/判断, "AC", 80%, blank ids); and nothing at all from a workbook with any problem."""

import io

import pytest
from openpyxl import load_workbook

from ee_app.errors import ImportRejected
from ee_app.exports.question_bank import question_bank_xlsx
from ee_app.exports.question_bank_example import example_definition, example_workbook
from ee_app.i18n import translator
from ee_app.imports.question_bank import read_question_bank

EN, ZH = translator("en"), translator("zh-CN")


def _column(sheet, header):
    for cell in sheet[1]:
        if cell.value == header:
            return cell.column
    raise KeyError(header)


def _row(sheet, question_id):
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == question_id:
            return row[0].row
    raise KeyError(question_id)


def edited(*edits, source=None):
    """The example workbook with cells changed: (sheet, question id or setting or row, header,
    value); value None empties the cell."""
    book = load_workbook(io.BytesIO(source or example_workbook()))
    for sheet_name, where, header, value in edits:
        sheet = book[sheet_name]
        if sheet_name == "Questions" and isinstance(where, str):
            row = _row(sheet, where)
        elif sheet_name == "Settings" and isinstance(where, str):
            row = next(r[0].row for r in sheet.iter_rows(min_row=2) if r[0].value == where)
        else:
            row = where
        sheet.cell(row=row, column=_column(sheet, header)).value = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def without(sheet_name=None, draw_topic=None):
    book = load_workbook(io.BytesIO(example_workbook()))
    if sheet_name:
        del book[sheet_name]
    if draw_topic:
        sheet = book["Draw"]
        row = next(r[0].row for r in sheet.iter_rows(min_row=2) if r[0].value == draw_topic)
        sheet.delete_rows(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def problems_of(data, **kwargs):
    with pytest.raises(ImportRejected) as caught:
        read_question_bank(data, **kwargs)
    return caught.value.problems


# Rows of the example workbook (header = row 1): skin-layers is row 2, skin-barrier row 3.
CASES = [
    (
        "single with two correct",
        lambda: edited(("Questions", "skin-layers", "Correct", "A,B")),
        ("Questions", 2, "Correct"),
        "a single-choice question has exactly one correct option, not 2",
        "单选题只能有一个正确选项，此处为2个",
    ),
    (
        "multiple with all correct",
        lambda: edited(("Questions", "skin-after-peel", "Correct", "A,B,C,D,E")),
        ("Questions", 11, "Correct"),
        "needs at least one wrong option",
        "至少要有一个错误选项",
    ),
    (
        "true/false with options",
        lambda: edited(("Questions", "skin-patch-test", "Option A en", "Yes")),
        ("Questions", 10, "Option A en"),
        "a true/false question has no options",
        "判断题没有选项",
    ),
    (
        "true/false answer not true or false",
        lambda: edited(("Questions", "skin-patch-test", "Correct", "maybe")),
        ("Questions", 10, "Correct"),
        "“maybe” is not 对 or 错 (true or false)",
        "“maybe”不是“对”或“错”",
    ),
    (
        "missing zh text",
        lambda: edited(("Questions", "skin-layers", "Question zh", None)),
        ("Questions", 2, "Question zh"),
        "is empty",
        "为空",
    ),
    (
        "missing zh option",
        lambda: edited(("Questions", "skin-layers", "Option C zh", None)),
        ("Questions", 2, "Option C zh"),
        "is empty",
        "为空",
    ),
    (
        "missing explanation",
        lambda: edited(("Questions", "skin-layers", "Explanation en", " ")),
        ("Questions", 2, "Explanation en"),
        "is empty",
        "为空",
    ),
    (
        "duplicate id",
        lambda: edited(("Questions", "skin-barrier", "ID", "skin-layers")),
        ("Questions", 3, "ID"),
        "the id “skin-layers” is also used in row 2",
        "第2行也使用了编号“skin-layers”",
    ),
    (
        "bad id",
        lambda: edited(("Questions", "skin-barrier", "ID", "皮肤1")),
        ("Questions", 3, "ID"),
        "is not an id",
        "不是有效的题目编号",
    ),
    (
        "correct letter naming an empty option",
        lambda: edited(("Questions", "skin-layers", "Correct", "E")),
        ("Questions", 2, "Correct"),
        "option E is empty: the correct answer must name filled options",
        "选项E为空",
    ),
    (
        "correct answer not a letter",
        lambda: edited(("Questions", "skin-layers", "Correct", "first")),
        ("Questions", 2, "Correct"),
        "is not an option letter",
        "不是选项字母",
    ),
    (
        "a gap in the options",
        lambda: edited(
            ("Questions", "skin-layers", "Option B en", None),
            ("Questions", "skin-layers", "Option B zh", None),
        ),
        ("Questions", 2, "Option B en"),
        "option B is empty but a later option is filled",
        "选项B为空",
    ),
    (
        "one option only",
        lambda: edited(
            *(
                ("Questions", "skin-layers", f"Option {x} {lang}", None)
                for x in "BCD"
                for lang in ("en", "zh")
            )
        ),
        ("Questions", 2, "Option A en"),
        "at least two options",
        "至少需要两个选项",
    ),
    (
        "unknown type",
        lambda: edited(("Questions", "skin-layers", "Type", "essay")),
        ("Questions", 2, "Type"),
        "“essay” is not a question type",
        "“essay”不是题型",
    ),
    (
        "topic not a code",
        lambda: edited(("Questions", "skin-layers", "Topic", "皮肤")),
        ("Questions", 2, "Topic"),
        "is not a topic code",
        "不是类别代码",
    ),
    (
        "pass mark 120%",
        lambda: edited(("Settings", "Pass mark", "Value", "120%")),
        ("Settings", 7, "Value"),
        "“120%” is not a pass mark",
        "“120%”不是有效的合格线",
    ),
    (
        "attempts 0",
        lambda: edited(("Settings", "Attempts", "Value", 0)),
        ("Settings", 8, "Value"),
        "must be a whole number from 1 to 20",
        "必须是1到20之间的整数",
    ),
    (
        "time limit not a number",
        lambda: edited(("Settings", "Time limit minutes", "Value", "half an hour")),
        ("Settings", 9, "Value"),
        "is not a number",
        "不是数字",
    ),
    (
        "unknown grading",
        lambda: edited(("Settings", "Grading", "Value", "best")),
        ("Settings", 10, "Value"),
        "“best” is not a grading rule",
        "“best”不是有效的计分方式",
    ),
    (
        "unknown setting",
        lambda: edited(("Settings", "Grading", "Setting", "Colour")),
        ("Settings", 10, "Setting"),
        "“Colour” is not a setting of a question bank",
        "“Colour”不是题库的设置项",
    ),
    (
        "missing name zh",
        lambda: edited(("Settings", "Name zh", "Value", None)),
        ("Settings", None, None),
        "The setting “Name zh” (名称中文) is empty.",
        "设置项“Name zh”（名称中文）未填写。",
    ),
    (
        "unknown topic in Draw",
        lambda: edited(("Draw", 2, "Topic", "makeup")),
        ("Draw", 2, "Topic"),
        "no question has the topic “makeup”",
        "没有类别为“makeup”的题目",
    ),
    (
        "draw more than the topic has",
        lambda: edited(("Draw", 2, "Questions drawn", 11)),
        ("Draw", 2, "Questions drawn"),
        "topic “skin” has 10 questions; 11 cannot be drawn",
        "类别“skin”只有10道题，不能抽取11道",
    ),
    (
        "topic never drawn",
        lambda: without(draw_topic="compliance"),
        ("Draw", None, None),
        "Topic “compliance” (10 questions) is never drawn",
        "类别“compliance”（10道题）没有抽题",
    ),
    (
        "missing sheet",
        lambda: without(sheet_name="Settings"),
        (None, None, None),
        "The workbook has no sheet “Settings” (设置).",
        "工作簿中没有“Settings”（设置）工作表。",
    ),
    (
        "missing column",
        lambda: edited(("Questions", 1, "Correct", "Answers given")),
        ("Questions", 1, None),
        "Required column “Correct” (正确答案) is missing.",
        "缺少必填列",
    ),
]


@pytest.mark.parametrize(
    ("name", "make", "where", "english", "chinese"), CASES, ids=[c[0] for c in CASES]
)
def test_each_problem_names_its_sheet_row_and_column(name, make, where, english, chinese):
    problems = problems_of(make())
    found = [p for p in problems if english in p.render(EN)]
    assert found, [p.render(EN) for p in problems]
    problem = found[0]
    assert (problem.sheet, problem.row, problem.column) == where
    assert chinese in problem.render(ZH)
    if problem.sheet:
        assert f"工作表“{problem.sheet}”" in problem.render(ZH)


def test_every_problem_at_once_across_sheets():
    problems = problems_of(
        edited(
            ("Questions", "skin-layers", "Correct", "A,B"),
            ("Questions", "hygiene-gloves", "Type", "essay"),
            ("Settings", "Attempts", "Value", 0),
            ("Draw", 3, "Questions drawn", 99),
        )
    )
    assert {(p.sheet, p.row) for p in problems} >= {
        ("Questions", 2),
        ("Questions", 20),
        ("Settings", 8),
        ("Draw", 3),
    }


def test_not_a_workbook():
    with pytest.raises(ImportRejected) as caught:
        read_question_bank(b"id,topic\n1,skin\n")
    assert "not a readable .xlsx workbook" in caught.value.render(EN)


def test_the_example_reads_as_its_definition():
    definition = read_question_bank(example_workbook())
    assert definition == example_definition()
    assert len(definition["questions"]) == 40
    assert definition["key"] == "onboarding" and definition["max_attempts"] == 2


def test_a_clerk_writes_chinese_words_blank_ids_and_percentages():
    """Chinese sheets and headers, 单选/多选/判断, correct "AC", 对/错, pass mark 80 and blank
    ids: the same bank as before, with ids q001… by row."""
    source = question_bank_xlsx(example_definition(), "zh-CN")
    book = load_workbook(io.BytesIO(source))
    assert book.sheetnames == ["题目", "设置", "抽题"]
    questions = book["题目"]
    for row in questions.iter_rows(min_row=2):
        row[0].value = None
    correct = _column(questions, "正确答案")
    peel = 11  # skin-after-peel: A, B and D are right
    assert questions.cell(row=peel, column=correct).value == "A,B,D"
    questions.cell(row=peel, column=correct).value = "A、B、D"
    questions.cell(row=2, column=correct).value = " a "
    settings = book["设置"]
    settings.cell(row=7, column=2).value = "80%"
    buffer = io.BytesIO()
    book.save(buffer)
    definition = read_question_bank(buffer.getvalue(), key="new-hire")
    expected = example_definition()
    assert definition["key"] == "new-hire"
    assert [q["id"] for q in definition["questions"]] == [f"q{n:03d}" for n in range(1, 41)]
    for got, want in zip(definition["questions"], expected["questions"], strict=True):
        assert {**got, "id": want["id"]} == want
    assert definition["pass_mark"] == 0.8


def test_a_blank_id_never_takes_a_clerks_own_id():
    data = edited(
        ("Questions", "skin-layers", "ID", None), ("Questions", "skin-barrier", "ID", "q001")
    )
    ids = [q["id"] for q in read_question_bank(data)["questions"]]
    assert ids[:2] == ["q001-1", "q001"]
    assert len(set(ids)) == 40


def test_the_page_table_numbers_rows_from_one():
    from ee_app.exports.question_bank import (
        header_text,
        option_letters,
        question_columns,
        question_row,
    )
    from ee_app.imports.question_bank import read_questions

    definition = example_definition()
    letters = option_letters(definition)
    header = [header_text(c, "en") for c in question_columns(letters)]
    rows = [question_row(q, letters, "en") for q in definition["questions"]]
    assert read_questions(header, rows) == definition["questions"]
    rows[2][header.index("Correct")] = "A,B"
    with pytest.raises(ImportRejected) as caught:
        read_questions(header, rows)
    (problem,) = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == (None, 3, "Correct")
    assert problem.render(ZH).startswith("第 3 行")


def test_a_sheet_of_too_many_rows_is_refused_before_its_cells(monkeypatch):
    from ee_app.imports import question_bank

    monkeypatch.setattr(question_bank, "MAX_ROWS", 30)
    with pytest.raises(ImportRejected) as caught:
        read_question_bank(example_workbook())
    assert caught.value.render(EN) == (
        "The sheet “Questions” has more than 30 rows; a bank holds fewer."
    )
    assert "超过 30 行" in caught.value.render(ZH)


@pytest.mark.parametrize(
    ("cell", "value", "expected"),
    [
        ("Correct", "AD", None),  # skin-after-peel has A, B, D right: "AD" is a wrong set
        ("Correct", "a, b ,d", ["a", "b", "d"]),
        ("Correct", "A；B；D", ["a", "b", "d"]),
        ("Type", "多选题", ["a", "b", "d"]),
    ],
)
def test_how_a_clerk_may_write_a_multiple_choice_answer(cell, value, expected):
    definition = read_question_bank(edited(("Questions", "skin-after-peel", cell, value)))
    question = next(q for q in definition["questions"] if q["id"] == "skin-after-peel")
    right = [o["id"] for o in question["options"] if o.get("correct")]
    assert right == (expected or ["a", "d"])
