"""The demo's pulse-survey waves: the generator on its own, then as loaded (SQLite and
PostgreSQL), checked against the parameters in :mod:`ee_app.demo.params`."""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections import Counter
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sqlalchemy import func, select

from ee_app.auth import system_actor
from ee_app.config import Settings
from ee_app.db import read_session, write_session
from ee_app.demo.chain import generate_chain
from ee_app.demo.engagement import DemoWave, Seat, audience, demo_waves, respond
from ee_app.demo.params import ENGAGEMENT, store_engagement
from ee_app.instruments.pulse import CORE_SLOTS, CUSTOM_SLOTS, THEMES
from ee_app.keys import secret_key as server_key
from ee_app.models import (
    OrgUnit,
    StaffRole,
    SurveyComment,
    SurveyInvitation,
    SurveyResponse,
    SurveySealed,
    SurveyWave,
    UnitLevel,
    WaveStatus,
)
from ee_app.services import answering, waves
from tests.conftest import DEMO_SEED, DEMO_TODAY
from tests.helpers import sealed_answers

K = 5


@pytest.fixture(autouse=True)
def secret_key(monkeypatch, tmp_path):
    """Personal links are derived from the secret key: fix it before the demo loads (keeping
    the session-wide test key of conftest where there is one)."""
    monkeypatch.setenv("EE_SECRET_KEY", os.environ.get("EE_SECRET_KEY") or "ab" * 32)
    monkeypatch.setenv("EE_DATA_DIR", str(tmp_path))


@pytest.fixture(scope="module")
def small_chain():
    return generate_chain(DEMO_SEED, "small", DEMO_TODAY)


@pytest.fixture(scope="module")
def small_answers(small_chain):
    """The small demo's answers as the generator makes them, per wave."""
    return {
        w: respond(DEMO_SEED, w, _seats(small_chain, w)) for w in demo_waves("small", DEMO_TODAY)
    }


def _seats(chain, wave):
    return audience(chain, max(DEMO_TODAY, wave.opens_on) if wave.is_open else wave.opens_on)


def _rate_range(is_open):
    return ENGAGEMENT.open_response_rate if is_open else ENGAGEMENT.response_rate


# --- the generator alone -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "today", "first"),
    [
        ("small", date(2026, 11, 2), date(2026, 6, 1)),
        ("small", date(2026, 1, 31), date(2025, 8, 1)),
        ("small", date(2024, 2, 29), date(2023, 9, 1)),
        ("chain", date(2026, 11, 2), date(2024, 12, 1)),
    ],
)
def test_waves_are_monthly_and_the_last_is_open_today(size, today, first):
    plan = demo_waves(size, today)
    assert len(plan) == ENGAGEMENT.waves[size]
    assert plan[0].opens_on == first
    for earlier, later in itertools.pairwise(plan):
        assert later.opens_on == earlier.closes_on + timedelta(days=1)
        assert earlier.opens_on.day == 1
    assert [w.is_open for w in plan] == [False] * (len(plan) - 1) + [True]
    assert plan[-1].opens_on <= today <= plan[-1].closes_on
    assert len({w.code for w in plan}) == len(plan)


def test_audience_follows_leavers_hires_and_moves(small_chain):
    mover = next(s for s in small_chain.staff if len(s.periods) == 2)
    (before_unit, *_), (after_unit, _, moved, _) = mover.periods
    seat_of = {
        day: {s.employee_no: s for s in audience(small_chain, day)}.get(mover.employee_no)
        for day in (moved - timedelta(days=1), moved)
    }
    assert seat_of[moved - timedelta(days=1)].unit_code == before_unit
    assert seat_of[moved].unit_code == after_unit

    leaver = next(s for s in small_chain.staff if s.leave_date is not None)
    on_leave_day = {s.employee_no for s in audience(small_chain, leaver.leave_date)}
    day_before = {s.employee_no for s in audience(small_chain, leaver.leave_date - timedelta(1))}
    assert leaver.employee_no in day_before and leaver.employee_no not in on_leave_day

    newest = max(small_chain.staff, key=lambda s: s.hire_date)
    assert newest.employee_no not in {
        s.employee_no for s in audience(small_chain, newest.hire_date - timedelta(days=1))
    }


def test_generator_is_deterministic_for_a_seed(small_chain):
    wave = demo_waves("small", DEMO_TODAY)[2]
    seats = _seats(small_chain, wave)
    assert respond(DEMO_SEED, wave, seats) == respond(DEMO_SEED, wave, seats)
    assert respond(DEMO_SEED, wave, seats) != respond(DEMO_SEED + 1, wave, seats)
    assert respond(DEMO_SEED, wave, []) == []


