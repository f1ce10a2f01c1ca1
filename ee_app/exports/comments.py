"""A wave's comments as files for HR: one row per comment, shuffled, without dates.

Each row holds the comment, the group it is stored with (a unit with at least k_c
respondents: :mod:`ee_app.services.comments`) and its theme tags in the file's language.
Every text cell is formula-safe (:mod:`ee_app.exports.safe`): a comment that starts with
``=`` is written as text, never run by a spreadsheet.
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook

from ee_app.config import LANGUAGES
from ee_app.exports.engagement_words import THEME_NAMES
from ee_app.exports.safe import csv_bytes
from ee_app.exports.xlsx import add_table_sheet, workbook_bytes
from ee_app.services.comments import Comment

__all__ = ["comments_csv", "comments_xlsx"]

_HEADER = {
    "en": ("Group code", "Group", "Comment", "Themes"),
    "zh-CN": ("单位代码", "单位", "留言", "主题标签"),
}
_SHEET = {"en": "Comments", "zh-CN": "留言"}


def _rows(comments: Sequence[Comment], language: str) -> list[list[str]]:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    names = THEME_NAMES[language]
    separator = "; " if language == "en" else "；"
    return [
        [c.group_code, c.group_name, c.text, separator.join(names.get(t, t) for t in c.themes)]
        for c in comments
    ]


def comments_xlsx(comments: Sequence[Comment], language: str) -> bytes:
    """One sheet, one row per comment, in the order given (the service shuffles)."""
    book = Workbook()
    rows = _rows(comments, language)
    sheet = add_table_sheet(book, _SHEET[language], list(_HEADER[language]), rows, first=True)
    sheet.column_dimensions["C"].width = 80
    return workbook_bytes(book)


def comments_csv(comments: Sequence[Comment], language: str) -> bytes:
    """The same rows as CSV (UTF-8 with a BOM)."""
    return csv_bytes(list(_HEADER[language]), _rows(comments, language))
