"""Workbook building blocks shared by every Excel export: safe cells, a styled header row,
column widths, frozen header and autofilter, an "About" sheet of facts and notes, number
formats that payroll expects."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ee_app.exports.safe import is_dangerous

__all__ = [
    "DATE_FORMAT",
    "HEADER_FILL",
    "MONEY_FORMAT",
    "PERCENT_FORMAT",
    "add_facts_sheet",
    "add_table_sheet",
    "set_value",
    "workbook_bytes",
]

DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0%"
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
HEADER_FONT = Font(bold=True)


def set_value(cell: Cell | WriteOnlyCell, value: Any) -> None:
    """Put ``value`` in ``cell``; text is always text, never a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if is_dangerous(value):
            cell.quotePrefix = True
    elif isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT


def _width(values: Iterable[Any]) -> float:
    longest = 0
    for value in values:
        text = value.isoformat() if isinstance(value, date) else str(value or "")
        # CJK characters take about two columns in Excel's default font.
        longest = max(longest, sum(2 if ord(ch) > 0x2E80 else 1 for ch in text))
    return min(max(longest + 2, 8), 60)


def add_table_sheet(
    book: Workbook,
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    formats: dict[int, str] | None = None,
    first: bool = False,
) -> Worksheet:
    """A sheet holding one table: bold filled header, frozen, filtered, sensible widths.

    ``formats`` maps a 0-based column to a number format (e.g. :data:`MONEY_FORMAT`).
    """
    sheet = book.active if first and book.active is not None else book.create_sheet()
    sheet.title = title[:31]
    for col, text in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=col)
        set_value(cell, text)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            set_value(cell, value)
            if formats and (c - 1) in formats:
                cell.number_format = formats[c - 1]
    for c in range(1, len(header) + 1):
        column = [header[c - 1], *(row[c - 1] for row in rows[:500] if len(row) >= c)]
        sheet.column_dimensions[get_column_letter(c)].width = _width(column)
    sheet.freeze_panes = "A2"
    if header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(len(rows) + 1, 1)}"
    return sheet


def add_facts_sheet(
    book: Workbook,
    title: str,
    facts: Sequence[tuple[str, Any, str | None]],
    notes: Sequence[str],
    *,
    heading: str | None,
    widths: tuple[float, float],
) -> Worksheet:
    """An "About" sheet: a bold label and its value per row (a number in the format given),
    then, after a blank row, the ``notes`` wrapped in the value column, beside a bold
    ``heading`` if there is one."""
    sheet = book.create_sheet(title)
    for r, (label, value, number_format) in enumerate(facts, start=1):
        head = sheet.cell(row=r, column=1)
        set_value(head, label)
        head.font = Font(bold=True)
        cell = sheet.cell(row=r, column=2)
        set_value(cell, value)
        if number_format and not isinstance(value, str):
            cell.number_format = number_format
        cell.alignment = Alignment(horizontal="left")
    first = len(facts) + 2
    if heading is not None:
        head = sheet.cell(row=first, column=1)
        set_value(head, heading)
        head.font = Font(bold=True)
    for r, note in enumerate(notes, start=first):
        cell = sheet.cell(row=r, column=2)
        set_value(cell, note)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = widths
    return sheet


def workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
