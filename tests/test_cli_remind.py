"""``ee-app wave remind`` and ``ee-app wave reminders`` against a local SMTP server."""

from __future__ import annotations

import pytest

from ee_app.cli import main
from ee_app.config import Settings
from tests.messaging.servers import smtp_server
from tests.reminder_org import WAVE, build_chain, open_wave


@pytest.fixture
def cli_env(cli_files, monkeypatch, engine, hr):
    monkeypatch.setenv("EE_SMTP_SECURITY", "none")
    monkeypatch.setenv("EE_SMTP_SENDER", "hr@chain.test")
    monkeypatch.setenv("EE_REMINDER_RATE", "1000")
    build_chain(engine)
    open_wave(engine, hr, Settings.from_env())
    return monkeypatch


def test_remind_by_email_then_read_the_log(cli_env, capsys):
    assert main(["wave", "reminders", WAVE]) == 0
    assert "No reminders were sent" in capsys.readouterr().out
    with smtp_server() as (controller, inbox):
        cli_env.setenv("EE_SMTP_HOST", "127.0.0.1")
        cli_env.setenv("EE_SMTP_PORT", str(controller.port))
        assert main(["wave", "remind", WAVE, "--by", "email", "--dry-run"]) == 0
        assert "6 messages would be sent" in capsys.readouterr().out
        assert inbox.messages == []
        assert main(["wave", "remind", WAVE, "--by", "email"]) == 0
        out = capsys.readouterr().out
    assert len(inbox.messages) == 6
    assert "6 messages sent" in out and "2 people in the audience have no contact" in out
    assert "@" not in out
    assert main(["wave", "reminders", WAVE]) == 0
    (line,) = capsys.readouterr().out.strip().splitlines()
    assert "E-mail" in line and "6 messages sent" in line and "chain.test" not in line


def test_remind_over_an_unconfigured_channel_exits_1(cli_env, capsys):
    assert main(["wave", "remind", WAVE, "--by", "wecom"]) == 1
    assert "not configured" in capsys.readouterr().err
