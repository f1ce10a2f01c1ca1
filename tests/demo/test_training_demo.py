"""The demo's assessments against the item analysis (issue 16): every question the generator
plants as flawed is flagged with its reason, and no other question is, on the demo the tests
load (seed and day of ``tests.conftest``)."""

from __future__ import annotations

import pandas as pd
import pytest

from ee_app.analysis import items, quiz_attempts
from ee_app.demo.chain import generate_chain
from ee_app.demo.params import TRAINING
from ee_app.demo.training import generate_training, question_parameters
from ee_app.instruments.quiz import default_definitions, grade, validate
from tests.conftest import DEMO_SEED, DEMO_TODAY

QUIZZES = {key: validate(definition) for key, definition in default_definitions().items()}


@pytest.fixture(scope="module")
def first_attempts():
    """Per assessment, the first attempts as the item analysis reads them (marked as the
    service marks them: ``ee_app.services.training_status.first_attempts``)."""
    chain = generate_chain(DEMO_SEED, "small", DEMO_TODAY)
    plan = generate_training(chain, DEMO_SEED, DEMO_TODAY, QUIZZES)
    frames = {}
    for key, quiz in QUIZZES.items():
        records = []
        for number, assignment in enumerate(plan):
            if assignment.quiz != key or not assignment.attempts:
                continue
            first = assignment.attempts[0]
            ids = [q["id"] for q in first.questions]
            marks = grade(quiz, ids, first.answers).right
            pairs = enumerate(zip(ids, marks, strict=True))
            records += [(number, question, slot, int(right)) for slot, (question, right) in pairs]
        frames[key] = pd.DataFrame(records, columns=list(quiz_attempts.COLUMNS))
    return frames


def plants(key):
    """The flawed questions, found in the generator's own parameters: difficulty −4 (everyone
    right) and discrimination 0.05 (no signal), at the positions TRAINING names."""
    ids = [q.id for q in QUIZZES[key].questions]
    too_easy, no_signal = ids[TRAINING.too_easy], ids[TRAINING.no_signal]
    parameters = question_parameters(DEMO_SEED, QUIZZES[key])
    assert parameters[too_easy][1] == -4.0 and parameters[no_signal][0] == 0.05
    return {too_easy: (items.TOO_EASY,), no_signal: (items.NOT_DISCRIMINATING,)}


@pytest.mark.parametrize("key", sorted(QUIZZES))
def test_every_planted_flaw_is_flagged_and_no_other_question(first_attempts, key):
    table = items.question_statistics(first_attempts[key]).set_index("question")
    planted = plants(key)
    assert set(planted) <= set(table.index)
    assert table["judged"].all()  # every question was drawn by at least 10 first attempts
    for question, row in table.iterrows():
        expected = planted.get(question, ())
        assert row["reasons"] == expected, (question, row.to_dict())
        assert row["flagged"] == bool(expected)


@pytest.mark.parametrize("key", sorted(QUIZZES))
def test_the_other_questions_are_built_to_work(key):
    # Difficulty within 1.5 SD of the mean and discrimination near TRAINING's: none is by
    # chance as easy as the plant (the old tails gave questions at difficulty −3.7).
    planted = plants(key)
    low = TRAINING.difficulty_mean - 1.5 * TRAINING.difficulty_sd
    high = TRAINING.difficulty_mean + 1.5 * TRAINING.difficulty_sd
    for question, (a, b) in question_parameters(DEMO_SEED, QUIZZES[key]).items():
        if question not in planted:
            assert low <= b <= high
            assert a > 0.5 * TRAINING.discrimination
