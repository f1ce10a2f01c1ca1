"""Pulse survey waves: create, open (issue personal links), close, and see participation.

Opening a wave decides, once, where each invitee's answers will be stored: their team, role
and tenure band where at least k invitees share them, pooled upwards otherwise
(:func:`ee_app.analysis.disclosure.pool_small_groups`). While it is open, answers are stored
sealed (:mod:`ee_app.sealing`). Closing a wave (:func:`pool_and_shuffle`) opens them, pools the
stored attributes again by *respondents*, and writes every response under a new random id in
random order, so neither the list of who responded nor anything physical (row order,
PostgreSQL's transaction ids) can tie an answer to the person who sent it; the clean-up after
closing (:mod:`ee_app.services.cleanup`) then removes the sealed rows from the files.
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from ee_app import clock
from ee_app.analysis.comment_groups import comment_buckets
from ee_app.analysis.disclosure import MIN_K, pool_small_groups, suppress
from ee_app.auth import Actor, Permission, require, system_actor
from ee_app.config import LANGUAGES, Settings
from ee_app.errors import N_, ConfigError, Conflict, NotFound, Problem, ValidationError
from ee_app.keys import hash_token, link_token, secret_key
from ee_app.models import (
    ANSWER_SLOTS,
    OrgUnit,
    Staff,
    StaffAssignment,
    SurveyComment,
    SurveyInvitation,
    SurveyResponse,
    SurveyResponseLink,
    SurveySealed,
    SurveyWave,
    SurveyWaveUnit,
    TenureBand,
    UnitLevel,
    WaveMode,
    WaveStatus,
)
from ee_app.sealing import Submission, open_sealed
from ee_app.services import audit
from ee_app.services._tx import transactional
from ee_app.services.instruments import ensure_default_pulse
from ee_app.services.org import expand_scope, store_id_of
from ee_app.services.wave_access import visible_waves, wave_by_code

__all__ = [
    "InvitationLink",
    "ParticipationRow",
    "WaveRow",
    "audience_size",
    "close_wave",
    "create_wave",
    "get_wave",
    "invitation_links",
    "list_waves",
    "open_wave",
    "participation",
    "pool_and_shuffle",
    "pool_attributes",
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


@dataclass(frozen=True)
class ParticipationRow:
    unit_id: int
    code: str
    name: str
    level: UnitLevel
    depth: int
    # Both None when hidden (fewer than k invited, or hidden to protect a smaller sibling):
    # nothing about a hidden unit leaves the service.
    invited: int | None
    responded: int | None

    @property
    def hidden(self) -> bool:
        return self.responded is None

    @property
    def rate(self) -> float | None:
        if self.responded is None or not self.invited:
            return None
        return self.responded / self.invited


def survey_token(key: bytes, wave_id: int, staff_id: int, generation: int) -> str:
    return link_token(key, LINK_PURPOSE, wave_id, staff_id, generation)


def _rows(session: Session, actor: Actor, waves: Sequence[SurveyWave]) -> list[WaveRow]:
    """Wave rows with invitation counts: the whole wave for HR; for a manager, only the
    invitations in their scope (responded hidden when fewer than k of them were invited)."""
    if not waves:
        return []
    ids = [w.id for w in waves]
    codes: dict[int, list[str]] = {i: [] for i in ids}
    for wave_id, code in session.execute(
        select(SurveyWaveUnit.wave_id, OrgUnit.code)
        .join(OrgUnit, OrgUnit.id == SurveyWaveUnit.unit_id)
        .where(SurveyWaveUnit.wave_id.in_(ids))
        .order_by(OrgUnit.code)
    ):
        codes[wave_id].append(code)
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


@dataclass(frozen=True)
class _Invitee:
    staff_id: int
    unit_id: int
    role: str
    band: str


def _audience(session: Session, wave: SurveyWave, on: date) -> list[_Invitee]:
    roots = session.scalars(
        select(SurveyWaveUnit.unit_id).where(SurveyWaveUnit.wave_id == wave.id)
    ).all()
    units = expand_scope(session, roots)
    rows = session.execute(
        select(Staff.id, StaffAssignment.unit_id, StaffAssignment.role, Staff.hire_date)
        .join(StaffAssignment, StaffAssignment.staff_id == Staff.id)
        .where(
            StaffAssignment.valid_to.is_(None),
            StaffAssignment.unit_id.in_(units),
            or_(Staff.leave_date.is_(None), Staff.leave_date > on),
        )
    ).all()
    return [
        _Invitee(sid, uid, role.value, TenureBand.of(min(hired, on), on).value)
        for sid, uid, role, hired in rows
    ]


def audience_size(
    session: Session, actor: Actor, wave_code: int | str, *, today: date | None = None
) -> int:
    """How many people opening the wave would invite now (for the confirmation)."""
    require(actor, Permission.MANAGE_SURVEYS)
    wave = wave_by_code(session, wave_code)
    return len(_audience(session, wave, max(today or clock.today(), wave.opens_on)))


def _unit_parents(session: Session, unit_ids: Iterable[int]) -> dict[int, int | None]:
    """Parent map of the given units and all their ancestors."""
    paths = session.scalars(select(OrgUnit.path).where(OrgUnit.id.in_(list(unit_ids)))).all()
    needed = {int(p) for path in paths for p in path.strip("/").split("/") if p}
    rows = session.execute(select(OrgUnit.id, OrgUnit.parent_id).where(OrgUnit.id.in_(needed)))
    return {uid: parent for uid, parent in rows}


Combo = tuple[int, str | None, str | None]  # (unit id, role, tenure band); None = pooled


def pool_attributes(
    groups: Counter[Combo], parents: dict[int, int | None], k: int
) -> dict[Combo, Combo]:
    """Where each (unit, role, band) group is stored so that every stored combination holds
    no one or at least ``k`` people: units pool up the org tree first, then, within each
    unit, tenure bands and roles are dropped where their groups are too small."""
    by_unit: Counter[int] = Counter()
    for (unit, _role, _band), count in groups.items():
        by_unit[unit] += count
    unit_bucket = pool_small_groups(parents, by_unit, k)
    tree: dict[tuple, tuple | None] = {}
    sitting: Counter[tuple] = Counter()
    node_of: dict[Combo, tuple] = {}
    for combo, count in groups.items():
        unit, role, band = combo
        top = ("u", unit_bucket[unit])
        tree[top] = None
        node: tuple = top
        if role is not None:
            node = ("r", top[1], role)
            tree[node] = top
            if band is not None:
                leaf = ("b", top[1], role, band)
                tree[leaf] = node
                node = leaf
        node_of[combo] = node
        sitting[node] += count
    bucket = pool_small_groups(tree, sitting, k)
    result: dict[Combo, Combo] = {}
    for combo, node in node_of.items():
        target = bucket.get(node, node)
        role = target[2] if target[0] in ("r", "b") else None
        band = target[3] if target[0] == "b" else None
        result[combo] = (target[1], role, band)
    return result


def _pool(invitees: list[_Invitee], parents: dict[int, int | None], k: int, k_c: int):  # type: ignore[no-untyped-def]
    """Reporting unit, role and band for each invitee, and the comment unit."""
    groups: Counter[Combo] = Counter((i.unit_id, i.role, i.band) for i in invitees)
    attributes = pool_attributes(groups, parents, k)
    comment_bucket = comment_buckets(parents, Counter(i.unit_id for i in invitees), k_c)
    return {
        i.staff_id: (*attributes[(i.unit_id, i.role, i.band)], comment_bucket[i.unit_id])
        for i in invitees
    }


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
    invitees = _audience(session, wave, on)
    if len(invitees) < wave.k:
        raise ValidationError(
            N_(
                "The audience has {count} people; a wave needs at least {k} (the anonymity "
                "threshold)."
            ),
            count=len(invitees),
            k=wave.k,
        )
    parents = _unit_parents(session, {i.unit_id for i in invitees})
    pooled = _pool(invitees, parents, wave.k, wave.k_comments)
    key = secret_key(settings)
    session.execute(
        insert(SurveyInvitation.__table__),
        [
            {
                "wave_id": wave.id,
                "staff_id": inv.staff_id,
                "unit_id": inv.unit_id,
                "role": inv.role,
                "token_hash": hash_token(survey_token(key, wave.id, inv.staff_id, 1)),
                "generation": 1,
                "responded": False,
                "report_unit_id": pooled[inv.staff_id][0],
                "report_role": pooled[inv.staff_id][1],
                "report_band": pooled[inv.staff_id][2],
                "comment_unit_id": pooled[inv.staff_id][3],
            }
            for inv in invitees
        ],
    )
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


_RESPONSE_COLUMNS = ("unit_id", "role", "band", *ANSWER_SLOTS, "enps")


def _opened(session: Session, wave: SurveyWave, key: bytes) -> list[Submission]:
    """Every sealed answer of ``wave``, opened; raises before anything is written if one
    does not open (a wrong key names the key; a damaged blob says so)."""
    blobs = session.scalars(select(SurveySealed.sealed).where(SurveySealed.wave_id == wave.id))
    opened, failed = [], 0
    for blob in blobs:
        try:
            opened.append(open_sealed(key, wave.id, blob))
        except ConfigError:
            failed += 1
    if failed and not opened:
        raise ConfigError(
            N_(
                "EE_SECRET_KEY is not the key wave “{code}” was opened with: none of its "
                "{count} sealed answers opens. Nothing was changed. Close it with the key the "
                "app had when the wave opened."
            ),
            code=wave.code,
            count=failed,
        )
    if failed:
        raise Conflict(
            N_(
                "{count} of the sealed answers of wave “{code}” do not open with this "
                "EE_SECRET_KEY: the key was changed while the wave was open, or they were "
                "altered in the database. Nothing was changed. Close the wave with the key they "
                "were sealed with, or restore the database from a backup."
            ),
            code=wave.code,
            count=failed,
        )
    return opened


def pool_and_shuffle(session: Session, wave: SurveyWave, key: bytes) -> None:
    """Turn a closing wave's answers into rows that are safe against the list of who
    responded, within the caller's transaction.

    The answers are the sealed ones (``survey_sealed``, opened with ``key``, the server's
    secret) and any plaintext ``survey_response``/``survey_comment`` rows a wave opened before
    sealing existed may still hold. At opening, attributes were pooled by *invitees*; but HR
    may know who responded, and a group of five invitees with one respondent would give that
    person's answers away. So the attributes are pooled again by *respondents* (k for answers,
    k_c for comments), every response and comment is written under a new random id in random
    order (confidential links follow their responses), and the sealed rows and old plaintext
    rows are deleted.
    """
    rng = random.SystemRandom()
    sealed = _opened(session, wave, key)
    table = SurveyResponse.__table__
    rows: list[tuple] = [
        tuple(row)
        for row in session.execute(
            select(table.c.id, *(table.c[c] for c in _RESPONSE_COLUMNS)).where(
                table.c.wave_id == wave.id
            )
        )
    ]
    links = {
        response_id: staff_id
        for response_id, staff_id in session.execute(
            select(SurveyResponseLink.response_id, SurveyResponseLink.staff_id)
            .join(SurveyResponse, SurveyResponse.id == SurveyResponseLink.response_id)
            .where(SurveyResponse.wave_id == wave.id)
        )
    }
    comments = [
        tuple(row)
        for row in session.execute(
            select(SurveyComment.unit_id, SurveyComment.text).where(
                SurveyComment.wave_id == wave.id
            )
        )
    ]
    # People whose data was erased while the wave was open (retention policy or a request):
    # their answers count, but no confidential link to them is made.
    erased = set(session.scalars(select(Staff.id).where(Staff.anonymised_at.is_not(None))))
    for n, answer in enumerate(sealed):
        sealed_id = ("sealed", n)  # a key for the link map only; never stored
        rows.append(
            (sealed_id, answer.unit_id, answer.role, answer.band, *answer.answers, answer.enps)
        )
        if answer.staff_id is not None and answer.staff_id not in erased:
            links[sealed_id] = answer.staff_id
        if answer.comment:
            comments.append((answer.comment_unit_id, answer.comment))
    respondents_by_comment_unit: Counter[int] = Counter(
        {
            unit: count
            for unit, count in session.execute(
                select(SurveyInvitation.comment_unit_id, func.count())
                .where(SurveyInvitation.wave_id == wave.id, SurveyInvitation.responded)
                .group_by(SurveyInvitation.comment_unit_id)
            )
        }
    )
    groups: Counter[Combo] = Counter((r[1], r[2], r[3]) for r in rows)
    parents = _unit_parents(session, {u for u, _, _ in groups} | set(respondents_by_comment_unit))
    attributes = pool_attributes(groups, parents, wave.k) if groups else {}
    comment_unit = (
        comment_buckets(parents, respondents_by_comment_unit, wave.k_comments)
        if respondents_by_comment_unit
        else {}
    )

    session.execute(delete(SurveyResponse).where(SurveyResponse.wave_id == wave.id))
    session.execute(delete(SurveyComment).where(SurveyComment.wave_id == wave.id))
    session.execute(delete(SurveySealed).where(SurveySealed.wave_id == wave.id))
    rng.shuffle(rows)
    fresh, new_links = [], []
    for row in rows:
        new_id = secrets.token_hex(16)
        values = dict(zip(_RESPONSE_COLUMNS, row[1:], strict=True))
        unit, role, band = attributes[(row[1], row[2], row[3])]
        fresh.append(
            {
                **values,
                "id": new_id,
                "wave_id": wave.id,
                "unit_id": unit,
                "role": role,
                "band": band,
            }
        )
        if row[0] in links:
            new_links.append({"response_id": new_id, "staff_id": links[row[0]]})
    if fresh:
        session.execute(insert(table), fresh)
    if new_links:
        session.execute(insert(SurveyResponseLink.__table__), new_links)
    rng.shuffle(comments)
    if comments:
        session.execute(
            insert(SurveyComment.__table__),
            [
                {
                    "id": secrets.token_hex(16),
                    "wave_id": wave.id,
                    "unit_id": comment_unit.get(u, u),
                    "text": t,
                }
                for u, t in comments
            ],
        )


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


def participation(session: Session, actor: Actor, wave_code: int | str) -> list[ParticipationRow]:
    """Invited and responded per unit (with everything beneath it), in the actor's scope.

    Counts are hidden for units with fewer than k invited and, by secondary suppression, for
    the smallest siblings needed so no hidden unit can be derived from its parent.
    """
    require(actor, Permission.VIEW_PARTICIPATION)
    wave = wave_by_code(session, wave_code)
    if not visible_waves(session, actor, [wave]):
        raise NotFound(N_("No survey wave “{wave}”."), wave=wave_code)
    per_unit = session.execute(
        select(
            SurveyInvitation.unit_id,
            func.count(),
            func.sum(SurveyInvitation.responded.cast(Integer)),
        )
        .where(SurveyInvitation.wave_id == wave.id)
        .group_by(SurveyInvitation.unit_id)
    ).all()
    if not per_unit:
        return []
    parents = _unit_parents(session, [u for u, _, _ in per_unit])
    invited: Counter[int] = Counter()
    responded: Counter[int] = Counter()
    units = {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(parents)))}
    for unit_id, n, r in per_unit:
        for ancestor in (int(p) for p in units[unit_id].path.strip("/").split("/")):
            invited[ancestor] += n
            responded[ancestor] += int(r or 0)
    hidden = suppress(invited, parents, wave.k)
    rows = []
    for uid in sorted(invited, key=lambda u: units[u].path):
        if actor.scope is not None and uid not in actor.scope:
            continue
        unit = units[uid]
        shown = uid not in hidden
        rows.append(
            ParticipationRow(
                uid,
                unit.code,
                unit.name,
                unit.level,
                unit.path.count("/") - 2,
                invited[uid] if shown else None,
                responded[uid] if shown else None,
            )
        )
    return rows