def test_answers_are_on_their_scales_with_a_few_skipped(small_answers):
    responses = [r for rs in small_answers.values() for r in rs]
    items = [a for r in responses for a in r.answers]
    assert all(len(r.answers) == len(THEMES) for r in responses)
    assert {a for a in items if a is not None} <= {1, 2, 3, 4, 5}
    assert {r.enps for r in responses if r.enps is not None} <= set(range(11))
    skipped = items.count(None) / len(items)
    assert 0.5 * ENGAGEMENT.skip_share < skipped < 1.5 * ENGAGEMENT.skip_share
    comments = [r.comment for r in responses if r.comment]
    assert set(comments) <= {*ENGAGEMENT.comments_positive, *ENGAGEMENT.comments_critical}
    share = len(comments) / len(responses)
    assert 0.5 * ENGAGEMENT.comment_share < share < 1.5 * ENGAGEMENT.comment_share


def test_response_rates_are_in_the_configured_range(small_chain, small_answers):
    for wave, responses in small_answers.items():
        invited = len(_seats(small_chain, wave))
        low, high = _rate_range(wave.is_open)
        assert low - 1 / invited <= len(responses) / invited <= high + 1 / invited, wave.code
        assert len({r.employee_no for r in responses}) == len(responses)


def test_harder_themes_score_lower(small_answers):
    frame = pd.DataFrame(
        [r.answers for rs in small_answers.values() for r in rs], columns=list(THEMES), dtype=float
    )
    means = frame.mean()
    assert max(means["recognition"], means["progress"]) < min(means["friendship"], means["purpose"])


def test_enps_and_comment_tone_follow_engagement(small_answers):
    responses = [r for rs in small_answers.values() for r in rs]
    scored = [(r.latent, r.enps) for r in responses if r.enps is not None]
    rho = stats.spearmanr(*zip(*scored, strict=True)).statistic
    assert rho > 0.4
    critical = [r.latent for r in responses if r.comment in ENGAGEMENT.comments_critical]
    positive = [r.latent for r in responses if r.comment in ENGAGEMENT.comments_positive]
    assert np.mean(critical) < np.mean(positive)


def test_store_effects_are_fixed_by_seed_and_code_and_drift_linearly():
    both = store_engagement(7, ["SH01", "SH02"])
    assert both["SH01"] == store_engagement(7, ["SH01"])["SH01"]
    assert both != store_engagement(8, ["SH01", "SH02"])
    by_month = [store_engagement(7, ["SH01"], months_ago=m)["SH01"] for m in range(4)]
    assert np.allclose(np.diff(by_month), by_month[1] - by_month[0])


def test_store_drift_shows_in_the_answers():
    """Forty people in each of 30 stores, two years apart: the change in each store's mean
    index follows the generating drift."""
    stores = [f"T{n:02d}" for n in range(30)]
    seats = [
        Seat(f"P{s}{n}", s, s, StaffRole.BEAUTICIAN, date(2020, 1, 1))
        for s in stores
        for n in range(40)
    ]
    then = DemoWave("then", "then", date(2024, 12, 1), date(2024, 12, 31), 23)
    now = DemoWave("now", "now", date(2026, 11, 1), date(2026, 11, 30), 0)
    store_of = {seat.employee_no: seat.store_code for seat in seats}

    def store_means(wave):
        rows = [
            (store_of[r.employee_no], np.nanmean([np.nan if a is None else a for a in r.answers]))
            for r in respond(DEMO_SEED, wave, seats)
        ]
        return pd.DataFrame(rows, columns=["store", "index"]).groupby("store")["index"].mean()

    observed = store_means(now) - store_means(then)
    generated = pd.Series(store_engagement(DEMO_SEED, stores)) - pd.Series(
        store_engagement(DEMO_SEED, stores, months_ago=23)
    )
    assert stats.pearsonr(observed[stores], generated[stores]).statistic > 0.9


@pytest.mark.parametrize(
    "change",
    [
        {"item_intercepts": {"purpose": 0.0}},
        {"item_intercepts": {**ENGAGEMENT.item_intercepts, "purpose": 0.5}},
        {"response_rate": (0.9, 0.5)},
        {"open_response_rate": (0.0, 0.6)},
        {"comments_critical": ()},
    ],
)
def test_engagement_params_are_checked(change):
    with pytest.raises(ValueError):
        dataclasses.replace(ENGAGEMENT, **change)


