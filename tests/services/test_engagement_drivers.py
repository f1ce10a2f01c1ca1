"""What drives engagement, through the service, on the demo's closed waves (SQLite and
PostgreSQL): who may ask, for which units, and that nothing comes back for a small group."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sqlalchemy import select
from statsmodels.stats.multitest import multipletests

from ee_app.analysis.drivers import COLUMNS
from ee_app.auth import Actor
from ee_app.db import read_session, write_session
from ee_app.errors import Conflict, NotFound, PermissionDenied
from ee_app.instruments.pulse import CORE_SLOTS
from ee_app.models import OrgUnit, SurveyResponse, SurveyWave, UnitLevel, UserRole
from ee_app.services import results, results_build
from ee_app.services.engagement_drivers import drivers_for
from ee_app.services.users import actor_for_email

WAVE = "pulse-2026-10"


def actor(engine, email: str) -> Actor:
    with read_session(engine) as session:
        return actor_for_email(session, email)


def drivers(engine, who: Actor, code: str, wave: str = WAVE):
    with read_session(engine) as session:
        return drivers_for(session, who, wave, code)


def raw_answers(engine, code: str, wave: str = WAVE) -> pd.DataFrame:
    """The answers of a unit's subtree, read apart from the service, to check it against."""
    with read_session(engine) as session:
        path = session.scalar(select(OrgUnit.path).where(OrgUnit.code == code))
        wave_id = session.scalar(select(SurveyWave.id).where(SurveyWave.code == wave))
        rows = session.scalars(
            select(SurveyResponse)
            .join(OrgUnit, OrgUnit.id == SurveyResponse.unit_id)
            .where(SurveyResponse.wave_id == wave_id, OrgUnit.path.startswith(path))
        ).all()
    return pd.DataFrame(
        [{s: getattr(r, s) for s in (*CORE_SLOTS, "enps")} for r in rows], dtype=float
    )


def test_chain_drivers_equal_scipy_on_the_raw_answers(engine, demo, hr):
    view = drivers(engine, hr, "LM")
    raw = raw_answers(engine, "LM")
    assert view.status == "shown" and view.respondents == len(raw) and view.min_n == 10
    assert list(view.table.columns) == list(COLUMNS) and len(view.table) == 24
    table = view.table.set_index(["outcome", "slot"])
    for slot in CORE_SLOTS:
        pair = raw[[slot, "enps"]].dropna()
        reference = stats.pearsonr(pair[slot], pair["enps"])  # scipy, independent of us
        row = table.loc[("recommend", slot)]
        assert (row["n"], row["r"], row["p"]) == (
            len(pair),
            pytest.approx(reference.statistic),
            pytest.approx(reference.pvalue),
        )
        rest = raw[[s for s in CORE_SLOTS if s != slot]].mean(axis=1)
        pair = pd.DataFrame({"x": raw[slot], "y": rest}).dropna()
        assert table.loc[("index", slot), "r"] == pytest.approx(
            stats.pearsonr(pair["x"], pair["y"]).statistic
        )


def test_a_manager_gets_their_own_units_only(engine, demo):
    manager = actor(engine, "manager.sh01@demo.example")
    mine = drivers(engine, manager, "SH01")
    assert mine.status == "shown" and mine.respondents >= 10
    for elsewhere in ("BJ01", "LM"):
        with pytest.raises(NotFound):
            drivers(engine, manager, elsewhere)


def test_roles_without_results_are_refused(engine, demo):
    shopper = Actor(email="shopper@demo.example", role=UserRole.SHOPPER, scope=frozenset())
    with pytest.raises(PermissionDenied):
        drivers(engine, shopper, "LM")


def test_open_wave_is_refused(engine, demo, hr):
    with read_session(engine) as session:
        open_wave = session.scalar(select(SurveyWave.code).where(SurveyWave.status == "open"))
    with pytest.raises(Conflict):
        drivers(engine, hr, "LM", wave=open_wave)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("SZ03", "too_few"),  # a published store of 6 respondents: below max(k, 10)
        ("SH01-B", "too_few"),  # a published team of 5
        ("SH01-M", "hidden"),  # a team the results page hides
    ],
)
def test_small_groups_yield_nothing(engine, demo, hr, code, status):
    view = drivers(engine, hr, code)
    assert view.status == status and view.table.empty
    if status == "hidden":
        assert view.respondents is None


