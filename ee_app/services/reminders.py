"""Reminders that reach people: each pending person gets their own link, by e-mail or WeCom,
and a group robot posts a general nudge into store group chats.

What is kept is a :class:`~ee_app.models.ReminderRun` per sending with counts only (attempted,
sent, failed by reason, no contact) and an audit entry with the same counts. Nothing is stored
or logged per person: no address, no link, no name, in no table and no log line. A
per-person record with a time would tell who had not answered by when.

People without a contact on a channel are listed over the wave's *whole* audience (answered
or not), and counted the same way in the log, so the list says nothing about who answered.
Only HR (``MANAGE_SURVEYS``) prepares, sends and reads reminders; managers can do none of it.

Sending takes time (a rate limit, retries), so it happens outside any database transaction:
the run is written first (attempted, started), the messages go, then the run gets its
outcome. A run without a finish time was interrupted.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ee_app.auth import Actor, Permission, require
from ee_app.config import Settings
from ee_app.errors import N_, Conflict
from ee_app.keys import secret_key
from ee_app.messaging import Channel, Message, Status
from ee_app.models import (
    OrgUnit,
    ReminderRun,
    Staff,
    SurveyInvitation,
    SurveyWave,
    SurveyWaveUnit,
    WaveStatus,
    utcnow,
)
from ee_app.services import audit
from ee_app.services.org import expand_scope, store_id_of
from ee_app.services.reminder_channels import (
    SAMPLE_TOKEN,
    check_channel,
    make_channel,
    reminder_message,
)
from ee_app.services.wave_access import wave_by_code
from ee_app.services.waves import survey_token

__all__ = [
    "REASONS",
    "MissingContact",
    "ReminderPlan",
    "ReminderResult",
    "ReminderRunRow",
    "missing_contacts",
    "plan_reminders",
    "reminder_runs",
    "send_reminders",
]

log = logging.getLogger(__name__)

#: The reason codes the channels give (ee_app.messaging), in words.
REASONS = {
    "invalid_address": N_("address refused"),
    "invalid_user": N_("not a WeCom member of the application"),
    "rejected": N_("refused by the server"),
    "server_busy": N_("server busy"),
    "rate_limited": N_("too many messages at once"),
    "connection": N_("no connection"),
    "not_authorised": N_("the server refused our credentials"),
    "personal_link_in_group": N_("a personal link may not go to a group"),
    "unexpected": N_("an unexpected error (see the server log)"),
}
#: The person's contact each channel writes to (the robot writes to groups).
_CONTACT = {"email": Staff.email, "wecom": Staff.wecom_userid}


@dataclass(frozen=True)
class MissingContact:
    employee_no: str
    name: str
    store: str


@dataclass(frozen=True)
class ReminderPlan:
    """What sending would do: how many messages (pending people with a contact, or robot
    groups), who in the whole audience has no contact, and the message as it will read."""

    channel: str
    recipients: int
    missing: tuple[MissingContact, ...]
    sample: Message | None


Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]


def _counts_in_words(
    channel: str,
    sent: int,
    failed: dict[str, int],
    no_contact: int,
    _: Gettext,
    ngettext: Ngettext,
) -> str:
    """ "4 messages sent; 1 not delivered: not a WeCom member of the application; 2 people in
    the audience have no contact" (robot: group messages, and no contacts to speak of)."""
    if channel == "robot":
        parts = [
            ngettext("{count} group message sent", "{count} group messages sent", sent).format(
                count=sent
            )
        ]
    else:
        parts = [ngettext("{count} message sent", "{count} messages sent", sent).format(count=sent)]
    for reason, count in sorted(failed.items()):
        words = _(REASONS[reason]) if reason in REASONS else _("another reason")
        parts.append(
            ngettext(
                "{count} not delivered: {reason}", "{count} not delivered: {reason}", count
            ).format(count=count, reason=words)
        )
    if channel != "robot" and no_contact:
        parts.append(
            ngettext(
                "{count} person in the audience has no contact on this channel",
                "{count} people in the audience have no contact on this channel",
                no_contact,
            ).format(count=no_contact)
        )
    return "; ".join(parts)


