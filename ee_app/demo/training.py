"""The demo's training assessments, as plain data (no database).

:func:`generate_training` follows :data:`~ee_app.demo.params.TRAINING`. Everyone on the roster
was assigned the onboarding assessment when hired and took it in their first weeks; most
passed the first time, some on a later attempt, and among the newest hires some have not
passed yet (or not started). The quarterly advanced assessment went to the beauticians,
consultants and doctors at work last quarter. Answers follow a two-parameter logistic model:
a person of ability θ answers a question of difficulty b and discrimination a right with
probability ``logistic(a · (θ − b))``. A few questions are built to be flawed (see
:class:`~ee_app.demo.params.TrainingParams`) so that the item analysis has something to flag.
Deterministic from the seed.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ee_app.demo.chain import DemoChain, DemoStaff
from ee_app.demo.params import TRAINING, TrainingParams, seeded_normal
from ee_app.instruments.quiz import Question, Quiz, draw, grade
from ee_app.models import StaffRole

__all__ = ["DemoAssignment", "DemoAttempt", "generate_training", "question_parameters"]

ADVANCED_ROLES = (StaffRole.BEAUTICIAN, StaffRole.CONSULTANT, StaffRole.DOCTOR)


@dataclass(frozen=True)
class DemoAttempt:
    number: int
    started_at: datetime
    submitted_at: datetime
    questions: list[dict[str, Any]]
    answers: dict[str, Any]
    correct: int
    total: int
    passed: bool


@dataclass(frozen=True)
class DemoAssignment:
    employee_no: str
    quiz: str  # key
    assigned_at: datetime
    attempts: tuple[DemoAttempt, ...]


def question_parameters(
    seed: int, quiz: Quiz, params: TrainingParams = TRAINING
) -> dict[str, tuple[float, float]]:
    """(discrimination a, difficulty b) per question, fixed by the seed; the flawed questions
    of ``params`` get theirs: one everybody gets right, one that tells nobody apart.

    The others are meant to work: a spreads by a factor exp(0.15·N) around
    ``params.discrimination`` and b is kept within 1.5 SD of ``params.difficulty_mean``, so
    that none is by chance as easy as the planted one (before issue 16 the tails made some
    questions right for 98% of candidates) and the item analysis's flags can be checked on
    the plants alone (tests/demo/test_training_demo.py)."""
    found = {}
    low = params.difficulty_mean - 1.5 * params.difficulty_sd
    high = params.difficulty_mean + 1.5 * params.difficulty_sd
    for question in quiz.questions:
        a = params.discrimination * math.exp(0.15 * seeded_normal(seed, "quiz-a", question.id))
        b = params.difficulty_mean + params.difficulty_sd * seeded_normal(
            seed, "quiz-b", question.id
        )
        found[question.id] = (a, min(max(b, low), high))
    ids = [q.id for q in quiz.questions]
    found[ids[params.too_easy % len(ids)]] = (params.discrimination, -4.0)
    found[ids[params.no_signal % len(ids)]] = (0.05, 0.0)
    return found


def _wrong(question: Question, rng: random.Random) -> Any:
    """A plausible wrong answer: another option, or for a multiple choice a near miss."""
    correct = sorted(question.correct)
    if question.type == "multiple":
        wrong = [o.id for o in question.options if not o.correct]
        near = [*correct[:-1], rng.choice(wrong)] if len(correct) > 1 else [rng.choice(wrong)]
        return sorted(set(near))
    return rng.choice([o.id for o in question.options if not o.correct])


def _attempt(
    quiz: Quiz,
    ability: float,
    items: dict[str, tuple[float, float]],
    number: int,
    start: datetime,
    rng: random.Random,
) -> DemoAttempt:
    drawn = draw(quiz, rng)
    answers: dict[str, Any] = {}
    for d in drawn:
        question = quiz.question(d.id)
        a, b = items[d.id]
        if rng.random() < 1.0 / (1.0 + math.exp(-a * (ability - b))):
            right = sorted(question.correct)
            answers[d.id] = right[0] if question.type != "multiple" else right
        else:
            answers[d.id] = _wrong(question, rng)
    marks = grade(quiz, [d.id for d in drawn], answers)
    minutes = rng.randint(8, (quiz.time_limit_minutes or 40) - 2)
    return DemoAttempt(
        number,
        start,
        start + timedelta(minutes=minutes),
        [{"id": d.id, "options": list(d.options)} for d in drawn],
        answers,
        marks.correct,
        marks.total,
        marks.passed,
    )


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(9 + rng.randrange(9), rng.randrange(60)), tzinfo=UTC)


def _onboarding(
    person: DemoStaff,
    quiz: Quiz,
    items: dict[str, tuple[float, float]],
    ability: float,
    today: date,
    params: TrainingParams,
    rng: random.Random,
) -> DemoAssignment | None:
    hired = person.hire_date
    if hired > today:
        return None
    assigned = _at(hired, rng)
    recent = (today - hired).days < params.recent_days
    if recent and rng.random() < params.not_started_share:
        return DemoAssignment(person.employee_no, quiz.key, assigned, ())
    attempts: list[DemoAttempt] = []
    day = hired + timedelta(days=rng.randint(3, 14))
    # Those hired long ago all passed in the end (they work there); the newest may not yet.
    boost = 0.0
    while len(attempts) < quiz.max_attempts and day <= today:
        attempt = _attempt(quiz, ability + boost, items, len(attempts) + 1, _at(day, rng), rng)
        attempts.append(attempt)
        if attempt.passed:
            break
        if recent and rng.random() < params.retry_later_share:
            break  # failed, and has not come back yet
        boost += params.retraining_gain  # retrained before the next attempt
        day += timedelta(days=rng.randint(2, 5))
    if not recent and not any(a.passed for a in attempts) and attempts:
        # An old hire still on the roster passed on the attempt that was left.
        last = attempts[-1]
        answers = {q["id"]: _right(quiz.question(q["id"])) for q in last.questions}
        marks = grade(quiz, [q["id"] for q in last.questions], answers)
        attempts[-1] = DemoAttempt(
            last.number,
            last.started_at,
            last.submitted_at,
            last.questions,
            answers,
            marks.correct,
            marks.total,
            marks.passed,
        )
    return DemoAssignment(person.employee_no, quiz.key, assigned, tuple(attempts))


def _right(question: Question | None) -> Any:
    right = sorted(question.correct) if question else []
    return right if question and question.type == "multiple" else (right[0] if right else None)


def _role_on(person: DemoStaff, day: date) -> StaffRole | None:
    for _unit, role, start, end in person.periods:
        if start <= day and (end is None or end > day):
            return role
    return None


def _advanced(
    person: DemoStaff,
    quiz: Quiz,
    items: dict[str, tuple[float, float]],
    ability: float,
    quarter: date,
    params: TrainingParams,
    rng: random.Random,
) -> DemoAssignment:
    """The quarterly assessment: most take it within three weeks; some who fail retake it."""
    attempts: list[DemoAttempt] = []
    if rng.random() < params.advanced_taken_share:
        day = quarter + timedelta(days=rng.randint(1, 20))
        attempts.append(_attempt(quiz, ability, items, 1, _at(day, rng), rng))
        if not attempts[0].passed and rng.random() < 0.6:
            day += timedelta(days=rng.randint(3, 10))
            boosted = ability + params.retraining_gain
            attempts.append(_attempt(quiz, boosted, items, 2, _at(day, rng), rng))
    return DemoAssignment(person.employee_no, quiz.key, _at(quarter, rng), tuple(attempts))


def generate_training(
    chain: DemoChain,
    seed: int,
    today: date,
    quizzes: dict[str, Quiz],
    params: TrainingParams = TRAINING,
) -> list[DemoAssignment]:
    """Every demo assignment with its attempts (see the module docstring)."""
    rng = random.Random(f"{seed}:training")
    onboarding, advanced = quizzes["onboarding"], quizzes["quarterly-advanced"]
    items = {
        "onboarding": question_parameters(seed, onboarding, params),
        "quarterly-advanced": question_parameters(seed, advanced, params),
    }
    quarter = today - timedelta(days=params.advanced_days_ago)
    found = []
    for person in chain.staff:
        ability = seeded_normal(seed, "ability", person.employee_no)
        assignment = _onboarding(
            person, onboarding, items["onboarding"], ability, today, params, rng
        )
        if assignment is not None:
            found.append(assignment)
        role = _role_on(person, quarter)
        at_work = person.leave_date is None or person.leave_date > quarter
        if role in ADVANCED_ROLES and at_work and person.hire_date < quarter:
            found.append(
                _advanced(
                    person, advanced, items["quarterly-advanced"], ability, quarter, params, rng
                )
            )
    return found
