"""The layout of a question bank workbook (题库): its sheets, columns, settings and the words
a clerk may write, shared by :mod:`ee_app.imports.question_bank` (reading) and
:mod:`ee_app.exports.question_bank` (writing), plus the sheet reader both import steps use.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ee_app.errors import Problem
from ee_app.imports.cells import parse_text
from ee_app.imports.columns import Column, RowReader, map_columns
from ee_app.instruments.quiz import MAX_TEXT

__all__ = [
    "DRAW_COLUMNS",
    "GRADINGS",
    "ID",
    "LETTERS",
    "QUESTION_COLUMNS",
    "REQUIRED_SETTINGS",
    "SETTINGS",
    "SETTINGS_COLUMNS",
    "SHEET_NAMES",
    "TRUE_FALSE",
    "TYPES",
    "Sheet",
    "SheetReader",
    "blank",
    "code",
    "open_sheet",
    "word",
]

#: Option letters a workbook may use; the option ids are the same letters in lower case.
LETTERS = "ABCDEFGH"
#: The sheets: key → (English name, Chinese name, other spellings).
SHEET_NAMES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "questions": ("Questions", "题目", ("question bank", "题库", "试题")),
    "settings": ("Settings", "设置", ("考核设置",)),
    "draw": ("Draw", "抽题", ("抽题规则",)),
}
#: The question types as a clerk may write them → the type of :mod:`ee_app.instruments.quiz`.
TYPES = {
    "single": "single",
    "single choice": "single",
    "单选": "single",
    "单选题": "single",
    "multiple": "multiple",
    "multiple choice": "multiple",
    "多选": "multiple",
    "多选题": "multiple",
    "true-false": "true_false",
    "true/false": "true_false",
    "true_false": "true_false",
    "判断": "true_false",
    "判断题": "true_false",
}
#: The answers of a true/false question.
TRUE_FALSE = {
    "true": True,
    "t": True,
    "对": True,
    "正确": True,
    "是": True,
    "√": True,
    "✓": True,
    "false": False,
    "f": False,
    "错": False,
    "错误": False,
    "否": False,
    "×": False,
    "✗": False,
}
GRADINGS = {
    "highest": "highest",
    "最高": "highest",
    "最高分": "highest",
    "取最高": "highest",
    "last": "last",
    "最后": "last",
    "最后一次": "last",
    "取最后一次": "last",
}


def _option_columns() -> list[Column]:
    columns = []
    for letter in LETTERS:
        required = letter in "AB"
        columns += [
            Column(f"{letter}_en", f"Option {letter} en", f"选项{letter}英文", (), required),
            Column(f"{letter}_zh", f"Option {letter} zh", f"选项{letter}中文", (), required),
        ]
    return columns


QUESTION_COLUMNS: tuple[Column, ...] = (
    Column("id", "ID", "题目编号", ("question id", "编号"), required=False),
    Column("topic", "Topic", "类别", ("category", "主题", "分类")),
    Column("type", "Type", "题型", ("question type", "类型")),
    Column("text_en", "Question en", "题目英文", ("英文题目",)),
    Column("text_zh", "Question zh", "题目中文", ("中文题目",)),
    *_option_columns(),
    Column("correct", "Correct", "正确答案", ("correct answer", "answer", "答案")),
    Column("why_en", "Explanation en", "解析英文", ("答案解析英文",)),
    Column("why_zh", "Explanation zh", "解析中文", ("答案解析中文",)),
)
SETTINGS_COLUMNS: tuple[Column, ...] = (
    Column("setting", "Setting", "设置项", ("名称项",)),
    Column("value", "Value", "值", ("内容", "取值")),
    Column("help", "Help", "说明", (), required=False),
)
DRAW_COLUMNS: tuple[Column, ...] = (
    Column("topic", "Topic", "类别", ("category", "主题", "分类")),
    Column("count", "Questions drawn", "抽题数", ("draw", "number", "题数")),
)
#: The settings rows: key → (English, Chinese); see :data:`SETTINGS_HELP` in the export.
SETTINGS: dict[str, tuple[str, str]] = {
    "key": ("Key", "考核编号"),
    "name_en": ("Name en", "名称英文"),
    "name_zh": ("Name zh", "名称中文"),
    "description_en": ("Description en", "描述英文"),
    "description_zh": ("Description zh", "描述中文"),
    "pass_mark": ("Pass mark", "合格线"),
    "max_attempts": ("Attempts", "作答次数"),
    "time_limit_minutes": ("Time limit minutes", "限时分钟"),
    "grading": ("Grading", "计分方式"),
    "draw": ("Questions per test", "每次抽题数"),
    "version": ("Version", "版本"),
}
REQUIRED_SETTINGS = (
    "name_en",
    "name_zh",
    "description_en",
    "description_zh",
    "pass_mark",
    "max_attempts",
)
ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def word(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip().lower()


def code(value: Any) -> str:
    """A topic or id as stored: NFKC, lower case, spaces as hyphens (12.0 from Excel is 12)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", "-", word(value))


@dataclass
class Sheet:
    name: str | None  # as in the workbook; None for the HR page's table
    header: list[str]
    rows: list[tuple[int, tuple[Any, ...]]]


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class SheetReader(RowReader):
    """A row reader whose problems name their sheet."""

    def __init__(self, sheet: Sheet, positions: Mapping[str, int]) -> None:
        super().__init__(sheet.header, positions)
        self.sheet = sheet.name
        self.all: list[Problem] = []

    def start(self, number: int, record: Sequence[object]) -> None:
        self.all.extend(self.problems)
        super().start(number, record)

    def finish(self) -> list[Problem]:
        self.all.extend(self.problems)
        self.problems = []
        return [Problem(p.message, p.params, p.row, p.column, self.sheet) for p in self.all]

    def text(self, key: str, required: bool = True) -> str:
        return self.read(key, parse_text, max_length=MAX_TEXT, required=required) or ""

    def filled(self, key: str) -> bool:
        return not blank(self.raw(key))


def open_sheet(
    sheets: dict[str, Sheet], key: str, columns: Sequence[Column], problems: list[Problem]
):
    sheet = sheets[key]
    positions, missing = map_columns(sheet.header, columns)
    problems += [Problem(p.message, p.params, 1, None, sheet.name) for p in missing]
    return SheetReader(sheet, positions), not missing