def test_item_intercepts_are_in_slot_order():
    assert ENGAGEMENT.intercepts()[THEMES.index("recognition")] == min(ENGAGEMENT.intercepts())
    assert len(ENGAGEMENT.intercepts()) == len(CORE_SLOTS)


# --- as loaded --------------------------------------------------------------------------------


def _waves(session):
    return session.scalars(select(SurveyWave).order_by(SurveyWave.opens_on)).all()


def test_demo_has_six_monthly_waves_the_latest_open(engine, demo):
    with read_session(engine) as session:
        loaded = _waves(session)
    plan = demo_waves("small", DEMO_TODAY)
    assert [w.code for w in loaded] == [w.code for w in plan]
    assert len(loaded) == 6
    assert [w.status for w in loaded] == [WaveStatus.CLOSED] * 5 + [WaveStatus.OPEN]
    assert loaded[-1].opens_on <= DEMO_TODAY <= loaded[-1].closes_on
    assert {(w.k, w.k_comments, w.mode.value) for w in loaded} == {(K, K, "anonymous")}


def test_invited_are_the_staff_at_work_then_and_rates_are_in_range(engine, demo):
    staff_no = {sid: no for no, sid in demo.staff_ids.items()}
    unit_code = {uid: code for code, uid in demo.unit_ids.items()}
    with read_session(engine) as session:
        for wave, plan in zip(_waves(session), demo_waves("small", DEMO_TODAY), strict=True):
            invitations = session.execute(
                select(
                    SurveyInvitation.staff_id, SurveyInvitation.unit_id, SurveyInvitation.responded
                ).where(SurveyInvitation.wave_id == wave.id)
            ).all()
            expected = {s.employee_no: s.unit_code for s in _seats(demo.chain, plan)}
            assert {staff_no[s]: unit_code[u] for s, u, _ in invitations} == expected
            responded = sum(r for _, _, r in invitations)
            # A closed wave's answers are rows; the open wave's are sealed until it closes.
            stored = SurveySealed if plan.is_open else SurveyResponse
            responses = session.scalar(select(func.count()).where(stored.wave_id == wave.id))
            assert responses == responded
            if plan.is_open:
                for table in (SurveyResponse, SurveyComment):
                    assert not session.scalar(select(func.count()).where(table.wave_id == wave.id))
            low, high = _rate_range(plan.is_open)
            n = len(invitations)
            assert low - 1 / n <= responded / n <= high + 1 / n, wave.code


def test_every_stored_combination_matches_at_least_k(engine, demo):
    """Each response's (unit, role, band) matches at least k invitations of its wave (a pooled
    unit matches everyone beneath it, a pooled role or band anyone; the open wave's answers are
    read from their sealed blobs); closed waves are pooled again by respondents, so there each
    combination also holds k responses and each comment unit k respondents."""
    with read_session(engine) as session:
        path = dict(session.execute(select(OrgUnit.id, OrgUnit.path)).all())
        for wave in _waves(session):
            invited = session.execute(
                select(
                    SurveyInvitation.report_unit_id,
                    SurveyInvitation.report_role,
                    SurveyInvitation.report_band,
                    SurveyInvitation.comment_unit_id,
                    SurveyInvitation.responded,
                ).where(SurveyInvitation.wave_id == wave.id)
            ).all()
            combos = Counter(
                session.execute(
                    select(SurveyResponse.unit_id, SurveyResponse.role, SurveyResponse.band).where(
                        SurveyResponse.wave_id == wave.id
                    )
                ).all()
            )
            if wave.status is WaveStatus.OPEN:  # its answers are sealed until it closes
                assert not combos
                combos = Counter(
                    (a.unit_id, a.role, a.band)
                    for a in sealed_answers(engine, wave.id, server_key(demo.settings))
                )
            assert combos, wave.code
            for unit, role, band in combos:
                matching = sum(
                    1
                    for u, r, b, _, _ in invited
                    if path[u].startswith(path[unit]) and role in (None, r) and band in (None, b)
                )
                assert matching >= K, (wave.code, unit, role, band)
            if wave.status is WaveStatus.CLOSED:
                assert min(combos.values()) >= K, wave.code
                comment_units = set(
                    session.scalars(
                        select(SurveyComment.unit_id).where(SurveyComment.wave_id == wave.id)
                    )
                )
                assert comment_units, wave.code
                for unit in comment_units:
                    inside = sum(1 for *_, c, r in invited if r and path[c].startswith(path[unit]))
                    assert inside >= K, (wave.code, unit)


