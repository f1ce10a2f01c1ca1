"""The results read (issue 20: fewer rows, frames from the driver's tuples, the rule across
waves counted in the database) publishes exactly what the code before it did.

The code before is kept frozen in ``tests/services/reference_results.py`` (with its copies of
the rule across waves and of the publication functions); every view of the demo's closed
waves, at every level, every slice, for HR and for managers, and every unit's trend must be
equal to it: the same units, the same figures to the last bit, the same hidden flags, the
same changes and previous waves.
"""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select

from ee_app.db import read_session
from ee_app.models import OrgUnit, SurveyResult, SurveyWave, UnitLevel, WaveStatus
from ee_app.services import respondents, results
from ee_app.services.users import actor_for_email
from tests.services import reference_respondents, reference_results


def _clear() -> None:
    for cache in (
        results._cache,
        respondents._cache,
        respondents._cells,
        reference_results._cache,
        reference_respondents._cache,
        reference_respondents._cells,
    ):
        cache.clear()


def _same_view(new: results.EngagementView, old: reference_results.EngagementView) -> None:
    for name in ("wave_code", "wave_name", "k", "k_comments", "level", "dim", "value"):
        assert getattr(new, name) == getattr(old, name), name
    assert new.previous_waves == old.previous_waves
    assert new.alpha == old.alpha
    for name in ("rows", "themes", "headline", "own"):
        pd.testing.assert_frame_equal(
            getattr(new, name), getattr(old, name), check_exact=True, obj=name
        )


def _views(engine, actor, waves, levels=tuple(UnitLevel), slices=True) -> int:  # type: ignore[no-untyped-def]
    compared = 0
    with read_session(engine) as session:
        for code, wave_id in waves:
            asks = [(None, None)]
            if slices:
                asks += sorted(
                    session.execute(
                        select(SurveyResult.dim, SurveyResult.value)
                        .where(SurveyResult.wave_id == wave_id, SurveyResult.dim != "")
                        .distinct()
                    ).all()
                )
            for level in levels:
                for dim, value in asks:
                    if dim is not None and level is not UnitLevel.STORE:
                        continue
                    _clear()  # cold: each side reads everything itself
                    old = reference_results.engagement_view(
                        session, actor, code, level=level, dim=dim, value=value
                    )
                    new = results.engagement_view(
                        session, actor, code, level=level, dim=dim, value=value
                    )
                    _same_view(new, old)
                    compared += 1
    return compared


def _closed(engine) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return [
            (w.code, w.id)
            for w in session.scalars(
                select(SurveyWave)
                .where(SurveyWave.status == WaveStatus.CLOSED)
                .order_by(SurveyWave.opens_on)
            )
        ]


def test_every_view_of_every_closed_wave_is_unchanged(engine, demo, admin):
    waves = _closed(engine)
    assert len(waves) >= 3
    # the newest three: each has a previous wave, so every change is compared too
    assert _views(engine, admin, waves[-3:]) >= 3 * 4


@pytest.mark.parametrize("email", ["manager.east@demo.example", "manager.sh01@demo.example"])
def test_a_managers_views_are_unchanged(engine, demo, email):
    with read_session(engine) as session:
        manager = actor_for_email(session, email)
    waves = _closed(engine)
    assert _views(engine, manager, waves[-2:], levels=(UnitLevel.STORE, UnitLevel.TEAM)) >= 2


def test_every_trend_is_unchanged(engine, demo, admin):
    with read_session(engine) as session:
        units = session.execute(select(OrgUnit.code, OrgUnit.level)).all()
        slices = sorted(
            session.execute(
                select(SurveyResult.dim, SurveyResult.value)
                .where(SurveyResult.dim != "")
                .distinct()
            ).all()
        )
        for code, level in units:
            asks = [(None, None)]
            if level is UnitLevel.STORE:
                asks += slices
            for dim, value in asks:
                _clear()
                old = reference_results.trend_for(session, admin, code, dim=dim, value=value)
                new = results.trend_for(session, admin, code, dim=dim, value=value)
                pd.testing.assert_frame_equal(new, old, check_exact=True, obj=code)
