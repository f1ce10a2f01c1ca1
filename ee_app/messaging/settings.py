"""The settings of the messaging channels, from ``EE_SMTP_*``, ``EE_WECOM_*`` and
``EE_REMINDER_RATE``: declared here (``ee_app.config.SETTINGS`` includes them), read by
:func:`read_messaging`, checked for production by :func:`messaging_problems`.

A channel is *configured* when its required values are set: e-mail needs a host and a sender;
WeCom application messages a corp id, the application's secret and its agent id; a group
robot one ``UNIT=KEY`` pair. The passwords, the secret and the robot keys are secrets:
``ee-app config show`` never prints them, nor does any ``repr``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ee_app.errors import N_, ConfigError, Problem

__all__ = [
    "DEFAULT_BASE_URL",
    "EMAIL_SHAPE",
    "MESSAGING_SETTINGS",
    "SECURITY",
    "MessagingSettings",
    "SmtpConfig",
    "WecomConfig",
    "messaging_problems",
    "read_messaging",
]

# The channels' configurations live here, not beside the channels, so that reading the
# settings (every command does) imports neither smtplib, ssl and email nor urllib.request
# (issue 20); ``ee_app.messaging.smtp`` and ``.wecom`` import them from here.

#: How the connection is protected: STARTTLS on a plain port (587), TLS from the start
#: (465), or nothing (a relay on the same host or a test server).
SECURITY = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 587
    security: str = "starttls"
    user: str = ""
    password: str = ""
    sender: str = ""
    timeout: float = 30.0
    #: A PEM file of the CA to trust instead of the system's (a relay with a private CA).
    ca_file: str = ""

    def __repr__(self) -> str:  # never the password, whatever prints the settings
        return (
            f"SmtpConfig(host={self.host!r}, port={self.port}, security={self.security!r}, "
            f"user={self.user!r}, password={'***' if self.password else ''!r}, "
            f"sender={self.sender!r})"
        )


DEFAULT_BASE_URL = "https://qyapi.weixin.qq.com"


@dataclass(frozen=True)
class WecomConfig:
    corp_id: str = ""
    secret: str = field(default="", repr=False)
    agent_id: str = ""
    base_url: str = DEFAULT_BASE_URL
    #: Group robots: unit code → webhook key (the key is what lets anyone post: a secret).
    robot_keys: Mapping[str, str] = field(default_factory=dict, repr=False)
    timeout: float = 15.0

    @property
    def app_configured(self) -> bool:
        return bool(self.corp_id and self.secret and self.agent_id)


#: A plausible e-mail address: something@domain.tld, no spaces (what the roster accepts too).
EMAIL_SHAPE = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]{2,}$")

#: (name, default, help, secret): made into ``ee_app.config.Setting`` entries.
MESSAGING_SETTINGS: tuple[tuple[str, str, str, bool], ...] = (
    ("EE_SMTP_HOST", "", "SMTP server for e-mail reminders. Empty: no e-mail.", False),
    ("EE_SMTP_PORT", "587", "SMTP port: 587 for STARTTLS, 465 for SSL, 25 for a relay.", False),
    ("EE_SMTP_SECURITY", "starttls", "starttls, ssl, or none (a relay on this host).", False),
    ("EE_SMTP_USER", "", "SMTP login name. Empty: send without logging in.", False),
    ("EE_SMTP_PASSWORD", "", "SMTP password (or the mailbox's authorisation code).", True),
    ("EE_SMTP_SENDER", "", "The From address of reminders, e.g. hr@your-chain.cn.", False),
    (
        "EE_SMTP_CA_FILE",
        "",
        "A PEM file of the CA that signed the SMTP server's certificate, for a relay with a "
        "private CA. Empty: the system's CAs.",
        False,
    ),
    ("EE_WECOM_CORP_ID", "", "WeCom corp id (企业ID) for application messages.", False),
    ("EE_WECOM_AGENT_ID", "", "The WeCom application's AgentId that sends reminders.", False),
    ("EE_WECOM_SECRET", "", "The WeCom application's Secret.", True),
    (
        "EE_WECOM_BASE_URL",
        DEFAULT_BASE_URL,
        "WeCom API address; change it only for a proxy or a test server.",
        False,
    ),
    (
        "EE_WECOM_ROBOT_KEYS",
        "",
        "Group robots: UNIT=KEY pairs, comma-separated (the unit code whose group chat the "
        "robot posts to, and its webhook key). They only post a general nudge, never a link.",
        True,
    ),
    (
        "EE_REMINDER_RATE",
        "5",
        "At most this many reminder messages a second, per channel.",
        False,
    ),
)


@dataclass(frozen=True)
class MessagingSettings:
    smtp: SmtpConfig | None = None
    wecom: WecomConfig = field(default_factory=WecomConfig)
    rate: float = 5.0

    @property
    def channels(self) -> tuple[str, ...]:
        """The configured channels, of ``email``, ``wecom`` and ``robot``."""
        found = []
        if self.smtp is not None:
            found.append("email")
        if self.wecom.app_configured:
            found.append("wecom")
        if self.wecom.robot_keys:
            found.append("robot")
        return tuple(found)


def _robot_keys(text: str) -> dict[str, str]:
    keys: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        unit, separator, key = pair.partition("=")
        if not separator or not unit.strip() or not key.strip():
            raise ConfigError(
                N_("EE_WECOM_ROBOT_KEYS takes UNIT=KEY pairs separated by commas."),
            )
        keys[unit.strip()] = key.strip()
    return keys


def read_messaging(values: Mapping[str, str]) -> MessagingSettings:
    """The channels' settings from the environment's values; :class:`ConfigError` naming the
    variable that is wrong."""
    port_text = values.get("EE_SMTP_PORT") or "587"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigError(N_("EE_SMTP_PORT must be a port number, not “{value}”."), value=port_text)
    security = (values.get("EE_SMTP_SECURITY") or "starttls").lower()
    if security not in SECURITY:
        raise ConfigError(
            N_("EE_SMTP_SECURITY must be starttls, ssl or none, not “{value}”."), value=security
        )
    try:
        rate = float(values.get("EE_REMINDER_RATE") or "5")
    except ValueError:
        rate = 0.0
    if not 0 < rate <= 1000:
        raise ConfigError(
            N_("EE_REMINDER_RATE must be a number of messages a second, not “{value}”."),
            value=values.get("EE_REMINDER_RATE", ""),
        )
    host = values.get("EE_SMTP_HOST", "")
    sender = values.get("EE_SMTP_SENDER", "") or values.get("EE_SMTP_USER", "")
    smtp = None
    if host:
        if not EMAIL_SHAPE.match(sender):
            raise ConfigError(N_("EE_SMTP_SENDER must be the e-mail address reminders come from."))
        ca_file = values.get("EE_SMTP_CA_FILE", "")
        if ca_file and not Path(ca_file).is_file():
            raise ConfigError(N_("EE_SMTP_CA_FILE “{value}” is not a file."), value=ca_file)
        smtp = SmtpConfig(
            ca_file=ca_file,
            host=host,
            port=int(port_text),
            security=security,
            user=values.get("EE_SMTP_USER", ""),
            password=values.get("EE_SMTP_PASSWORD", ""),
            sender=sender,
        )
    base_url = (values.get("EE_WECOM_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
    if urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).hostname:
        raise ConfigError(
            N_("EE_WECOM_BASE_URL must be a web address, not “{value}”."), value=base_url
        )
    wecom = WecomConfig(
        corp_id=values.get("EE_WECOM_CORP_ID", ""),
        secret=values.get("EE_WECOM_SECRET", ""),
        agent_id=values.get("EE_WECOM_AGENT_ID", ""),
        base_url=base_url,
        robot_keys=_robot_keys(values.get("EE_WECOM_ROBOT_KEYS", "")),
    )
    return MessagingSettings(smtp=smtp, wecom=wecom, rate=rate)


def messaging_problems(settings: MessagingSettings) -> list[Problem]:
    """What production refuses in the channels' settings: values copied from an example, and
    a WeCom address other than https. A channel left unset is no problem (not offered)."""
    from ee_app.placeholders import is_placeholder, is_placeholder_url

    problems = []
    smtp = settings.smtp
    if smtp is not None:
        for name, value in (
            ("EE_SMTP_HOST", smtp.host),
            ("EE_SMTP_SENDER", smtp.sender.rpartition("@")[2]),
        ):
            if is_placeholder(value):
                problems.append(_placeholder(name))
        if smtp.password and is_placeholder(smtp.password):
            problems.append(_placeholder("EE_SMTP_PASSWORD"))
    wecom = settings.wecom
    for name, value in (("EE_WECOM_CORP_ID", wecom.corp_id), ("EE_WECOM_SECRET", wecom.secret)):
        if value and is_placeholder(value):
            problems.append(_placeholder(name))
    if any(is_placeholder(key) for key in wecom.robot_keys.values()):
        problems.append(_placeholder("EE_WECOM_ROBOT_KEYS"))
    if urlsplit(wecom.base_url).scheme != "https" or is_placeholder_url(wecom.base_url):
        problems.append(
            Problem(
                N_("EE_WECOM_BASE_URL “{value}” must be WeCom's https:// address"),
                {"value": wecom.base_url},
            )
        )
    return problems


def _placeholder(name: str) -> Problem:
    return Problem(
        N_("{name} is still an example's placeholder: set your own value or leave it empty"),
        {"name": name},
    )
