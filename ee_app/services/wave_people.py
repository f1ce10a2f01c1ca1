"""People of an open wave after it opened: late joiners, and one person's lost link.

**Late joiners.** Opening a wave invites the audience of that day
(:func:`ee_app.services.waves.open_wave`). People hired later, or moved into the audience
from elsewhere, have no link; :func:`add_late_joiners` invites everyone in the audience
*today* (current roster assignments) who has no invitation yet, optionally only under some
units, and hands back their links. :func:`late_joiners` counts them first, for the
confirmation.

Their reporting attributes follow the rules of opening:
:func:`~ee_app.services.wave_audience.pool_attributes` for unit, role and tenure band (k) and
:func:`~ee_app.analysis.comment_groups.comment_buckets` for the comment unit (k_c), computed
over the wave's invitees *including the new ones*. The existing invitations keep the
attributes they have (answers already sent carry them, sealed), and they are counted at
those stored attributes, so a late joiner lands in a group that, with them, holds at least
k invitations wherever the pooling can make it so. That is a courtesy, not the guarantee:
closing re-pools every answer by *respondents*
(:func:`~ee_app.services.wave_shuffle.pool_and_shuffle`), exactly as for a wave without late
joiners, so the stored groups of the results hold no one or at least k respondents
whatever happened while the wave was open. (Example: a single new front-desk person in a
store whose invitees are all beauticians is stored at store level, role and band pooled:
the only group that can hold them truthfully. While the wave is open their answer is
sealed; at closing, a store-level group of fewer than k respondents is pooled further.)

**Lost links.** A personal link is derived from the server key, the wave, the person and the
invitation's ``generation``; only its hash is stored. :func:`reissue_link` bumps the
generation and replaces the hash in one conditional ``UPDATE`` that matches only an unused
invitation, so the old link stops working at once (the survey page then says the link is not
valid and to use the newest one) and a link can never be re-issued to answer twice, even
racing a submission. :func:`ee_app.services.waves.invitation_links` derives the new link
from then on.

Audit entries hold counts and unit codes, never a name: an entry naming who got a new link
would say that this person had not answered at that moment.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ee_app import clock
from ee_app.analysis.comment_groups import comment_buckets
from ee_app.auth import Actor, Permission, require
from ee_app.config import Settings
from ee_app.errors import N_, Conflict, NotFound, ValidationError
from ee_app.keys import hash_token, secret_key
from ee_app.models import OrgUnit, Staff, SurveyInvitation, SurveyWave, WaveStatus
from ee_app.services import audit
from ee_app.services._tx import transactional
from ee_app.services.org import expand_scope
from ee_app.services.wave_access import wave_by_code
from ee_app.services.wave_audience import (
    Combo,
    Invitee,
    audience,
    pool_attributes,
    unit_parents,
)
from ee_app.services.waves import (
    InvitationLink,
    insert_invitations,
    invitation_links,
    survey_token,
)

__all__ = ["JoinersAdded", "add_late_joiners", "late_joiners", "reissue_link"]

#: ``survey_invitation.generation`` is a SMALLINT.
MAX_GENERATION = 32_000


@dataclass(frozen=True)
class JoinersAdded:
    """What :func:`add_late_joiners` did: how many were invited and their links."""

    count: int
    links: list[InvitationLink]


def _open_wave(session: Session, wave_code: int | str) -> SurveyWave:
    wave = wave_by_code(session, wave_code)
    if wave.status is not WaveStatus.OPEN:
        raise Conflict(
            N_(
                "Wave “{code}” is not open: people can be added and links replaced only while "
                "a wave is open."
            ),
            code=wave.code,
        )
    return wave


def _new_people(
    session: Session, wave: SurveyWave, unit_codes: Sequence[str] | None, on: date
) -> list[Invitee]:
    """The wave's audience on ``on`` without an invitation, under ``unit_codes`` if given."""
    everyone = audience(session, wave, on)
    invited = set(
        session.scalars(
            select(SurveyInvitation.staff_id).where(SurveyInvitation.wave_id == wave.id)
        )
    )
    fresh = [i for i in everyone if i.staff_id not in invited]
    if unit_codes:
        units = session.scalars(select(OrgUnit).where(OrgUnit.code.in_(list(unit_codes)))).all()
        missing = sorted(set(unit_codes) - {u.code for u in units})
        if missing:
            raise ValidationError(N_("Unknown units {codes}."), codes=", ".join(missing))
        under = expand_scope(session, [u.id for u in units])
        fresh = [i for i in fresh if i.unit_id in under]
    return fresh


