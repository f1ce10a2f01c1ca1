"""The demo's survey waves: the pulse waves of the past months with answers, as a step of
:data:`ee_app.services.demo.STEPS`.

The waves go through the wave services (created, opened and closed as HR would), so the demo's
results are pooled, sealed and shuffled by the same code as real ones; only the invitations
of earlier months and the answers are written in bulk, for the load to take seconds.
"""

from __future__ import annotations

import inspect
import random
import secrets
from collections.abc import Sequence

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ee_app.auth import Actor, system_actor
from ee_app.demo.engagement import DemoResponse, DemoWave, Seat, audience, demo_waves, respond
from ee_app.instruments.pulse import CORE_SLOTS, CUSTOM_SLOTS
from ee_app.keys import secret_key
from ee_app.models import (
    SurveyComment,
    SurveyInvitation,
    SurveyResponse,
    SurveySealed,
    SurveyWave,
    TenureBand,
    UnitLevel,
    WaveMode,
    WaveStatus,
)
from ee_app.sealing import Submission, seal
from ee_app.services import audit, wave_audience, waves
from ee_app.services.demo_context import DemoContext

__all__ = ["DEMO_K", "load_waves"]


#: The demo's waves: anonymous, k = k_c = 5, the whole chain invited.
DEMO_K = 5


#: Invitation ids per UPDATE ... WHERE id IN (...): under SQLite's limit of 32,766 parameters.
_IDS_PER_UPDATE = 10_000


#: An invitation's id and the pooled unit, role, band and comment unit its answers carry.
_Pooled = tuple[int, int, str | None, str | None, int]


def load_waves(session: Session, ctx: DemoContext) -> None:
    """Monthly pulse waves with answers: the earlier ones closed, the latest open (today in
    its dates) with about 60% responded so far, so a demo user can still answer.

    Waves are created, opened and closed through the wave services. The latest is opened by
    :func:`~ee_app.services.waves.open_wave` itself (today's roster) and its respondents are
    marked with bulk UPDATEs; earlier ones invite the staff at work when they opened, in the
    unit they were in then (the chain's assignment history), pooled exactly as ``open_wave``
    pools, with the respondents' invitations written as responded. The open wave's answers are
    stored sealed, as ``answering.submit`` stores them; a past wave's go in as plaintext rows
    with their invitation's pooled attributes, under random ids, in random order, and closing
    pools and shuffles them as it does any wave's. A past wave never holds a sealed answer
    (its rows are written and rewritten inside the demo's one uncommitted transaction), so
    there is nothing for the clean-up after closing to remove: it is marked verified.
    """
    actor = ctx.actor or system_actor("demo")
    create = inspect.unwrap(waves.create_wave)
    open_ = inspect.unwrap(waves.open_wave)
    close = inspect.unwrap(waves.close_wave)
    brand = next(u.code for u in ctx.chain.units if u.level is UnitLevel.BRAND)
    for plan in demo_waves(ctx.size, ctx.today):
        wave_id = create(
            session,
            actor,
            code=plan.code,
            name=plan.name,
            unit_codes=[brand],
            opens_on=plan.opens_on,
            closes_on=plan.closes_on,
            mode=WaveMode.ANONYMOUS,
            k=DEMO_K,
            k_comments=DEMO_K,
        ).id
        if plan.is_open:
            open_(session, actor, wave_id, ctx.settings, today=ctx.today)
            invitations = _invitations(session, wave_id)
            seats = audience(ctx.chain, max(ctx.today, plan.opens_on))
            seats = [s for s in seats if ctx.staff_ids[s.employee_no] in invitations]
            answers = respond(ctx.seed, plan, seats)
            _mark_responded(
                session, [invitations[ctx.staff_ids[a.employee_no]][0] for a in answers]
            )
        else:
            seats = audience(ctx.chain, plan.opens_on)
            answers = respond(ctx.seed, plan, seats)
            responded = {ctx.staff_ids[a.employee_no] for a in answers}
            _invite_as_then(session, ctx, actor, wave_id, plan, seats, responded)
            invitations = _invitations(session, wave_id)
        if plan.is_open:
            _seal_answers(session, ctx, wave_id, answers, invitations)
        else:
            _store_answers(session, ctx, wave_id, answers, invitations)
            close(session, actor, wave_id, ctx.settings)
            session.execute(
                update(SurveyWave).where(SurveyWave.id == wave_id).values(cleanup_verified=True)
            )


