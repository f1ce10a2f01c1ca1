"""The audit log page and the wave-people tools through the real ``streamlit_app.py``: plain
words, filters with "showing N of M", and an open wave's lost link replaced on the page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from ee_app.auth import Actor
from ee_app.config import Settings
from ee_app.db import read_session
from ee_app.models import AuditLog, UserRole
from ee_app.services import answering, waves
from ee_app.ui import keys
from tests.pages.apptest import open_page
from tests.wave_setup import open_new_wave, token_of

HR = Actor(email="hr@demo.example", role=UserRole.HR)
pytestmark = pytest.mark.usefixtures("link_key")


def test_the_audit_log_reads_plainly_and_filters(make_app, engine):
    with read_session(engine) as session:
        opened = session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "wave.open")
        )
        total = session.scalar(select(func.count()).select_from(AuditLog))
    assert opened >= 1
    at = open_page(make_app, "ee_app/pages/audit.py")
    frame = at.dataframe[0].value
    assert f"of {total:,} entr" in " ".join(c.value for c in at.caption)
    assert not frame["Action"].str.contains(r"^[a-z_]+\.[a-z_.]+$").any()  # no raw keys
    assert not frame["Details"].str.contains(r"[{}]").any()  # no raw dicts

    at.multiselect(key=keys.AUDIT_ACTIONS).select("wave.open").run()
    assert not at.exception, at.exception
    frame = at.dataframe[0].value
    assert set(frame["Action"]) == {"Opened a survey wave"} and len(frame) == opened
    assert f"Showing 1–{opened} of {opened} entr" in " ".join(c.value for c in at.caption)
    at.date_input(key=keys.AUDIT_DAYS).set_value((date(2000, 1, 1), date(2000, 1, 2))).run()
    assert at.info and "No entry matches" in at.info[0].value
    labels = {b.label for b in at.get("download_button")}
    assert not labels  # nothing to export when nothing matches

    chinese = open_page(make_app, "ee_app/pages/audit.py", language="zh-CN")
    actions = chinese.dataframe[0].value["操作"]
    assert actions.str.contains(r"[\u4e00-\u9fff]").all()
    assert {b.label for b in chinese.get("download_button")} == {"导出（Excel）", "导出（CSV）"}


def test_a_lost_link_is_replaced_on_the_surveys_page(make_app, engine):
    today = date.today()
    settings = Settings.from_env()
    open_new_wave(
        engine,
        HR,
        "T-1",
        ["SH01"],
        opens_on=today,
        closes_on=today + timedelta(days=14),
        settings=settings,
        name="Pulse T-1",
    )
    with read_session(engine) as session:
        first = waves.invitation_links(session, HR, "T-1", settings)[0]
    at = open_page(make_app, "ee_app/pages/surveys.py")
    at.selectbox(key=keys.WAVES_PICK).set_value("T-1").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    at.toggle(key=f"{keys.JOINERS_LOOK}_T-1").set_value(True).run()
    assert any("Everyone in the audience has a link." in i.value for i in at.info)
    at.text_input(key=f"{keys.REISSUE_EMPLOYEE}_T-1").input(first.employee_no)
    at.button(key=f"FormSubmitter:{keys.REISSUE_FORM}_T-1-Replace the link").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any(first.employee_no in s.value for s in at.success)
    new = at.code[0].value
    assert new != first.link and at.get("image")
    with read_session(engine) as session:
        old_state = answering.open_link(session, token_of(first.link))
        new_state = answering.open_link(session, token_of(new))
    assert old_state.state is answering.LinkState.UNKNOWN
    assert new_state.state is answering.LinkState.READY
