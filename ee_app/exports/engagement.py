"""Engagement results as files: a workbook for HR and managers, and the same table as CSV.

Both read an :class:`~ee_app.services.results.EngagementView`, so they show exactly what the
screens show to the same reader: the units in their scope, with every hidden unit (fewer than
k respondents, hidden to protect a smaller group, or a filtered group that the exclusion rule
withholds) reduced to its code, its name and the mark "fewer than k". A hidden unit's size,
scores and theme values never reach the file, not even as an empty-looking cell.

The workbook has three sheets: the results per unit (numbers as numbers with number formats,
95% intervals beside each score, and beside the change the wave it is measured against: each
unit's own previous wave, which may differ from unit to unit), the twelve themes per unit
(means, then the number of answers behind each mean), and an "About" sheet saying what was
exported and how to read it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ee_app.exports.engagement_rows import (
    CHANGE_FORMAT,
    COLUMNS,
    INDEX_FORMAT,
    OWN_PARTS,
    WHOLE_FORMAT,
    number,
    own_cells,
    own_questions,
    theme_cells,
    unit_records,
    wave_label,
)
from ee_app.exports.engagement_words import TEXT, THEME_NAMES, VALUE_NAMES, words
from ee_app.exports.safe import csv_bytes
from ee_app.exports.xlsx import (
    HEADER_FILL,
    PERCENT_FORMAT,
    add_facts_sheet,
    add_table_sheet,
    set_value,
    workbook_bytes,
)
from ee_app.instruments.pulse import THEMES
from ee_app.services.results import EngagementView

__all__ = ["engagement_csv", "engagement_xlsx"]

HIDDEN_FILL = PatternFill("solid", fgColor="E7E6E6")
_OWN_FORMATS = (INDEX_FORMAT, INDEX_FORMAT, INDEX_FORMAT, PERCENT_FORMAT, WHOLE_FORMAT)
#: Decimals kept in the CSV, which has no number formats (favourable there is in percent).
_CSV_DECIMALS = {"index": 2, "favourable": 1, "enps": 0, "change": 2, "percentile": 0, "n": 0}


def _header(view: EngagementView, text: dict[str, str]) -> list[str]:
    level = text[f"level_{view.level.value}"]
    labels = {"n": text["n"], "percentile": text["percentile"], "previous": text["since"]}
    for metric in ("index", "favourable", "enps", "change"):
        labels[metric] = text[metric]
        labels[f"{metric}_low"] = text["low"].format(metric=text[metric])
        labels[f"{metric}_high"] = text["high"].format(metric=text[metric])
    return [text["code"].format(level=level), level, *(labels[c] for c, _ in COLUMNS)]


def _table(view: EngagementView, text: dict[str, str]) -> list[list[Any]]:
    mark = text["hidden"].format(k=view.k)
    rows = []
    for record in unit_records(view):
        if record["hidden"]:
            rows.append([record["code"], record["name"], mark, *([None] * (len(COLUMNS) - 1))])
        else:
            rows.append([record["code"], record["name"], *(record[c] for c, _ in COLUMNS)])
    return rows


def _grey(sheet: Worksheet, row: int, columns: int) -> None:
    for column in range(1, columns + 1):
        sheet.cell(row=row, column=column).fill = HIDDEN_FILL


def _results_sheet(book: Workbook, view: EngagementView, text: dict[str, str]) -> None:
    header = _header(view, text)
    rows = _table(view, text)
    formats = {i + 2: fmt for i, (_, fmt) in enumerate(COLUMNS)}
    sheet = add_table_sheet(book, text["results"], header, rows, formats=formats, first=True)
    for r, record in enumerate(unit_records(view), start=2):
        if record["hidden"]:
            _grey(sheet, r, len(header))
            sheet.cell(row=r, column=3).number_format = "General"
    previous = 3 + [c for c, _ in COLUMNS].index("previous")
    for c in range(3, len(header) + 1):  # numbers are short; the headers wrap instead
        sheet.column_dimensions[get_column_letter(c)].width = 24 if c == previous else 12
    sheet.row_dimensions[1].height = 45


def _themes_sheet(book: Workbook, view: EngagementView, language: str) -> None:
    text = TEXT[language]
    names = THEME_NAMES[language]
    mark = text["hidden"].format(k=view.k)
    level = text[f"level_{view.level.value}"]
    header = [text["code"].format(level=level), level, *(names[t] for t in THEMES)]
    cells = theme_cells(view)
    units = view.rows.to_dict("records")

    def block(part: int) -> list[list[Any]]:
        rows = []
        for unit in units:
            row: list[Any] = [unit["code"], unit["name"]]
            for theme in THEMES:
                cell = None if unit.get("hidden", True) else cells.get((unit["unit_id"], theme))
                row.append(mark if cell is None else cell[part])
            rows.append(row)
        return rows

    means = block(0)
    formats = {c: INDEX_FORMAT for c in range(2, len(header))}
    sheet = add_table_sheet(book, text["themes"], header, means, formats=formats)
    # The n of each cell, in a second block below the means, unit for unit.
    title_row = len(units) + 3
    title = sheet.cell(row=title_row, column=1)
    set_value(title, text["theme_n"])
    title.font = Font(bold=True)
    n_header = [
        header[0],
        header[1],
        *(text["theme_n_suffix"].format(theme=names[t]) for t in THEMES),
    ]
    for c, label in enumerate(n_header, start=1):
        cell = sheet.cell(row=title_row + 1, column=c)
        set_value(cell, label)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for r, row in enumerate(block(1), start=title_row + 2):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            set_value(cell, value)
            if c > 2 and not isinstance(value, str):
                cell.number_format = WHOLE_FORMAT
    for first in (2, title_row + 2):
        for r in range(first, first + len(units)):
            for c in range(3, len(header) + 1):
                cell = sheet.cell(row=r, column=c)
                if isinstance(cell.value, str):  # the mark: a hidden cell
                    cell.fill = HIDDEN_FILL
                    cell.number_format = "General"
    for c in range(3, len(header) + 1):
        sheet.column_dimensions[get_column_letter(c)].width = 12
    sheet.row_dimensions[1].height = 45
    sheet.row_dimensions[title_row + 1].height = 45


def _own_sheet(book: Workbook, view: EngagementView, language: str) -> None:
    """One row per unit and own question: mean with its interval, % favourable, answers and
    the change since the same question in the unit's previous wave."""
    questions = own_questions(view, language)
    if not questions:
        return
    text = TEXT[language]
    mark = text["hidden"].format(k=view.k)
    level = text[f"level_{view.level.value}"]
    mean = text["mean"]
    header = [
        text["code"].format(level=level),
        level,
        text["question"],
        mean,
        text["low"].format(metric=mean),
        text["high"].format(metric=mean),
        text["favourable"],
        text["answers"],
        text["own_change"],
        text["low"].format(metric=text["change"]),
        text["high"].format(metric=text["change"]),
    ]
    cells = own_cells(view)
    rows: list[list[Any]] = []
    for unit in view.rows.to_dict("records"):
        for slot, question in questions:
            cell = None if unit.get("hidden", True) else cells.get((unit["unit_id"], slot))
            if cell is None:
                rows.append([unit["code"], unit["name"], question, mark, *([None] * 7)])
            else:
                rows.append(
                    [
                        unit["code"],
                        unit["name"],
                        question,
                        *(cell[c] for c in OWN_PARTS),
                        cell["change"],
                        cell["change_low"],
                        cell["change_high"],
                    ]
                )
    formats = {i + 3: f for i, f in enumerate(_OWN_FORMATS)}
    formats.update({8: CHANGE_FORMAT, 9: CHANGE_FORMAT, 10: CHANGE_FORMAT})
    sheet = add_table_sheet(book, text["own"], header, rows, formats=formats)
    for r, row in enumerate(rows, start=2):
        if isinstance(row[3], str):
            _grey(sheet, r, len(header))
            sheet.cell(row=r, column=4).number_format = "General"
    sheet.column_dimensions["C"].width = 48
    for c in range(4, len(header) + 1):
        sheet.column_dimensions[get_column_letter(c)].width = 12
    sheet.row_dimensions[1].height = 45


