"""The pulse surveys page (waves, participation, HR's actions) and the public answering page,
through the real ``streamlit_app.py``."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pyarrow as pa
import pytest

from ee_app import clock
from ee_app.auth import Actor, system_actor
from ee_app.config import Settings
from ee_app.db import make_engine, write_session
from ee_app.models import UnitLevel, UserRole, WaveMode
from ee_app.services.org import create_unit
from ee_app.services.users import save_user
from tests.helpers import reading
from tests.pages.apptest import clean, open_page, values_of
from tests.wave_setup import open_new_wave, tokens

PAGE = "ee_app/pages/surveys.py"
HR = Actor(email="hr@demo.example", role=UserRole.HR)
pytestmark = pytest.mark.usefixtures("link_key")


def open_wave(engine, units, *, code="T-1", mode=WaveMode.ANONYMOUS, language="en") -> list[str]:
    """Create and open a wave from today on; return its personal tokens."""
    today = date.today()
    settings = Settings.from_env()
    open_new_wave(
        engine,
        HR,
        code,
        units,
        opens_on=today,
        closes_on=today + timedelta(days=14),
        settings=settings,
        name=f"Pulse {code}",
        mode=mode,
        language=language,
    )
    return tokens(engine, HR, code, settings)


def surveys_page(make_app, identity, language="en", wave=None):
    at = open_page(make_app, PAGE, identity, language)
    if wave is not None:
        at.selectbox(key="ee_waves_pick").set_value(wave).run()
    return clean(at)


def participation_frame(at) -> pd.DataFrame:
    frame = at.dataframe[1].value
    assert list(frame.columns) == ["Unit", "Invited", "Responded", "Response rate"]
    return frame


def row_of(frame: pd.DataFrame, code: str) -> pd.Series:
    rows = frame[frame["Unit"].str.contains(f"({code})", regex=False)]
    assert len(rows) == 1, frame
    return rows.iloc[0]


def page_text(at) -> str:
    kinds = ("title", "markdown", "caption", "info", "warning", "success", "subheader")
    parts = values_of(at, kinds) + [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(parts)


def button(at, label):
    return next(b for b in at.button if b.label == label)


# The surveys page -----------------------------------------------------------------------------


def test_hr_creates_a_wave_opens_it_and_sees_participation(make_app):
    at = surveys_page(make_app, "hr@demo.example")
    assert at.text_input(key="ee_wave_code").value == clock.today().strftime("%Y-%m")
    at.text_input(key="ee_wave_code").input("T-NEW")
    at.text_input(key="ee_wave_name").input("November pulse")
    at.multiselect(key="ee_wave_units").set_value(["SH01", "SH02"])
    button(at, "Create draft").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Draft T-NEW created" in at.success[0].value
    assert at.selectbox(key="ee_waves_pick").value == "T-NEW"
    listed = at.dataframe[0].value.set_index("Code").loc["T-NEW"]
    assert (listed["Status"], listed["Invited"]) == ("Draft", 0)
    assert not at.get("download_button")  # no links before the wave opens

    # Opening sits behind a confirmation that says how many people get a link.
    confirmation = " ".join(m.value for m in at.markdown)
    at.button(key="ee_wave_open_now").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Wave T-NEW is open" in at.success[0].value
    listed = at.dataframe[0].value.set_index("Code").loc["T-NEW"]
    assert listed["Status"] == "Open" and listed["Invited"] > 0
    assert f"a personal link to each of the {listed['Invited']} people" in confirmation
    frame = participation_frame(at)
    assert row_of(frame, "SH01")["Invited"] > 0 and row_of(frame, "SH02")["Invited"] > 0
    assert row_of(frame, "SH01")["Responded"] == 0
    assert at.get("vega_lite_chart")  # response rate by store
    labels = {b.label for b in at.get("download_button")}
    assert {"Invitations (Excel)", "QR slips to print"} <= labels


def test_hr_closes_an_open_wave_after_confirming(make_app, engine):
    open_wave(engine, ["SH01"])
    at = surveys_page(make_app, "hr@demo.example", wave="T-1")
    assert "This is final" in " ".join(m.value for m in at.markdown)
    at.button(key="ee_wave_close_now").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Wave T-1 is closed" in at.success[0].value
    assert "Clean-up verified" in at.success[0].value
    assert at.dataframe[0].value.set_index("Code").loc["T-1", "Status"] == "Closed"
    assert not [b for b in at.button if b.key in ("ee_wave_open_now", "ee_wave_close_now")]
    assert not [b for b in at.button if b.key == "ee_wave_cleanup_retry"]


def test_a_clean_up_that_could_not_finish_says_so_and_can_be_retried(make_app, engine):
    """A reader keeps the clean-up after closing from finishing: no success, an error that
    says what is not done and how to finish it, and a retry that works once it is gone."""
    open_wave(engine, ["SH01"])
    at = surveys_page(make_app, "hr@demo.example", wave="T-1")
    with reading(engine):
        at.button(key="ee_wave_close_now").click().run()
    assert not at.exception, at.exception
    assert not at.success
    (error,) = [e.value for e in at.error]
    assert "Wave T-1 is closed" in error and "The clean-up is not complete" in error
    assert "Retry clean-up" in error
    assert at.dataframe[0].value.set_index("Code").loc["T-1", "Status"] == "Closed"

    at = surveys_page_with_errors(make_app, "T-1")
    (error,) = [e.value for e in at.error]
    assert "The clean-up after closing this wave is not complete" in error
    at.button(key="ee_wave_cleanup_retry").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Clean-up verified" in at.success[0].value
    assert not [b for b in at.button if b.key == "ee_wave_cleanup_retry"]


def surveys_page_with_errors(make_app, wave):
    at = open_page(make_app, PAGE)
    at.selectbox(key="ee_waves_pick").set_value(wave).run()
    assert not at.exception, at.exception
    return at


def test_store_manager_sees_only_their_units_and_no_actions(make_app, engine):
    open_wave(engine, ["SH01", "SH02"])
    at = surveys_page(make_app, "manager.sh01@demo.example", wave="T-1")
    frame = participation_frame(at)
    assert all("SH01" in unit for unit in frame["Unit"])
    assert row_of(frame, "SH01")["Invited"] > 0
    assert "SH02" not in page_text(at)
    assert not at.get("download_button")
    assert not at.get("form")
    assert not [b for b in at.button if b.key in ("ee_wave_open_now", "ee_wave_close_now")]


def test_manager_without_waves_sees_an_explained_empty_state(make_app, app_db):
    engine = make_engine(app_db)
    with write_session(engine) as session:
        create_unit(session, system_actor(), "NEW", "新品牌", UnitLevel.BRAND, None)
        save_user(
            session,
            system_actor(),
            "manager.new@demo.example",
            role=UserRole.MANAGER,
            name="新店长",
            unit_codes=["NEW"],
        )
        session.commit()
    engine.dispose()
    at = surveys_page(make_app, "manager.new@demo.example")
    assert [i.value for i in at.info] == ["No survey waves include your units yet."]
    assert not at.dataframe


def test_shopper_cannot_reach_the_page(make_app):
    at = make_app("shopper@demo.example")
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)


@pytest.mark.parametrize("identity", ["hr@demo.example", "manager.sh01@demo.example"])
def test_a_small_team_shows_fewer_than_k_and_no_number(make_app, engine, identity):
    open_wave(engine, ["SH01"])  # the front-desk team SH01-F has two or three people
    at = surveys_page(make_app, identity, wave="T-1")
    frame = participation_frame(at)
    hidden = row_of(frame, "SH01-F")
    assert hidden[["Invited", "Responded", "Response rate"]].isna().all()
    assert at.dataframe[1].proto.placeholder == "fewer than 5"
    assert "“Fewer than 5” marks a unit hidden" in page_text(at)
    assert row_of(frame, "SH01")["Invited"] >= 5  # the store itself is shown


def test_the_chart_leaves_hidden_stores_out(make_app, engine):
    # HZ01-F alone is a store with two people: hidden, and SH01 with it (secondary suppression).
    open_wave(engine, ["SH01", "SH02", "HZ01-F"])
    at = surveys_page(make_app, "hr@demo.example", wave="T-1")
    frame = participation_frame(at)
    assert pd.isna(row_of(frame, "HZ01")["Invited"])
    chart = at.get("vega_lite_chart")[0].proto
    (dataset,) = chart.datasets
    bars = pa.ipc.open_stream(dataset.data.data).read_pandas()
    assert list(bars["store"]) == [row_of(frame, "SH02")["Unit"].strip().split(" · ")[0]]
    assert list(bars["n"]) == [0]


def test_the_page_renders_in_chinese(make_app, engine):
    open_wave(engine, ["SH01"])
    at = surveys_page(make_app, "hr@demo.example", "zh-CN", wave="T-1")
    assert at.title[0].value
    assert at.dataframe[1].value.shape[0] >= 4


# The answering page (a personal link, no sign-in) ---------------------------------------------


def survey(make_app, token, language="en"):
    at = make_app(None, language)
    at.query_params["t"] = token
    at.run()  # lands on the personal-link page; a browser's /survey path selects the survey
    at.switch_page("ee_app/pages/survey.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_answering_once_then_the_link_is_used(make_app, engine):
    token = open_wave(engine, ["SH01"])[0]
    at = survey(make_app, token)
    assert at.title[0].value == "Pulse T-1"
    assert "Your answers are anonymous" in at.info[0].value
    at.radio(key="ee_q_a01").set_value(4)
    at.radio(key="ee_q_a02").set_value(5)
    button(at, "Submit my answers").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Thank you!"
    assert "cannot be used again" in at.success[0].value

    again = survey(make_app, token)
    assert "already been used" in again.info[0].value
    assert not again.radio


def test_an_unknown_link_is_not_valid(make_app, engine):
    open_wave(engine, ["SH01"])
    at = survey(make_app, "not-a-real-token")
    assert "not valid" in at.info[0].value
    assert not at.radio


def test_a_confidential_wave_explains_what_is_linked(make_app, engine):
    token = open_wave(engine, ["SH01"], mode=WaveMode.CONFIDENTIAL)[0]
    at = survey(make_app, token)
    assert "confidential, not anonymous" in at.warning[-1].value
    assert len(at.radio) == 12


def test_the_survey_renders_in_chinese(make_app, engine):
    token = open_wave(engine, ["SH01"], language="zh-CN")[0]
    at = survey(make_app, token, "zh-CN")
    assert at.title[0].value == "Pulse T-1"
    assert "非常同意" in " ".join(at.radio[0].options)
