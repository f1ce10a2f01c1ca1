"""Reading a checklist workbook (see :mod:`ee_app.exports.checklist_workbook`) back into a
template definition.

Sheets and columns are found by their English or Chinese name (or the bilingual one the
export writes), in any order; other sheets and columns are ignored. Every problem names its
sheet, row and column; the file is refused as a whole (:class:`ImportRejected`) when there is
any, so nothing half-read reaches the database. Reading stores nothing: the service saves.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from ee_app.errors import N_, ImportRejected, Problem, ValidationError
from ee_app.imports.tabular import check_size, open_workbook
from ee_app.instruments.checklist import validate
from ee_app.instruments.checklist_from_tables import from_tables
from ee_app.instruments.checklist_tables import SHEETS, Field, Sheet, Tables, bilingual_label

__all__ = ["read_checklist_workbook"]

_SPACE = re.compile(r"[\s_\-/·:：]+")


def _norm(text: Any) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(text or "")).strip().lower())


def _names(thing: Sheet | Field) -> set[str]:
    title = thing.title if isinstance(thing, Sheet) else thing.header
    return {_norm(thing.en), _norm(thing.zh), _norm(title), _norm(thing.key)}


def _sheet_rows(
    worksheet: Any, spec: Sheet, problems: list[Problem], headers: dict[tuple[str, str], str]
) -> tuple[list[dict[str, Any]], list[int]]:
    records = list(worksheet.iter_rows(values_only=True))
    header = [str(v).strip() if v is not None else "" for v in (records[0] if records else ())]
    positions: dict[str, int] = {}
    for field in spec.fields:
        hits = [i for i, h in enumerate(header) if h and _norm(h) in _names(field)]
        if not hits:
            problems.append(
                Problem(
                    N_("the column “{field}” ({zh}) is missing"),
                    {"field": field.en, "zh": field.zh},
                    row=1,
                    sheet=spec.title,
                )
            )
        else:
            positions[field.key] = hits[0]
            headers[(spec.key, field.key)] = header[hits[0]]
    rows, numbers = [], []
    for number, record in enumerate(records[1:], start=2):
        cells = {k: record[i] if i < len(record) else None for k, i in positions.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
            continue
        rows.append(cells)
        numbers.append(number)
    return rows, numbers


def read_checklist_workbook(data: bytes) -> dict[str, Any]:
    """The definition in the workbook, checked in full; :class:`ImportRejected` listing
    every problem (sheet, row, column) otherwise."""
    check_size(len(data))
    book = open_workbook(
        data,
        N_(
            "The file is not a readable .xlsx workbook ({reason}). Open it in Excel, save "
            "it again as .xlsx and upload that."
        ),
    )
    problems: list[Problem] = []
    tables, titles = Tables(), {}
    headers: dict[tuple[str, str], str] = {}
    try:
        by_name = {_norm(ws.title): ws for ws in book.worksheets}
        for key, spec in SHEETS.items():
            found = next((by_name[n] for n in _names(spec) if n in by_name), None)
            if found is None:
                problems.append(
                    Problem(
                        N_("the sheet “{sheet}” ({zh}) is missing"),
                        {"sheet": spec.en, "zh": spec.zh},
                        sheet=spec.title,
                    )
                )
                continue
            titles[key] = found.title
            try:
                rows, numbers = _sheet_rows(found, spec, problems, headers)
            except Exception as exc:  # a damaged part of the file; see _load
                raise ImportRejected(
                    N_("The file is not a readable .xlsx workbook ({reason})."),
                    reason=str(exc) or type(exc).__name__,
                ) from exc
            setattr(tables, key, rows)
            tables.numbers[key] = numbers
    finally:
        book.close()
    if problems:
        raise ImportRejected(N_("The workbook is not a checklist template."), problems)
    definition, problems = from_tables(
        tables,
        label=lambda sheet, key: headers.get((sheet, key)) or bilingual_label(sheet, key),
        sheet_name=lambda key: titles.get(key, key),
    )
    if not problems:
        try:
            validate(definition)
        except ValidationError as error:
            problems = error.problems
    if problems:
        raise ImportRejected(
            N_("The checklist in the workbook is not valid; nothing was saved."), problems
        )
    return definition
