"""HR's own mystery-shopper checklists: new checklists and new versions, made in the app's
editor or from an edited workbook.

**Versions are never edited.** Saving always adds a version (version 1 of a new key, or the
newest version + 1 of an existing one); no function here updates or deletes a stored one.
A visit keeps the version it was scheduled with, so its answers are always read against the
items the shopper saw, and a template's scores can be compared version by version. (Replacing
an unused newest version was considered and dropped: "unused" can change between looking and
saving, and a version number that always means one content is easier to trust.)

Saving content equal to the newest version's (an unchanged workbook uploaded again) stores
nothing and says so. Managing checklists needs ``MANAGE_VISITS``, the permission that
schedules visits; every new checklist or version is audited.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, Conflict, NotFound
from ee_app.instruments.checklist import definition_hash, validate
from ee_app.instruments.fields import Text
from ee_app.models import ChecklistVersion, ShopVisit
from ee_app.services import audit
from ee_app.services._tx import transactional

__all__ = [
    "Changes",
    "Saved",
    "VersionRow",
    "changes",
    "list_versions",
    "newest_definition",
    "save_checklist",
    "version_definition",
]


@dataclass(frozen=True)
class VersionRow:
    id: int
    key: str
    version: int
    name: Text
    created_at: datetime
    created_by: str
    visits: int  # visits scheduled with this version, whatever their status


@dataclass(frozen=True)
class Saved:
    """What saving did: ``unchanged`` when the content equals the newest version's (nothing
    stored); ``new_key`` when it made a new checklist."""

    key: str
    version: int
    id: int
    unchanged: bool = False
    new_key: bool = False


@dataclass(frozen=True)
class Changes:
    """What a definition changes against the newest version of its key (None: a new key)."""

    key: str
    base_version: int | None
    sections_added: tuple[str, ...] = ()
    sections_removed: tuple[str, ...] = ()
    items_added: tuple[str, ...] = ()
    items_removed: tuple[str, ...] = ()
    items_changed: tuple[str, ...] = ()
    head_changed: bool = False

    @property
    def none(self) -> bool:
        return self.base_version is not None and not (
            self.sections_added
            or self.sections_removed
            or self.items_added
            or self.items_removed
            or self.items_changed
            or self.head_changed
        )


def _usage(session: Session) -> dict[int, int]:
    stmt = select(ShopVisit.template_id, func.count()).group_by(ShopVisit.template_id)
    return {template: count for template, count in session.execute(stmt)}


def list_versions(session: Session, actor: Actor) -> list[VersionRow]:
    """Every version of every checklist with how many visits use it, by key and version."""
    require(actor, Permission.MANAGE_VISITS)
    used = _usage(session)
    stmt = select(ChecklistVersion).order_by(ChecklistVersion.key, ChecklistVersion.version)
    rows = []
    for row in session.scalars(stmt):
        name = row.definition.get("name") or {}
        rows.append(
            VersionRow(
                id=row.id,
                key=row.key,
                version=row.version,
                name=Text(name.get("en", row.key), name.get("zh-CN", row.key)),
                created_at=row.created_at,
                created_by=row.created_by,
                visits=used.get(row.id, 0),
            )
        )
    return rows


def version_definition(session: Session, actor: Actor, version_id: int) -> dict[str, Any]:
    """A copy of a stored version's content, to start a new one from."""
    require(actor, Permission.MANAGE_VISITS)
    row = session.get(ChecklistVersion, version_id)
    if row is None:
        raise NotFound(N_("No such checklist version."))
    return copy.deepcopy(row.definition)


def _newest(session: Session, key: str) -> ChecklistVersion | None:
    stmt = (
        select(ChecklistVersion)
        .where(ChecklistVersion.key == key)
        .order_by(ChecklistVersion.version.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def newest_definition(session: Session, actor: Actor, key: str) -> dict[str, Any] | None:
    require(actor, Permission.MANAGE_VISITS)
    row = _newest(session, key)
    return None if row is None else copy.deepcopy(row.definition)


def _items(definition: Mapping[str, Any]) -> dict[str, Any]:
    return {
        item.get("id"): (section.get("id"), item)
        for section in definition.get("sections") or []
        for item in section.get("items") or []
    }


def changes(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> Changes:
    """Sections and items added, removed or changed (wording, points, flags, options, or
    moved to another section), and whether the name, description or pass mark changed."""
    key = str(new.get("key", ""))
    if old is None:
        return Changes(key, None)
    old_sections = {s.get("id"): s for s in old.get("sections") or []}
    new_sections = {s.get("id"): s for s in new.get("sections") or []}
    old_items, new_items = _items(old), _items(new)

    def head(d: Mapping[str, Any]) -> tuple[Any, ...]:
        sections = [(s.get("id"), s.get("weight"), s.get("name")) for s in d.get("sections") or []]
        return (d.get("name"), d.get("description"), d.get("pass_mark"), sections)

    return Changes(
        key=key,
        base_version=int(old.get("version", 0)),
        sections_added=tuple(s for s in new_sections if s not in old_sections),
        sections_removed=tuple(s for s in old_sections if s not in new_sections),
        items_added=tuple(i for i in new_items if i not in old_items),
        items_removed=tuple(i for i in old_items if i not in new_items),
        items_changed=tuple(
            i for i in new_items if i in old_items and new_items[i] != old_items[i]
        ),
        head_changed=head(old) != head(new)
        or [i for i in new_items if i in old_items] != [i for i in old_items if i in new_items],
    )


@transactional
def save_checklist(session: Session, actor: Actor, definition: Mapping[str, Any]) -> Saved:
    """Store ``definition`` as a new version of its key (version 1 of a new key).

    The version number in ``definition`` is ignored: the next free one is used. Content
    equal to the newest version's stores nothing (``Saved.unchanged``). Raises
    :class:`ValidationError` listing every problem; nothing is stored then.
    """
    require(actor, Permission.MANAGE_VISITS)
    content = copy.deepcopy(dict(definition))
    key = str(content.get("key", ""))
    newest = _newest(session, key) if key else None
    if newest is not None:
        content["version"] = newest.version
        if definition_hash(content) == newest.sha256:
            return Saved(key, newest.version, newest.id, unchanged=True)
        content["version"] = newest.version + 1
    else:
        content["version"] = 1
    validate(content)
    row = ChecklistVersion.of(content, actor.email, key=key)
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # another save of the same key got this version number first
        raise Conflict(
            N_(
                "Someone saved a version of “{key}” at the same moment; look at the versions "
                "and save again."
            ),
            key=key,
        ) from exc
    audit.record(
        session,
        actor,
        "checklist.version" if newest is not None else "checklist.create",
        "checklist_version",
        row.id,
        key=key,
        version=row.version,
        **({"base": newest.version} if newest is not None else {}),
    )
    return Saved(key, row.version, row.id, new_key=newest is None)
