"""The channels' settings: read from the environment, refused by name when wrong, refused
in production when copied from an example, and never printed."""

from __future__ import annotations

import pytest

from ee_app.cli import main
from ee_app.config import Settings
from ee_app.errors import ConfigError
from ee_app.production import production_problems
from tests.test_config import GOOD_AUTH, GOOD_ENV

SMTP = {"EE_SMTP_HOST": "smtp.exmail.qq.com", "EE_SMTP_SENDER": "hr@meili-clinic.cn"}
WECOM = {"EE_WECOM_CORP_ID": "ww1f2e3d", "EE_WECOM_AGENT_ID": "1000002", "EE_WECOM_SECRET": "s3"}


@pytest.mark.parametrize(
    ("environ", "channels"),
    [
        ({}, ()),
        (SMTP, ("email",)),
        ({**SMTP, **WECOM}, ("email", "wecom")),
        ({"EE_WECOM_ROBOT_KEYS": "SH01=k1, SH02=k2"}, ("robot",)),
        ({**WECOM, "EE_WECOM_SECRET": ""}, ()),  # half a WeCom application is none
    ],
)
def test_configured_channels(environ, channels):
    assert Settings.from_env(environ).messaging.channels == channels


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"EE_SMTP_PORT": "smtp"}, "EE_SMTP_PORT"),
        ({"EE_SMTP_PORT": "70000"}, "EE_SMTP_PORT"),
        ({"EE_SMTP_SECURITY": "tls"}, "EE_SMTP_SECURITY"),
        ({"EE_SMTP_HOST": "smtp.qq.com"}, "EE_SMTP_SENDER"),
        ({**SMTP, "EE_SMTP_SENDER": "hr"}, "EE_SMTP_SENDER"),
        ({"EE_WECOM_ROBOT_KEYS": "SH01"}, "EE_WECOM_ROBOT_KEYS"),
        ({"EE_WECOM_BASE_URL": "qyapi.weixin.qq.com"}, "EE_WECOM_BASE_URL"),
        ({"EE_REMINDER_RATE": "0"}, "EE_REMINDER_RATE"),
        ({"EE_REMINDER_RATE": "fast"}, "EE_REMINDER_RATE"),
        ({**SMTP, "EE_SMTP_CA_FILE": "/no/such/ca.pem"}, "EE_SMTP_CA_FILE"),
    ],
)
def test_a_wrong_value_is_refused_by_name(environ, named):
    with pytest.raises(ConfigError, match=named):
        Settings.from_env(environ)


@pytest.mark.parametrize(
    ("environ", "refused"),
    [
        ({**SMTP, **WECOM, "EE_WECOM_ROBOT_KEYS": "SH01=6a1f0e"}, None),
        ({**SMTP, "EE_SMTP_PASSWORD": "change-me"}, "EE_SMTP_PASSWORD"),
        ({**SMTP, "EE_SMTP_HOST": "smtp.example.com"}, "EE_SMTP_HOST"),
        ({**WECOM, "EE_WECOM_SECRET": "your-secret"}, "EE_WECOM_SECRET"),
        ({"EE_WECOM_ROBOT_KEYS": "SH01=REPLACE_ME"}, "EE_WECOM_ROBOT_KEYS"),
        ({"EE_WECOM_BASE_URL": "http://127.0.0.1:9000"}, "EE_WECOM_BASE_URL"),
    ],
)
def test_production_refuses_copied_values(environ, refused):
    merged = {**GOOD_ENV, **environ}
    found = [p.render() for p in production_problems(Settings.from_env(merged), GOOD_AUTH, merged)]
    assert (refused is None and found == []) or any(refused in p for p in found), found


def test_secrets_are_never_printed(monkeypatch, capsys):
    secrets = {
        "EE_SMTP_PASSWORD": "pw-0f9e8d7c",
        "EE_WECOM_SECRET": "sec-1a2b3c4d",
        "EE_WECOM_ROBOT_KEYS": "SH01=robot-5e6f7a8b",
    }
    for name, value in {**SMTP, **WECOM, **secrets}.items():
        monkeypatch.setenv(name, value)
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    text = out + repr(Settings.from_env())
    for value in ("pw-0f9e8d7c", "sec-1a2b3c4d", "robot-5e6f7a8b"):
        assert value not in text
    assert "EE_SMTP_PASSWORD=(set, not shown)" in out
    assert "EE_SMTP_HOST=smtp.exmail.qq.com" in out
