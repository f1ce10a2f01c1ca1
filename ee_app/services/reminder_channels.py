"""The channels reminders go out by: e-mail, a WeCom message, a WeCom group robot.

Which channels are configured (:func:`configured_channels`), the adapter of each
(:func:`make_channel`, on :mod:`ee_app.messaging`), and the message itself in the wave's
language (:func:`reminder_message`): a personal link for a person, never for a group.
"""

from __future__ import annotations

from collections.abc import Callable

from ee_app.config import Settings
from ee_app.errors import N_, ConfigError, NotFound
from ee_app.i18n import translator
from ee_app.messaging import Channel, Message, Pacer
from ee_app.messaging.smtp import SmtpChannel
from ee_app.messaging.wecom import WecomAppChannel, WecomRobotChannel
from ee_app.models import SurveyWave, WaveMode

__all__ = [
    "CHANNELS",
    "CHANNEL_NAMES",
    "SAMPLE_TOKEN",
    "check_channel",
    "configured_channels",
    "make_channel",
    "reminder_message",
]


CHANNELS = ("email", "wecom", "robot")


CHANNEL_NAMES = {
    "email": N_("E-mail"),
    "wecom": N_("WeCom message"),
    "robot": N_("WeCom group robot"),
}


#: Stands for a personal link in the preview.
SAMPLE_TOKEN = "…"  # noqa: S105 (not a secret)


def configured_channels(settings: Settings) -> tuple[str, ...]:
    return settings.messaging.channels


def make_channel(
    settings: Settings,
    channel: str,
    *,
    clock: Callable[[], float] | None = None,
    sleep: Callable[[float], None] | None = None,
) -> Channel:
    """The channel's adapter as configured; :class:`ConfigError` if it is not configured."""
    messaging = settings.messaging
    if channel not in messaging.channels:
        raise ConfigError(
            N_(
                "Reminders by {channel} are not configured: see docs/configuration.md, “Reminders”."
            ),
            channel=channel,
        )
    timing = {k: v for k, v in (("clock", clock), ("sleep", sleep)) if v is not None}
    pacer = Pacer(rate=messaging.rate, **timing)  # type: ignore[arg-type]
    if channel == "email":
        assert messaging.smtp is not None
        return SmtpChannel(messaging.smtp, pacer)
    if channel == "wecom":
        return WecomAppChannel(messaging.wecom, pacer, **({"clock": clock} if clock else {}))
    return WecomRobotChannel(messaging.wecom, pacer)


def check_channel(channel: str) -> None:
    if channel not in CHANNELS:
        raise NotFound(N_("No reminder channel “{channel}”."), channel=channel)


def reminder_message(wave: SurveyWave, channel: str, to: str, link: str | None) -> Message:
    """The reminder in the wave's language. The group robot's carries no link and no name."""
    _ = translator(wave.language)
    closes = wave.closes_on.isoformat()
    promise = (
        _("Your answers are confidential: they are only used in statistics over many people.")
        if wave.mode is WaveMode.CONFIDENTIAL
        else _("Your answers are anonymous: results are shown only for groups of at least {k}.")
    ).format(k=wave.k)
    subject = _("Reminder: “{wave}” closes on {closes}").format(wave=wave.name, closes=closes)
    if channel == "robot":
        body = _(
            "The survey “{wave}” is open until {closes}. If you have not answered yet, please "
            "use the personal link you received (by e-mail, WeCom or on a printed slip). Each "
            "link is personal: never share it in a group."
        ).format(wave=wave.name, closes=closes)
        return Message(to=to, subject=subject, body=f"{body}\n{promise}")
    if channel == "wecom":
        body = _(
            "The survey “{wave}” is open until {closes}. If you have not answered yet, open "
            "your personal link below. It is yours alone and works once."
        ).format(wave=wave.name, closes=closes)
        return Message(to=to, subject=subject, body=f"{body}\n{promise}", link=link)
    body = _(
        "Hello,\n\nthe survey “{wave}” is open until {closes}. If you have not answered yet, "
        "here is your personal link:\n\n{link}\n\nIt is yours alone and works once: please "
        "do not forward it."
    ).format(wave=wave.name, closes=closes, link=link)
    return Message(to=to, subject=subject, body=f"{body}\n\n{promise}")
