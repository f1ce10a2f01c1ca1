"""What the import templates share: words picked by language, the "How to fill in" sheet
that says what each column takes, and example rows as CSV.

A template is the file HR fills in and imports again (satisfaction answers, sales, visits),
so each one explains its columns the same way, in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ee_app.exports.safe import csv_bytes
from ee_app.exports.xlsx import add_table_sheet
from ee_app.imports.columns import Column

__all__ = ["ZH", "add_notes_sheet", "example_csv", "pick"]

ZH = "zh-CN"


def pick(pair: tuple[str, str], language: str) -> str:
    """The Chinese of an (English, 中文) pair in the Chinese file, else the English."""
    return pair[1] if language == ZH else pair[0]


def add_notes_sheet(
    book: Workbook,
    columns: Sequence[Column],
    notes: Mapping[str, tuple[str, str]],
    language: str,
) -> Worksheet:
    """The "How to fill in" sheet: each column, whether it is required, what to write."""
    zh = language == ZH
    return add_table_sheet(
        book,
        "填写说明" if zh else "How to fill in",
        ["列", "必填", "说明"] if zh else ["Column", "Required", "What to write"],
        [
            [
                c.zh if zh else c.en,
                ("是" if zh else "yes") if c.required else ("否" if zh else "no"),
                pick(notes[c.key], language),
            ]
            for c in columns
        ],
    )


def example_csv(header: list[str], rows: Sequence[Sequence[object]]) -> bytes:
    """Example rows as CSV, dates written as 2026-03-05."""
    text_rows = [[v.isoformat() if isinstance(v, date) else v for v in row] for row in rows]
    return csv_bytes(header, text_rows)
