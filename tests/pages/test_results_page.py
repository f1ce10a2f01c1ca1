"""The engagement results page through the real ``streamlit_app.py``: what each role sees, how
hidden groups are marked, filters, and action plans made through the page's forms."""

from __future__ import annotations

import pandas as pd
import pytest

from ee_app.auth import Actor
from ee_app.db import read_session
from ee_app.models import UnitLevel, UserRole
from ee_app.services import actions, results, waves
from ee_app.services.users import actor_for_email
from tests.pages.apptest import clean, open_page
from tests.pages.test_pages import texts

PAGE = "ee_app/pages/results.py"
NEWEST = "pulse-2026-10"
HR = Actor(email="hr@demo.example", role=UserRole.HR)
OTHER_STORES = ("SH02", "HZ01", "SZ01", "SZ02", "SZ03", "XM01", "GZ01", "BJ01", "BJ02", "TJ01")


def results_page(make_app, identity="hr@demo.example", language="en"):
    return clean(open_page(make_app, PAGE, identity, language))


def units_table(at) -> pd.DataFrame:
    """The table of units: the first table whose first column is the unit."""
    frame = at.dataframe[0].value
    assert "n" in frame.columns and "eNPS" in frame.columns, frame.columns
    return frame


def row_of(frame: pd.DataFrame, code: str) -> pd.Series:
    rows = frame[frame.iloc[:, 0].str.contains(f"({code})", regex=False)]
    assert len(rows) == 1, frame
    return rows.iloc[0]


def codes_in(frame: pd.DataFrame) -> list[str]:
    return frame.iloc[:, 0].str.extract(r"\(([^()]+)\)$")[0].tolist()


def button(at, label):
    return next(b for b in at.button if b.label == label)


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_hr_sees_the_newest_closed_wave_and_every_store(make_app, engine, language):
    at = results_page(make_app, "hr@demo.example", language)
    picker = at.selectbox(key="ee_results_wave")
    assert picker.value == NEWEST
    assert "pulse-2026-11" not in picker.options  # the open wave is never offered
    with read_session(engine) as session:
        wave = waves.get_wave(session, HR, NEWEST)
        view = results.engagement_view(session, HR, NEWEST)
    shown = texts(at)
    assert f"n = {wave.responded}" in shown  # the headline says how many it rests on
    assert [m.value for m in at.metric][3] == str(wave.responded)
    frame = units_table(at)
    assert len(frame) == 12 == len(view.rows)
    assert codes_in(frame) == view.rows["code"].tolist()
    assert at.segmented_control(key="ee_results_level").value == UnitLevel.STORE


def test_hr_table_shows_the_service_s_numbers(make_app, engine):
    at = results_page(make_app)
    with read_session(engine) as session:
        view = results.engagement_view(session, HR, NEWEST)
    frame = units_table(at)
    rows = view.rows.set_index("code")
    # A store with a change, and one whose respondents changed by fewer than k people since
    # the wave before (the rule across waves): its change is blank.
    compared = rows[rows["change"].notna()].index[0]
    withheld = rows[rows["index"].notna() & rows["change"].isna()].index[0]
    expected = rows.loc[compared]
    row = row_of(frame, compared)
    assert row["n"] == str(int(expected["n"]))
    assert row["Index"] == pytest.approx(expected["index"])
    assert row["% favourable"] == pytest.approx(100 * expected["favourable"])
    assert row["Change"] == pytest.approx(expected["change"])
    low, high = expected["change_low"], expected["change_high"]
    word = "up" if low > 0 else "down" if high < 0 else "no clear change"
    assert row["Direction"] == word
    assert row["Better than (% of stores)"] == pytest.approx(expected["percentile"])
    assert pd.isna(row_of(frame, withheld)["Change"])
    # Beside the change, the wave it is measured against (the store's own previous wave).
    assert row["Change since"] == expected["previous_name"] == view.previous_waves[0][1]
    assert f"Change: since wave {expected['previous_name']};" in texts(at)


def test_manager_sees_only_their_store(make_app):
    at = results_page(make_app, "manager.sh01@demo.example")
    level = at.segmented_control(key="ee_results_level")
    assert UnitLevel.REGION not in level.options and "Region" not in level.options
    assert codes_in(units_table(at)) == ["SH01"]
    assert all("SH01" in label for label in at.selectbox(key="ee_results_unit").options)
    shown = texts(at)
    assert "SH01" in shown
    for other in OTHER_STORES:
        assert other not in shown

    level.set_value(UnitLevel.TEAM).run()
    clean(at)
    assert codes_in(units_table(at)) == ["SH01-B", "SH01-M", "SH01-F"]
    shown = texts(at)
    for other in OTHER_STORES:
        assert other not in shown


def test_small_teams_are_marked_and_show_no_numbers(make_app, engine):
    at = results_page(make_app)
    at.segmented_control(key="ee_results_level").set_value(UnitLevel.TEAM).run()
    clean(at)
    with read_session(engine) as session:
        view = results.engagement_view(session, HR, NEWEST, level=UnitLevel.TEAM)
    hidden = set(view.rows.loc[view.rows["hidden"], "code"])
    assert "SH01-F" in hidden
    frame = units_table(at)
    assert len(frame) == len(view.rows)
    for code in codes_in(frame):
        row = row_of(frame, code)
        if code in hidden:
            assert row["n"] == "fewer than 5"
            assert row.iloc[2:].isna().all(), row
        else:
            assert row["n"].isdigit()
    # No role or tenure filter below the store.
    assert not [s for s in at.segmented_control if s.key == "ee_results_filter"]


