"""Whether a database is empty, and whether the demo loader made it: one query each.

The app asks both on its first request and the ``ee-app demo load --if-empty`` command asks the
first; neither needs the demo generator (pandas, NumPy), so they live here and not in
:mod:`ee_app.services.demo`, which imports them from this module (issue 20: the first page of
the app imported the whole demo loader only to ask these two questions).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ee_app.models import AuditLog, OrgUnit

__all__ = ["DEMO_LOADED", "database_is_empty", "made_by_demo_load"]

#: The audit action that marks a database as the demo's (:func:`made_by_demo_load`).
DEMO_LOADED = "demo.load"


def database_is_empty(session: Session) -> bool:
    """True when the database holds no org tree (the demo loads only into such a database)."""
    return not session.scalar(select(func.count()).select_from(OrgUnit))


def made_by_demo_load(session: Session) -> bool:
    """True when :func:`~ee_app.services.demo.load_demo` made this database's data (``ee-app
    demo load`` or the app's first start), so its people are invented: the audit entry
    ``demo.load`` it writes commits in the one transaction with the demo, and only into a
    database without an org."""
    stmt = select(AuditLog.id).where(
        AuditLog.action == DEMO_LOADED, AuditLog.object_type == "database"
    )
    return session.scalar(stmt.limit(1)) is not None
