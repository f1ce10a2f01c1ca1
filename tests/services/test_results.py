"""Engagement results on the demo's closed waves, on SQLite and PostgreSQL."""

import math

import pandas as pd
import pytest
from sqlalchemy import func, select

from ee_app.db import read_session, write_session
from ee_app.errors import Conflict, NotFound, PermissionDenied, ValidationError
from ee_app.instruments.pulse import CORE_SLOTS
from ee_app.models import OrgUnit, SurveyResponse, SurveyResult, SurveyWave, UnitLevel
from ee_app.services import results, results_build, results_trend
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
        results_trend.trend_for(session, manager, "BJ01")
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
        trend = results_trend.trend_for(session, admin, "LM")
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
        results_build.build_results(session, wave)
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


# Each unit against its own previous wave (issue 16) --------------------------------------------


def welch_change(before: list[float], after: list[float]) -> tuple[float, float, float]:
    """The change of the mean and Welch's 95% interval (scipy): with every theme answered,
    the index's change interval is Welch's t interval on the people's means."""
    from scipy import stats

    test = stats.ttest_ind(after, before, equal_var=False)
    low, high = test.confidence_interval(0.95)
    return (sum(after) / len(after) - sum(before) / len(before), low, high)


def test_each_unit_is_compared_with_its_own_previous_wave(engine, admin):
    """A (chain-wide), B (pilot: N1 and S1), X (confidential: N2), C (chain-wide): in C, the
    stores B did not cover compare with A, the pilot stores with B, the regions (which B did
    not cover whole) with A; the confidential spot check is no comparison for any of them.
    The old code compared every unit with X, the latest closed wave: blank for all but N2."""
    from tests.services import pilot_chain as pc

    pc.build(engine)
    rows = view(engine, admin, wave=pc.C).rows.set_index("code")
    assert set(rows.index) == set(pc.STORES)
    for store in pc.STORES:
        previous = pc.B if store in pc.PILOT else pc.A
        # By hand: C − A = 24/6 − 13/6 = 11/6, C − B = 24/6 − 19/6 = 5/6.
        change, low, high = welch_change(pc.person_means(previous), pc.person_means(pc.C))
        row = rows.loc[store]
        assert row["change"] == pytest.approx(change), store
        assert row["change"] == pytest.approx(pc.expected_index(pc.C) - pc.expected_index(previous))
        assert (row["change_low"], row["change_high"]) == (pytest.approx(low), pytest.approx(high))
        assert (row["previous_wave"], row["previous_name"]) == (
            previous,
            f"Wave {previous[1].upper()}",
        )
    with read_session(engine) as session:
        names = dict(session.execute(select(SurveyWave.code, SurveyWave.name)).all())
    assert view(engine, admin, wave=pc.C).previous_waves == (
        (pc.B, names[pc.B]),
        (pc.A, names[pc.A]),
    )
    regions = view(engine, admin, wave=pc.C, level=UnitLevel.REGION).rows.set_index("code")
    assert list(regions["previous_wave"]) == [pc.A, pc.A]
    assert list(regions["change"]) == pytest.approx([11 / 6, 11 / 6])
    # A role slice compares with its store's previous wave: consultants 12/3 − 10/3 (N1,
    # from B) and 12/3 − 7/3 (N3, from A).
    consultants = view(engine, admin, wave=pc.C, dim="role", value="consultant").rows.set_index(
        "code"
    )
    assert not consultants["hidden"].any()
    assert consultants.loc["N1", "change"] == pytest.approx(2 / 3)
    assert consultants.loc["N3", "change"] == pytest.approx(5 / 3)
    assert consultants.loc["N1", "previous_wave"] == pc.B
    # The pilot itself compares its two stores with A; the confidential wave has no earlier
    # confidential wave, so no change at all.
    pilot = view(engine, admin, wave=pc.B).rows.set_index("code")
    assert list(pilot.index) == list(pc.PILOT) and set(pilot["previous_wave"]) == {pc.A}
    assert list(pilot["change"]) == pytest.approx([1.0, 1.0])  # 19/6 − 13/6
    spot = view(engine, admin, wave=pc.X).rows
    assert spot["previous_wave"].isna().all() and spot["change"].isna().all()
    assert view(engine, admin, wave=pc.X).previous_waves == ()


def test_a_units_previous_wave_keeps_the_rule_across_waves(engine, admin):
    """The rule across waves is checked per unit against its own previous wave: a store
    whose respondents changed by fewer than k since then shows no change."""
    from sqlalchemy import update

    from ee_app.models import SurveyInvitation
    from tests.services import pilot_chain as pc

    ids = pc.build(engine, (pc.A, pc.B))
    with write_session(engine) as session:  # one person of N3 did not answer A after all
        wave_id = session.scalar(select(SurveyWave.id).where(SurveyWave.code == pc.A))
        staff = session.scalar(
            select(SurveyInvitation.staff_id)
            .where(SurveyInvitation.wave_id == wave_id, SurveyInvitation.unit_id == ids["N3"])
            .limit(1)
        )
        session.execute(
            update(SurveyInvitation)
            .where(SurveyInvitation.wave_id == wave_id, SurveyInvitation.staff_id == staff)
            .values(responded=False)
        )
        session.commit()
    pc.run_wave(engine, pc.C)
    rows = view(engine, admin, wave=pc.C).rows.set_index("code")
    assert rows.loc["N3", "previous_wave"] == pc.A and math.isnan(rows.loc["N3", "change"])
    assert rows.loc["N2", "change"] == pytest.approx(11 / 6)
    assert rows.loc["N1", "change"] == pytest.approx(5 / 6)
