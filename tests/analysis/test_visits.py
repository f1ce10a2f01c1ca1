"""Mystery-shopper summaries: score intervals stay inside 0–100 by construction (issue 16)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ee_app.analysis.visits import score_ci, visit_summary


@pytest.mark.parametrize(
    ("scores", "mean", "low", "high"),
    [
        # y = .83, v = (s²/n)/100² with s² = 6.667, t(3) = 3.18245, c = t²·v/(y(1 − y)) = .011963;
        # bounds (2y + c ∓ √(c² + 4c·y(1 − y)))/(2(1 + c)) = .785071, .867126 (by hand)
        ([80, 82, 84, 86], 83.0, 78.5071, 86.7126),
        # all 100: the bounded-outcome rule, u = z²/(n + z²) = 3.84146/6.84146 = .561498
        ([100, 100, 100], 100.0, 43.8502, 100.0),
        # all 0 (every visit failed a critical item): the mirror image
        ([0, 0, 0], 0.0, 0.0, 56.1498),
    ],
)
def test_score_interval_by_hand(scores, mean, low, high):
    assert score_ci(np.array(scores, dtype=float)) == pytest.approx((mean, low, high), abs=1e-4)


def test_score_interval_needs_two_visits():
    found = score_ci(np.array([75.0, np.nan]))
    assert found[0] == 75.0 and np.isnan(found[1]) and np.isnan(found[2])


def test_score_intervals_never_leave_the_range():
    """A seeded sweep of small stores near both ends, with critical failures (0) mixed in:
    the t interval this replaced left 0–100 for 236 of these 400 (and was cut there)."""
    rng = np.random.default_rng(16)
    for _ in range(400):
        n = int(rng.integers(2, 9))
        scores = np.where(rng.random(n) < 0.15, 0.0, rng.uniform(70, 100, n).round())
        mean, low, high = score_ci(scores)
        assert 0.0 <= low <= mean <= high <= 100.0
        assert high > low


def test_visit_summary_uses_the_bounded_interval():
    visits = pd.DataFrame(
        {
            "store": ["A"] * 4,
            "score": [90.0, 80.0, 0.0, 70.0],
            "raw_score": [90.0, 80.0, 85.0, 70.0],
            "passed": [True, True, False, False],
            "critical_failed": [False, False, True, False],
        }
    )
    row = visit_summary(visits, ["store"]).iloc[0]
    # the t interval was 60 ± 64.96 = [−4.96, 124.96], cut to [0, 100]
    assert 0.0 < row["low"] < 60.0 < row["high"] < 100.0
    assert (row["low"], row["high"]) == pytest.approx(score_ci(visits["score"].to_numpy())[1:])
