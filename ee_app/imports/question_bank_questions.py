"""The Questions sheet of a question bank (题库), row by row: each question's type, topic,
texts, options and correct answer(s) checked cell by cell, every problem with its row and
column. Also reads the HR page's questions table, laid out like the sheet.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from ee_app.errors import N_, ImportRejected, Problem
from ee_app.imports.question_bank_layout import (
    ID,
    LETTERS,
    QUESTION_COLUMNS,
    TRUE_FALSE,
    TYPES,
    Sheet,
    SheetReader,
    blank,
    code,
    open_sheet,
    word,
)
from ee_app.imports.tabular import problems_limit

__all__ = ["read_question_rows", "read_questions"]

_SPLIT = re.compile(r"[\s,，、;；/]+")


def _correct_letters(reader: SheetReader) -> list[str] | None:
    raw = reader.raw("correct")
    if blank(raw):
        reader.problem("correct", N_("is empty"))
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip().upper()
    parts = [p for p in _SPLIT.split(text) if p]
    if len(parts) == 1 and len(parts[0]) > 1 and parts[0].isalpha() and parts[0].isascii():
        parts = list(parts[0])  # "AC"
    wrong = [p for p in parts if len(p) != 1 or p not in LETTERS]
    if wrong:
        reader.problem(
            "correct",
            N_("“{value}” is not an option letter: write letters A to {last}, e.g. B or A,C"),
            value=wrong[0],
            last=LETTERS[-1],
        )
        return None
    return list(dict.fromkeys(parts))


def _question(reader: SheetReader) -> dict[str, Any] | None:
    before = len(reader.problems)
    raw_type = reader.raw("type")
    kind = TYPES.get(word(raw_type)) if not blank(raw_type) else None
    if kind is None:
        reader.problem(
            "type",
            N_(
                "“{value}” is not a question type: write single, multiple or true-false "
                "(单选, 多选, 判断)"
            )
            if not blank(raw_type)
            else N_("is empty"),
            value=raw_type,
        )
    topic = code(reader.raw("topic") or "")
    if not topic:
        reader.problem("topic", N_("is empty"))
    elif not ID.match(topic):
        reader.problem(
            "topic",
            N_("“{value}” is not a topic code: use lower-case letters, digits and - (e.g. skin)"),
            value=reader.raw("topic"),
        )
    question: dict[str, Any] = {
        "type": kind,
        "category": topic,
        "en": reader.text("text_en"),
        "zh-CN": reader.text("text_zh"),
        "explanation": {"en": reader.text("why_en"), "zh-CN": reader.text("why_zh")},
    }
    filled = [
        letter
        for letter in LETTERS
        if reader.filled(f"{letter}_en") or reader.filled(f"{letter}_zh")
    ]
    if kind == "true_false":
        for letter in filled:
            column = f"{letter}_en" if reader.filled(f"{letter}_en") else f"{letter}_zh"
            reader.problem(
                column,
                N_("a true/false question has no options: leave the option columns empty"),
            )
        said = word(reader.raw("correct") or "")
        if said in TRUE_FALSE:
            question["answer"] = TRUE_FALSE[said]
        else:
            reader.problem(
                "correct",
                N_("is empty") if not said else N_("“{value}” is not 对 or 错 (true or false)"),
                value=reader.raw("correct"),
            )
    elif kind is not None:
        question["options"] = _options(reader, kind, filled)
    return None if len(reader.problems) > before else question


def _options(reader: SheetReader, kind: str, filled: list[str]) -> list[dict[str, Any]]:
    count = LETTERS.index(filled[-1]) + 1 if filled else 0
    for letter in LETTERS[:count]:
        if letter not in filled:
            reader.problem(
                f"{letter}_en",
                N_(
                    "option {letter} is empty but a later option is filled: fill the options "
                    "from A without gaps"
                ),
                letter=letter,
            )
    if count < 2:
        reader.problem("A_en", N_("a question needs at least two options (A and B)"))
    options = [
        {
            "id": letter.lower(),
            "en": reader.text(f"{letter}_en"),
            "zh-CN": reader.text(f"{letter}_zh"),
        }
        for letter in LETTERS[:count]
    ]
    letters = _correct_letters(reader)
    if letters is None:
        return options
    empty = [x for x in letters if x not in filled]
    if empty:
        reader.problem(
            "correct",
            N_("option {letter} is empty: the correct answer must name filled options"),
            letter=empty[0],
        )
    elif kind == "single" and len(letters) != 1:
        reader.problem(
            "correct",
            N_("a single-choice question has exactly one correct option, not {count}"),
            count=len(letters),
        )
    elif kind == "multiple" and len(letters) >= len(filled):
        reader.problem(
            "correct",
            N_(
                "a multiple-choice question needs at least one wrong option; not all can be correct"
            ),
        )
    for option in options:
        if option["id"].upper() in letters:
            option["correct"] = True
    return options


def read_question_rows(sheets: dict[str, Sheet], problems: list[Problem]) -> list[dict[str, Any]]:
    reader, complete = open_sheet(sheets, "questions", QUESTION_COLUMNS, problems)
    if not complete:
        return []
    questions: list[tuple[int, str | None, dict[str, Any] | None]] = []
    seen: dict[str, int] = {}
    for number, record in sheets["questions"].rows:
        reader.start(number, record)
        given = code(reader.raw("id")) if reader.filled("id") else None
        if given is not None:
            if not ID.match(given):
                reader.problem(
                    "id",
                    N_(
                        "“{value}” is not an id: use lower-case letters, digits and - "
                        "(e.g. skin-01)"
                    ),
                    value=reader.raw("id"),
                )
            elif given in seen:
                reader.problem(
                    "id",
                    N_("the id “{value}” is also used in row {row}"),
                    value=given,
                    row=seen[given],
                )
            else:
                seen[given] = number
        questions.append((number, given, _question(reader)))
    problems += reader.finish()
    if not questions:
        problems.append(Problem(N_("The sheet has no questions."), sheet=sheets["questions"].name))
    result = []
    for position, (_number, given, question) in enumerate(questions, start=1):
        if question is None:
            continue
        question_id = given or f"q{position:03d}"
        if given is None and question_id in seen:  # a clerk's own id took it
            question_id = f"{question_id}-{position}"
        result.append({"id": question_id, **question})
    return result


def read_questions(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    """Questions from a table laid out as the Questions sheet (the HR page's editor): the same
    rules and messages, with rows numbered from 1 as the table shows them."""
    problems: list[Problem] = []
    sheet = Sheet(None, [str(h) for h in header], [(n, tuple(r)) for n, r in enumerate(rows, 1)])
    questions = read_question_rows({"questions": sheet}, problems)
    if problems:
        raise ImportRejected(N_("The questions were not saved."), problems_limit(problems))
    return questions
