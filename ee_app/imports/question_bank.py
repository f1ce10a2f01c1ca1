"""A question bank (题库) from an Excel workbook, as a clerk fills it in.

Three sheets, with English or Chinese names and headers (laid out in
:mod:`ee_app.imports.question_bank_layout`):

``Questions`` (题目)
    one row per question: id (optional; blank ids become ``q001``, ``q002``, … by the
    question's place among the rows, so the same workbook gives the same ids), topic, type
    (single / multiple / true-false, or 单选 / 多选 / 判断), the question in English and
    Chinese, options A–H in both languages (one column per option per language, so each
    cell holds one text), the correct answer(s) (``B``, ``A,C``, or 对 / 错 / true / false)
    and the explanation in both languages;
``Settings`` (设置)
    one row per setting (key, names, descriptions, pass mark as 80% or 0.8, attempts, time
    limit in minutes, grading); a third column of help is ignored;
``Draw`` (抽题), optional
    topic and the number of its questions each test draws.

Every problem is reported with its sheet, row and column, all at once; a workbook with any
problem gives no definition at all. The result is the dict that
:func:`ee_app.instruments.quiz.validate` accepts, and it is validated before it is returned.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from decimal import Decimal
from itertools import islice
from typing import Any

from ee_app.errors import N_, ImportRejected, Problem, ValidationError
from ee_app.imports.cells import CellError, parse_decimal, parse_int
from ee_app.imports.columns import normalise_header
from ee_app.imports.question_bank_layout import (
    DRAW_COLUMNS,
    GRADINGS,
    ID,
    REQUIRED_SETTINGS,
    SETTINGS,
    SETTINGS_COLUMNS,
    SHEET_NAMES,
    Sheet,
    blank,
    code,
    open_sheet,
    word,
)
from ee_app.imports.question_bank_questions import read_question_rows, read_questions
from ee_app.imports.tabular import check_size, open_workbook, problems_limit
from ee_app.instruments.quiz import validate

__all__ = ["MAX_ROWS", "read_question_bank", "read_questions"]

#: The most rows a sheet may have: a bank of a few hundred questions is large, and a sheet
#: of a million rows (a wrong file) is refused before it is checked cell by cell.
MAX_ROWS = 2000


def _sheets(data: bytes) -> dict[str, Sheet]:
    check_size(len(data))
    book = open_workbook(
        data,
        N_(
            "The file is not a readable .xlsx workbook ({reason}). Open it in Excel, save "
            "it again as .xlsx and import that."
        ),
    )
    spellings = {
        normalise_header(s): key
        for key, (en, zh, more) in SHEET_NAMES.items()
        for s in (key, en, zh, *more)
    }
    found: dict[str, Sheet] = {}
    try:
        for sheet in book.worksheets:
            key = spellings.get(normalise_header(sheet.title))
            if key is None or key in found:
                continue
            records = list(islice(_records(sheet.iter_rows(values_only=True)), MAX_ROWS + 2))
            if len(records) > MAX_ROWS + 1:  # the header and MAX_ROWS rows
                raise ImportRejected(
                    N_("The sheet “{sheet}” has more than {limit} rows; a bank holds fewer."),
                    sheet=sheet.title,
                    limit=MAX_ROWS,
                )
            header = [
                "" if v is None else str(v).strip() for v in (records[0][1] if records else ())
            ]
            while header and not header[-1]:
                header.pop()
            found[key] = Sheet(sheet.title, header, records[1:])
    except ImportRejected:
        raise
    except Exception as exc:  # damaged XML inside the workbook
        raise ImportRejected(
            N_("The workbook could not be read ({reason}). Save it again as .xlsx."),
            reason=str(exc) or type(exc).__name__,
        ) from exc
    finally:
        book.close()
    return found


def _records(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Non-blank rows with their row numbers; the first one is the header."""
    for number, record in enumerate(rows, start=1):
        if not all(blank(v) for v in record):
            yield number, tuple(record)