def _filter_text(view: EngagementView, language: str, text: dict[str, str]) -> str:
    if not view.dim:
        return text["none"]
    value = view.value or ""
    shown = VALUE_NAMES[language].get(value, value)
    return f"{text.get(f'dim_{view.dim}', view.dim)} = {shown}"


def _previous_text(view: EngagementView, text: dict[str, str]) -> str:
    """The waves the changes are measured against: the one wave when every unit shares it,
    else each of them after the rule (the column beside the change says which is whose)."""
    waves = [wave_label(code, name) or "" for code, name in view.previous_waves]
    if not waves:
        return text["none"]
    if len(waves) == 1:
        return waves[0]
    return f"{text['previous_own']}: {'; '.join(waves)}"


def _about_sheet(book: Workbook, view: EngagementView, language: str, generated_on: date) -> None:
    text = TEXT[language]
    records = unit_records(view)
    alpha = view.alpha or (math.nan, math.nan, math.nan, 0)
    none = text["none"]
    facts: list[tuple[str, Any, str | None]] = [
        (text["wave_code"], view.wave_code, None),
        (text["wave_name"], view.wave_name, None),
        (text["level"], text[f"level_{view.level.value}"], None),
        (text["filter"], _filter_text(view, language, text), None),
        (text["k"], view.k, WHOLE_FORMAT),
        (text["k_comments"], view.k_comments, WHOLE_FORMAT),
        (text["previous"], _previous_text(view, text), None),
        (text["alpha"], number(alpha[0]) if view.alpha else none, INDEX_FORMAT),
        (text["alpha_low"], number(alpha[1]) if view.alpha else none, INDEX_FORMAT),
        (text["alpha_high"], number(alpha[2]) if view.alpha else none, INDEX_FORMAT),
        (text["alpha_n"], int(alpha[3] or 0), WHOLE_FORMAT),
        (text["units"], len(records), WHOLE_FORMAT),
        (text["hidden_units"], sum(1 for r in records if r["hidden"]), WHOLE_FORMAT),
        (text["generated"], generated_on, None),
    ]
    notes = ("read_index", "read_favourable", "read_enps", "read_interval", "read_hidden")
    if own_questions(view, language):
        notes += ("read_own",)
    add_facts_sheet(
        book,
        text["about"],
        facts,
        [text[key].format(k=view.k) for key in notes],
        heading=text["how"],
        widths=(32, 90),
    )


