"""Reminders reach pending people with their own links, through a real SMTP server and a
WeCom-protocol server on loopback, and leave only counts behind (SQLite and PostgreSQL)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from ee_app.auth import Actor
from ee_app.config import Settings
from ee_app.db import read_session, write_session
from ee_app.errors import ConfigError, Conflict, PermissionDenied
from ee_app.keys import secret_key
from ee_app.models import AuditLog, ReminderRun, UserRole
from ee_app.services import answering, waves
from ee_app.services.answering import LinkState
from ee_app.services.reminder_channels import make_channel
from ee_app.services.reminders import (
    missing_contacts,
    plan_reminders,
    reminder_runs,
    send_reminders,
)
from tests.messaging.servers import AGENT_ID, CORP_ID, SECRET, WecomState, smtp_server, wecom_server
from tests.messaging.test_channels import FakeTime
from tests.reminder_org import PEOPLE, TODAY, WAVE, build_chain, links, open_wave, token

SECRET_COMMENT = "店长总是拖欠加班费"


@pytest.fixture
def env(monkeypatch, tmp_path):
    """Sets the environment; returns a function that reads the settings with extra values."""
    monkeypatch.setenv("EE_SECRET_KEY", "cd" * 32)
    monkeypatch.setenv("EE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("EE_PUBLIC_URL", "https://ee.chain.test")
    monkeypatch.setenv("EE_REMINDER_RATE", "1000")

    def settings(**values: str) -> Settings:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        return Settings.from_env()

    return settings


@pytest.fixture
def wave(engine, hr, env):
    build_chain(engine)
    settings = env()
    open_wave(engine, hr, settings)
    return settings


def answer(engine, settings, link: str) -> None:
    answering.submit(
        engine, token(link), {"a01": 4}, 9, SECRET_COMMENT, key=secret_key(settings), today=TODAY
    )


def everything_stored(engine) -> str:
    with read_session(engine) as session:
        runs = session.scalars(select(ReminderRun)).all()
        entries = session.scalars(select(AuditLog).where(AuditLog.action == "wave.remind")).all()
        return repr(
            [(r.channel, r.actor, r.attempted, r.outcome) for r in runs]
            + [(e.action, e.object_id, e.detail) for e in entries]
        )


def assert_no_person_in(text: str, personal_links: dict[str, str]) -> None:
    for no, name, _store, email, wecom in PEOPLE:
        for value in (no, name, email, wecom, token(personal_links[no])):
            if value:
                assert value not in text, value


def test_email_reaches_each_pending_person_with_their_own_working_link(
    engine, hr, wave, env, caplog
):
    by_no = links(engine, hr, wave)
    answer(engine, wave, by_no["R1"])
    answer(engine, wave, by_no["R6"])  # answered, without a contact: still listed
    caplog.set_level(logging.DEBUG)
    with smtp_server() as (controller, inbox):
        settings = env(
            EE_SMTP_HOST="127.0.0.1",
            EE_SMTP_PORT=str(controller.port),
            EE_SMTP_SECURITY="none",
            EE_SMTP_SENDER="hr@chain.test",
        )
        with write_session(engine) as session:
            plan = plan_reminders(session, hr, WAVE, "email", settings)
        with write_session(engine) as session:
            result = send_reminders(session, hr, WAVE, "email", settings)

    pending_with_email = {"R2", "R3", "R4", "R5", "R8"}
    emails = {no: email for no, _n, _s, email, _w in PEOPLE}
    assert plan.recipients == 5
    assert [m.employee_no for m in plan.missing] == ["R6", "R7"]  # the whole audience
    assert "…" in plan.sample.body and "2026-11-20" in plan.sample.body
    assert sorted(m["To"] for m in inbox.messages) == sorted(emails[n] for n in pending_with_email)
    for message in inbox.messages:
        no = next(n for n, e in emails.items() if e == message["To"])
        body = message.get_content()
        assert by_no[no] in body  # their own link …
        others = [by_no[n] for n in by_no if n != no]
        assert not any(link in body for link in others)  # … and no one else's
        assert SECRET_COMMENT not in body and "2026-11-20" in body
        with read_session(engine) as session:
            assert answering.open_link(session, token(by_no[no]), today=TODAY).state is (
                LinkState.READY
            )
    assert (result.attempted, result.sent, result.no_contact) == (5, 5, 2)

    with read_session(engine) as session:
        runs = reminder_runs(session, hr, WAVE)
    assert [(r.channel, r.attempted, r.sent, r.no_contact, r.interrupted) for r in runs] == [
        ("email", 5, 5, 2, False)
    ]
    assert_no_person_in(everything_stored(engine), by_no)
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("ee_app"))
    assert "5 sent" in ours  # the app logs the run, by counts …
    assert_no_person_in(ours, by_no)  # … and no one in it


def test_wecom_message_refreshes_the_token_retries_when_limited_and_counts_invalid_users(
    engine, hr, wave, env
):
    by_no = links(engine, hr, wave)
    answer(engine, wave, by_no["R1"])
    state = WecomState(members={"Qian2", "Sun3", "Li4", "Zheng7"}, planned=[42001, 45009])
    time = FakeTime()
    with wecom_server(state) as base:
        settings = env(
            EE_WECOM_CORP_ID=CORP_ID,
            EE_WECOM_SECRET=SECRET,
            EE_WECOM_AGENT_ID=AGENT_ID,
            EE_WECOM_BASE_URL=base,
        )
        transport = make_channel(settings, "wecom", clock=time.clock, sleep=time.sleep)
        with write_session(engine) as session:
            result = send_reminders(session, hr, WAVE, "wecom", settings, transport=transport)
    assert (result.attempted, result.sent, result.failed) == (5, 4, {"invalid_user": 1})
    assert result.no_contact == 2  # R5 and R6, whoever answered
    assert state.tokens_issued == 2 and 1.0 in time.slept
    wecom_of = {w: no for no, _n, _s, _e, w in PEOPLE if w}
    for message in state.sent:
        assert message["textcard"]["url"] == by_no[wecom_of[message["touser"]]]
    assert "Zhao1" not in {m["touser"] for m in state.sent}  # answered
    with read_session(engine) as session:
        (run,) = reminder_runs(session, hr, WAVE)
    assert run.failed == {"invalid_user": 1}
    assert_no_person_in(everything_stored(engine), by_no)


def test_group_robot_posts_a_general_nudge_without_links_or_names(engine, hr, wave, env):
    by_no = links(engine, hr, wave)
    state = WecomState(robot_keys={"key-s1", "key-s2"})
    with wecom_server(state) as base:
        settings = env(EE_WECOM_BASE_URL=base, EE_WECOM_ROBOT_KEYS="S1=key-s1,ELSEWHERE=key-x")
        with write_session(engine) as session:
            result = send_reminders(session, hr, WAVE, "robot", settings)
    assert (result.attempted, result.sent) == (1, 1)
    (post,) = state.posted
    text = post["text"]["content"]
    assert post["key"] == "key-s1" and "2026-11-20" in text
    assert "https://" not in text and "?t=" not in text and "mentioned_list" not in post["text"]
    assert_no_person_in(text, by_no)


def test_dry_run_sends_and_records_nothing(engine, hr, wave, env):
    settings = env(EE_SMTP_HOST="127.0.0.1", EE_SMTP_PORT="9", EE_SMTP_SENDER="hr@chain.test")
    with write_session(engine) as session:
        result = send_reminders(session, hr, WAVE, "email", settings, dry_run=True)
    assert (result.attempted, result.sent, result.dry_run) == (6, 0, True)
    assert everything_stored(engine) == "[]"


def test_only_hr_and_only_open_waves_and_configured_channels(engine, hr, wave, env):
    manager = Actor(email="m@chain.test", role=UserRole.MANAGER, scope=frozenset({1, 2, 3, 4}))
    with write_session(engine) as session:
        for call in (
            lambda: send_reminders(session, manager, WAVE, "email", wave),
            lambda: plan_reminders(session, manager, WAVE, "email", wave),
            lambda: reminder_runs(session, manager, WAVE),
            lambda: missing_contacts(session, manager, WAVE, "email"),
        ):
            with pytest.raises(PermissionDenied):
                call()
        with pytest.raises(ConfigError):
            send_reminders(session, hr, WAVE, "email", wave)  # no SMTP configured
    with write_session(engine) as session:
        waves.close_wave(session, hr, WAVE, wave)
    with write_session(engine) as session, pytest.raises(Conflict):
        send_reminders(session, hr, WAVE, "email", wave, dry_run=True)
