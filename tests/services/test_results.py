"""Engagement results on the demo's closed waves, on SQLite and PostgreSQL."""

import math

import pandas as pd
import pytest
from sqlalchemy import func, select

from ee_app.db import read_session, write_session
from ee_app.errors import Conflict, NotFound, PermissionDenied, ValidationError
from ee_app.instruments.pulse import CORE_SLOTS
from ee_app.models import OrgUnit, SurveyResponse, SurveyResult, SurveyWave, UnitLevel
from ee_app.services import results
from ee_app.services.users import actor_for_email

WAVE = "pulse-2026-10"


def actor(engine, email):
    with read_session(engine) as session:
        return actor_for_email(session, email)


def view(engine, who, **kwargs):
    with read_session(engine) as session:
        return results.engagement_view(session, who, kwargs.pop("wave", WAVE), **kwargs)


def responses_under(engine, code, wave=WAVE):
    """The raw answers of a unit's subtree, to check the pre-aggregated numbers against."""
    with read_session(engine) as session:
        path = session.scalar(select(OrgUnit.path).where(OrgUnit.code == code))
        wave_id = session.scalar(select(SurveyWave.id).where(SurveyWave.code == wave))
        rows = (
            session.execute(
                select(SurveyResponse)
                .join(OrgUnit, OrgUnit.id == SurveyResponse.unit_id)
                .where(SurveyResponse.wave_id == wave_id, OrgUnit.path.startswith(path))
            )
            .scalars()
            .all()
        )
    return pd.DataFrame([{s: getattr(r, s) for s in (*CORE_SLOTS, "enps")} for r in rows])


def test_store_scores_equal_the_raw_answers(engine, demo, admin):
    shown = view(engine, admin).rows.set_index("code")
    assert len(shown) == 12
    raw = responses_under(engine, "HZ01")
    index = raw[list(CORE_SLOTS)].astype(float).stack().mean()  # every theme answer pooled
    enps = 100 * ((raw["enps"] >= 9).mean() - (raw["enps"] <= 6).mean())
    row = shown.loc["HZ01"]
    assert (row["n"], row["index"], row["enps"]) == (
        len(raw),
        pytest.approx(index),
        pytest.approx(enps),
    )
    assert row["index_low"] < row["index"] < row["index_high"]
    assert 0 <= row["percentile"] <= 100 and not math.isnan(row["change"])


def test_headline_is_the_whole_chain_for_hr(engine, demo, admin):
    headline = view(engine, admin).headline
    with read_session(engine) as session:
        wave_id = session.scalar(select(SurveyWave.id).where(SurveyWave.code == WAVE))
        total = session.scalar(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.wave_id == wave_id)
        )
    assert list(headline["code"]) == ["LM"] and int(headline["n"].iloc[0]) == total


def test_small_teams_are_hidden_with_no_numbers(engine, demo, admin):
    teams = view(engine, admin, level=UnitLevel.TEAM)
    hidden = teams.rows[teams.rows["hidden"]]
    assert len(hidden) and hidden[["n", "index", "enps"]].isna().all().all()
    themes = teams.themes[teams.themes["unit_id"].isin(hidden["unit_id"])]
    assert themes["hidden"].all() and themes[["n", "mean", "favourable"]].isna().all().all()
    shown = teams.rows[~teams.rows["hidden"]]
    assert (shown["n"] >= 5).all()


def test_a_manager_sees_their_units_only(engine, demo):
    manager = actor(engine, "manager.sh01@demo.example")
    stores = view(engine, manager)
    assert list(stores.rows["code"]) == ["SH01"]
    assert list(stores.headline["code"]) == ["SH01"]
    teams = view(engine, manager, level=UnitLevel.TEAM)
    assert set(teams.rows["code"]) <= {"SH01-B", "SH01-M", "SH01-F"}
    with read_session(engine) as session, pytest.raises(NotFound):
        results.trend_for(session, manager, "BJ01")
    with read_session(engine) as session, pytest.raises(NotFound):
        results.comments_for(session, manager, WAVE, "BJ01")


