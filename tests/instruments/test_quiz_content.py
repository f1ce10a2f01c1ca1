"""The shipped training assessments (培训考核): each validates and keeps the house rules for
its content, table-driven over every default quiz."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from ee_app.instruments import quiz as quiz_module
from ee_app.instruments.quiz import DEFAULT_QUIZZES, QUESTION_TYPES, default_definitions, validate

CHINESE = re.compile(r"[\u4e00-\u9fff]")
FOLDER = Path(quiz_module.__file__).resolve().parent / "quizzes"


@pytest.fixture(params=DEFAULT_QUIZZES)
def quiz(request):
    # Each file on its own, so that one quiz's fault does not hide another's results.
    with (FOLDER / f"{request.param}-v1.toml").open("rb") as handle:
        definition = tomllib.load(handle)
    assert definition.get("key") == request.param
    return validate(definition)


def _texts(quiz):
    """Every bilingual text of a quiz, with where it sits."""
    yield "name", quiz.name
    yield "description", quiz.description
    for question in quiz.questions:
        yield question.id, question.text
        yield f"{question.id} explanation", question.explanation
        if question.type != "true_false":
            for option in question.options:
                yield f"{question.id}/{option.id}", option.text


def test_every_default_quiz_is_shipped():
    definitions = default_definitions()
    assert set(definitions) == set(DEFAULT_QUIZZES)
    for key, definition in definitions.items():
        assert validate(definition).key == key


def test_validates_as_its_own_key_version_1(quiz):
    assert quiz.version == 1
    assert quiz.key in DEFAULT_QUIZZES


def test_bank_holds_25_to_40_questions(quiz):
    assert 25 <= len(quiz.questions) <= 40


def test_draw_uses_every_category_and_leaves_some_behind(quiz):
    assert quiz.draw_per_category, "the shipped quizzes draw per category"
    bank = Counter(q.category for q in quiz.questions)
    assert set(quiz.draw_per_category) == set(bank)
    for category, count in quiz.draw_per_category.items():
        assert bank[category] > count, f"{category}: every attempt would draw the same questions"


def test_every_question_has_both_texts_and_an_explanation(quiz):
    for question in quiz.questions:
        assert question.text.en and question.text.zh, question.id
        assert question.explanation.en and question.explanation.zh, question.id


def test_no_two_questions_share_an_english_text(quiz):
    repeated = [t for t, n in Counter(q.text.en for q in quiz.questions).items() if n > 1]
    assert not repeated


def test_every_chinese_text_contains_chinese(quiz):
    missing = [where for where, text in _texts(quiz) if not CHINESE.search(text.zh)]
    assert not missing


def test_every_question_type_is_used(quiz):
    assert {q.type for q in quiz.questions} == set(QUESTION_TYPES)


def test_multiple_choice_stems_say_choose_all(quiz):
    for question in quiz.questions:
        if question.type == "multiple":
            assert "Choose all that apply" in question.text.en, question.id
            assert "多选" in question.text.zh, question.id