def test_store_means_follow_the_generating_store_effects(engine, demo):
    with read_session(engine) as session:
        units = {u.id: u for u in session.scalars(select(OrgUnit))}
        frame = pd.DataFrame(
            session.execute(
                select(SurveyResponse.unit_id, *(SurveyResponse.__table__.c[s] for s in CORE_SLOTS))
            ).all(),
            columns=["unit_id", *CORE_SLOTS],
        )
    by_id = {u.id: u for u in units.values()}

    def store_of(unit_id):
        unit = by_id[unit_id]
        if unit.level is UnitLevel.TEAM:
            unit = by_id[unit.parent_id]
        return unit.code if unit.level is UnitLevel.STORE else None

    frame["store"] = frame["unit_id"].map(store_of)
    frame["index"] = frame[list(CORE_SLOTS)].astype(float).mean(axis=1)
    stored = frame.dropna(subset=["store"])
    assert len(stored) > 0.9 * len(frame)  # nearly every answer is stored at store level or below
    means = stored.groupby("store")["index"].mean()
    codes = [u.code for u in demo.chain.stores()]
    assert sorted(means.index) == sorted(codes)

    groups = [g["index"].to_numpy() for _, g in stored.groupby("store")]
    assert stats.f_oneway(*groups).pvalue < 1e-6  # stores differ
    assert means.max() - means.min() > 0.3
    months = [w.months_ago for w in demo_waves("small", DEMO_TODAY)]
    generated = pd.DataFrame(
        [store_engagement(DEMO_SEED, codes, months_ago=m) for m in months]
    ).mean()
    assert stats.spearmanr(means[codes], generated[codes]).statistic > 0.6


def test_answers_are_stored_on_their_scales(engine, demo):
    table = SurveyResponse.__table__
    with read_session(engine) as session:
        rows = session.execute(
            select(*(table.c[s] for s in (*CORE_SLOTS, *CUSTOM_SLOTS, "enps")))
        ).all()
    frame = pd.DataFrame(rows, columns=[*CORE_SLOTS, *CUSTOM_SLOTS, "enps"], dtype=float)
    items = frame[list(CORE_SLOTS)].stack().dropna()
    assert set(items.unique()) == {1.0, 2.0, 3.0, 4.0, 5.0}
    assert frame[list(CUSTOM_SLOTS)].isna().all().all()
    assert frame["enps"].dropna().between(0, 10).all()
    assert frame[list(CORE_SLOTS)].isna().mean().mean() < 2 * ENGAGEMENT.skip_share


def test_the_open_wave_can_still_be_answered_and_closed_ones_cannot(engine, demo, hr):
    settings = Settings.from_env()
    with read_session(engine) as session:
        loaded = _waves(session)
        closed, latest = loaded[0], loaded[-1]
        pending = waves.invitation_links(session, hr, latest.code, settings, pending_only=True)
        old = waves.invitation_links(session, hr, closed.code, settings, pending_only=True)
    token = parse_qs(urlparse(pending[0].link).query)["t"][0]
    old_token = parse_qs(urlparse(old[0].link).query)["t"][0]
    with read_session(engine) as session:
        assert answering.open_link(session, token, today=DEMO_TODAY).state is (
            answering.LinkState.READY
        )
        assert answering.open_link(session, old_token, today=DEMO_TODAY).state is (
            answering.LinkState.CLOSED
        )
        before = session.scalar(select(func.count()).where(SurveySealed.wave_id == latest.id))
    answering.submit(engine, token, {"a01": 4}, 8, key=server_key(settings), today=DEMO_TODAY)
    with read_session(engine) as session:
        after = session.scalar(select(func.count()).where(SurveySealed.wave_id == latest.id))
    assert after == before + 1


def test_a_failure_midway_leaves_no_half_demo(engine, monkeypatch):
    """The wave services are called without their own commits: all of the demo or none."""
    import ee_app.services.demo as demo_service
    import ee_app.services.demo_waves as demo_waves

    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # two waves are written and closed by then
            raise RuntimeError("disk full")
        return respond(*args, **kwargs)

    monkeypatch.setattr(demo_waves, "respond", failing)
    with write_session(engine) as session, pytest.raises(RuntimeError):
        demo_service.load_demo(session, system_actor("test"), seed=DEMO_SEED, today=DEMO_TODAY)
    with read_session(engine) as session:
        assert demo_service.database_is_empty(session)
        assert session.scalar(select(func.count()).select_from(SurveyWave)) == 0
        assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 0
