"""Action plans: themes, actions, progress, scope, and the change on the chosen themes."""

from datetime import date

import pandas as pd
import pytest

from ee_app.db import read_session, write_session
from ee_app.errors import NotFound, ValidationError
from ee_app.models import ActionStatus
from ee_app.services import actions
from ee_app.services.users import actor_for_email


def manager(engine):
    with read_session(engine) as session:
        return actor_for_email(session, "manager.sh01@demo.example")


def stores_by_change(engine, before, after):
    """Store codes whose respondents stayed the same or changed by at least k between the two
    waves, and those that changed by fewer (the rule across waves)."""
    from sqlalchemy import select

    from ee_app.analysis.disclosure import comparable
    from ee_app.models import OrgUnit, SurveyWave, UnitLevel
    from ee_app.services.respondents import respondent_sets

    with read_session(engine) as session:
        first, second = (
            session.scalar(select(SurveyWave).where(SurveyWave.code == c)) for c in (before, after)
        )
        one, two = respondent_sets(session, first), respondent_sets(session, second)
        stores = session.execute(
            select(OrgUnit.id, OrgUnit.code).where(OrgUnit.level == UnitLevel.STORE)
        ).all()
    split = {True: [], False: []}
    for unit_id, code in stores:
        people = (one.get((unit_id, "", ""), frozenset()), two.get((unit_id, "", ""), frozenset()))
        split[comparable(*people, k=first.k)].append(code)
    return split[True], split[False]


def test_a_manager_plans_and_follows_actions(engine, demo):
    me = manager(engine)
    with write_session(engine) as session:
        plan = actions.create_plan(
            session, me, "SH01", "pulse-2026-09", ["recognition", "progress"], "after September"
        )
    with write_session(engine) as session:
        item = actions.add_action(
            session,
            me,
            plan.id,
            theme="recognition",
            description="每周例会表扬一位同事",
            owner="张店长",
            due_on=date(2026, 10, 15),
        )
    with write_session(engine) as session:
        actions.set_action_status(session, me, item.id, ActionStatus.DONE)
    with read_session(engine) as session:
        [listed] = actions.list_plans(session, me, "SH01")
    assert listed.themes == ("recognition", "progress") and listed.progress == 1.0


def test_a_plan_s_effect_is_the_change_to_the_next_wave(engine, demo):
    hr = actor_for_email_in(engine, "hr@demo.example")
    same, changed = stores_by_change(engine, "pulse-2026-09", "pulse-2026-10")
    assert same and changed  # the demo has both kinds
    effects = {}
    for code in (same[0], changed[0]):
        with write_session(engine) as session:
            plan = actions.create_plan(session, hr, code, "pulse-2026-09", ["recognition"], "")
        with read_session(engine) as session:
            effects[code] = actions.plan_effects(session, hr, plan.id).set_index("theme")
    row = effects[same[0]].loc["recognition"]
    assert (row["before_wave"], row["after_wave"], row["reason"]) == (
        "pulse-2026-09",
        "pulse-2026-10",
        "",
    )
    assert row["before_n"] >= 5 and row["after_n"] >= 5
    assert row["change"] == pytest.approx(row["after_mean"] - row["before_mean"])
    assert row["change_low"] < row["change"] < row["change_high"]
    # Fewer than k people differ: the next wave is not put beside this one at all.
    row = effects[changed[0]].loc["recognition"]
    assert row["reason"] == "changed" and row["before_n"] >= 5
    assert all(pd.isna(row[c]) for c in ("after_n", "after_mean", "change"))


def actor_for_email_in(engine, email):
    with read_session(engine) as session:
        return actor_for_email(session, email)


@pytest.mark.parametrize(
    ("themes", "wave"),
    [
        (["recognition", "progress", "voice", "care"], "pulse-2026-09"),  # more than three
        ([], "pulse-2026-09"),
        (["charisma"], "pulse-2026-09"),
        (["voice"], "pulse-2026-11"),  # still open
    ],
)
def test_plans_are_validated(engine, demo, themes, wave):
    with write_session(engine) as session, pytest.raises(ValidationError):
        actions.create_plan(session, manager(engine), "SH01", wave, themes)


def test_plans_stay_in_scope(engine, demo):
    me = manager(engine)
    with write_session(engine) as session, pytest.raises(NotFound):
        actions.create_plan(session, me, "BJ01", "pulse-2026-09", ["voice"])
    with read_session(engine) as session, pytest.raises(NotFound):
        actions.list_plans(session, me, "BJ01")


def test_an_action_belongs_to_a_theme_of_its_plan(engine, demo):
    me = manager(engine)
    with write_session(engine) as session:
        plan = actions.create_plan(session, me, "SH01", "pulse-2026-10", ["voice"])
    with write_session(engine) as session, pytest.raises(ValidationError):
        actions.add_action(
            session, me, plan.id, theme="care", description="x", owner="y", due_on=date(2026, 12, 1)
        )
    with read_session(engine) as session:
        effects = actions.plan_effects(session, me, plan.id)
    assert effects["after_wave"].isna().all()  # no later closed wave yet


def test_a_plans_follow_up_is_the_next_wave_that_covered_its_unit(engine, admin):
    """A plan made on N2 after the chain-wide wave A is followed up by C, the next anonymous
    wave that asked N2: not by the pilot B (N1 and S1 only) nor by the confidential spot
    check X of N2. The old code took B, the next closed wave, and showed nothing."""
    from scipy import stats

    from tests.services import pilot_chain as pc

    pc.build(engine, (pc.A, pc.B))
    plans = {}
    for store, wave in (("N2", pc.A), ("N1", pc.A), ("N3", pc.A)):
        with write_session(engine) as session:
            plans[store] = actions.create_plan(session, admin, store, wave, ["recognition"]).id

    def effect(store):
        with read_session(engine) as session:
            return (
                actions.plan_effects(session, admin, plans[store])
                .set_index("theme")
                .loc["recognition"]
            )

    # Only the pilot closed since: it covered N1, not N2.
    assert (effect("N1")["after_wave"], effect("N1")["reason"]) == (pc.B, "")
    row = effect("N2")
    assert (row["after_wave"], row["reason"]) == (None, "not_covered") and pd.isna(row["change"])
    pc.run_wave(engine, pc.X)
    pc.run_wave(engine, pc.C)
    with write_session(engine) as session:
        plans["spot"] = actions.create_plan(session, admin, "N2", pc.X, ["recognition"]).id
    for store in ("N2", "N3"):
        row = effect(store)
        assert (row["before_wave"], row["after_wave"], row["reason"]) == (pc.A, pc.C, "")
        # Every theme is answered like the index: recognition's mean is 13/6 in A, 24/6 in
        # C; the interval is Welch's (scipy) on the six answers of each wave.
        before, after = pc.person_means(pc.A), pc.person_means(pc.C)
        low, high = stats.ttest_ind(after, before, equal_var=False).confidence_interval(0.95)
        assert (row["before_mean"], row["after_mean"]) == (
            pytest.approx(13 / 6),
            pytest.approx(24 / 6),
        )
        assert row["change"] == pytest.approx(11 / 6)
        assert (row["change_low"], row["change_high"]) == (pytest.approx(low), pytest.approx(high))
    row = effect("N1")  # followed up by the pilot: 19/6 − 13/6
    assert row["after_wave"] == pc.B and row["change"] == pytest.approx(1.0)
    # A plan on the confidential spot check waits for the next confidential wave of N2.
    row = effect("spot")
    assert (row["after_wave"], row["reason"]) == (None, "") and pd.isna(row["change"])
