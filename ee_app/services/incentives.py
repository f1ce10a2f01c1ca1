"""Incentive schemes: save a scheme version and simulate it on a month, writing nothing.

The whole path of performance pay, one module per step a reader looks for:

* **Schemes** (here): versioned definitions, checked against their hash whenever read.
* **Inputs** (:mod:`ee_app.services.incentive_inputs`): each person's measures for a month.
* **Simulation** (:func:`simulate`): any scheme definition on a month's inputs, writing
  nothing, so HR sees the payout before saving.
* **Runs** (:mod:`ee_app.services.incentive_runs`): a snapshot of the inputs, every line
  computed, hashes of inputs and outputs.
* **Approval** (:mod:`ee_app.services.incentive_approval`): a second person approves (never
  the one who created the run); an approved run is locked, and a correction is a new run that
  names the one it corrects, which it supersedes when approved. Every step goes to the audit
  log.

HR and admins hold ``MANAGE_INCENTIVES``; nobody else reads pay.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ee_app.analysis.pay import PayResult, calculate
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_
from ee_app.instruments.scheme import Scheme, default_definition, validate
from ee_app.models import IncentiveScheme
from ee_app.services import audit
from ee_app.services._tx import transactional
from ee_app.services.incentive_inputs import period_inputs
from ee_app.services.outcomes import DEFAULT_CSAT_MONTHS
from ee_app.services.versions import add_shipped, checked_version

__all__ = [
    "ensure_default_scheme",
    "list_schemes",
    "save_scheme",
    "scheme_of",
    "simulate",
]


# Schemes --------------------------------------------------------------------------------------

_CHECKED: dict[tuple[int, str], Scheme] = {}
_ALTERED = N_("Scheme {key} v{version} has been altered in the database; restore it.")


def scheme_of(row: IncentiveScheme) -> Scheme:
    return checked_version(_CHECKED, row, validate, _ALTERED)


def ensure_default_scheme(session: Session) -> None:
    """Version 1 of the shipped scheme, created when missing (no commit)."""
    definition = default_definition()
    add_shipped(session, IncentiveScheme, {definition["key"]: definition}, validate)


def list_schemes(session: Session, actor: Actor) -> list[IncentiveScheme]:
    require(actor, Permission.MANAGE_INCENTIVES)
    stmt = select(IncentiveScheme).order_by(IncentiveScheme.key, IncentiveScheme.version)
    return list(session.scalars(stmt))


@transactional
def save_scheme(session: Session, actor: Actor, definition: Mapping[str, Any]) -> IncentiveScheme:
    """Save a definition as the next version of its key (a version is never changed)."""
    require(actor, Permission.MANAGE_INCENTIVES)
    plain = json.loads(json.dumps(definition))
    latest = session.scalar(
        select(func.max(IncentiveScheme.version)).where(IncentiveScheme.key == plain.get("key"))
    )
    plain["version"] = (latest or 0) + 1
    validate(plain)
    row = IncentiveScheme.of(plain, actor.email, key=plain["key"])
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "scheme.create",
        "incentive_scheme",
        row.id,
        key=row.key,
        version=row.version,
    )
    return row


# Simulation -----------------------------------------------------------------------------------


def simulate(
    session: Session,
    actor: Actor,
    definition: Mapping[str, Any],
    period: str,
    *,
    csat_months: int = DEFAULT_CSAT_MONTHS,
) -> PayResult:
    """The pay a definition would give for the month; nothing is written."""
    require(actor, Permission.MANAGE_INCENTIVES)
    inputs = period_inputs(session, actor, period, csat_months=csat_months)
    return calculate(validate(definition), inputs)
