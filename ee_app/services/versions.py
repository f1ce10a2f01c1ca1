"""Stored versions of the shipped definitions (checklist templates, assessments, incentive
schemes): the shipped versions added to a database that lacks them, and a stored version read
back through its content hash, so a definition altered in the database is refused rather than
used. Each kind keeps its own cache and its own message; the steps are the same."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ee_app.errors import ConfigError
from ee_app.instruments.fields import definition_hash
from ee_app.models.base import Versioned

__all__ = ["add_shipped", "checked_version"]

T = TypeVar("T")

#: Versions parsed by one process at most, per kind (then the cache starts again).
_MOST = 256


def checked_version(
    cache: dict[tuple[int, str], T],
    row: Any,
    validate: Callable[[dict[str, Any]], T],
    altered: str,
) -> T:
    """The validated definition of a stored version. Its content hash is checked the first
    time this process reads the version, else ConfigError(``altered``, key, version); after
    that the parsed definition in ``cache`` is reused (a list of visits reads the same few
    versions many times)."""
    key = (row.id, row.sha256)
    if key not in cache:
        if definition_hash(row.definition) != row.sha256:
            raise ConfigError(altered, key=row.key, version=row.version)
        if len(cache) > _MOST:
            cache.clear()
        cache[key] = validate(row.definition)
    return cache[key]


def add_shipped(
    session: Session,
    model: type[Versioned],
    definitions: Mapping[str, dict[str, Any]],
    validate: Callable[[dict[str, Any]], object],
) -> None:
    """Each shipped definition (by key) at its own version, checked and added when missing
    (no commit: callers commit). The row keeps a plain-JSON copy, never the loaded dict."""
    for key, definition in definitions.items():
        exists = session.scalar(
            select(model.id).where(model.key == key, model.version == definition["version"])
        )
        if exists is None:
            validate(definition)
            session.add(model.of(json.loads(json.dumps(definition)), "ee-app", key=key))
    session.flush()