def test_a_theme_the_page_hides_is_left_out_before_computing(engine, demo, hr):
    """Only 3 of SH01's people answer "someone cares" (a05): the results page hides that
    theme and the index there, so the drivers leave a05 out before computing anything, and
    the adjustment counts the eleven themes shown."""
    before = drivers(engine, hr, "SH01")  # cached until the results are rebuilt
    assert before.table["enough"].sum() > 11
    with write_session(engine) as session:
        wave = session.scalar(select(SurveyWave).where(SurveyWave.code == WAVE))
        path = session.scalar(select(OrgUnit.path).where(OrgUnit.code == "SH01"))
        responses = session.scalars(
            select(SurveyResponse)
            .join(OrgUnit, OrgUnit.id == SurveyResponse.unit_id)
            .where(SurveyResponse.wave_id == wave.id, OrgUnit.path.startswith(path))
        ).all()
        for response in responses[3:]:
            response.a05 = None
        session.flush()
        results_build.build_results(session, wave)
        session.commit()
    with read_session(engine) as session:
        shown = results.engagement_view(session, hr, WAVE).rows.set_index("code")
        view = drivers_for(session, hr, WAVE, "SH01")
    assert math.isnan(shown.loc["SH01", "index"]) and view.status == "shown"
    table = view.table
    index_rows = table[table["outcome"] == "index"]
    assert not index_rows["enough"].any()
    assert index_rows[["n", "r", "p_adjusted"]].isna().all().all()
    recommend = table[table["outcome"] == "recommend"].set_index("slot")
    assert not recommend.loc["a05", "enough"] and math.isnan(recommend.loc["a05", "n"])
    shown_rows = recommend[recommend["enough"]]
    assert len(shown_rows) == 11 and (shown_rows["n"] >= 10).all()
    assert shown_rows["p_adjusted"].to_numpy() == pytest.approx(
        multipletests(shown_rows["p"].to_numpy(), method="fdr_bh")[1]
    )
    raw = raw_answers(engine, "SH01")
    assert len(raw) == view.respondents and raw["a05"].notna().sum() == 3


def test_a_crafted_small_group_yields_nothing(engine, demo, hr):
    """An administrator lowers the wave's threshold to 3, moves two of a team's five answers
    up to the store and rebuilds the results: the team of 3 is published, and its drivers,
    like those of every published group under 10, are still refused (a correlation over so
    few people speaks about the people)."""
    with write_session(engine) as session:
        wave = session.scalar(select(SurveyWave).where(SurveyWave.code == WAVE))
        wave.k = 3
        team = session.scalar(select(OrgUnit).where(OrgUnit.code == "SH01-B"))
        moved = session.scalars(
            select(SurveyResponse).where(
                SurveyResponse.wave_id == wave.id, SurveyResponse.unit_id == team.id
            )
        ).all()
        for response in moved[3:]:
            response.unit_id = team.parent_id
        session.flush()
        results_build.build_results(session, wave)
        session.commit()
    with read_session(engine) as session:
        small = []
        for level in (UnitLevel.REGION, UnitLevel.STORE, UnitLevel.TEAM):
            rows = results.engagement_view(session, hr, WAVE, level=level).rows
            small += rows.loc[~rows["hidden"] & (rows["n"] < 10), ["code", "n"]].values.tolist()
        assert ["SH01-B", 3] in small
        for code, _n in small:
            view = drivers_for(session, hr, WAVE, code)
            assert view.status == "too_few" and view.table.empty and view.min_n == 10


def test_the_view_holds_no_answers(engine, demo, hr):
    view = drivers(engine, hr, "EAST")
    assert set(view.table.columns) == set(COLUMNS)
    assert set(view.table["outcome"]) == {"recommend", "index"}
    assert np.isin(view.table["slot"], CORE_SLOTS).all() and len(view.table) == 24