def engagement_xlsx(view: EngagementView, language: str, generated_on: date) -> bytes:
    """The view as a workbook: "Results" (one row per unit), "Themes" (unit × 12 themes:
    means, then the n behind each), "Own questions" (unit × HR's own questions, when the
    wave has any), "About" (what was exported, thresholds, how to read it).

    Hidden units show only their code, their name and "fewer than k", on a grey fill.
    """
    text = words(language)
    book = Workbook()
    _results_sheet(book, view, text)
    _themes_sheet(book, view, language)
    _own_sheet(book, view, language)
    _about_sheet(book, view, language, generated_on)
    return workbook_bytes(book)


def _csv_value(column: str, value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    metric = column.removesuffix("_low").removesuffix("_high")
    if metric == "favourable":
        value *= 100
    decimals = _CSV_DECIMALS[metric]
    return round(value) if decimals == 0 else round(value, decimals)


def engagement_csv(view: EngagementView, language: str) -> bytes:
    """The "Results" table as CSV (UTF-8 with a BOM): % favourable in percent, hidden units
    with "fewer than k" in the n column and nothing else. A wave with own questions adds,
    per question, its mean, interval, % favourable and answers (empty where hidden)."""
    text = words(language)
    mark = text["hidden"].format(k=view.k)
    questions = own_questions(view, language)
    cells = own_cells(view)
    width = len(COLUMNS) - 1 + len(questions) * len(OWN_PARTS)
    rows: list[Sequence[Any]] = []
    for record, unit in zip(unit_records(view), view.rows.to_dict("records"), strict=True):
        if record["hidden"]:
            rows.append([record["code"], record["name"], mark, *([None] * width)])
            continue
        values = [_csv_value(c, record[c]) for c, _ in COLUMNS]
        for slot, _question in questions:
            cell = cells.get((unit["unit_id"], slot))
            values += (
                [None] * len(OWN_PARTS)
                if cell is None
                else [_own_csv(c, cell[c]) for c in OWN_PARTS]
            )
        rows.append([record["code"], record["name"], *values])
    header = _header(view, text)
    for i, (column, _) in enumerate(COLUMNS, start=2):
        if column.startswith("favourable"):
            header[i] += text["percent"]
    for _slot, question in questions:
        mean = f"{question}: {text['mean']}"
        header += [
            mean,
            text["low"].format(metric=mean),
            text["high"].format(metric=mean),
            f"{question}: {text['favourable']}{text['percent']}",
            f"{question}: {text['answers']}",
        ]
    return csv_bytes(header, rows)


def _own_csv(part: str, value: Any) -> Any:
    if value is None:
        return None
    if part == "favourable":
        return round(value * 100, 1)
    return int(value) if part == "n" else round(value, 2)
