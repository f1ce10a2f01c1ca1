"""When a scheduled pulse opens and closes: month ends, every N months or weeks, ends_on,
missed occurrences (ee_app.occurrences; no database)."""

from datetime import date

import pytest

from ee_app.occurrences import (
    longest_open_days,
    next_opening,
    nth_opening,
    occurrence_on,
    occurrences,
    period_label,
)

D = date


@pytest.mark.parametrize(
    ("cadence", "every", "first", "n", "expected"),
    [
        ("monthly", 1, D(2026, 1, 31), 1, D(2026, 2, 28)),  # clamped to the month's end
        ("monthly", 1, D(2026, 1, 31), 2, D(2026, 3, 31)),  # and back: the anchor's day
        ("monthly", 1, D(2027, 12, 31), 2, D(2028, 2, 29)),  # leap year
        ("monthly", 2, D(2026, 11, 30), 1, D(2027, 1, 30)),  # every 2 months, over a year
        ("monthly", 3, D(2026, 1, 15), 4, D(2027, 1, 15)),
        ("weekly", 1, D(2026, 11, 2), 3, D(2026, 11, 23)),
        ("weekly", 2, D(2026, 12, 28), 1, D(2027, 1, 11)),
    ],
)
def test_nth_opening(cadence, every, first, n, expected):
    assert nth_opening(cadence, every, first, n) == expected


# A monthly pulse from 2026-01-31, open 7 days; an every-2-weeks pulse from Monday 2026-11-02,
# open 5 days (Monday to Friday).
M = ("monthly", 1, D(2026, 1, 31), 7)
W = ("weekly", 2, D(2026, 11, 2), 5)


@pytest.mark.parametrize(
    ("schedule", "ends_on", "today", "expected"),
    [
        (M, None, D(2026, 1, 30), None),  # before the first
        (M, None, D(2026, 1, 31), (D(2026, 1, 31), D(2026, 2, 6))),
        (M, None, D(2026, 2, 6), (D(2026, 1, 31), D(2026, 2, 6))),  # last day open
        (M, None, D(2026, 2, 7), None),  # missed: not opened late
        (M, None, D(2026, 3, 1), (D(2026, 2, 28), D(2026, 3, 6))),  # February's, clamped
        (M, None, D(2026, 3, 31), (D(2026, 3, 31), D(2026, 4, 6))),
        (M, D(2026, 3, 30), D(2026, 3, 31), None),  # ends_on stops it
        (M, D(2026, 3, 31), D(2026, 4, 2), (D(2026, 3, 31), D(2026, 4, 6))),  # ends_on = opening
        (W, None, D(2026, 11, 6), (D(2026, 11, 2), D(2026, 11, 6))),
        (W, None, D(2026, 11, 9), None),  # the off week
        (W, None, D(2026, 11, 17), (D(2026, 11, 16), D(2026, 11, 20))),
        (W, None, D(2026, 11, 21), None),  # Saturday after: missed
    ],
)
def test_occurrence_on(schedule, ends_on, today, expected):
    cadence, every, first, open_days = schedule
    found = occurrence_on(cadence, every, first, open_days, ends_on, today)
    assert (found and (found.opens_on, found.closes_on)) == expected


@pytest.mark.parametrize(
    ("schedule", "ends_on", "after", "expected"),
    [
        (M, None, D(2025, 6, 1), D(2026, 1, 31)),
        (M, None, D(2026, 1, 31), D(2026, 2, 28)),  # strictly after
        (M, None, D(2026, 2, 28), D(2026, 3, 31)),
        (M, D(2026, 3, 1), D(2026, 2, 28), None),
        (W, None, D(2026, 11, 2), D(2026, 11, 16)),
    ],
)
def test_next_opening(schedule, ends_on, after, expected):
    cadence, every, first, _ = schedule
    assert next_opening(cadence, every, first, ends_on, after) == expected


def test_occurrences_in_a_range_stop_at_ends_on():
    found = list(occurrences(*M, D(2026, 6, 30), D(2026, 3, 1), D(2026, 12, 31)))
    assert [o.opens_on for o in found] == [
        D(2026, 3, 31),
        D(2026, 4, 30),
        D(2026, 5, 31),
        D(2026, 6, 30),
    ]


@pytest.mark.parametrize(
    ("cadence", "every", "days"), [("monthly", 1, 28), ("monthly", 2, 56), ("weekly", 2, 14)]
)
def test_longest_open_days_leaves_no_overlap(cadence, every, days):
    assert longest_open_days(cadence, every) == days


def test_period_label():
    assert period_label("monthly", D(2026, 11, 2)) == "2026-11"
    assert period_label("weekly", D(2026, 11, 2)) == "2026-11-02"
