"""The results read (issue 20: fewer rows, frames from the driver's tuples, the rule across
waves counted in the database) publishes exactly what the code before it did.

What the code before published is kept as golden data (``data/results_golden.json.gz``,
written by :mod:`tests.services.make_results_golden` from the frozen copies of that code, which
issue 21 then deleted): every view of the demo's closed waves, at every level, every slice, for
HR and for managers, and every unit's trend must be equal to it: the same units, the same
figures to the last bit, the same hidden flags, the same changes and previous waves.
"""

from __future__ import annotations

import pandas as pd
import pytest

from ee_app.db import read_session
from ee_app.models import UnitLevel
from ee_app.services import respondents, results, results_rows, results_trend
from ee_app.services.users import actor_for_email
from tests.services.make_results_golden import (
    VIEW_FRAMES,
    VIEW_SCALARS,
    closed_waves,
    decode_alpha,
    decode_frame,
    load,
    trend_cases,
    trend_key,
    view_cases,
    view_key,
)


@pytest.fixture(scope="module")
def golden() -> dict:  # type: ignore[type-arg]
    return load()


def _clear() -> None:
    """Cold: each read computes everything itself, as the golden data's did."""
    for cache in (results_rows.CACHE, respondents._cache, respondents._cells):
        cache.clear()


def _same_view(new: results.EngagementView, old: dict) -> None:  # type: ignore[type-arg]
    for name in VIEW_SCALARS:
        assert getattr(new, name) == old[name], name
    assert new.level.value == old["level"]
    assert [list(p) for p in new.previous_waves] == old["previous_waves"]
    # Alpha is computed when the wave closes, over its responses in the random order the
    # closing shuffle wrote them (pool_and_shuffle), so its last bits vary between two builds
    # of the demo; the read under test hands it on as stored.
    old_alpha = decode_alpha(old["alpha"])
    assert (new.alpha is None) == (old_alpha is None)
    if new.alpha is not None:
        assert new.alpha[3] == old_alpha[3]
        assert new.alpha[:3] == pytest.approx(old_alpha[:3], rel=1e-12)
    for name in VIEW_FRAMES:
        pd.testing.assert_frame_equal(
            getattr(new, name), decode_frame(old[name]), check_exact=True, obj=name
        )


def _views(engine, actor, label, golden, count, levels=tuple(UnitLevel)) -> int:  # type: ignore[no-untyped-def]
    compared = 0
    with read_session(engine) as session:
        waves = closed_waves(session)[-count:]
        for code, level, dim, value in view_cases(session, waves, levels):
            _clear()
            new = results.engagement_view(session, actor, code, level=level, dim=dim, value=value)
            _same_view(new, golden[view_key(label, code, level, dim, value)])
            compared += 1
    return compared


def test_every_view_of_every_closed_wave_is_unchanged(engine, demo, admin, golden):
    # the newest three: each has a previous wave, so every change is compared too
    assert _views(engine, admin, "admin", golden, 3) >= 3 * 4


@pytest.mark.parametrize("email", ["manager.east@demo.example", "manager.sh01@demo.example"])
def test_a_managers_views_are_unchanged(engine, demo, email, golden):
    with read_session(engine) as session:
        manager = actor_for_email(session, email)
    levels = (UnitLevel.STORE, UnitLevel.TEAM)
    assert _views(engine, manager, email, golden, 2, levels) >= 2


def test_every_trend_is_unchanged(engine, demo, admin, golden):
    with read_session(engine) as session:
        for code, dim, value in trend_cases(session):
            _clear()
            new = results_trend.trend_for(session, admin, code, dim=dim, value=value)
            old = decode_frame(golden[trend_key(code, dim, value)])
            pd.testing.assert_frame_equal(new, old, check_exact=True, obj=code)
