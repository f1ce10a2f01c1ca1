"""Who the command line acts for, and ``ee-app users list``, read with SQLAlchemy Core.

The same answers as :func:`ee_app.services.users.actor_for_email` (without its first-sign-in
bootstrap of admins, which the command line never asks for) and
:func:`ee_app.services.users.list_users`, with the same permission check, but without
importing the ORM or the models: a command that only reads starts in half the time (issue
20). ``tests/services/test_quick_reads.py`` compares both paths on the demo database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, func, or_, select

from ee_app.auth import Actor, Permission, require
from ee_app.choices import UserRole
from ee_app.services.core_tables import APP_USER, ORG_UNIT, USER_SCOPE

__all__ = ["UserLine", "actor_for_email", "expand_scope", "list_users"]


@dataclass(frozen=True)
class UserLine:
    """One line of ``ee-app users list``: the fields it prints."""

    email: str
    name: str
    role: str
    active: bool
    unit_codes: tuple[str, ...]


def expand_scope(conn: Connection, unit_ids: Iterable[int]) -> frozenset[int]:
    """The given units and every unit beneath them, as
    :func:`ee_app.services.org.expand_scope` reads them."""
    ids = list(unit_ids)
    if not ids:
        return frozenset()
    paths = conn.scalars(select(ORG_UNIT.c.path).where(ORG_UNIT.c.id.in_(ids))).all()
    if not paths:
        return frozenset()
    stmt = select(ORG_UNIT.c.id).where(or_(*(ORG_UNIT.c.path.startswith(p) for p in paths)))
    return frozenset(conn.scalars(stmt))


def actor_for_email(conn: Connection, email: str) -> Actor | None:
    """The actor of an active user's address, or ``None``; the scope expanded as the app's."""
    email = email.strip().lower()
    user = conn.execute(select(*APP_USER.c).where(func.lower(APP_USER.c.email) == email)).first()
    if user is None or not user.active:
        return None
    units = conn.scalars(select(USER_SCOPE.c.unit_id).where(USER_SCOPE.c.user_id == user.id))
    return Actor(
        email=user.email,
        role=UserRole(user.role),
        scope=expand_scope(conn, list(units)),
        user_id=user.id,
        name=user.name,
        language=user.language,
    )


def list_users(conn: Connection, actor: Actor) -> list[UserLine]:
    """Every app user by role and address, with the codes of the units in their scope."""
    require(actor, Permission.MANAGE_USERS)
    users = conn.execute(select(*APP_USER.c).order_by(APP_USER.c.role, APP_USER.c.email)).all()
    codes: dict[int, list[str]] = {u.id: [] for u in users}
    scopes = select(USER_SCOPE.c.user_id, ORG_UNIT.c.code).join(
        ORG_UNIT, ORG_UNIT.c.id == USER_SCOPE.c.unit_id
    )
    for user_id, code in conn.execute(scopes):
        codes.setdefault(user_id, []).append(code)
    return [
        UserLine(u.email, u.name, u.role, bool(u.active), tuple(sorted(codes[u.id]))) for u in users
    ]