def _merged(*counts: dict[str, int]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for c in counts:
        total.update(c)
    return dict(total)


def _run_in_words(run: ReminderResult | ReminderRunRow, _: Gettext, ngettext: Ngettext) -> str:
    """A finished run's counts in words: sent, refused or given up (one list), no contact."""
    failed = _merged(run.failed, run.gave_up)
    return _counts_in_words(run.channel, run.sent, failed, run.no_contact, _, ngettext)


@dataclass(frozen=True)
class ReminderResult:
    channel: str
    attempted: int
    sent: int
    failed: dict[str, int] = field(default_factory=dict)  # reason → count, refused for good
    gave_up: dict[str, int] = field(default_factory=dict)  # reason → count, after retries
    no_contact: int = 0  # in the whole audience
    dry_run: bool = False
    run_id: int | None = None

    def render(self, _: Gettext, ngettext: Ngettext) -> str:
        if self.dry_run:
            return ngettext(
                "Dry run: {count} message would be sent; nothing was sent or recorded.",
                "Dry run: {count} messages would be sent; nothing was sent or recorded.",
                self.attempted,
            ).format(count=self.attempted)
        return _run_in_words(self, _, ngettext)


@dataclass(frozen=True)
class ReminderRunRow:
    id: int
    channel: str
    actor: str
    started_at: datetime
    finished_at: datetime | None
    attempted: int
    sent: int
    failed: dict[str, int]
    gave_up: dict[str, int]
    no_contact: int

    @property
    def interrupted(self) -> bool:
        return self.finished_at is None

    def render(self, _: Gettext, ngettext: Ngettext) -> str:
        if self.interrupted:
            return ngettext(
                "interrupted while sending {count} message",
                "interrupted while sending {count} messages",
                self.attempted,
            ).format(count=self.attempted)
        return _run_in_words(self, _, ngettext)


def missing_contacts(
    session: Session, actor: Actor, wave_code: int | str, channel: str
) -> list[MissingContact]:
    """Everyone invited to the wave, answered or not, who has no contact on ``channel``
    (nobody, for the group robot)."""
    require(actor, Permission.MANAGE_SURVEYS)
    check_channel(channel)
    wave = wave_by_code(session, wave_code)
    if channel not in _CONTACT:
        return []
    contact = _CONTACT[channel]
    unit = OrgUnit.__table__.alias("unit")
    store = OrgUnit.__table__.alias("store")
    rows = session.execute(
        select(Staff.employee_no, Staff.name, store.c.name)
        .join(SurveyInvitation, SurveyInvitation.staff_id == Staff.id)
        .join(unit, unit.c.id == SurveyInvitation.unit_id)
        .join(store, store.c.id == store_id_of(unit))
        .where(SurveyInvitation.wave_id == wave.id)
        .where((contact.is_(None)) | (contact == "") | Staff.anonymised_at.is_not(None))
        .order_by(store.c.name, Staff.employee_no)
    )
    return [MissingContact(no, name, store_name) for no, name, store_name in rows]


def _pending(
    session: Session, wave: SurveyWave, channel: str, settings: Settings
) -> list[tuple[str, str]]:
    """(contact, personal link) of each pending person with a contact on ``channel``."""
    contact = _CONTACT[channel]
    key = secret_key(settings)
    base = f"{settings.public_url}/survey?t="
    rows = session.execute(
        select(contact, SurveyInvitation.staff_id, SurveyInvitation.generation)
        .join(Staff, Staff.id == SurveyInvitation.staff_id)
        .where(
            SurveyInvitation.wave_id == wave.id,
            SurveyInvitation.responded.is_(False),
            contact.is_not(None),
            contact != "",
            Staff.anonymised_at.is_(None),
        )
    )
    return [
        (address, base + survey_token(key, wave.id, staff_id, generation))
        for address, staff_id, generation in rows
    ]


def _robot_keys(session: Session, wave: SurveyWave, settings: Settings) -> list[str]:
    """The webhook keys of robots whose unit overlaps the wave's audience."""
    keys = settings.messaging.wecom.robot_keys
    if not keys:
        return []
    roots = session.scalars(
        select(SurveyWaveUnit.unit_id).where(SurveyWaveUnit.wave_id == wave.id)
    ).all()
    audience = expand_scope(session, roots)
    units = {
        code: uid
        for code, uid in session.execute(
            select(OrgUnit.code, OrgUnit.id).where(OrgUnit.code.in_(list(keys)))
        )
    }
    return [
        key
        for code, key in sorted(keys.items())
        if code in units and expand_scope(session, [units[code]]) & audience
    ]


def _open_wave(session: Session, wave_code: int | str) -> SurveyWave:
    wave = wave_by_code(session, wave_code)
    if wave.status is not WaveStatus.OPEN:
        raise Conflict(
            N_("Reminders go only for an open wave; wave “{code}” is not open."), code=wave.code
        )
    return wave


def plan_reminders(
    session: Session, actor: Actor, wave_code: int | str, channel: str, settings: Settings
) -> ReminderPlan:
    """How many messages sending would make, who has no contact (whole audience), and the
    message with a sample link."""
    require(actor, Permission.MANAGE_SURVEYS)
    check_channel(channel)
    wave = _open_wave(session, wave_code)
    missing = tuple(missing_contacts(session, actor, wave.id, channel))
    if channel == "robot":
        recipients = len(_robot_keys(session, wave, settings))
        sample = reminder_message(wave, channel, "", None)
    else:
        recipients = len(_pending(session, wave, channel, settings))
        link = f"{settings.public_url}/survey?t={SAMPLE_TOKEN}"
        sample = reminder_message(wave, channel, "", link)
    return ReminderPlan(channel, recipients, missing, sample)


def send_reminders(
    session: Session,
    actor: Actor,
    wave: int | str,
    channel: str,
    settings: Settings,
    *,
    transport: Channel | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ReminderResult:
    """Send every pending person of the open ``wave`` with a contact on ``channel`` their own
    link (``robot``: one general nudge per group whose unit is in the audience) and log the
    counts. ``transport`` replaces the configured channel (tests, or a caller's own pacing);
    ``dry_run`` counts without sending or recording anything."""
    require(actor, Permission.MANAGE_SURVEYS)
    check_channel(channel)
    row = _open_wave(session, wave)
    wave_id, wave_code = row.id, row.code
    no_contact = len(missing_contacts(session, actor, wave_id, channel))
    if channel == "robot":
        keys = _robot_keys(session, row, settings)
        messages = [reminder_message(row, channel, key, None) for key in keys]
    else:
        messages = [
            reminder_message(row, channel, address, link)
            for address, link in _pending(session, row, channel, settings)
        ]
    if dry_run:
        session.rollback()
        return ReminderResult(channel, len(messages), 0, no_contact=no_contact, dry_run=True)
    sender = transport or make_channel(settings, channel)

    run = ReminderRun(wave_id=wave_id, channel=channel, actor=actor.email, attempted=len(messages))
    run.outcome = {"no_contact": no_contact}
    session.add(run)
    session.flush()
    run_id = run.id
    session.commit()  # on record before anything leaves; no transaction open while sending
    log.info("reminders: wave %s, %s, %d messages", wave_code, channel, len(messages))
    try:
        outcomes = sender.send(messages, progress)
    except BaseException:
        log.warning("reminders: wave %s, %s interrupted", wave_code, channel)
        raise
    finally:
        del messages  # addresses and links leave memory with the batch
    sent = sum(1 for o in outcomes if o.sent)
    failed = Counter(o.reason for o in outcomes if o.status is Status.FAILED_PERMANENT)
    gave_up = Counter(o.reason for o in outcomes if o.status is Status.FAILED_AFTER_RETRIES)
    outcome = {
        "sent": sent,
        "failed": dict(sorted(failed.items())),
        "gave_up": dict(sorted(gave_up.items())),
        "no_contact": no_contact,
    }
    stored = session.get(ReminderRun, run_id)
    assert stored is not None
    stored.outcome = outcome
    stored.finished_at = utcnow()
    audit.record(
        session,
        actor,
        "wave.remind",
        "survey_wave",
        wave_id,
        channel=channel,
        attempted=len(outcomes),
        sent=sent,
        failed=sum(failed.values()) + sum(gave_up.values()),
        no_contact=no_contact,
    )
    session.commit()
    log.info(
        "reminders: wave %s, %s: %d sent, %d failed",
        wave_code,
        channel,
        sent,
        len(outcomes) - sent,
    )
    return ReminderResult(
        channel,
        len(outcomes),
        sent,
        dict(failed),
        dict(gave_up),
        no_contact,
        run_id=run_id,
    )


def reminder_runs(session: Session, actor: Actor, wave_code: int | str) -> list[ReminderRunRow]:
    """The wave's reminder runs, newest first (HR only)."""
    require(actor, Permission.MANAGE_SURVEYS)
    wave = wave_by_code(session, wave_code)
    runs = session.scalars(
        select(ReminderRun)
        .where(ReminderRun.wave_id == wave.id)
        .order_by(ReminderRun.started_at.desc(), ReminderRun.id.desc())
    )
    return [
        ReminderRunRow(
            r.id,
            r.channel,
            r.actor,
            r.started_at,
            r.finished_at,
            r.attempted,
            int((r.outcome or {}).get("sent", 0)),
            dict((r.outcome or {}).get("failed", {})),
            dict((r.outcome or {}).get("gave_up", {})),
            int((r.outcome or {}).get("no_contact", 0)),
        )
        for r in runs
    ]
