"""App users (people who sign in), their roles and unit scopes.

Sign-in proves an e-mail address; this module turns it into an :class:`~ee_app.auth.Actor`.
Addresses in ``EE_ADMIN_EMAILS`` become admins on first sign-in, so a new installation can be
administered before anyone has been given a role. Everyone else needs an admin to add them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, Conflict, NotFound, ValidationError
from ee_app.models import AppUser, OrgUnit, UserRole, UserScope
from ee_app.services import audit
from ee_app.services._tx import transactional
from ee_app.services.org import expand_scope

__all__ = ["UserRow", "actor_for_email", "list_users", "save_user", "set_language"]


@dataclass(frozen=True)
class UserRow:
    id: int
    email: str
    name: str
    role: UserRole
    active: bool
    unit_codes: tuple[str, ...]
    language: str | None


def _actor(session: Session, user: AppUser) -> Actor:
    scope = expand_scope(session, [s.unit_id for s in user.scopes])
    return Actor(
        email=user.email,
        role=user.role,
        scope=scope,
        user_id=user.id,
        name=user.name,
        language=user.language,
    )


def actor_for_email(
    session: Session, email: str, name: str = "", admin_emails: Iterable[str] = ()
) -> Actor | None:
    """The actor for a signed-in address, or ``None`` if it has no (active) account."""
    email = email.strip().lower()
    user = session.scalar(select(AppUser).where(func.lower(AppUser.email) == email))
    if user is None and email in set(admin_emails):
        user = AppUser(email=email, name=name or email, role=UserRole.ADMIN)
        session.add(user)
        session.flush()
        audit.record(session, email, "user.bootstrap_admin", "app_user", user.id)
        session.commit()
    if user is None or not user.active:
        return None
    return _actor(session, user)


def list_users(session: Session, actor: Actor) -> list[UserRow]:
    require(actor, Permission.MANAGE_USERS)
    users = session.scalars(select(AppUser).order_by(AppUser.role, AppUser.email)).all()
    return [
        UserRow(
            u.id,
            u.email,
            u.name,
            u.role,
            u.active,
            tuple(sorted(s.unit.code for s in u.scopes)),
            u.language,
        )
        for u in users
    ]


@transactional
def save_user(
    session: Session,
    actor: Actor,
    email: str,
    *,
    role: UserRole,
    name: str = "",
    unit_codes: Iterable[str] = (),
    active: bool = True,
) -> UserRow:
    """Create or update a user; managers need at least one unit in scope."""
    require(actor, Permission.MANAGE_USERS)
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise ValidationError(N_("“{email}” is not an e-mail address."), email=email)
    codes = sorted({c.strip() for c in unit_codes if c.strip()})
    units = session.scalars(select(OrgUnit).where(OrgUnit.code.in_(codes))).all()
    missing = sorted(set(codes) - {u.code for u in units})
    if missing:
        raise ValidationError(N_("Unknown unit codes: {codes}"), codes=", ".join(missing))
    if role is UserRole.MANAGER and not units:
        raise ValidationError(N_("A manager needs at least one unit in scope."))
    user = session.scalar(select(AppUser).where(func.lower(AppUser.email) == email))
    if (
        user is not None
        and user.role is UserRole.ADMIN
        and (role is not UserRole.ADMIN or not active)
    ):
        admins = session.scalar(
            select(func.count()).where(AppUser.role == UserRole.ADMIN, AppUser.active)
        )
        if admins <= 1:
            raise Conflict(N_("This is the last admin; make someone else admin first."))
    created = user is None
    if user is None:
        user = AppUser(email=email, role=role)
        session.add(user)
    user.role, user.active = role, active
    user.name = name.strip() or user.name or email
    user.scopes = [UserScope(unit_id=u.id) for u in units] if role is UserRole.MANAGER else []
    session.flush()
    audit.record(
        session,
        actor,
        "user.create" if created else "user.update",
        "app_user",
        user.id,
        role=role.value,
        units=codes if role is UserRole.MANAGER else [],
        active=active,
    )
    return UserRow(
        user.id, user.email, user.name, user.role, user.active, tuple(codes), user.language
    )


@transactional
def set_language(session: Session, actor: Actor, language: str) -> None:
    """Remember the interface language the user chose, for their next visit."""
    from ee_app.config import LANGUAGES

    if language not in LANGUAGES:
        raise ValidationError(N_("Unknown language “{value}”."), value=language)
    if actor.user_id is None:
        return
    user = session.get(AppUser, actor.user_id)
    if user is None:
        raise NotFound(N_("Your account no longer exists."))
    user.language = language
