"""'Better than' on the results page: the share of the *other* units of the level with a lower
published index, a tie counting half (issue 16: the best of 11 stores showed 95.5)."""

import math

import pytest

from ee_app.db import read_session
from ee_app.models import UnitLevel
from ee_app.services import results

WAVE = "pulse-2026-10"


@pytest.mark.parametrize("level", [UnitLevel.REGION, UnitLevel.STORE, UnitLevel.TEAM])
def test_better_than_counts_the_other_units_of_the_level(engine, demo, hr, level):
    with read_session(engine) as session:
        rows = results.engagement_view(session, hr, WAVE, level=level).rows
    shown = rows[rows["index"].notna()]
    assert len(shown) >= 3
    for _, row in shown.iterrows():
        others = shown.loc[shown["unit_id"] != row["unit_id"], "index"]
        # by hand: (others below + half the others equal) / number of others
        expected = 100 * ((others < row["index"]).sum() + 0.5 * (others == row["index"]).sum())
        assert row["percentile"] == pytest.approx(expected / len(others))
    assert shown["percentile"].max() == 100 and shown["percentile"].min() == 0
    assert all(math.isnan(p) for p in rows.loc[rows["index"].isna(), "percentile"])