def late_joiners(
    session: Session,
    actor: Actor,
    wave_code: int | str,
    *,
    unit_codes: Sequence[str] | None = None,
    today: date | None = None,
) -> int:
    """How many people :func:`add_late_joiners` would invite now (for the confirmation)."""
    require(actor, Permission.MANAGE_SURVEYS)
    wave = _open_wave(session, wave_code)
    return len(_new_people(session, wave, unit_codes, today or clock.today()))


def _pooled(
    session: Session, wave: SurveyWave, fresh: list[Invitee]
) -> dict[int, tuple[int, str | None, str | None, int]]:
    """Reporting (unit, role, band) and comment unit of each new invitee, pooled over the
    wave's invitations at their stored attributes plus the new people at their own."""
    stored = session.execute(
        select(
            SurveyInvitation.report_unit_id,
            SurveyInvitation.report_role,
            SurveyInvitation.report_band,
            SurveyInvitation.comment_unit_id,
        ).where(SurveyInvitation.wave_id == wave.id)
    ).all()
    groups: Counter[Combo] = Counter((u, r, b) for u, r, b, _c in stored)
    groups.update((i.unit_id, i.role, i.band) for i in fresh)
    by_comment_unit: Counter[int] = Counter(c for *_rest, c in stored)
    by_comment_unit.update(i.unit_id for i in fresh)
    parents = unit_parents(session, {u for u, _r, _b in groups} | set(by_comment_unit))
    attributes = pool_attributes(groups, parents, wave.k)
    comment_unit = comment_buckets(parents, by_comment_unit, wave.k_comments)
    return {
        i.staff_id: (*attributes[(i.unit_id, i.role, i.band)], comment_unit[i.unit_id])
        for i in fresh
    }


@transactional
def add_late_joiners(
    session: Session,
    actor: Actor,
    wave_code: int | str,
    settings: Settings,
    *,
    unit_codes: Sequence[str] | None = None,
    today: date | None = None,
) -> JoinersAdded:
    """Invite everyone in the open wave's audience today who has no invitation yet (hired or
    moved in after opening), optionally only under ``unit_codes``; return how many and
    their personal links. HR only; audited with the count."""
    require(actor, Permission.MANAGE_SURVEYS)
    wave = _open_wave(session, wave_code)
    fresh = _new_people(session, wave, unit_codes, today or clock.today())
    if not fresh:
        return JoinersAdded(0, [])
    pooled = _pooled(session, wave, fresh)
    insert_invitations(session, secret_key(settings), wave.id, fresh, pooled)
    audit.record(
        session,
        actor,
        "wave.add_joiners",
        "survey_wave",
        wave.id,
        added=len(fresh),
        units=sorted(unit_codes or []),
    )
    session.flush()
    links = invitation_links(
        session, actor, wave.code, settings, staff_ids=[p.staff_id for p in fresh]
    )
    return JoinersAdded(len(fresh), links)


@transactional
def reissue_link(
    session: Session,
    actor: Actor,
    wave_code: int | str,
    employee_no: str,
    settings: Settings,
) -> InvitationLink:
    """Replace one person's lost link: the old one stops working, the new one is returned.

    Refused for a closed (or draft) wave and for someone who has already answered: a new
    link must never allow a second answer. HR only; audited without naming the person.
    """
    require(actor, Permission.MANAGE_SURVEYS)
    wave = _open_wave(session, wave_code)
    employee_no = employee_no.strip()
    row = session.execute(
        select(SurveyInvitation.id, SurveyInvitation.staff_id, SurveyInvitation.generation)
        .join(Staff, Staff.id == SurveyInvitation.staff_id)
        .where(SurveyInvitation.wave_id == wave.id, Staff.employee_no == employee_no)
    ).first()
    if row is None:
        raise NotFound(
            N_("Employee {employee} has no invitation to wave “{code}”."),
            employee=employee_no,
            code=wave.code,
        )
    invitation_id, staff_id, generation = row
    if generation >= MAX_GENERATION:
        raise Conflict(N_("This person's link cannot be replaced again."))
    new = generation + 1
    token = survey_token(secret_key(settings), wave.id, staff_id, new)
    changed = session.execute(
        update(SurveyInvitation)
        .where(
            SurveyInvitation.id == invitation_id,
            SurveyInvitation.generation == generation,
            SurveyInvitation.responded.is_(False),
        )
        .values(generation=new, token_hash=hash_token(token))
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise Conflict(
            N_(
                "Employee {employee} has already answered this wave: a new link would allow "
                "a second answer, so none is issued."
            ),
            employee=employee_no,
        )
    audit.record(session, actor, "wave.reissue", "survey_wave", wave.id, links=1)
    session.flush()
    return invitation_links(session, actor, wave.code, settings, staff_ids=[staff_id])[0]