def _invitations(session: Session, wave_id: int) -> dict[int, _Pooled]:
    """Staff id → the invitation's id and the pooled attributes its answers must carry."""
    stmt = select(
        SurveyInvitation.staff_id,
        SurveyInvitation.id,
        SurveyInvitation.report_unit_id,
        SurveyInvitation.report_role,
        SurveyInvitation.report_band,
        SurveyInvitation.comment_unit_id,
    ).where(SurveyInvitation.wave_id == wave_id)
    return {
        staff_id: (invitation_id, unit, role, band, comment_unit)
        for staff_id, invitation_id, unit, role, band, comment_unit in session.execute(stmt)
    }


def _invite_as_then(
    session: Session,
    ctx: DemoContext,
    actor: Actor,
    wave_id: int,
    plan: DemoWave,
    seats: Sequence[Seat],
    responded: set[int],
) -> None:
    """What ``open_wave`` does, for the staff at work when a past wave opened (and with
    the invitations of ``responded`` staff already used)."""
    invitees = [
        wave_audience.Invitee(
            ctx.staff_ids[s.employee_no],
            ctx.unit_ids[s.unit_code],
            s.role.value,
            TenureBand.of(s.hire_date, plan.opens_on).value,
        )
        for s in seats
    ]
    parents = wave_audience.unit_parents(session, {i.unit_id for i in invitees})
    pooled = wave_audience.pool_invitees(invitees, parents, DEMO_K, DEMO_K)
    key = secret_key(ctx.settings)
    waves.insert_invitations(session, key, wave_id, invitees, pooled, responded)
    session.execute(
        update(SurveyWave).where(SurveyWave.id == wave_id).values(status=WaveStatus.OPEN)
    )
    audit.record(session, actor, "wave.open", "survey_wave", wave_id, invited=len(invitees))


def _mark_responded(session: Session, invitation_ids: list[int]) -> None:
    for start in range(0, len(invitation_ids), _IDS_PER_UPDATE):
        session.execute(
            update(SurveyInvitation.__table__)
            .where(SurveyInvitation.id.in_(invitation_ids[start : start + _IDS_PER_UPDATE]))
            .values(responded=True)
        )


def _store_answers(
    session: Session,
    ctx: DemoContext,
    wave_id: int,
    answers: Sequence[DemoResponse],
    invitations: dict[int, _Pooled],
) -> None:
    """Responses and comments the anonymous way: the invitation's pooled attributes, random
    ids, random order, and nothing that leads back to the invitation."""
    responses, comments = [], []
    for answer in answers:
        _, unit, role, band, comment_unit = invitations[ctx.staff_ids[answer.employee_no]]
        responses.append(
            {
                "id": secrets.token_hex(16),
                "wave_id": wave_id,
                "unit_id": unit,
                "role": role,
                "band": band,
                **dict(zip(CORE_SLOTS, answer.answers, strict=True)),
                "enps": answer.enps,
            }
        )
        if answer.comment:
            comments.append(
                {
                    "id": secrets.token_hex(16),
                    "wave_id": wave_id,
                    "unit_id": comment_unit,
                    "text": answer.comment,
                }
            )
    shuffle = random.SystemRandom().shuffle
    shuffle(responses)
    shuffle(comments)
    if responses:
        session.execute(insert(SurveyResponse.__table__), responses)
    if comments:
        session.execute(insert(SurveyComment.__table__), comments)


def _seal_answers(
    session: Session,
    ctx: DemoContext,
    wave_id: int,
    answers: Sequence[DemoResponse],
    invitations: dict[int, _Pooled],
) -> None:
    """The open wave's answers as ``answering.submit`` stores them: one sealed blob each
    (the invitation's pooled attributes inside), under random ids."""
    key = secret_key(ctx.settings)
    none = (None,) * len(CUSTOM_SLOTS)
    rows = []
    for answer in answers:
        _, unit, role, band, comment_unit = invitations[ctx.staff_ids[answer.employee_no]]
        submission = Submission(
            (*answer.answers, *none),
            answer.enps,
            answer.comment or "",
            unit,
            role,
            band,
            comment_unit,
        )
        rows.append(
            {
                "id": secrets.token_hex(16),
                "wave_id": wave_id,
                "sealed": seal(key, wave_id, submission),
            }
        )
    random.SystemRandom().shuffle(rows)
    if rows:
        session.execute(insert(SurveySealed.__table__), rows)