# Settings and draw ----------------------------------------------------------------------------


def _pass_mark(value: Any) -> float:
    text = unicodedata.normalize("NFKC", str(value)).strip() if isinstance(value, str) else None
    percent = bool(text and text.endswith("%"))
    number = parse_decimal(text.rstrip("%") if text else value)
    if number is None:
        raise CellError(N_("is empty"))
    share = number / 100 if percent or number > 1 else number
    if not Decimal(0) < share <= 1:
        raise CellError(
            N_("“{value}” is not a pass mark: write a share from 1% to 100%, e.g. 80%"), value=value
        )
    return float(share)


def _whole(value: Any, *, low: int, high: int) -> int:
    number = parse_int(value)
    if number is None:
        raise CellError(N_("is empty"))
    if not low <= number <= high:
        raise CellError(N_("must be a whole number from {low} to {high}"), low=low, high=high)
    return number


def _grading(value: Any) -> str:
    found = GRADINGS.get(word(value))
    if found is None:
        raise CellError(
            N_("“{value}” is not a grading rule: write highest or last (最高 / 最后一次)"),
            value=value,
        )
    return found


_PARSERS = {
    "pass_mark": _pass_mark,
    "max_attempts": lambda v: _whole(v, low=1, high=20),
    "time_limit_minutes": lambda v: _whole(v, low=1, high=600),
    "draw": lambda v: _whole(v, low=1, high=10_000),
    "version": lambda v: _whole(v, low=1, high=100_000),
    "grading": _grading,
}


def _settings(sheets: dict[str, Sheet], problems: list[Problem]) -> tuple[dict[str, Any], set[str]]:
    """The settings read, and the names of those given (read or not)."""
    reader, complete = open_sheet(sheets, "settings", SETTINGS_COLUMNS, problems)
    if not complete:
        return {}, set(SETTINGS)
    names = {normalise_header(s): key for key, pair in SETTINGS.items() for s in (key, *pair)}
    values: dict[str, Any] = {}
    rows: dict[str, int] = {}
    for number, record in sheets["settings"].rows:
        reader.start(number, record)
        key = names.get(normalise_header(str(reader.raw("setting") or "")))
        if key is None:
            reader.problem(
                "setting",
                N_("“{value}” is not a setting of a question bank"),
                value=reader.raw("setting") or "",
            )
            continue
        if key in rows:
            reader.problem("setting", N_("the setting is also given in row {row}"), row=rows[key])
            continue
        if not reader.filled("value"):
            continue
        rows[key] = number
        parser = _PARSERS.get(key)
        if parser is not None:
            values[key] = reader.read("value", parser)
        elif key == "key":
            key_text = code(reader.raw("value"))
            if ID.match(key_text):
                values[key] = key_text
            else:
                reader.problem(
                    "value",
                    N_(
                        "“{value}” is not a key: use lower-case letters, digits and - "
                        "(e.g. onboarding)"
                    ),
                    value=reader.raw("value"),
                )
        else:
            values[key] = reader.text("value")
    problems += reader.finish()
    return {k: v for k, v in values.items() if v is not None}, set(rows)


def _draw(
    sheets: dict[str, Sheet], bank: Mapping[str, int], problems: list[Problem]
) -> dict[str, int]:
    if "draw" not in sheets or not sheets["draw"].rows:
        return {}
    sheet = sheets["draw"]
    reader, complete = open_sheet(sheets, "draw", DRAW_COLUMNS, problems)
    if not complete:
        return {}
    draws: dict[str, int] = {}
    rows: dict[str, int] = {}
    for number, record in sheet.rows:
        reader.start(number, record)
        topic = code(reader.raw("topic") or "")
        count = reader.read("count", lambda v: _whole(v, low=1, high=10_000))
        if not topic:
            reader.problem("topic", N_("is empty"))
        elif topic in rows:
            reader.problem("topic", N_("the topic is also given in row {row}"), row=rows[topic])
        elif topic not in bank:
            reader.problem(
                "topic", N_("no question has the topic “{value}”"), value=reader.raw("topic")
            )
        elif count is not None and count > bank[topic]:
            reader.problem(
                "count",
                N_("topic “{topic}” has {have} questions; {want} cannot be drawn"),
                topic=topic,
                have=bank[topic],
                want=count,
            )
        if topic and topic not in rows:
            rows[topic] = number
            if count is not None:
                draws[topic] = count
    problems += reader.finish()
    for topic, have in bank.items():
        if topic not in rows:
            problems.append(
                Problem(
                    N_("Topic “{topic}” ({have} questions) is never drawn: add a row for it."),
                    {"topic": topic, "have": have},
                    sheet=sheet.name,
                )
            )
    return draws


