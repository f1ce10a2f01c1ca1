"""Monthly incentive runs: a snapshot of the inputs, every line computed, and their hashes.

:func:`create_run` stores the month's inputs and every computed line with hashes of both;
every read (:func:`run_view`, the approval in :mod:`ee_app.services.incentive_approval`)
checks them first (:func:`verified_lines`), so a line changed in the database afterwards is
found rather than paid. A correction is a new run that names the one it corrects.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ee_app.analysis.pay import PERSON_AND_TOTALS, PayResult, calculate
from ee_app.analysis.rounding import natural_key
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, ConfigError, NotFound, ValidationError
from ee_app.instruments.scheme import Scheme
from ee_app.models import IncentiveLine, IncentiveRun, IncentiveScheme, RunStatus
from ee_app.services import audit
from ee_app.services._tx import transactional
from ee_app.services.incentive_inputs import period_inputs
from ee_app.services.incentives import scheme_of
from ee_app.services.outcomes import DEFAULT_CSAT_MONTHS, month_bounds

__all__ = ["RunView", "create_run", "list_runs", "run_csat_months", "run_view", "verified_lines"]


def run_csat_months(run: IncentiveRun) -> int:
    """The CSAT window (months) a run's inputs were gathered with: recorded on each input
    row; runs from before the window existed read one month."""
    rows = run.inputs or []
    return int(rows[0].get("csat_months") or 1) if rows else 1


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else round(float(value), 6)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _digest(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


_LINE_KEYS = ("staff_id", "employee_no", "amount", "raw", "points")


def _outputs_digest(lines: list[dict[str, Any]]) -> str:
    """The hash of a run's lines, in staff order, whatever order they were read in."""
    ordered = sorted(lines, key=lambda line: line["staff_id"])
    return _digest([{k: _jsonable(line[k]) for k in (*_LINE_KEYS, "detail")} for line in ordered])


def _decimal(value: Any, places: str) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places))


def _line_dicts(result: PayResult) -> list[dict[str, Any]]:
    identity = set(PERSON_AND_TOTALS)
    out = []
    for row in result.lines.to_dict("records"):
        detail = {k: _jsonable(v) for k, v in row.items() if k not in identity}
        out.append(
            {
                "staff_id": int(row["staff_id"]),
                "employee_no": str(row["employee_no"]),
                "name": str(row["name"]),
                "store_code": str(row["store_code"]),
                "store_name": str(row["store_name"]),
                "role": str(row["role"]),
                # At the columns' scales, so the hash reads the same after a round trip.
                "target_bonus": _decimal(row["target_bonus"], "0.01"),
                "points": _decimal(row["points"], "0.000001"),
                "raw": _decimal(row["raw"], "0.0001"),
                "amount": _decimal(row["amount"], "0.01"),
                "detail": detail,
            }
        )
    return out


@transactional
def create_run(
    session: Session,
    actor: Actor,
    scheme_id: int,
    period: str,
    *,
    corrects: int | None = None,
    note: str = "",
    csat_months: int | None = None,
) -> IncentiveRun:
    """Compute a month under a scheme version and keep it as a draft run for approval.

    ``csat_months`` is the CSAT window (:func:`period_inputs`); left out, a correction keeps
    the window of the run it corrects and a new run takes the default (3)."""
    require(actor, Permission.MANAGE_INCENTIVES)
    row = session.get(IncentiveScheme, scheme_id)
    if row is None:
        raise NotFound(N_("No such incentive scheme."))
    scheme = scheme_of(row)
    month_bounds(period)
    if corrects is not None:
        old = session.get(IncentiveRun, corrects)
        if old is None or old.status is not RunStatus.APPROVED or old.period != period:
            raise ValidationError(N_("A correction names an approved run of the same month."))
        if csat_months is None:
            csat_months = run_csat_months(old)
    if csat_months is None:
        csat_months = DEFAULT_CSAT_MONTHS
    inputs = period_inputs(session, actor, period, csat_months=csat_months)
    if inputs.empty:
        raise ValidationError(N_("Nobody was at work in {period}."), period=period)
    result = calculate(scheme, inputs)
    snapshot = [{k: _jsonable(v) for k, v in r.items()} for r in inputs.to_dict("records")]
    lines = _line_dicts(result)
    run = IncentiveRun(
        scheme_id=scheme_id,
        period=period,
        status=RunStatus.DRAFT,
        corrects_id=corrects,
        note=note.strip()[:1000],
        inputs=snapshot,
        inputs_sha256=_digest(snapshot),
        outputs_sha256=_outputs_digest(lines),
        lines=len(lines),
        total_raw=_decimal(result.total_raw, "0.01"),
        scale=_decimal(result.scale, "0.00000001"),
        total=_decimal(result.total, "0.01"),
        created_by=actor.email,
    )
    session.add(run)
    session.flush()
    session.execute(insert(IncentiveLine.__table__), [{"run_id": run.id, **line} for line in lines])
    audit.record(
        session,
        actor,
        "incentives.run",
        "incentive_run",
        run.id,
        scheme=f"{row.key} v{row.version}",
        period=period,
        lines=len(lines),
        corrects=corrects,
        csat_months=csat_months,
    )
    return run


def _lines(session: Session, run_id: int) -> list[dict[str, Any]]:
    rows = sorted(
        session.scalars(select(IncentiveLine).where(IncentiveLine.run_id == run_id)),
        key=lambda r: natural_key(r.employee_no),
    )
    return [
        {
            "staff_id": r.staff_id,
            "employee_no": r.employee_no,
            "name": r.name,
            "store_code": r.store_code,
            "store_name": r.store_name,
            "role": r.role,
            "target_bonus": r.target_bonus,
            "points": r.points,
            "raw": r.raw,
            "amount": r.amount,
            "detail": dict(r.detail or {}),
        }
        for r in rows
    ]


def verified_lines(session: Session, run: IncentiveRun) -> list[dict[str, Any]]:
    """The run's lines, after checking that inputs and lines are what was hashed."""
    lines = _lines(session, run.id)
    if _digest(run.inputs) != run.inputs_sha256 or _outputs_digest(lines) != run.outputs_sha256:
        raise ConfigError(
            N_("Run {run} has been altered in the database: its hash no longer matches."),
            run=run.id,
        )
    return lines


@dataclass(frozen=True)
class RunView:
    run: IncentiveRun
    scheme: Scheme
    scheme_row: IncentiveScheme
    lines: list[dict[str, Any]]


def run_view(session: Session, actor: Actor, run_id: int) -> RunView:
    """A run with its lines, verified against its hashes (for the page and the workbook)."""
    require(actor, Permission.MANAGE_INCENTIVES)
    run = session.get(IncentiveRun, run_id)
    if run is None:
        raise NotFound(N_("No incentive run {run}."), run=run_id)
    row = session.get(IncentiveScheme, run.scheme_id)
    return RunView(run, scheme_of(row), row, verified_lines(session, run))


def list_runs(session: Session, actor: Actor) -> list[IncentiveRun]:
    require(actor, Permission.MANAGE_INCENTIVES)
    return list(session.scalars(select(IncentiveRun).order_by(IncentiveRun.id.desc())))
