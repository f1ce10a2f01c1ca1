"""Calibration before approval: per role, can staff reach the targets, and what would they be
paid against their target bonus (:mod:`ee_app.analysis.calibration` does the arithmetic).

* :func:`draft_calibration`: a scheme definition not saved yet, on a month's inputs (nothing
  is written), for the scheme page before a run is computed;
* :func:`run_calibration`: a computed run, from its stored lines (checked against their hash);
* :func:`acknowledgement`: the approval gate. A run whose calibration has warnings is approved
  only when the approver acknowledges them; the acknowledgement (who, when, the warnings)
  is kept with the run (``incentive_run.calibration``), written to the audit log by
  :func:`ee_app.services.incentive_approval.approve_run` and shown on the payroll workbook's
  Sign-off sheet.

HR and admins hold ``MANAGE_INCENTIVES``; nobody else reads pay.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from ee_app.analysis.calibration import Calibration, Finding, calibrate, lines_frame
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, Conflict
from ee_app.instruments.scheme import Scheme, validate
from ee_app.models import utcnow
from ee_app.services.outcomes import DEFAULT_CSAT_MONTHS

__all__ = [
    "WarningsNotAcknowledged",
    "acknowledged_warnings",
    "acknowledgement",
    "draft_calibration",
    "run_calibration",
]


class WarningsNotAcknowledged(Conflict):
    """A run with calibration warnings was to be approved without acknowledging them;
    ``warnings`` holds them (:class:`~ee_app.analysis.calibration.Finding`), ``components``
    the scheme's components (to name them)."""

    def __init__(
        self, run: int, warnings: Sequence[Finding], components: Sequence[Any] = ()
    ) -> None:
        super().__init__(
            N_(
                "Run {run} has {n} calibration warnings: read them and acknowledge them "
                "before approving it."
            ),
            run=run,
            n=len(warnings),
        )
        self.warnings = tuple(warnings)
        self.components = tuple(components)  # the scheme's, to name them in the warnings


def draft_calibration(
    session: Session,
    actor: Actor,
    definition: Mapping[str, Any],
    period: str,
    *,
    csat_months: int = DEFAULT_CSAT_MONTHS,
) -> Calibration:
    """The calibration a definition would have on a month (nothing is written)."""
    from ee_app.services.incentives import simulate

    require(actor, Permission.MANAGE_INCENTIVES)
    result = simulate(session, actor, definition, period, csat_months=csat_months)
    return calibrate(validate(definition), result.lines)


def run_calibration(session: Session, actor: Actor, run_id: int) -> Calibration:
    """The calibration of a computed run, from its lines as stored and hashed."""
    from ee_app.services.incentive_runs import run_view

    view = run_view(session, actor, run_id)  # checks the permission and the hashes
    return calibrate(view.scheme, lines_frame(view.lines))


def acknowledgement(
    scheme: Scheme,
    lines: Sequence[Mapping[str, Any]],
    actor: Actor,
    run_id: int,
    *,
    acknowledge: bool,
) -> dict[str, Any] | None:
    """The record kept with a run approved by ``actor``: None when its calibration has no
    warnings; raises :class:`WarningsNotAcknowledged` when it has some and ``acknowledge`` is
    not set; else who acknowledged them, when (UTC, ISO 8601) and the warnings (as message
    and parameters, so they can be shown in either language, and in English)."""
    warnings = calibrate(scheme, lines_frame(lines)).warnings
    if not warnings:
        return None
    if not acknowledge:
        raise WarningsNotAcknowledged(run_id, warnings, scheme.components)
    return {
        "acknowledged_by": actor.email,
        "acknowledged_at": utcnow().isoformat(timespec="seconds"),
        "warnings": [w.plain() for w in warnings],
        "texts": [w.render() for w in warnings],
    }


def acknowledged_warnings(record: Mapping[str, Any] | None) -> list[Finding]:
    """The warnings an approver acknowledged (from ``incentive_run.calibration``)."""
    return [Finding.from_plain(w) for w in (record or {}).get("warnings") or []]