# The workbook ---------------------------------------------------------------------------------


def _missing_sheets(sheets: dict[str, Sheet]) -> list[Problem]:
    return [
        Problem(
            N_("The workbook has no sheet “{en}” ({zh})."),
            {"en": SHEET_NAMES[key][0], "zh": SHEET_NAMES[key][1]},
        )
        for key in ("questions", "settings")
        if key not in sheets
    ]


def read_question_bank(data: bytes, *, key: str | None = None) -> dict[str, Any]:
    """The definition in a workbook, validated; ``key`` (if given) replaces the Settings key.

    Raises :class:`ImportRejected` with one problem per wrong cell (sheet, row and column).
    """
    sheets = _sheets(data)
    problems = _missing_sheets(sheets)
    if problems:
        raise ImportRejected(N_("The question bank was not read."), problems)
    questions = read_question_rows(sheets, problems)
    settings, given = _settings(sheets, problems)
    bank: dict[str, int] = {}
    for question in questions:
        bank[question["category"]] = bank.get(question["category"], 0) + 1
    draws = _draw(sheets, bank, problems)
    chosen_key = code(key) if key else settings.get("key")
    if not chosen_key and "key" not in given:
        problems.append(
            Problem(
                N_("The setting “{en}” ({zh}) is empty."),
                {"en": SETTINGS["key"][0], "zh": SETTINGS["key"][1]},
                sheet=sheets["settings"].name,
            )
        )
    for name in REQUIRED_SETTINGS:
        if name not in given:
            problems.append(
                Problem(
                    N_("The setting “{en}” ({zh}) is empty."),
                    {"en": SETTINGS[name][0], "zh": SETTINGS[name][1]},
                    sheet=sheets["settings"].name,
                )
            )
    if draws and "draw" in settings and settings["draw"] != sum(draws.values()):
        problems.append(
            Problem(
                N_("Questions per test is {draw}, but the Draw sheet draws {total}."),
                {"draw": settings["draw"], "total": sum(draws.values())},
                sheet=sheets["settings"].name,
            )
        )
    if problems:
        raise ImportRejected(N_("The question bank was not read."), problems_limit(problems))
    definition = _definition(chosen_key, settings, draws, questions)
    try:
        validate(definition)
    except ValidationError as error:  # a rule the cell checks above do not know
        raise ImportRejected(N_("The question bank was not read."), error.problems) from error
    return definition


def _definition(
    key: str | None, settings: Mapping[str, Any], draws: Mapping[str, int], questions: list
) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "kind": "quiz",
        "key": key,
        "version": settings.get("version", 1),
        "name": {"en": settings["name_en"], "zh-CN": settings["name_zh"]},
        "description": {"en": settings["description_en"], "zh-CN": settings["description_zh"]},
        "pass_mark": settings["pass_mark"],
        "max_attempts": settings["max_attempts"],
        "grading": settings.get("grading", "highest"),
        "questions": questions,
    }
    if "time_limit_minutes" in settings:
        definition["time_limit_minutes"] = settings["time_limit_minutes"]
    if draws:
        definition["draw_per_category"] = dict(draws)
    if "draw" in settings:
        definition["draw"] = settings["draw"]
    return definition