def test_the_same_suppression_for_everybody(engine, demo, admin):
    """A manager's view hides exactly what HR's view hides for the same units."""
    manager = actor(engine, "manager.east@demo.example")
    mine = view(engine, manager, level=UnitLevel.TEAM).rows.set_index("code")["hidden"]
    everyone = view(engine, admin, level=UnitLevel.TEAM).rows.set_index("code")["hidden"]
    assert mine.equals(everyone.loc[mine.index])


def test_open_waves_have_no_results(engine, demo, admin):
    with read_session(engine) as session, pytest.raises(Conflict, match="closes"):
        results.engagement_view(session, admin, "pulse-2026-11")


def test_shoppers_see_no_results(engine, demo):
    shopper = actor(engine, "shopper@demo.example")
    with read_session(engine) as session, pytest.raises(PermissionDenied):
        results.engagement_view(session, shopper, WAVE)


@pytest.mark.parametrize("level", [UnitLevel.REGION, UnitLevel.TEAM])
def test_filters_are_per_store_only(engine, demo, admin, level):
    with read_session(engine) as session, pytest.raises(ValidationError):
        results.engagement_view(session, admin, WAVE, level=level, dim="role", value="nurse")


def test_role_filter_shows_only_published_slices(engine, demo, admin):
    filtered = view(engine, admin, dim="role", value="beautician").rows
    with read_session(engine) as session:
        wave_id = session.scalar(select(SurveyWave.id).where(SurveyWave.code == WAVE))
        published = set(
            session.scalars(
                select(OrgUnit.code)
                .join(SurveyResult, SurveyResult.unit_id == OrgUnit.id)
                .where(
                    SurveyResult.wave_id == wave_id,
                    SurveyResult.dim == "role",
                    SurveyResult.value == "beautician",
                )
            )
        )
    assert set(filtered.loc[~filtered["hidden"], "code"]) == published
    assert (filtered.loc[~filtered["hidden"], "n"] >= 5).all()


def test_trend_covers_every_closed_wave(engine, demo, admin):
    with read_session(engine) as session:
        trend = results.trend_for(session, admin, "LM")
    assert list(trend["wave"]) == [f"pulse-2026-{m:02d}" for m in range(6, 11)]
    assert not trend["hidden"].any()


def test_comments_need_k_c_respondents(engine, demo, admin):
    with read_session(engine) as session:
        allowed, comments = results.comments_for(session, admin, WAVE, "LM")
        assert allowed and comments
        team = results.engagement_view(session, admin, WAVE, level=UnitLevel.TEAM).rows
        small = team[team["hidden"]]["code"].iloc[0]
        assert results.comments_for(session, admin, WAVE, small) == (False, [])


def test_warm_views_come_from_the_cache(engine, demo, admin):
    first = view(engine, admin)
    assert view(engine, admin) is first
    with write_session(engine) as session:  # rebuilding bumps the version
        wave = session.scalar(select(SurveyWave).where(SurveyWave.code == WAVE))
        results.build_results(session, wave)
        session.commit()
    rebuilt = view(engine, admin)
    assert rebuilt is not first
    pd.testing.assert_frame_equal(rebuilt.rows, first.rows)


def test_alpha_is_reported(engine, demo, admin):
    alpha, low, high, n = view(engine, admin).alpha
    assert 0.7 < low < alpha < high < 1 and n > 100


def test_results_built_by_older_rules_are_rebuilt(engine, demo, admin):
    """After an upgrade that changed what may be shown, every closed wave is rebuilt once."""
    from sqlalchemy import update

    from ee_app.models import RESULT_RULES, SurveyWaveResult
    from ee_app.services.results_build import rebuild_stale_results

    with write_session(engine) as session:
        session.execute(update(SurveyWaveResult).values(rules=1))
        session.commit()
        before = {
            w: v
            for w, v in session.execute(select(SurveyWaveResult.wave_id, SurveyWaveResult.version))
        }
    with write_session(engine) as session:
        assert rebuild_stale_results(session) == len(before)
    with write_session(engine) as session:
        assert rebuild_stale_results(session) == 0  # nothing left to do
        after = session.execute(
            select(SurveyWaveResult.wave_id, SurveyWaveResult.version, SurveyWaveResult.rules)
        ).all()
    assert {w: (v, r) for w, v, r in after} == {w: (v + 1, RESULT_RULES) for w, v in before.items()}
    shown = view(engine, admin).rows
    assert len(shown) == 12 and not shown["hidden"].all()
