"""Action plans: themes, actions, progress, scope, and the change on the chosen themes."""

from datetime import date

import pytest

from ee_app.db import read_session, write_session
from ee_app.errors import NotFound, ValidationError
from ee_app.models import ActionStatus
from ee_app.services import actions
from ee_app.services.users import actor_for_email


def manager(engine):
    with read_session(engine) as session:
        return actor_for_email(session, "manager.sh01@demo.example")


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
        effects = actions.plan_effects(session, me, plan.id).set_index("theme")
    assert listed.themes == ("recognition", "progress") and listed.progress == 1.0
    assert list(effects.index) == ["recognition", "progress"]
    assert (effects["before_wave"] == "pulse-2026-09").all()
    assert (effects["after_wave"] == "pulse-2026-10").all()
    row = effects.loc["recognition"]
    assert row["before_n"] >= 5 and row["after_n"] >= 5
    assert row["change"] == pytest.approx(row["after_mean"] - row["before_mean"])
    assert row["change_low"] < row["change"] < row["change_high"]


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
