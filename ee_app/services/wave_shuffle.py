"""Closing a wave's answers into rows nothing ties to the person who sent them.

While a wave is open, answers are stored sealed (:mod:`ee_app.sealing`). Closing it
(:func:`ee_app.services.waves.close_wave`) calls :func:`pool_and_shuffle`, which opens them,
pools the stored attributes again by *respondents*, and writes every response under a new
random id in random order, so neither the list of who responded nor anything physical (row
order, PostgreSQL's transaction ids) can tie an answer to the person who sent it.
"""

from __future__ import annotations

import random
import secrets
from collections import Counter

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from ee_app.analysis.comment_groups import comment_buckets
from ee_app.errors import N_, ConfigError, Conflict
from ee_app.models import (
    ANSWER_SLOTS,
    Staff,
    SurveyComment,
    SurveyInvitation,
    SurveyResponse,
    SurveyResponseLink,
    SurveySealed,
    SurveyWave,
)
from ee_app.sealing import Submission, open_sealed
from ee_app.services.wave_audience import Combo, pool_attributes, unit_parents

__all__ = ["pool_and_shuffle"]


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
    parents = unit_parents(session, {u for u, _, _ in groups} | set(respondents_by_comment_unit))
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
