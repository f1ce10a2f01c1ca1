"""Cells for openpyxl's write-only mode, where a sheet is written row by row and a style
belongs to each cell: a large sheet (a chain's payroll) costs little more than its values.

Text goes through :func:`ee_app.exports.xlsx.set_value`, so a text that a spreadsheet would
run as a formula stays text here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from ee_app.exports.safe import is_dangerous
from ee_app.exports.xlsx import HEADER_FILL, HEADER_FONT, set_value

__all__ = ["FastCells", "header_row", "styled_cell"]


def styled_cell(
    sheet: Any, value: Any, number_format: str | None = None, font: Font | None = None
) -> WriteOnlyCell:
    """A styled cell: ``value`` with a number format and a font, if given."""
    written = WriteOnlyCell(sheet)
    set_value(written, value)
    if number_format:
        written.number_format = number_format
    if font is not None:
        written.font = font
    return written


class FastCells:
    """Cells of one sheet, fast: a text that is safe and a number without a format go in as
    plain values; a formatted number gets a style copied from one prototype per format
    (setting ``number_format`` on each of 200,000 cells costs more than writing them);
    text that a spreadsheet would run as a formula goes through the safe-cell helper."""

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self.styles: dict[str, Any] = {}

    def __call__(self, value: Any, number_format: str | None = None) -> Any:
        if isinstance(value, str):
            return styled_cell(self.sheet, value) if is_dangerous(value) else value
        if value is None or number_format is None:
            return value
        style = self.styles.get(number_format)
        cell = WriteOnlyCell(self.sheet, value=value)
        if style is None:
            cell.number_format = number_format
            self.styles[number_format] = copy(cell._style)
        else:
            cell._style = copy(style)
        return cell


def header_row(sheet: Any, titles: Sequence[str]) -> None:
    """Append the bold, filled, wrapped header row of a table."""
    row = []
    for title in titles:
        head = styled_cell(sheet, title, font=HEADER_FONT)
        head.fill = HEADER_FILL
        head.alignment = Alignment(vertical="center", wrap_text=True)
        row.append(head)
    sheet.append(row)
