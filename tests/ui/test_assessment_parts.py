"""The assessment page's pure parts: which questions are open, which attempt counts, and
how many minutes are left."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from ee_app.models import AttemptStatus
from ee_app.ui.assessment_parts import counting_attempt, minutes_left, unanswered

S, E, OPEN = AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED, AttemptStatus.OPEN


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, []),
        ({1: "a", 2: "b"}, []),
        ({1: None, 2: "b", 3: None}, [1, 3]),
        ({1: [], 2: ["a", "c"]}, [1]),  # "choose all that apply" with nothing ticked
        ({1: "", 2: ["a"]}, [1]),
        ({1: "a", 3: None}, [3]),  # the numbers as shown, gaps and all
    ],
)
def test_unanswered_numbers_the_open_questions_in_the_order_shown(answers, expected):
    assert unanswered(answers) == expected


def attempts(*rows):  # type: ignore[no-untyped-def]
    return [
        SimpleNamespace(number=n, status=status, score=score)
        for n, (status, score) in enumerate(rows, start=1)
    ]


@pytest.mark.parametrize(
    ("rows", "grading", "expected"),
    [
        ((), "highest", None),
        (((OPEN, None),), "highest", None),  # nothing marked yet
        (((S, 40), (S, 90), (S, 70)), "highest", 2),
        (((S, 90), (S, 90)), "highest", 1),  # the first of equals
        (((S, 90), (E, 0)), "highest", 1),  # a run-out attempt never counts as best
        (((E, 0),), "highest", 1),
        (((S, 90), (S, 70)), "last", 2),
        (((S, 90), (E, 0), (OPEN, None)), "last", 2),  # the open one is not marked
    ],
)
def test_counting_attempt_follows_the_grading_rule(rows, grading, expected):
    counted = counting_attempt(attempts(*rows), grading)
    assert (counted.number if counted else None) == expected


NOON = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("left", "minutes"),
    [
        (timedelta(minutes=30), 30),
        (timedelta(minutes=29, seconds=1), 30),  # rounded up: never a minute too few
        (timedelta(minutes=5), 5),
        (timedelta(seconds=1), 1),  # "1 minute left" to the last second
        (timedelta(0), 0),
        (-timedelta(minutes=3), 0),  # past: no negative minutes
    ],
)
def test_minutes_left_rounds_up_and_stops_at_zero(left, minutes):
    assert minutes_left(NOON + left, NOON) == minutes


def _draw_countdown(offset_seconds: float) -> None:
    """The countdown of a deadline ``offset_seconds`` from now, in English (run by AppTest)."""
    from datetime import UTC, datetime, timedelta

    from ee_app.i18n import plural_translator, translator
    from ee_app.ui.assessment_parts import countdown

    deadline = datetime.now(UTC) + timedelta(seconds=offset_seconds)
    countdown(lambda: deadline, translator("en"), plural_translator("en"))


@pytest.mark.parametrize(
    ("offset", "kind", "text"),
    [
        (12 * 60 - 1, "info", "12 minutes left."),
        (5 * 60 - 1, "warning", "5 minutes left."),  # a warning from 5 minutes
        (30, "warning", "1 minute left."),  # singular
        (-5, "error", "Time is up ("),
    ],
)
def test_countdown_says_the_time_left_and_warns_near_the_end(offset, kind, text):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_draw_countdown, args=(offset,)).run()
    assert not at.exception, at.exception
    shown = [e.value for e in getattr(at, kind)]
    assert len(shown) == 1 and text in shown[0], shown
    assert "UTC" not in shown[0] and "Beijing time" in shown[0]  # the local zone, named
