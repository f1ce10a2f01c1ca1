"""Instrument versions: the shipped pulse questionnaire and HR's versions with own items.

A version is written once and never updated; its content hash is checked whenever it is read,
so a version that a wave used can be trusted to be the one the staff saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, ConfigError, NotFound, ValidationError
from ee_app.instruments.pulse import (
    MAX_CUSTOM_ITEMS,
    PulseInstrument,
    default_definition,
    definition_hash,
    validate,
    with_custom_items,
)
from ee_app.models import InstrumentVersion
from ee_app.services import audit
from ee_app.services._tx import transactional

__all__ = [
    "add_custom_items",
    "ensure_default_pulse",
    "ensure_reference_data",
    "list_pulse_versions",
    "pulse_instrument",
]


@lru_cache(maxsize=64)
def _parsed(version_id: int, sha256: str, canonical: str) -> PulseInstrument:
    import json

    return validate(json.loads(canonical))


def pulse_instrument(row: InstrumentVersion) -> PulseInstrument:
    """The validated instrument of a stored version, after checking its content hash."""
    import json

    if definition_hash(row.definition) != row.sha256:
        raise ConfigError(
            N_("Instrument version {version} has been altered in the database; restore it."),
            version=row.version,
        )
    return _parsed(row.id, row.sha256, json.dumps(row.definition, sort_keys=True))


def ensure_default_pulse(session: Session) -> InstrumentVersion:
    """Version 1 from the shipped file, created on first use (no commit: callers commit)."""
    row = session.scalar(
        select(InstrumentVersion).where(
            InstrumentVersion.kind == "pulse", InstrumentVersion.version == 1
        )
    )
    if row is None:
        definition = default_definition()
        validate(definition)
        row = InstrumentVersion(
            kind="pulse",
            version=1,
            definition=definition,
            sha256=definition_hash(definition),
            created_by="ee-app",
        )
        session.add(row)
        session.flush()
    return row


def ensure_reference_data(session: Session) -> None:
    """Create the shipped instrument versions if missing; run once at start-up (app and CLI)
    after the schema upgrade, so that reading pages never need to write."""
    from ee_app.services.incentives import ensure_default_scheme
    from ee_app.services.training import ensure_default_quizzes
    from ee_app.services.visits import ensure_default_checklists

    ensure_default_pulse(session)
    ensure_default_checklists(session)
    ensure_default_quizzes(session)
    ensure_default_scheme(session)
    session.commit()


def list_pulse_versions(session: Session, actor: Actor) -> list[InstrumentVersion]:
    """Every pulse version, oldest first (version 1 exists once start-up has run)."""
    require(actor, Permission.MANAGE_SURVEYS)
    stmt = select(InstrumentVersion).where(InstrumentVersion.kind == "pulse")
    return list(session.scalars(stmt.order_by(InstrumentVersion.version)))


@transactional
def add_custom_items(
    session: Session, actor: Actor, base_id: int, items: Sequence[tuple[str, str]]
) -> InstrumentVersion:
    """A new version: the base's twelve theme items plus HR's own (English, Chinese) items."""
    require(actor, Permission.MANAGE_SURVEYS)
    items = [(en, zh) for en, zh in items if en.strip() or zh.strip()]
    if not items:
        raise ValidationError(N_("Write at least one item, in English and in Chinese."))
    if len(items) > MAX_CUSTOM_ITEMS:
        raise ValidationError(N_("At most {limit} own items can be added."), limit=MAX_CUSTOM_ITEMS)
    base = session.get(InstrumentVersion, base_id)
    if base is None or base.kind != "pulse":
        raise NotFound(N_("No such instrument version."))
    pulse_instrument(base)  # refuses an altered base
    latest = session.scalar(
        select(func.max(InstrumentVersion.version)).where(InstrumentVersion.kind == "pulse")
    )
    definition: dict[str, Any] = with_custom_items(base.definition, items, (latest or 0) + 1)
    row = InstrumentVersion.of(definition, actor.email, kind="pulse")
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "instrument.create",
        "instrument_version",
        row.id,
        version=row.version,
        base=base.version,
        own_items=len(items),
    )
    return row
