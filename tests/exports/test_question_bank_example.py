"""The example question bank of docs/training.md is what the docs and the browser test say:
40 questions, 4 topics of 10, 5 drawn per topic, 80%, 2 attempts, 30 minutes, key onboarding
(that the committed file is current is checked with the other examples, in
tests/exports/test_checklist_workbook.py)."""

from fractions import Fraction
from pathlib import Path

from ee_app.exports.question_bank_example import EXAMPLE_FILE, example_definition
from ee_app.imports.question_bank import read_question_bank
from ee_app.instruments.quiz import validate

ROOT = Path(__file__).resolve().parents[2]


def test_the_example_is_what_the_docs_promise():
    definition = read_question_bank((ROOT / EXAMPLE_FILE).read_bytes())
    assert definition == example_definition()
    quiz = validate(definition)
    assert quiz.key == "onboarding" and len(quiz.questions) == 40
    assert {c: sum(q.category == c for q in quiz.questions) for c in quiz.categories} == {
        "skin": 10,
        "hygiene": 10,
        "service": 10,
        "compliance": 10,
    }
    assert dict(quiz.draw_per_category) == dict.fromkeys(quiz.categories, 5) and quiz.draw == 20
    assert (quiz.pass_mark, quiz.max_attempts, quiz.time_limit_minutes) == (Fraction(4, 5), 2, 30)
    assert {q.type for q in quiz.questions} == {"single", "multiple", "true_false"}
    docs = (ROOT / "docs/training.md").read_text()
    assert str(EXAMPLE_FILE.relative_to("docs")) in docs
