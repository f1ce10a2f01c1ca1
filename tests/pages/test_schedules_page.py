"""The Schedules part of the Pulse surveys page, "Change close date", and the overlap warning
before opening, through the real ``streamlit_app.py`` (one test: AppTest runs are slow)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ee_app import clock
from ee_app.db import read_session, write_session
from ee_app.models import SurveySchedule, SurveyWave
from ee_app.services import waves
from tests.pages.apptest import open_page
from tests.pages.test_surveys_page import HR, PAGE, open_wave

pytestmark = pytest.mark.usefixtures("link_key")


def messages(at, kind):
    return " ".join(m.value for m in getattr(at, kind))


def test_hr_schedules_a_pulse_changes_a_close_date_and_is_warned_of_an_overlap(make_app, engine):
    today = clock.today()  # the app's day (Beijing time by default), not the machine's
    open_wave(engine, ["SH01"], code="OPEN-1")
    with write_session(engine) as session:
        waves.create_wave(
            session, HR, code="DRAFT-2", name="Two stores", unit_codes=["SH01", "SH02"],
            opens_on=today, closes_on=today + timedelta(days=7),
        )  # fmt: skip
    at = open_page(make_app, PAGE)

    # Opening a wave that reaches people of an open one: the confirmation warns first.
    at.selectbox(key="ee_waves_pick").set_value("DRAFT-2").run()
    assert "also invited to wave OPEN-1" in messages(at, "warning")
    at.button(key="ee_wave_open_now").click().run()
    assert "Wave DRAFT-2 is open" in messages(at, "success")

    # Change close date of the open wave: saved, and said so.
    at.selectbox(key="ee_waves_pick").set_value("OPEN-1").run()
    later = today + timedelta(days=20)
    at.date_input(key="ee_wave_close_date").set_value(later)
    at.button(key="ee_wave_close_date_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert f"Wave OPEN-1 now closes on {later.isoformat()}" in messages(at, "success")
    with read_session(engine) as session:
        stored = select(SurveyWave.closes_on).where(SurveyWave.code == "OPEN-1")
        assert session.scalar(stored) == later

    # A schedule with the defaults (monthly, open 7 days, k 5), then paused after confirming.
    assert at.number_input(key="ee_schedule_open_days").value == 7
    assert at.number_input(key="ee_schedule_k").value == 5
    at.text_input(key="ee_schedule_code").input("MONTHLY")
    at.multiselect(key="ee_schedule_units").set_value(["SH01"])
    at.button(key="FormSubmitter:ee_schedule_form-Create schedule").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    first = (today + timedelta(days=1)).isoformat()
    assert f"Schedule MONTHLY created: the first wave opens on {first}" in messages(at, "success")
    listed = at.dataframe[-1].value.set_index("Code").loc["MONTHLY"]
    assert (listed["How often"], listed["Next opening"], listed["State"]) == (
        "every month, open 7 days", first, "Active",
    )  # fmt: skip
    at.button(key="ee_schedule_run_now").click().run()  # nothing due until tomorrow
    assert "Nothing to open or close today" in messages(at, "success")
    at.button(key="ee_schedule_toggle").click().run()
    assert "Schedule MONTHLY is paused" in messages(at, "success")
    assert at.dataframe[-1].value.set_index("Code").loc["MONTHLY", "State"] == "Paused"
    with read_session(engine) as session:
        assert session.scalar(select(SurveySchedule.active)) is False
