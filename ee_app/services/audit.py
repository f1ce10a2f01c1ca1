"""The audit log: who did what to which object.

It must never hold survey answers, nor anything that tells who responded to a survey or when;
callers pass counts and ids of objects, not content.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ee_app.auth import Actor, Permission, require
from ee_app.models import AuditLog

__all__ = ["list_entries", "record"]


def record(
    session: Session,
    actor: Actor | str,
    action: str,
    object_type: str,
    object_id: object = None,
    **detail: Any,
) -> None:
    """Add an entry to the caller's transaction (it commits with the change it describes)."""
    session.add(
        AuditLog(
            actor=actor if isinstance(actor, str) else actor.email,
            action=action,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id),
            detail=detail,
        )
    )


def list_entries(session: Session, actor: Actor, limit: int = 200) -> list[AuditLog]:
    require(actor, Permission.VIEW_AUDIT)
    stmt = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    return list(session.scalars(stmt))
