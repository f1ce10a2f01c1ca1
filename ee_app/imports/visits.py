"""Mystery-shopper visits delivered by an agency as a file (暗访机构的暗访结果).

The file is *long*: one row per answered item, so that every problem has a row number::

    暗访编号    门店  暗访日期    模板             题目编号           答案  备注  服务员工  暗访机构
    AG-0001    SH01  2026-10-16  service-process  booking-needs      是
    AG-0001    SH01  2026-10-16  service-process  reception-warmth   4
    …

The rows of one visit id make one visit. Store, date, template, served-by and agency are
properties of the visit: a cell may be left empty on some of its rows (or merged in Excel),
but two rows that fill it in must agree. Each visit is then checked as a shopper's submission
is (:func:`ee_app.instruments.checklist.check_answers` with ``complete=True``), and every
problem is reported at the row of its item, or at the visit's first row for an item that has
no row.

Parsing is pure: stores, templates and who worked where come in :class:`VisitLookups`, which
the service builds from the database.
"""

from __future__ import annotations

from ee_app.errors import N_, Problem
from ee_app.imports.columns import map_columns
from ee_app.imports.tabular import Table
from ee_app.imports.visit_columns import VISIT_COLUMNS
from ee_app.imports.visit_parser import VisitParser
from ee_app.imports.visit_records import VisitLookups, VisitsParsed

__all__ = ["parse_visits"]


def parse_visits(table: Table, lookups: VisitLookups) -> VisitsParsed:
    """Every visit of the file, or every problem in it (see the module docstring)."""
    positions, problems = map_columns(table.header, VISIT_COLUMNS)
    if problems:
        return VisitsParsed([], len(table), problems)
    if not table.rows:
        return VisitsParsed([], 0, [Problem(N_("The file has a header but no rows."))])
    parser = VisitParser(table, positions, lookups)
    for number, record in table.rows:
        parser.row(number, record)
    visits = [v for v in (parser.visit(d) for d in parser.visits.values()) if v is not None]
    return VisitsParsed(
        visits,
        len(table),
        parser.sorted(parser.problems),
        parser.sorted(parser.warnings),
        parser.headers,
    )
