"""The audit log as a file (Excel or CSV): the rows the audit page shows, in the reader's
language and local time, every text cell formula-safe (see the package docstring); an
actor or a file name that begins with ``=`` stays text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from ee_app.clock import SECONDS, format_time, zone_name
from ee_app.errors import N_
from ee_app.exports.safe import csv_bytes
from ee_app.exports.xlsx import add_table_sheet, workbook_bytes
from ee_app.i18n import translator
from ee_app.words.audit_labels import action_label, detail_text, object_text

__all__ = ["audit_csv", "audit_header", "audit_rows", "audit_xlsx"]


def audit_header(gettext) -> list[str]:  # type: ignore[no-untyped-def]
    """The column headings, the time column naming the zone ("When (Beijing time)")."""
    return [
        gettext(N_("When ({zone})")).format(zone=zone_name(gettext)),
        gettext(N_("Who")),
        gettext(N_("Action")),
        gettext(N_("Object")),
        gettext(N_("Details")),
    ]


def audit_rows(entries: Sequence[Any], gettext) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """One row per entry: local time to the second, who, the action, the object and the
    details in words."""
    return [
        [
            format_time(e.at, SECONDS),
            e.actor,
            action_label(e.action, gettext),
            object_text(e.object_type, e.object_id, gettext),
            detail_text(e.detail, gettext),
        ]
        for e in entries
    ]


def audit_xlsx(entries: Sequence[Any], language: str) -> bytes:
    _ = translator(language)
    book = Workbook()
    add_table_sheet(book, _(N_("Audit log")), audit_header(_), audit_rows(entries, _), first=True)
    return workbook_bytes(book)


def audit_csv(entries: Sequence[Any], language: str) -> bytes:
    _ = translator(language)
    return csv_bytes(audit_header(_), audit_rows(entries, _))