def test_a_role_filter_shows_only_the_stores_published_for_that_role(make_app, engine):
    at = results_page(make_app)
    at.segmented_control(key="ee_results_filter").set_value("role").run()
    at.selectbox(key="ee_results_role").set_value("beautician").run()
    clean(at)
    with read_session(engine) as session:
        view = results.engagement_view(session, HR, NEWEST, dim="role", value="beautician")
    published = set(view.rows.loc[~view.rows["hidden"], "code"])
    assert published and len(published) < len(view.rows)  # the demo has both kinds
    frame = units_table(at)
    assert len(frame) == len(view.rows)
    for code in codes_in(frame):
        row = row_of(frame, code)
        if code in published:
            assert row["n"] == str(int(view.rows.set_index("code").loc[code, "n"]))
            assert not pd.isna(row["Index"])
        else:
            assert row["n"] == "fewer than 5" and pd.isna(row["Index"])
    assert "no smaller group can be worked out" in texts(at)


def test_the_oldest_wave_has_nothing_to_compare_with(make_app):
    at = results_page(make_app)
    at.selectbox(key="ee_results_wave").set_value("pulse-2026-06").run()
    clean(at)
    frame = units_table(at)
    assert frame["Change"].isna().all() and frame["Direction"].isna().all()
    assert frame["Change since"].isna().all()
    assert "No earlier closed wave to compare with." in texts(at)


def test_a_hidden_team_in_detail_shows_marks_not_numbers(make_app):
    at = results_page(make_app, "manager.sh01@demo.example")
    picker = at.selectbox(key="ee_results_unit")
    options = {o.split(" · ")[0].strip(): o for o in picker.options}
    assert next(iter(options)) == "上海静安店 (SH01)"  # the manager's store first, then its teams
    assert set(options) == {
        "上海静安店 (SH01)",
        "美容组 (SH01-B)",
        "医美组 (SH01-M)",
        "前台组 (SH01-F)",
    }
    assert "fewer than 5" in options["前台组 (SH01-F)"]
    picker.set_value("SH01-F").run()
    clean(at)
    shown = texts(at)
    assert "Hidden to protect anonymity (fewer than 5)." in shown
    assert "Comments are shown for groups of at least 5 respondents whose" in shown
    assert "Strongest themes" not in shown
    assert len(at.dataframe) == 1  # the units table; no comments, no numbers for the team


def test_manager_makes_a_plan_and_adds_an_action(make_app, engine):
    at = results_page(make_app, "manager.sh01@demo.example")
    assert at.selectbox(key="ee_results_unit").value == "SH01"
    themes = at.multiselect(key="ee_plan_themes_SH01")
    assert len(themes.value) == 3  # the three weakest themes are suggested
    themes.set_value(["recognition", "voice"])
    at.text_area(key="ee_plan_note_SH01").input("Praise in the morning huddle")
    button(at, "Create plan").click().run()
    clean(at)
    assert "Action plan created" in at.toast[0].value
    assert "Plan after wave pulse-2026-10" in texts(at)

    with read_session(engine) as session:
        manager = actor_for_email(session, "manager.sh01@demo.example")
        (plan,) = actions.list_plans(session, manager, "SH01")
    assert plan.themes == ("recognition", "voice")
    prefix = f"ee_action_form_{plan.id}"
    at.selectbox(key=f"{prefix}_theme").set_value("voice")
    at.text_input(key=f"{prefix}_text").input("Suggestion box reviewed every Friday")
    at.text_input(key=f"{prefix}_owner").input("张店长")
    button(at, "Add action").click().run()
    clean(at)
    assert "Suggestion box reviewed every Friday" in texts(at).replace("\\", "")
    with read_session(engine) as session:
        (plan,) = actions.list_plans(session, manager, "SH01")
    (action,) = plan.actions
    assert (action.theme, action.owner) == ("voice", "张店长")

    at.selectbox(key=f"ee_action_status_{action.id}").set_value("done").run()
    clean(at)
    assert at.get("progress")[0].proto.text == "1 of 1 actions done"
    with read_session(engine) as session:
        (plan,) = actions.list_plans(session, manager, "SH01")
    assert plan.progress == 1.0


def test_four_themes_are_refused_with_the_service_s_message(make_app, engine):
    at = results_page(make_app)
    at.multiselect(key="ee_plan_themes_LM").set_value(["recognition", "voice", "care", "growth"])
    button(at, "Create plan").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["The plan was not created."]
    assert "Choose one to three themes." in texts(at)  # the problem, listed under the error
    with read_session(engine) as session:
        assert actions.list_plans(session, HR) == []


def test_downloads_are_offered_for_the_view(make_app):
    at = results_page(make_app)
    labels = [b.proto.label for b in at.get("download_button")]
    # HR also gets the whole wave's comments (issue 18).
    assert labels == [
        "Results (Excel)",
        "Results (CSV)",
        "All comments (Excel)",
        "All comments (CSV)",
    ]


def test_shopper_cannot_open_the_page(make_app):
    at = make_app("shopper@demo.example")
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)
