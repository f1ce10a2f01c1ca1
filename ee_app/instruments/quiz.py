"""Training assessments (培训考核): versioned question banks and the rules of a test.

A quiz is a plain dict (TOML on disk, JSON in the database), checked by :func:`validate` and
identified by the SHA-256 of its canonical JSON, like the other instruments. It holds a bank
of questions, each with a category and an explanation, of three types:

``single``
    one correct option among several;
``multiple``
    one or more correct options; an answer is right only when it is exactly the set of
    correct options (Moodle's "all or nothing"), so guessing every box earns nothing;
``true_false``
    a statement; its ``answer`` is true or false.

and the rules: how many questions a test draws (in all, or per category), the pass mark (a
share of the questions drawn), the maximum number of attempts, an optional time limit, and
whether the highest or the last attempt grades the person. :func:`draw` picks an attempt's
questions and the order of their options; :func:`grade` marks an attempt.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from ee_app.choices import DEFAULT_QUIZZES
from ee_app.errors import N_, Problem, ValidationError
from ee_app.instruments.fields import (
    Text,
    bilingual,
    definition_hash,
    exact,
    is_count,
    key_and_version,
    shipped_definitions,
    unique_id,
    unknown_settings,
)
from ee_app.instruments.quiz_questions import (
    FALSE,
    MAX_TEXT,
    QUESTION_TYPES,
    TRUE,
    Question,
    QuestionOption,
    read_question,
)

__all__ = [
    "DEFAULT_QUIZZES",
    "GRADING",
    "QUESTION_TYPES",
    "DrawnQuestion",
    "Grade",
    "Question",
    "QuestionOption",
    "Quiz",
    "default_definitions",
    "definition_hash",
    "draw",
    "grade",
    "validate",
]

GRADING = ("highest", "last")
_FOLDER = Path(__file__).resolve().parent / "quizzes"
#: The key of the assessment that new hires must pass before they start work (上岗考核).
ONBOARDING = "onboarding"

_QUIZ_KEYS = frozenset(
    {"kind", "key", "version", "name", "description", "pass_mark", "max_attempts"}
    | {"time_limit_minutes", "grading", "draw", "draw_per_category", "questions"}
)


@dataclass(frozen=True)
class Quiz:
    key: str
    version: int
    name: Text
    description: Text
    pass_mark: Fraction
    max_attempts: int
    time_limit_minutes: int | None
    grading: str
    draw: int
    draw_per_category: Mapping[str, int]  # empty: draw ``draw`` from the whole bank
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(q.category for q in self.questions))


def validate(definition: Mapping[str, Any]) -> Quiz:
    """Check a definition and return the quiz; raise ValidationError listing every fault."""
    problems = unknown_settings(definition, _QUIZ_KEYS, "quiz")
    key, version = key_and_version(
        definition,
        "quiz",
        problems,
        (
            N_("The assessment's kind must be “quiz”."),
            N_("The assessment needs a short lower-case key."),
            N_("The assessment needs a version number of 1 or more."),
        ),
    )
    mark_raw = definition.get("pass_mark")
    number = isinstance(mark_raw, int | float) and not isinstance(mark_raw, bool)
    mark = exact(mark_raw) if number else None  # nan and inf are no share either
    if mark is None or not 0 < mark <= 1:
        problems.append(Problem(N_("The pass mark must be a share above 0 and at most 1.")))
        mark = Fraction(1)
    attempts = definition.get("max_attempts")
    if not is_count(attempts):
        problems.append(Problem(N_("The maximum number of attempts must be 1 or more.")))
        attempts = 1
    limit = definition.get("time_limit_minutes")
    if limit is not None and not is_count(limit):
        problems.append(Problem(N_("The time limit is a whole number of minutes, or left out.")))
        limit = None
    grading = definition.get("grading", "highest")
    if grading not in GRADING:
        problems.append(Problem(N_("The grading rule is “highest” or “last”.")))
        grading = "highest"
    questions = tuple(read_question(q, problems) for q in definition.get("questions") or [])
    seen: set[str] = set()
    for question in questions:
        unique_id(
            question.id,
            seen,
            N_("Question ids must be short, lower case and unique: “{id}”."),
            problems,
        )
    per_category = definition.get("draw_per_category") or {}
    bank = {
        c: sum(q.category == c for q in questions)
        for c in dict.fromkeys(q.category for q in questions)
    }
    if per_category:
        if not isinstance(per_category, Mapping) or not all(
            is_count(n) for n in per_category.values()
        ):
            problems.append(
                Problem(N_("Each category draws a whole number of questions, 1 or more."))
            )
            per_category = {}
        for category in bank:
            if category not in per_category:
                problems.append(
                    Problem(
                        N_(
                            "Category “{category}” is never drawn: give it a number of "
                            "questions to draw."
                        ),
                        {"category": category},
                    )
                )
        for category, count in dict(per_category).items():
            if count > bank.get(category, 0):
                problems.append(
                    Problem(
                        N_("Category “{category}” has {have} questions; {want} cannot be drawn."),
                        {"category": category, "have": bank.get(category, 0), "want": count},
                    )
                )
    count = sum(per_category.values()) if per_category else definition.get("draw", len(questions))
    if not is_count(count) or count > len(questions):
        problems.append(
            Problem(N_("A test draws between 1 and {have} questions."), {"have": len(questions)})
        )
        count = max(len(questions), 1)
    if per_category and "draw" in definition and definition["draw"] != count:
        problems.append(
            Problem(N_("The questions per test must equal the sum drawn per category."))
        )
    quiz = Quiz(
        key=key,
        version=version,
        name=bilingual(definition.get("name"), "name", problems, MAX_TEXT),
        description=bilingual(definition.get("description"), "description", problems, MAX_TEXT),
        pass_mark=mark,
        max_attempts=attempts,
        time_limit_minutes=limit,
        grading=grading,
        draw=count,
        draw_per_category=dict(per_category),
        questions=questions,
    )
    if problems:
        raise ValidationError(N_("The assessment is not valid."), problems)
    return quiz


def default_definitions() -> dict[str, dict[str, Any]]:
    """The shipped assessments, version 1, by key."""
    return shipped_definitions(_FOLDER, DEFAULT_QUIZZES)


# Drawing and grading --------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawnQuestion:
    """One question of an attempt, with its options in the order shown."""

    id: str
    options: tuple[str, ...]


def draw(quiz: Quiz, rng: random.Random) -> list[DrawnQuestion]:
    """An attempt's questions: ``quiz.draw`` of them (or so many per category), in random
    order, each with its options shuffled (a true/false statement keeps True, False).

    >>> from ee_app.instruments.quiz import default_definitions, validate
    >>> quiz = validate(default_definitions()["onboarding"])
    >>> drawn = draw(quiz, random.Random(1))
    >>> len(drawn) == quiz.draw == len({d.id for d in drawn})
    True
    """
    if quiz.draw_per_category:
        chosen = []
        for category, count in quiz.draw_per_category.items():
            pool = [q for q in quiz.questions if q.category == category]
            chosen += rng.sample(pool, count)
        rng.shuffle(chosen)
    else:
        chosen = rng.sample(list(quiz.questions), quiz.draw)
    drawn = []
    for question in chosen:
        options = [o.id for o in question.options]
        if question.type != "true_false":
            rng.shuffle(options)
        drawn.append(DrawnQuestion(question.id, tuple(options)))
    return drawn


@dataclass(frozen=True)
class Grade:
    right: tuple[bool, ...]  # per drawn question, in the attempt's order
    correct: int
    total: int
    passed: bool

    @property
    def share(self) -> Fraction:
        return Fraction(self.correct, self.total) if self.total else Fraction(0)


def _chosen(answer: Any) -> frozenset[str]:
    if answer is None or answer == "":
        return frozenset()
    if isinstance(answer, bool):  # a true/false answer given as a boolean
        return frozenset({TRUE if answer else FALSE})
    if isinstance(answer, str):
        return frozenset({answer})
    return frozenset(str(a) for a in answer)


def grade(quiz: Quiz, questions: Sequence[str], answers: Mapping[str, Any]) -> Grade:
    """Mark an attempt: a question is right when the options chosen are exactly its correct
    ones (an unanswered question is wrong); passed when the share right reaches the mark.

    >>> quiz = validate({"kind": "quiz", "key": "q", "version": 1, "pass_mark": 0.5,
    ...     "max_attempts": 1, "name": {"en": "n", "zh-CN": "n"},
    ...     "description": {"en": "d", "zh-CN": "d"}, "questions": [
    ...     {"id": "a", "type": "true_false", "category": "c", "answer": False,
    ...      "en": "a", "zh-CN": "a", "explanation": {"en": "e", "zh-CN": "e"}},
    ...     {"id": "b", "type": "multiple", "category": "c", "en": "b", "zh-CN": "b",
    ...      "explanation": {"en": "e", "zh-CN": "e"}, "options": [
    ...         {"id": "x", "correct": True, "en": "x", "zh-CN": "x"},
    ...         {"id": "y", "correct": True, "en": "y", "zh-CN": "y"},
    ...         {"id": "z", "en": "z", "zh-CN": "z"}]}]})
    >>> g = grade(quiz, ["a", "b"], {"a": "false", "b": ["x", "y", "z"]})
    >>> g.right, g.correct, g.passed   # all three boxes is not the right set
    ((True, False), 1, True)
    """
    right = []
    for question_id in questions:
        question = quiz.question(question_id)
        right.append(question is not None and _chosen(answers.get(question_id)) == question.correct)
    correct = sum(right)
    total = len(questions)
    passed = total > 0 and Fraction(correct, total) >= quiz.pass_mark
    return Grade(tuple(right), correct, total, passed)
