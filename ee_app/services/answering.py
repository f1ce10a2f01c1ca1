"""Answering a pulse survey from a personal link: the public, anonymous path.

:func:`open_link` tells the page what to show for a token; :func:`submit` records one set of
answers. Submission is a single transaction: a conditional ``UPDATE`` claims the invitation
(it matches only an unused token of an open wave, so two simultaneous submits with one token
record one response: the second finds nothing to claim), then one row goes into
``survey_sealed``: a random id, the wave, and the answers, comment and the invitation's pooled
attributes sealed under the wave's key (:mod:`ee_app.sealing`), every blob the same size.
Nothing else is written and nothing is logged. A copy of the database files therefore shows
which invitation was claimed with which blob, and nothing readable in it without
``EE_SECRET_KEY``; closing the wave opens the blobs, pools and shuffles them
(:func:`ee_app.services.wave_shuffle.pool_and_shuffle`).
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ee_app import clock
from ee_app.errors import N_, Conflict, NotFound, ValidationError
from ee_app.instruments.pulse import PulseInstrument
from ee_app.keys import hash_token
from ee_app.models import (
    ANSWER_SLOTS,
    InstrumentVersion,
    SurveyInvitation,
    SurveyWave,
    WaveMode,
    WaveStatus,
)
from ee_app.sealing import Submission, seal
from ee_app.services.instruments import pulse_instrument

__all__ = ["COMMENT_LIMIT", "LinkState", "SurveyView", "open_link", "submit"]

COMMENT_LIMIT = 1000


class LinkState(enum.StrEnum):
    READY = "ready"
    UNKNOWN = "unknown"
    USED = "used"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"


@dataclass(frozen=True)
class SurveyView:
    state: LinkState
    wave_name: str = ""
    language: str = "zh-CN"
    mode: WaveMode = WaveMode.ANONYMOUS
    opens_on: date | None = None
    closes_on: date | None = None
    instrument: PulseInstrument | None = None
    k: int = 5
    k_comments: int = 5


def _state(
    responded: bool, status: WaveStatus, opens: date, closes: date, today: date
) -> LinkState:
    if responded:
        return LinkState.USED
    if status is WaveStatus.CLOSED or today > closes:
        return LinkState.CLOSED
    if status is WaveStatus.DRAFT or today < opens:
        return LinkState.NOT_YET_OPEN
    return LinkState.READY


def open_link(session: Session, token: str, *, today: date | None = None) -> SurveyView:
    """What the survey page should show for ``token``; reads only, records nothing."""
    today = today or clock.today()
    if not token or len(token) > 64:
        return SurveyView(LinkState.UNKNOWN)
    row = session.execute(
        select(SurveyInvitation.responded, SurveyWave, InstrumentVersion)
        .join(SurveyWave, SurveyWave.id == SurveyInvitation.wave_id)
        .join(InstrumentVersion, InstrumentVersion.id == SurveyWave.instrument_id)
        .where(SurveyInvitation.token_hash == hash_token(token))
    ).first()
    if row is None:
        return SurveyView(LinkState.UNKNOWN)
    responded, wave, instrument = row
    state = _state(responded, wave.status, wave.opens_on, wave.closes_on, today)
    return SurveyView(
        state,
        wave.name,
        wave.language,
        wave.mode,
        wave.opens_on,
        wave.closes_on,
        pulse_instrument(instrument) if state is LinkState.READY else None,
        wave.k,
        wave.k_comments,
    )


# The hot path runs two statements per submission; they are written once per paramstyle and
# executed on the session's connection, bypassing SQL compilation (still parameterised).
_SQL = {
    "claim": (
        "UPDATE survey_invitation SET responded = {yes} "
        "WHERE token_hash = {p} AND responded = {no} AND wave_id IN ("
        " SELECT id FROM survey_wave WHERE status = 'open'"
        " AND opens_on <= {p} AND closes_on >= {p}) "
        "RETURNING wave_id, staff_id, report_unit_id, report_role, report_band, "
        "comment_unit_id, (SELECT mode FROM survey_wave w WHERE w.id = survey_invitation.wave_id)"
    ),
    "sealed": "INSERT INTO survey_sealed (id, wave_id, sealed) VALUES ({p}, {p}, {p})",
    "state": (
        "SELECT i.responded, w.status, w.opens_on, w.closes_on FROM survey_invitation i "
        "JOIN survey_wave w ON w.id = i.wave_id WHERE i.token_hash = {p}"
    ),
}
_DIALECTS = {
    "sqlite": {"p": "?", "yes": "1", "no": "0"},
    "postgresql": {"p": "%s", "yes": "true", "no": "false"},
}
_STATEMENTS = {
    dialect: {
        name: sql.replace("{p}", marks["p"]).format(yes=marks["yes"], no=marks["no"])
        for name, sql in _SQL.items()
    }
    for dialect, marks in _DIALECTS.items()
}

_SLOTS = frozenset(ANSWER_SLOTS)
_SCALE = frozenset(range(1, 6))


def _clean(
    answers: Mapping[str, int | None], enps: int | None, comment: str | None
) -> tuple[tuple[int | None, ...], int | None, str]:
    """The answers in slot order, checked; raises ValidationError and records nothing."""
    unknown = answers.keys() - _SLOTS
    if unknown:
        raise ValidationError(N_("Unknown question “{slot}”."), slot=sorted(unknown)[0])
    for value in answers.values():
        if value is not None and (type(value) is not int or value not in _SCALE):
            raise ValidationError(N_("Answers must be on the 1–5 scale."))
    if enps is not None and (type(enps) is not int or not 0 <= enps <= 10):
        raise ValidationError(N_("The recommendation score must be from 0 to 10."))
    text_ = (comment or "").strip()
    if len(text_) > COMMENT_LIMIT:
        raise ValidationError(
            N_("The comment is longer than {limit} characters."), limit=COMMENT_LIMIT
        )
    return tuple(answers.get(slot) for slot in ANSWER_SLOTS), enps, text_


def submit(
    engine: Engine,
    token: str,
    answers: Mapping[str, int | None],
    enps: int | None = None,
    comment: str | None = None,
    *,
    key: bytes,
    today: date | None = None,
) -> None:
    """Record one anonymous response for ``token`` in one transaction, or raise and record
    nothing.

    ``key`` is the server's secret key (:func:`ee_app.keys.secret_key`); the answers are
    sealed under the wave's key derived from it. This is the hottest path of the app, so it
    takes the engine and runs its transaction on a pooled driver connection: a Session's (or
    even a Core Connection's) bookkeeping cost more than the two statements it runs
    (docs/benchmarks.md). The SQL is still fixed and parameterised. Items may be skipped
    (``None``). Raises :class:`NotFound` for an unknown link and :class:`Conflict` for a used
    link or a wave that is not open.
    """
    values, enps, comment_text = _clean(answers, enps, comment)
    today = today or clock.today()
    token_hash = hash_token(token or "")
    dialect = engine.dialect.name
    sql = _STATEMENTS[dialect]
    day = today.isoformat() if dialect == "sqlite" else today
    raw = engine.raw_connection()  # back to the pool on close, which rolls back leftovers
    try:
        if dialect == "sqlite":
            raw.execute("BEGIN IMMEDIATE")  # queue behind other writers instead of failing
        cursor = raw.cursor()
        try:
            cursor.execute(sql["claim"], (token_hash, day, day))
            claimed = cursor.fetchone()
            if claimed is None:
                cursor.execute(sql["state"], (token_hash,))
                state = cursor.fetchone()
                raw.rollback()
            else:
                wave_id, staff_id, unit_id, role, band, comment_unit_id, mode = claimed
                sealed = seal(
                    key,
                    wave_id,
                    Submission(
                        values,
                        enps,
                        comment_text,
                        unit_id,
                        role,
                        band,
                        comment_unit_id,
                        staff_id if mode == WaveMode.CONFIDENTIAL.value else None,
                    ),
                )
                cursor.execute(sql["sealed"], (secrets.token_hex(16), wave_id, sealed))
                raw.commit()
                return
        finally:
            cursor.close()
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()
    if state is None:
        raise NotFound(N_("This survey link is not valid."))
    responded, status, opens, closes = state
    if isinstance(opens, str):  # SQLite hands dates back as text
        opens, closes = date.fromisoformat(opens), date.fromisoformat(closes)
    reason = _state(bool(responded), WaveStatus(status), opens, closes, today)
    if reason is LinkState.USED:
        raise Conflict(N_("This link has already been used to answer the survey."))
    if reason is LinkState.NOT_YET_OPEN:
        raise Conflict(N_("This survey is not open yet."))
    raise Conflict(N_("This survey is closed."))
