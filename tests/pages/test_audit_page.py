"""The audit log page and the wave-people tools through the real ``streamlit_app.py``: plain
words, filters with "showing N of M", and an open wave's lost link replaced on the page."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import func, select

from ee_app.auth import Actor
from ee_app.config import Settings
from ee_app.db import make_engine, read_session, write_session
from ee_app.models import AuditLog, UserRole
from ee_app.services import answering, waves
from ee_app.ui import keys

HR = Actor(email="hr@demo.example", role=UserRole.HR)


@pytest.fixture(autouse=True)
def secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("EE_SECRET_KEY", "cd" * 32)
    monkeypatch.setenv("EE_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def engine(app_db):
    engine = make_engine(app_db)
    yield engine
    engine.dispose()


def page(make_app, path, language="en"):
    at = make_app("hr@demo.example", language)
    at.run()
    at.switch_page(path)
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_audit_log_reads_plainly_and_filters(make_app, engine):
    with read_session(engine) as session:
        opened = session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "wave.open")
        )
        total = session.scalar(select(func.count()).select_from(AuditLog))
    assert opened >= 1
    at = page(make_app, "ee_app/pages/audit.py")
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

    chinese = page(make_app, "ee_app/pages/audit.py", "zh-CN")
    actions = chinese.dataframe[0].value["操作"]
    assert actions.str.contains(r"[\u4e00-\u9fff]").all()
    assert {b.label for b in chinese.get("download_button")} == {"导出（Excel）", "导出（CSV）"}


def test_a_lost_link_is_replaced_on_the_surveys_page(make_app, engine):
    today = date.today()
    settings = Settings.from_env()
    with write_session(engine) as session:
        waves.create_wave(
            session,
            HR,
            code="T-1",
            name="Pulse T-1",
            unit_codes=["SH01"],
            opens_on=today,
            closes_on=today + timedelta(days=14),
        )
    with write_session(engine) as session:
        waves.open_wave(session, HR, "T-1", settings)
    with read_session(engine) as session:
        first = waves.invitation_links(session, HR, "T-1", settings)[0]
    at = make_app("hr@demo.example")
    at.run()
    at.switch_page("ee_app/pages/surveys.py")
    at.run()
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
        old_state = answering.open_link(session, parse_qs(urlparse(first.link).query)["t"][0])
        new_state = answering.open_link(session, parse_qs(urlparse(new).query)["t"][0])
    assert old_state.state is answering.LinkState.UNKNOWN
    assert new_state.state is answering.LinkState.READY
