"""A quiz's questions: their three types, their options, and how one is read.

:mod:`ee_app.instruments.quiz` describes the types and builds the quiz; a question is read
here, with the rules that tie its type to its options (a single choice has exactly one
correct option, a multiple choice at least one right and one wrong, a true/false statement an
answer and no options).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ee_app.errors import N_, Problem
from ee_app.instruments.fields import ID_PATTERN, Text, bilingual, read_type, unknown_settings

__all__ = [
    "FALSE",
    "MAX_TEXT",
    "QUESTION_TYPES",
    "TRUE",
    "Question",
    "QuestionOption",
    "read_question",
]

QUESTION_TYPES = ("single", "multiple", "true_false")
MAX_TEXT = 600
TRUE, FALSE = "true", "false"

_QUESTION_KEYS = frozenset(
    {"id", "type", "category", "en", "zh-CN", "explanation", "options", "answer"}
)
_OPTION_KEYS = frozenset({"id", "en", "zh-CN", "correct"})


@dataclass(frozen=True)
class QuestionOption:
    id: str
    text: Text
    correct: bool


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    category: str
    text: Text
    explanation: Text
    options: tuple[QuestionOption, ...]  # for true/false: "true" and "false"

    @property
    def correct(self) -> frozenset[str]:
        return frozenset(o.id for o in self.options if o.correct)

    def option(self, option_id: str) -> QuestionOption | None:
        return next((o for o in self.options if o.id == option_id), None)


def _true_false(data: Mapping[str, Any], where: str, problems: list[Problem]) -> tuple:
    answer = data.get("answer")
    if not isinstance(answer, bool):
        problems.append(
            Problem(
                N_("{where}: a true/false question needs answer = true or false."), {"where": where}
            )
        )
        answer = True
    return (
        QuestionOption(TRUE, Text("True", "正确"), answer),
        QuestionOption(FALSE, Text("False", "错误"), not answer),
    )


def _options(data: Mapping[str, Any], kind: str, where: str, problems: list[Problem]) -> tuple:
    raw = data.get("options")
    if not isinstance(raw, list) or len(raw) < 2:
        problems.append(
            Problem(N_("{where}: a question needs at least two options."), {"where": where})
        )
        return ()
    options, seen = [], set()
    for position, item in enumerate(raw, start=1):
        item = item if isinstance(item, Mapping) else {}
        here = f"{where}, option {position}"
        problems.extend(unknown_settings(item, _OPTION_KEYS, here))
        option_id = str(item.get("id", ""))
        if not ID_PATTERN.match(option_id) or option_id in seen:
            problems.append(
                Problem(
                    N_("{where}: option ids must be short, unique and lower case."), {"where": here}
                )
            )
        seen.add(option_id)
        correct = item.get("correct", False)
        if not isinstance(correct, bool):
            problems.append(Problem(N_("{where}: correct must be true or false."), {"where": here}))
            correct = False
        options.append(
            QuestionOption(option_id, bilingual(item, here, problems, MAX_TEXT), correct)
        )
    right = sum(o.correct for o in options)
    if kind == "single" and right != 1:
        problems.append(
            Problem(
                N_("{where}: a single-choice question needs exactly one correct option."),
                {"where": where},
            )
        )
    if kind == "multiple" and not 1 <= right < len(options):
        problems.append(
            Problem(
                N_(
                    "{where}: a multiple-choice question needs at least one correct and "
                    "one wrong option."
                ),
                {"where": where},
            )
        )
    return tuple(options)


def read_question(data: Any, problems: list[Problem]) -> Question:
    """The question ``data``, its faults appended to ``problems``."""
    data = data if isinstance(data, Mapping) else {}
    question_id = str(data.get("id", ""))
    where = f"question {question_id or '?'}"
    problems.extend(unknown_settings(data, _QUESTION_KEYS, where))
    kind = read_type(data, QUESTION_TYPES, "single", where, problems)
    category = str(data.get("category", ""))
    if not ID_PATTERN.match(category):
        problems.append(
            Problem(N_("{where}: needs a short lower-case category."), {"where": where})
        )
    if kind == "true_false":
        if "options" in data:
            problems.append(
                Problem(
                    N_("{where}: a true/false question has no options, only an answer."),
                    {"where": where},
                )
            )
        options = _true_false(data, where, problems)
    else:
        if "answer" in data:
            problems.append(
                Problem(
                    N_("{where}: mark the correct options instead of giving an answer."),
                    {"where": where},
                )
            )
        options = _options(data, kind, where, problems)
    return Question(
        id=question_id,
        type=kind,
        category=category,
        text=bilingual(data, where, problems, MAX_TEXT),
        explanation=bilingual(data.get("explanation"), f"{where} explanation", problems, MAX_TEXT),
        options=options,
    )
