"""The second pair of eyes on an incentive run: approve a draft run, or discard it.

Someone other than its author approves a draft run (four eyes, both named people), which is
then locked; approving a correction supersedes the run it corrects. A run whose calibration has
warnings (:mod:`ee_app.services.calibration`) is approved only when the approver acknowledges
them. Every step goes to the audit log.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, Conflict, NotFound
from ee_app.models import IncentiveRun, IncentiveScheme, RunStatus, utcnow
from ee_app.services import audit
from ee_app.services._tx import transactional
from ee_app.services.incentive_runs import verified_lines
from ee_app.services.incentives import scheme_of

__all__ = ["approve_run", "discard_run"]


def _draft_run(session: Session, actor: Actor, run_id: int, refusal: str) -> IncentiveRun:
    """The run, locked for the change; only a draft is approved or discarded, any other is
    refused with ``refusal`` (which names the run and its status)."""
    require(actor, Permission.MANAGE_INCENTIVES)
    run = session.get(IncentiveRun, run_id, with_for_update=True)
    if run is None:
        raise NotFound(N_("No incentive run {run}."), run=run_id)
    if run.status is not RunStatus.DRAFT:
        raise Conflict(refusal, run=run.id, status=run.status.value)
    return run


@transactional
def approve_run(
    session: Session, actor: Actor, run_id: int, *, acknowledge: bool = False
) -> IncentiveRun:
    """The second pair of eyes: someone other than its author approves a draft run, which
    is then locked (a correction supersedes the run it corrects).

    A run whose calibration has warnings (:mod:`ee_app.services.calibration`) is approved
    only with ``acknowledge``; the acknowledgement (who, when, the warnings) is kept with
    the run and in the audit entry, else WarningsNotAcknowledged (a Conflict) is raised."""
    from ee_app.services.calibration import acknowledgement

    run = _draft_run(
        session, actor, run_id, N_("Run {run} is {status}: only a draft can be approved.")
    )
    # Four eyes need two named people. Every app user's address has an "@" (users.add_user
    # refuses others); the shell's own actor (ee-app without --as, system_actor) is a label
    # such as "cli" that anyone at the shell is, the preparer included.
    if "@" not in actor.email:
        raise Conflict(
            N_(
                "Approving run {run} needs a named approver, someone other than who prepared "
                "it: ee-app incentives approve {run} --as EMAIL."
            ),
            run=run.id,
        )
    if "@" not in run.created_by:
        raise Conflict(
            N_(
                "Run {run} was prepared without a name (from the command line without --as), "
                "so nobody can tell a second person approves it: prepare the month again as "
                "yourself, with --as EMAIL."
            ),
            run=run.id,
        )
    if run.created_by.strip().casefold() == actor.email.strip().casefold():
        raise Conflict(
            N_("Run {run} was prepared by you; a second person must approve it (four eyes)."),
            run=run.id,
        )
    lines = verified_lines(session, run)
    scheme = scheme_of(session.get(IncentiveScheme, run.scheme_id))
    acknowledged = acknowledgement(scheme, lines, actor, run.id, acknowledge=acknowledge)
    run.calibration = acknowledged
    run.status = RunStatus.APPROVED
    run.approved_by = actor.email
    run.approved_at = utcnow()
    if run.corrects_id is not None:
        old = session.get(IncentiveRun, run.corrects_id)
        if old is not None and old.status is RunStatus.APPROVED:
            old.status = RunStatus.SUPERSEDED
    audit.record(
        session,
        actor,
        "incentives.approve",
        "incentive_run",
        run.id,
        total=str(run.total),
        **({"calibration_warnings": acknowledged["texts"]} if acknowledged else {}),
    )
    return run


@transactional
def discard_run(session: Session, actor: Actor, run_id: int) -> None:
    run = _draft_run(
        session, actor, run_id, N_("Run {run} is {status}: only a draft can be discarded.")
    )
    run.status = RunStatus.DISCARDED
    audit.record(session, actor, "incentives.discard", "incentive_run", run.id)
