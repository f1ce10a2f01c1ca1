"""Question banks (题库) that HR makes in the app or in Excel: new assessments and new versions.

A stored version (:class:`ee_app.models.QuizVersion`) never changes, whether or not anyone
was assigned it: every save makes a **new version** (the next number of its key; version 1 of
a new key). Rewriting an unassigned version in place would have saved a few version numbers,
but the pay gate, the item analysis and the audit log all name versions, and a version that
changed under them (a link assigned between the check and the rewrite) would be worse than a
long list. HR assigns the newest version; older ones stay for the attempts made on them.

A save whose definition equals the newest version's (version number aside) makes nothing and
says so ("no change"), so importing the same workbook twice is harmless. Changing only the
rules (draw per topic, pass mark, attempts, time limit, grading) builds on the newest version
with :func:`with_rules`. Everything here needs ``MANAGE_TRAINING`` and is audited.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, Conflict, NotFound
from ee_app.instruments.quiz import validate
from ee_app.instruments.quiz_bank import Changes, compare, same_bank, topic_counts, with_rules
from ee_app.models import QuizAssignment, QuizVersion
from ee_app.services import audit
from ee_app.services._tx import transactional

__all__ = [
    "BankPreview",
    "SaveResult",
    "VersionInfo",
    "list_versions",
    "preview_bank",
    "save_bank",
    "save_rules",
    "version_definition",
    "with_rules",
]


@dataclass(frozen=True)
class VersionInfo:
    """One stored version as the HR list shows it."""

    id: int
    key: str
    version: int
    name: Mapping[str, str]
    questions: int
    topics: Mapping[str, int]
    created_at: datetime
    created_by: str
    assigned: int  # people assigned this version (in any cycle)
    newest: bool


@dataclass(frozen=True)
class BankPreview:
    """What saving a definition would do, before HR confirms."""

    key: str
    new_key: bool  # no version of this key exists yet
    version: int  # the number the save would give
    base_version: int | None  # the newest version now, compared against
    topics: Mapping[str, int]
    draws: Mapping[str, int]
    changes: Changes | None  # None for a new key
    unchanged: bool  # equal to the newest version: a save makes nothing


@dataclass(frozen=True)
class SaveResult:
    key: str
    version: int  # the new version, or the newest one when nothing changed
    id: int
    created: bool


def _newest(session: Session, key: str) -> QuizVersion | None:
    return session.scalar(
        select(QuizVersion)
        .where(QuizVersion.key == key)
        .order_by(QuizVersion.version.desc())
        .limit(1)
    )


def version_definition(session: Session, actor: Actor, key: str, version: int | None = None):
    """The stored definition of a version (the newest without ``version``), for an export."""
    require(actor, Permission.MANAGE_TRAINING)
    if version is None:
        row = _newest(session, key)
    else:
        row = session.scalar(
            select(QuizVersion).where(QuizVersion.key == key, QuizVersion.version == version)
        )
    if row is None and version is None:
        raise NotFound(N_("No assessment “{key}”."), key=key)
    if row is None:
        raise NotFound(N_("No assessment “{key}” version {version}."), key=key, version=version)
    return json.loads(json.dumps(row.definition))


def list_versions(session: Session, actor: Actor) -> list[VersionInfo]:
    """Every version, by key and version, with how many people were assigned it."""
    require(actor, Permission.MANAGE_TRAINING)
    assigned = dict(
        session.execute(
            select(
                QuizAssignment.quiz_id, func.count(func.distinct(QuizAssignment.staff_id))
            ).group_by(QuizAssignment.quiz_id)
        ).all()
    )
    rows = list(session.scalars(select(QuizVersion).order_by(QuizVersion.key, QuizVersion.version)))
    newest = {row.key: row.id for row in rows}
    return [
        VersionInfo(
            id=row.id,
            key=row.key,
            version=row.version,
            name=dict(row.definition.get("name") or {}),
            questions=len(row.definition.get("questions") or []),
            topics=topic_counts(row.definition),
            created_at=row.created_at,
            created_by=row.created_by,
            assigned=int(assigned.get(row.id, 0)),
            newest=newest[row.key] == row.id,
        )
        for row in rows
    ]


def _plain(definition: Mapping[str, Any], key: str | None) -> dict[str, Any]:
    plain = json.loads(json.dumps(definition))
    if key:
        plain["key"] = key
    return plain


def preview_bank(
    session: Session, actor: Actor, definition: Mapping[str, Any], *, key: str | None = None
) -> BankPreview:
    """What :func:`save_bank` would do with ``definition``: checked, compared, nothing saved."""
    require(actor, Permission.MANAGE_TRAINING)
    plain = _plain(definition, key)
    plain["version"] = 1
    validate(plain)  # every problem at once, before anything is compared
    base = _newest(session, plain["key"])
    return BankPreview(
        key=plain["key"],
        new_key=base is None,
        version=(base.version + 1) if base else 1,
        base_version=base.version if base else None,
        topics=topic_counts(plain),
        draws=dict(plain.get("draw_per_category") or {}),
        changes=compare(base.definition, plain) if base else None,
        unchanged=base is not None and same_bank(base.definition, plain),
    )


@transactional
def save_bank(
    session: Session,
    actor: Actor,
    definition: Mapping[str, Any],
    *,
    key: str | None = None,
    source: str | None = None,
    rules_only: bool = False,
) -> SaveResult:
    """Save ``definition`` as the next version of its key (``key`` overrides it), or as
    version 1 of a new key; nothing when it equals the newest version. ``source`` names the
    workbook it came from, for the audit log; ``rules_only`` logs it as a change of rules.
    Raises ValidationError listing every problem."""
    require(actor, Permission.MANAGE_TRAINING)
    plain = _plain(definition, key)
    base = _newest(session, str(plain.get("key", "")))
    plain["version"] = (base.version + 1) if base else 1
    validate(plain)
    if base is not None and same_bank(base.definition, plain):
        return SaveResult(base.key, base.version, base.id, created=False)
    row = QuizVersion.of(plain, actor.email, key=plain["key"])
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # another save of the same key took this number first
        raise Conflict(
            N_("Someone saved a version of “{key}” at the same moment; try again."),
            key=row.key,
        ) from exc
    detail: dict[str, Any] = {
        "key": row.key,
        "version": row.version,
        "questions": len(plain["questions"]),
    }
    if base is not None:
        detail["base"] = base.version
    if source:
        detail["file"] = source[:255]
    audit.record(
        session,
        actor,
        "quiz.rules" if rules_only else "quiz.save",
        "quiz_version",
        row.id,
        **detail,
    )
    return SaveResult(row.key, row.version, row.id, created=True)


def save_rules(session: Session, actor: Actor, key: str, **rules: Any) -> SaveResult:
    """A new version of ``key`` with the newest version's questions and the given rules
    (the keyword arguments of :func:`with_rules`)."""
    require(actor, Permission.MANAGE_TRAINING)
    base = _newest(session, key)
    if base is None:
        raise NotFound(N_("No assessment “{key}”."), key=key)
    return save_bank(session, actor, with_rules(base.definition, **rules), rules_only=True)
