"""Pulse survey waves: create, list, open (issue personal links) and close.

Opening a wave decides, once, where each invitee's answers will be stored: their team, role
and tenure band where at least k invitees share them, pooled upwards otherwise
(:mod:`ee_app.services.wave_audience`). While it is open, answers are stored sealed
(:mod:`ee_app.sealing`). Closing a wave opens them, pools the stored attributes again by
*respondents* and writes every response under a new random id in random order
(:func:`ee_app.services.wave_shuffle.pool_and_shuffle`), so neither the list of who responded
nor anything physical (row order, PostgreSQL's transaction ids) can tie an answer to the person
who sent it; the clean-up after closing (:mod:`ee_app.services.cleanup`) then removes the
sealed rows from the files. Who answered, per unit: :mod:`ee_app.services.wave_participation`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, func, insert, select
from sqlalchemy.orm import Session

from ee_app import clock
from ee_app.analysis.disclosure import MIN_K
from ee_app.auth import Actor, Permission, require, system_actor
from ee_app.config import LANGUAGES, Settings
from ee_app.errors import N_, Conflict, NotFound, Problem, ValidationError
from ee_app.keys import hash_token, link_token, secret_key
from ee_app.models import (
    OrgUnit,
    Staff,
    SurveyInvitation,
    SurveyWave,
    SurveyWaveUnit,
    WaveMode,
    WaveStatus,
)
from ee_app.services import audit
from ee_app.services._tx import transactional
from ee_app.services.instruments import ensure_default_pulse
from ee_app.services.org import store_id_of, unit_codes_of
from ee_app.services.wave_access import visible_waves, wave_by_code
from ee_app.services.wave_audience import Invitee, audience, pool_invitees, unit_parents
from ee_app.services.wave_shuffle import pool_and_shuffle

__all__ = [
    "InvitationLink",
    "WaveRow",
    "close_wave",
    "create_wave",
    "get_wave",
    "insert_invitations",
    "invitation_links",
    "list_waves",
    "open_wave",
    "survey_token",
]

LINK_PURPOSE = "survey-link"


@dataclass(frozen=True)
class WaveRow:
    id: int
    code: str
    name: str
    status: WaveStatus
    mode: WaveMode
    opens_on: date
    closes_on: date
    k: int
    k_comments: int
    language: str
    instrument_id: int
    unit_codes: tuple[str, ...]
    invited: int
    responded: int | None  # None for a manager whose scope has fewer than k invited
    # Closed waves: whether the clean-up after closing was verified (ee_app.services.cleanup).
    cleanup_verified: bool = False


@dataclass(frozen=True)
class InvitationLink:
    employee_no: str
    name: str
    store: str
    unit: str
    link: str
    responded: bool


def survey_token(key: bytes, wave_id: int, staff_id: int, generation: int) -> str:
    return link_token(key, LINK_PURPOSE, wave_id, staff_id, generation)


def insert_invitations(
    session: Session,
    key: bytes,
    wave_id: int,
    invitees: Sequence[Invitee],
    pooled: Mapping[int, tuple[int, str | None, str | None, int]],
    responded: Collection[int] = (),
) -> None:
    """One invitation per invitee: the hash of its first link and the pooled reporting unit,
    role, band and comment unit its answers will carry, the same whether a wave opens, late
    joiners come in or the demo opens a past wave (whose ``responded`` staff answered)."""
    session.execute(
        insert(SurveyInvitation.__table__),
        [
            {
                "wave_id": wave_id,
                "staff_id": inv.staff_id,
                "unit_id": inv.unit_id,
                "role": inv.role,
                "token_hash": hash_token(survey_token(key, wave_id, inv.staff_id, 1)),
                "generation": 1,
                "responded": inv.staff_id in responded,
                "report_unit_id": pooled[inv.staff_id][0],
                "report_role": pooled[inv.staff_id][1],
                "report_band": pooled[inv.staff_id][2],
                "comment_unit_id": pooled[inv.staff_id][3],
            }
            for inv in invitees
        ],
    )


def _rows(session: Session, actor: Actor, waves: Sequence[SurveyWave]) -> list[WaveRow]:
    """Wave rows with invitation counts: the whole wave for HR; for a manager, only the
    invitations in their scope (responded hidden when fewer than k of them were invited)."""
    if not waves:
        return []
    ids = [w.id for w in waves]
    codes = unit_codes_of(session, SurveyWaveUnit.wave_id, SurveyWaveUnit.unit_id, ids)
    counts = select(
        SurveyInvitation.wave_id,
        func.count(),
        func.coalesce(func.sum(SurveyInvitation.responded.cast(Integer)), 0),
    ).where(SurveyInvitation.wave_id.in_(ids))
    if actor.scope is not None:
        counts = counts.where(SurveyInvitation.unit_id.in_(actor.scope))
    totals = {
        w: (int(n), int(r))
        for w, n, r in session.execute(counts.group_by(SurveyInvitation.wave_id))
    }
    rows = []
    for wave in waves:
        invited, responded = totals.get(wave.id, (0, 0))
        rows.append(
            WaveRow(
                wave.id,
                wave.code,
                wave.name,
                wave.status,
                wave.mode,
                wave.opens_on,
                wave.closes_on,
                wave.k,
                wave.k_comments,
                wave.language,
                wave.instrument_id,
                tuple(codes[wave.id]),
                invited,
                responded if actor.scope is None or invited >= wave.k else None,
                wave.cleanup_verified,
            )
        )
    return rows


def _row(session: Session, wave: SurveyWave) -> WaveRow:
    return _rows(session, system_actor(), [wave])[0]


def list_waves(session: Session, actor: Actor) -> list[WaveRow]:
    """Waves, newest first: all of them for HR; for a manager, those reaching their scope,
    with counts of their scope only."""
    require(actor, Permission.VIEW_PARTICIPATION)
    waves = session.scalars(select(SurveyWave).order_by(SurveyWave.opens_on.desc())).all()
    return _rows(session, actor, visible_waves(session, actor, waves))


def get_wave(session: Session, actor: Actor, wave: int | str) -> WaveRow:
    """One wave as :func:`list_waves` shows it; NotFound if the actor may not see it."""
    require(actor, Permission.VIEW_PARTICIPATION)
    found = visible_waves(session, actor, [wave_by_code(session, wave)])
    if not found:
        raise NotFound(N_("No survey wave “{wave}”."), wave=wave)
    return _rows(session, actor, found)[0]


@transactional
def create_wave(
    session: Session,
    actor: Actor,
    *,
    code: str,
    name: str,
    unit_codes: Sequence[str],
    opens_on: date,
    closes_on: date,
    mode: WaveMode = WaveMode.ANONYMOUS,
    k: int = 5,
    k_comments: int | None = None,
    language: str = "zh-CN",
    instrument_id: int | None = None,
    schedule_id: int | None = None,
) -> WaveRow:
    """A draft wave; nothing is sent until it is opened. ``k_comments`` defaults to k;
    ``schedule_id``: the schedule making it (:mod:`ee_app.services.schedules`)."""
    require(actor, Permission.MANAGE_SURVEYS)
    k_comments = k if k_comments is None else k_comments
    code, name = code.strip(), name.strip()
    problems = []
    if not code or len(code) > 32:
        problems.append(N_("A wave needs a short code (at most 32 characters)."))
    if not name:
        problems.append(N_("A wave needs a name."))
    if closes_on < opens_on:
        problems.append(N_("The closing date is before the opening date."))
    if k < MIN_K:
        problems.append(N_("The anonymity threshold must be at least 3."))
    if k_comments < k:
        problems.append(N_("The comment threshold cannot be below the anonymity threshold."))
    if language not in LANGUAGES:
        problems.append(N_("Unknown language."))
    if problems:
        raise ValidationError(N_("The wave was not created."), [Problem(p) for p in problems])
    if session.scalar(select(SurveyWave.id).where(SurveyWave.code == code)) is not None:
        raise Conflict(N_("A wave with code “{code}” exists already."), code=code)
    units = session.scalars(select(OrgUnit).where(OrgUnit.code.in_(list(unit_codes)))).all()
    missing = sorted(set(unit_codes) - {u.code for u in units})
    if missing or not units:
        raise ValidationError(
            N_("Choose the audience: unknown or missing units {codes}."),
            codes=", ".join(missing) or "-",
        )
    instrument = ensure_default_pulse(session) if instrument_id is None else None
    wave = SurveyWave(
        code=code,
        name=name,
        instrument_id=instrument.id if instrument else instrument_id,
        opens_on=opens_on,
        closes_on=closes_on,
        mode=mode,
        k=k,
        k_comments=k_comments,
        language=language,
        status=WaveStatus.DRAFT,
        created_by=actor.email,
        schedule_id=schedule_id,
    )
    wave.units = [SurveyWaveUnit(unit_id=u.id) for u in units]
    session.add(wave)
    session.flush()
    audit.record(
        session,
        actor,
        "wave.create",
        "survey_wave",
        wave.id,
        code=code,
        units=sorted(u.code for u in units),
        mode=mode.value,
        k=k,
    )
    return _row(session, wave)


@transactional
def open_wave(
    session: Session,
    actor: Actor,
    wave_code: int | str,
    settings: Settings,
    *,
    today: date | None = None,
) -> WaveRow:
    """Issue one invitation per person in the audience and open the wave for answers."""
    require(actor, Permission.MANAGE_SURVEYS)
    wave = wave_by_code(session, wave_code, lock=True)
    if wave.status is not WaveStatus.DRAFT:
        raise Conflict(
            N_("Wave “{code}” is {status}; only a draft can be opened."),
            code=wave.code,
            status=wave.status.value,
        )
    on = max(today or clock.today(), wave.opens_on)
    invitees = audience(session, wave, on)
    if len(invitees) < wave.k:
        raise ValidationError(
            N_(
                "The audience has {count} people; a wave needs at least {k} (the anonymity "
                "threshold)."
            ),
            count=len(invitees),
            k=wave.k,
        )
    parents = unit_parents(session, {i.unit_id for i in invitees})
    pooled = pool_invitees(invitees, parents, wave.k, wave.k_comments)
    insert_invitations(session, secret_key(settings), wave.id, invitees, pooled)
    wave.status = WaveStatus.OPEN
    audit.record(session, actor, "wave.open", "survey_wave", wave.id, invited=len(invitees))
    session.flush()
    return _row(session, wave)


@transactional
def close_wave(session: Session, actor: Actor, wave_code: int | str, settings: Settings) -> WaveRow:
    """Stop accepting answers; open the wave's sealed answers with the key derived from
    ``EE_SECRET_KEY`` and rewrite them, pooled by respondents, in random order.

    Raises (and changes nothing) if any sealed answer cannot be opened, e.g. because the app
    now runs with another key than the one the wave was opened with. Afterwards, call
    :func:`ee_app.services.cleanup.clean_up_after_close` outside the transaction: the deleted
    sealed rows are gone from the tables but not yet from every database file.
    """
    require(actor, Permission.MANAGE_SURVEYS)
    wave = wave_by_code(session, wave_code, lock=True)
    if wave.status is not WaveStatus.OPEN:
        raise Conflict(
            N_("Wave “{code}” is {status}; only an open wave can be closed."),
            code=wave.code,
            status=wave.status.value,
        )
    wave.status = WaveStatus.CLOSED
    wave.cleanup_verified = False
    pool_and_shuffle(session, wave, secret_key(settings))
    session.flush()
    from ee_app.services.results_build import build_results

    build_results(session, wave)
    audit.record(session, actor, "wave.close", "survey_wave", wave.id)
    session.flush()
    return _row(session, wave)


def invitation_links(
    session: Session,
    actor: Actor,
    wave_code: int | str,
    settings: Settings,
    *,
    pending_only: bool = False,
    staff_ids: Iterable[int] | None = None,
) -> list[InvitationLink]:
    """The personal links of a wave (HR only), to send over WeCom/WeChat or print as slips;
    ``staff_ids`` keeps only those people's (late joiners, a replaced link)."""
    require(actor, Permission.MANAGE_SURVEYS)
    wave = wave_by_code(session, wave_code)
    if wave.status is WaveStatus.DRAFT:
        raise Conflict(N_("Open the wave first: links are issued when it opens."))
    unit = OrgUnit.__table__.alias("unit")
    store = OrgUnit.__table__.alias("store")
    stmt = (
        select(
            Staff.employee_no,
            Staff.name,
            store.c.name,
            unit.c.name,
            Staff.id,
            SurveyInvitation.generation,
            SurveyInvitation.responded,
        )
        .join(Staff, Staff.id == SurveyInvitation.staff_id)
        .join(unit, unit.c.id == SurveyInvitation.unit_id)
        .join(store, store.c.id == store_id_of(unit))
        .where(SurveyInvitation.wave_id == wave.id)
        .order_by(store.c.name, Staff.employee_no)
    )
    if pending_only:
        stmt = stmt.where(SurveyInvitation.responded.is_(False))
    if staff_ids is not None:
        stmt = stmt.where(SurveyInvitation.staff_id.in_(list(staff_ids)))
    key = secret_key(settings)
    base = f"{settings.public_url}/survey?t="
    return [
        InvitationLink(
            no,
            name,
            store_name,
            unit_name,
            base + survey_token(key, wave.id, staff_id, generation),
            responded,
        )
        for no, name, store_name, unit_name, staff_id, generation, responded in session.execute(
            stmt
        )
    ]
