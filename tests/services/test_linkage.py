"""Engagement against outcomes through the services: only published store results enter,
managers get their scope, the demo's built-in relation is recovered within its interval,
and the person-level view of a confidential wave shows aggregates over 20 people or nothing."""

from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import select, update

from ee_app.db import read_session, write_session
from ee_app.demo.params import ENGAGEMENT, store_engagement
from ee_app.errors import PermissionDenied
from ee_app.models import OrgUnit, SurveyResult, SurveyWave, SurveyWaveResult
from ee_app.services import linkage
from ee_app.services.users import actor_for_email


def data_for(engine, email=None, actor=None):
    with read_session(engine) as session:
        who = actor or actor_for_email(session, email)
        return linkage.linkage_data(session, who)


def test_only_published_store_results_enter(engine, demo, hr):
    data = data_for(engine, actor=hr)
    assert data.waves and set(data.units["wave"]) == set(data.waves)
    # Every row is a store with at least k respondents in its wave.
    assert (data.units["n"] >= 5).all()
    with write_session(engine) as session:  # hide SH01 in the newest wave, as suppression would
        wave_id = session.scalar(select(SurveyWave.id).where(SurveyWave.code == data.waves[-1]))
        unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "SH01"))
        session.execute(
            update(SurveyResult)
            .where(SurveyResult.wave_id == wave_id, SurveyResult.unit_id == unit_id)
            .values(hidden=1)
        )
        session.execute(  # a new results version, as a rebuild would write
            update(SurveyWaveResult)
            .where(SurveyWaveResult.wave_id == wave_id)
            .values(version=SurveyWaveResult.version + 1)
        )
        session.commit()
    again = data_for(engine, actor=hr)
    newest = again.units[again.units["wave"] == again.waves[-1]]
    assert "SH01" not in set(newest["code"]) and again.hidden >= 1


def test_managers_see_their_stores_only(engine, demo):
    one = data_for(engine, "manager.sh01@demo.example")
    assert set(one.units["code"]) == {"SH01"}
    found = linkage.outcome_relations(one, "csat")
    assert not found["unit"]["enough"]  # one store cannot tell anything


def test_shoppers_cannot_read_it(engine, demo):
    with read_session(engine) as session:
        shopper = actor_for_email(session, "shopper@demo.example")
        with pytest.raises(PermissionDenied):
            linkage.linkage_data(session, shopper)


def test_the_demo_relation_is_recovered_within_its_interval(engine, demo, hr):
    """The demo draws CSAT with log-odds rising 0.35 per SD of the store's engagement that
    month (ee_app.demo.params). The correlation between that true engagement and the stores'
    CSAT must lie inside the interval the analysis reports from the measured index."""
    data = data_for(engine, actor=hr)
    found = linkage.outcome_relations(data, "csat")
    points = found["points"]
    month = date.fromisoformat(points["month"].iloc[0] + "-01")
    months_ago = (demo.today.year - month.year) * 12 + demo.today.month - month.month
    truth = store_engagement(demo.seed, points["code"], months_ago)
    z = np.array([truth[c] / ENGAGEMENT.store_sd for c in points["code"]])
    true_r = float(np.corrcoef(z, points["csat"].to_numpy(dtype=float))[0, 1])
    unit = found["unit"]
    assert unit["n"] == len(points) >= 10
    assert unit["r_low"] <= true_r <= unit["r_high"], (true_r, unit)
    assert true_r > 0  # the generator's relation is positive, and so is what it produces
    # Across all waves within stores (rm_corr) the relation is estimated with more data.
    within = found["within"]
    assert within["observations"] == len(data.units.dropna(subset=["engagement", "csat"]))


def test_icc_from_the_stored_sums(engine, demo, hr):
    data = data_for(engine, actor=hr)
    with read_session(engine) as session:
        icc = linkage.wave_icc(session, hr, data.waves[-1])
    assert icc["units"] == 12 and icc["people"] == int(
        data.units[data.units["wave"] == data.waves[-1]]["n"].sum()
    )
    assert 0 < icc["icc1"] < icc["icc2"] < 1


def _confidential_wave(engine, hr, answering: int) -> str:
    """A confidential wave over the whole chain in October 2026 (a month with CSAT), with
    ``answering`` respondents, then closed."""
    from ee_app.config import Settings
    from ee_app.instruments.pulse import CORE_SLOTS
    from ee_app.keys import secret_key
    from ee_app.models import SurveyInvitation, WaveMode
    from ee_app.services import answering as answers_service
    from ee_app.services import waves

    settings = Settings.from_env()
    start = date(2026, 10, 1)
    with write_session(engine) as session:
        wave = waves.create_wave(
            session,
            hr,
            code="conf-10",
            name="保密期",
            unit_codes=["LM"],
            opens_on=start,
            closes_on=start + timedelta(days=20),
            mode=WaveMode.CONFIDENTIAL,
        )
    with write_session(engine) as session:
        waves.open_wave(session, hr, wave.code, settings, today=start)
    with read_session(engine) as session:
        wave_id = session.scalar(select(SurveyWave.id).where(SurveyWave.code == "conf-10"))
        invitations = session.execute(
            select(SurveyInvitation.staff_id, SurveyInvitation.generation).where(
                SurveyInvitation.wave_id == wave_id
            )
        ).all()
    key = secret_key(settings)
    rng = np.random.default_rng(3)
    for staff_id, generation in invitations[:answering]:
        token = waves.survey_token(key, wave_id, staff_id, generation)
        values = {slot: int(rng.integers(1, 6)) for slot in CORE_SLOTS}
        answers_service.submit(engine, token, values, 7, "", today=start)
    with write_session(engine) as session:
        waves.close_wave(session, hr, "conf-10")
    return "conf-10"


@pytest.mark.parametrize(("answering", "shown"), [(40, True), (12, False)])
def test_a_confidential_wave_gives_aggregates_over_20_people_or_nothing(
    engine, demo, hr, answering, shown
):
    code = _confidential_wave(engine, hr, answering)
    with read_session(engine) as session:
        stats = linkage.individual_relation(session, hr, code, "csat")
        manager = actor_for_email(session, "manager.sh01@demo.example")
        with pytest.raises(PermissionDenied):
            linkage.individual_relation(session, manager, code, "csat")
        assert linkage.confidential_waves(session, hr) == [code]
    if not shown:
        assert stats is None  # fewer than 20 people with a CSAT: nothing at all
        return
    assert stats is not None and stats["n"] >= linkage.MIN_PEOPLE
    assert set(stats) >= {"n", "r", "r_low", "r_high"}
    assert all(np.isscalar(v) for v in stats.values())  # summary numbers, no per-person data
