"""A question bank (题库) as the workbook :mod:`ee_app.imports.question_bank` reads: a version
to edit in Excel and import again, and a blank template with a "How to fill" sheet.

Headers and sheet names are in the reader's language (the import accepts both). Every cell is
written through :func:`ee_app.exports.xlsx.set_value`, so a question that starts with ``=`` or
``-`` stays text. The option columns go to the last letter the bank uses (at least F).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.datavalidation import DataValidation

from ee_app.exports.xlsx import PERCENT_FORMAT, add_table_sheet, workbook_bytes
from ee_app.imports.question_bank_layout import (
    DRAW_COLUMNS,
    LETTERS,
    QUESTION_COLUMNS,
    SETTINGS,
    SETTINGS_COLUMNS,
    SHEET_NAMES,
)

__all__ = [
    "HOW_TO_FILL",
    "SETTINGS_HELP",
    "header_text",
    "option_letters",
    "question_bank_template_xlsx",
    "question_bank_xlsx",
    "question_columns",
    "question_row",
]

ZH = "zh-CN"
_MIN_LETTERS = 6  # A–F in a template, more when a bank uses them
_TYPE_WORDS = {
    "en": {"single": "single", "multiple": "multiple", "true_false": "true-false"},
    ZH: {"single": "单选", "multiple": "多选", "true_false": "判断"},
}
_TRUE_FALSE = {"en": ("true", "false"), ZH: ("对", "错")}
_GRADING = {
    "en": {"highest": "highest", "last": "last"},
    ZH: {"highest": "最高", "last": "最后一次"},
}

#: The help column of the Settings sheet: (English, 中文).
SETTINGS_HELP: dict[str, tuple[str, str]] = {
    "key": (
        "Short code of the assessment: lower-case letters, digits and -. The same key as an "
        "existing assessment makes its next version (onboarding: the onboarding assessment).",
        "考核的简短编号：小写字母、数字和“-”。与已有考核相同的编号将保存为该考核的新版本"
        "（onboarding：上岗考核）。",
    ),
    "name_en": ("The assessment's name in English.", "考核的英文名称。"),
    "name_zh": ("The assessment's name in Chinese.", "考核的中文名称。"),
    "description_en": (
        "What staff read before they start, in English.",
        "员工作答前看到的英文说明。",
    ),
    "description_zh": (
        "What staff read before they start, in Chinese.",
        "员工作答前看到的中文说明。",
    ),
    "pass_mark": (
        "Share of the drawn questions to get right: 80% or 0.8.",
        "合格线：答对题数占抽题数的比例，如80%或0.8。",
    ),
    "max_attempts": ("How many attempts each person has (1–20).", "每人的作答次数（1–20）。"),
    "time_limit_minutes": (
        "Minutes per attempt; leave empty for no limit.",
        "每次作答的限时（分钟）；不限时请留空。",
    ),
    "grading": (
        "Which attempt counts: highest or last.",
        "以哪次成绩为准：最高（highest）或最后一次（last）。",
    ),
    "draw": (
        "Only without a Draw sheet: questions per test (empty: all).",
        "仅在没有“抽题”表时使用：每次抽题数（留空：全部题目）。",
    ),
    "version": (
        "For information: the app gives the next version number when it saves.",
        "仅供参考：保存时系统自动编排新的版本号。",
    ),
}

#: The "How to fill" sheet: (English, 中文) per line.
HOW_TO_FILL: tuple[tuple[str, str], ...] = (
    ("Questions sheet: one row per question.", "“题目”表：每道题一行。"),
    (
        "ID: optional. Leave it empty and the app numbers the questions q001, q002, … in row "
        "order; give your own (skin-01) to keep ids when you reorder rows.",
        "题目编号：可不填，系统按行的顺序编为q001、q002……；如需调整行顺序后编号不变，"
        "请自行填写（如skin-01）。",
    ),
    (
        "Topic: a short code in lower-case letters (skin, hygiene); the Draw sheet draws by it.",
        "类别：小写字母的简短代码（如skin、hygiene）；“抽题”表按类别抽题。",
    ),
    (
        "Type: single (单选, one correct option), multiple (多选, all correct options and no "
        "wrong one score), true-false (判断, no options).",
        "题型：单选（一个正确选项）；多选（须选全部正确选项且不选错误选项才得分）；"
        "判断（不填选项）。",
    ),
    (
        "Question and options: English and Chinese in their own columns. Fill the options from "
        "A without gaps; at least A and B.",
        "题目和选项：英文和中文分列填写。选项从A开始依次填写，不要空缺；至少填A和B。",
    ),
    (
        "Correct: the letter of the correct option (B), or the letters for a multiple-choice "
        "question (A,C); for true-false: 对 / 错 or true / false.",
        "正确答案：单选题填正确选项的字母（如B）；多选题填多个字母（如A,C）；判断题填对/错"
        "（或true/false）。",
    ),
    (
        "Explanation: why the answer is right, in both languages; staff read it after the test.",
        "解析：答案为什么正确，中英文都要填写；员工交卷后可以查看。",
    ),
    (
        "Settings sheet: one value per setting; see the help column.",
        "“设置”表：每项填一个值，见说明列。",
    ),
    (
        "Draw sheet: one row per topic with the number of its questions each test draws; every "
        "topic needs a row, and a topic cannot draw more questions than it has.",
        "“抽题”表：每个类别一行，填写每次从该类别抽取的题数；每个类别都要有一行，抽题数不能"
        "超过该类别的题数。",
    ),
    (
        "Importing: the app checks every cell and shows each problem with its sheet, row and "
        "column; nothing is saved until the whole workbook is right. A version that people "
        "were assigned never changes: each import makes a new version.",
        "导入：系统检查每个单元格，逐条列出问题所在的工作表、行和列；整个文件无误后才会保存。"
        "已分配给员工的版本不会被修改：每次导入都保存为新版本。",
    ),
)


def header_text(column: Any, language: str) -> str:
    return column.zh if language == ZH else column.en


def _sheet_name(key: str, language: str) -> str:
    en, zh, _more = SHEET_NAMES[key]
    return zh if language == ZH else en


def option_letters(definition: Mapping[str, Any]) -> str:
    used = max((len(q.get("options") or []) for q in definition.get("questions") or []), default=0)
    return LETTERS[: max(used, _MIN_LETTERS)]


def question_columns(letters: str) -> list[Any]:
    """The Questions columns with the options of ``letters`` only."""
    unused = {f"{x}_{lang}" for x in LETTERS if x not in letters for lang in ("en", "zh")}
    return [c for c in QUESTION_COLUMNS if c.key not in unused]


def _correct(question: Mapping[str, Any], language: str) -> str:
    if question.get("type") == "true_false":
        yes, no = _TRUE_FALSE[language]
        return yes if question.get("answer") else no
    return ",".join(o["id"].upper() for o in question.get("options") or [] if o.get("correct"))


def question_row(question: Mapping[str, Any], letters: str, language: str) -> list[Any]:
    options = {o["id"].upper(): o for o in question.get("options") or []}
    cells: list[Any] = [
        question.get("id"),
        question.get("category"),
        _TYPE_WORDS[language].get(question.get("type", ""), question.get("type")),
        question.get("en"),
        question.get(ZH),
    ]
    for letter in letters:
        option = options.get(letter, {})
        cells += [option.get("en"), option.get(ZH)]
    why = question.get("explanation") or {}
    return [*cells, _correct(question, language), why.get("en"), why.get(ZH)]


def _settings_values(definition: Mapping[str, Any], language: str) -> dict[str, Any]:
    name, about = definition.get("name") or {}, definition.get("description") or {}
    return {
        "key": definition.get("key"),
        "name_en": name.get("en"),
        "name_zh": name.get(ZH),
        "description_en": about.get("en"),
        "description_zh": about.get(ZH),
        "pass_mark": definition.get("pass_mark"),
        "max_attempts": definition.get("max_attempts"),
        "time_limit_minutes": definition.get("time_limit_minutes"),
        "grading": _GRADING[language].get(definition.get("grading", ""), definition.get("grading")),
        "draw": definition.get("draw"),
        "version": definition.get("version"),
    }


def _book(definition: Mapping[str, Any], language: str) -> Workbook:
    language = ZH if language == ZH else "en"
    book = Workbook()
    letters = option_letters(definition)
    columns = question_columns(letters)
    rows = [question_row(q, letters, language) for q in definition.get("questions") or []]
    sheet = add_table_sheet(
        book,
        _sheet_name("questions", language),
        [header_text(c, language) for c in columns],
        rows,
        first=True,
    )
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column in sheet.column_dimensions.values():
        column.width = min(column.width or 10, 40)
    kinds = DataValidation(
        type="list",
        formula1='"{}"'.format(",".join(_TYPE_WORDS[language].values())),
        allow_blank=True,
    )
    sheet.add_data_validation(kinds)
    kinds.add(f"C2:C{max(len(rows) + 200, 200)}")
    values = _settings_values(definition, language)
    help_index = 1 if language == ZH else 0
    settings_rows = [
        [SETTINGS[k][help_index], values[k], SETTINGS_HELP[k][help_index]] for k in SETTINGS
    ]
    settings = add_table_sheet(
        book,
        _sheet_name("settings", language),
        [header_text(c, language) for c in SETTINGS_COLUMNS],
        settings_rows,
    )
    for row in settings.iter_rows(min_row=2):
        if row[0].value == SETTINGS["pass_mark"][help_index]:
            row[1].number_format = PERCENT_FORMAT
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    settings.column_dimensions["B"].width = 50
    draws = definition.get("draw_per_category") or {}
    add_table_sheet(
        book,
        _sheet_name("draw", language),
        [header_text(c, language) for c in DRAW_COLUMNS],
        [[topic, count] for topic, count in draws.items()],
    )
    return book


def question_bank_xlsx(definition: Mapping[str, Any], language: str = "en") -> bytes:
    """One version of a question bank as a workbook that imports back to the same definition."""
    return workbook_bytes(_book(definition, language))


def question_bank_template_xlsx(language: str = "en") -> bytes:
    """An empty workbook to fill in: the three sheets with their headers, the settings named
    with their help, and a "How to fill" sheet."""
    book = _book({"grading": "highest"}, language)
    title = "填写说明" if language == ZH else "How to fill"
    lines = [[zh if language == ZH else en, en if language == ZH else zh] for en, zh in HOW_TO_FILL]
    header = ["说明", "English"] if language == ZH else ["How to fill", "中文"]
    sheet = add_table_sheet(book, title, header, lines)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = sheet.column_dimensions["B"].width = 70
    return workbook_bytes(book)
