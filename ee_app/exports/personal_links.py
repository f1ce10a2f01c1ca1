"""The first sheet of a file of personal links (a wave's survey links, a quiz's assessment
links): one row per person, the link clickable, and whether the person has done what the
link is for (answered, passed).

Each link opens the person's own survey or test without a login, so the sheet is what HR
hands to whoever sends the links.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ee_app.exports.xlsx import add_table_sheet

__all__ = ["PersonalLink", "add_links_sheet"]

_LINK_COLUMN = 5  # 1-based, the "personal link" column


class PersonalLink(Protocol):
    employee_no: str
    name: str
    store: str
    unit: str
    link: str


def add_links_sheet(
    book: Workbook,
    title: str,
    header: Sequence[str],
    links: Sequence[PersonalLink],
    done: Sequence[str],
) -> Worksheet:
    """The book's first sheet: employee number, name, store, team, the link (clickable, its
    text the address itself) and ``done``, one word per person."""
    rows = [
        [link.employee_no, link.name, link.store, link.unit, link.link, word]
        for link, word in zip(links, done, strict=True)
    ]
    sheet = add_table_sheet(book, title, header, rows, first=True)
    sheet.column_dimensions[get_column_letter(_LINK_COLUMN)].width = 60
    for r, link in enumerate(links, start=2):
        if link.link.startswith(("https://", "http://")):
            cell = sheet.cell(row=r, column=_LINK_COLUMN)
            cell.hyperlink = link.link
            cell.style = "Hyperlink"
    return sheet
