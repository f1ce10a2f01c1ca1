"""Roles, permissions and unit scopes: who may do what, and see which units.

Services call :func:`require` before they act and :meth:`Actor.unit_filter` (or
:func:`ee_app.services.org.scope_unit_ids`) before they read, so a check never depends on
which pages a screen happens to show. Pages only decide what to *offer*.

A manager's scope is a set of units *with everything beneath them*; admins and HR see the
whole chain; a mystery shopper sees no org data at all, only their own visits.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from ee_app.choices import UserRole
from ee_app.errors import N_, PermissionDenied

__all__ = ["Actor", "Permission", "can", "require", "system_actor"]


class Permission(enum.StrEnum):
    VIEW_ORG = "view_org"  # the unit tree and the staff of units in scope
    IMPORT_ROSTER = "import_roster"
    MANAGE_ORG = "manage_org"  # create and rename units
    MANAGE_USERS = "manage_users"  # roles and scopes of app users
    VIEW_AUDIT = "view_audit"
    LOAD_DEMO = "load_demo"
    MANAGE_SURVEYS = "manage_surveys"  # instruments, waves, personal links
    VIEW_PARTICIPATION = "view_participation"  # response rates of units in scope
    VIEW_RESULTS = "view_results"  # engagement results of units in scope
    MANAGE_ACTIONS = "manage_actions"  # action plans for units in scope
    IMPORT_OUTCOMES = "import_outcomes"  # CSAT and sales from the CRM/POS; undo batches
    VIEW_OUTCOMES = "view_outcomes"  # per-staff CSAT and repurchase of units in scope
    MANAGE_VISITS = "manage_visits"  # schedule, review and import mystery-shopper visits
    DO_VISITS = "do_visits"  # fill in and submit one's own assigned visits
    VIEW_VISITS = "view_visits"  # approved visits and their scores, of stores in scope
    MANAGE_TRAINING = "manage_training"  # assign assessments, personal links, item analysis
    VIEW_TRAINING = "view_training"  # who passed which assessment, for staff in scope
    MANAGE_INCENTIVES = "manage_incentives"  # schemes, runs, approval, payroll workbooks
    MANAGE_PERSONAL_DATA = "manage_personal_data"  # the retention policy, its runs, erasure


_GRANTS: dict[UserRole, frozenset[Permission]] = {
    UserRole.ADMIN: frozenset(Permission),
    UserRole.HR: frozenset(
        {
            Permission.VIEW_ORG,
            Permission.IMPORT_ROSTER,
            Permission.MANAGE_ORG,
            Permission.VIEW_AUDIT,
            Permission.MANAGE_SURVEYS,
            Permission.VIEW_PARTICIPATION,
            Permission.VIEW_RESULTS,
            Permission.MANAGE_ACTIONS,
            Permission.IMPORT_OUTCOMES,
            Permission.VIEW_OUTCOMES,
            Permission.MANAGE_VISITS,
            Permission.VIEW_VISITS,
            Permission.MANAGE_TRAINING,
            Permission.VIEW_TRAINING,
            Permission.MANAGE_INCENTIVES,
            Permission.MANAGE_PERSONAL_DATA,
        }
    ),
    UserRole.MANAGER: frozenset(
        {
            Permission.VIEW_ORG,
            Permission.VIEW_PARTICIPATION,
            Permission.VIEW_RESULTS,
            Permission.MANAGE_ACTIONS,
            Permission.VIEW_OUTCOMES,
            Permission.VIEW_VISITS,
            Permission.VIEW_TRAINING,
        }
    ),
    UserRole.SHOPPER: frozenset({Permission.DO_VISITS}),
}


@dataclass(frozen=True)
class Actor:
    """The person on whose behalf a service acts.

    ``scope`` holds the ids of every unit the actor may see (already expanded to the units
    beneath the ones they were given), or ``None`` for the whole chain.
    """

    email: str
    role: UserRole
    scope: frozenset[int] | None = None
    user_id: int | None = None
    name: str = ""
    language: str | None = None  # the interface language the user chose last time
    grants: frozenset[Permission] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "grants", _GRANTS[self.role])
        if self.role in (UserRole.ADMIN, UserRole.HR):
            object.__setattr__(self, "scope", None)
        elif self.scope is None:
            # Managers and shoppers without an explicit scope see nothing, never everything.
            object.__setattr__(self, "scope", frozenset())

    @property
    def sees_all(self) -> bool:
        return self.scope is None

    def may_see_unit(self, unit_id: int) -> bool:
        return self.scope is None or unit_id in self.scope


def can(actor: Actor, permission: Permission) -> bool:
    return permission in actor.grants


def require(actor: Actor, permission: Permission) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` holds ``permission``."""
    if permission not in actor.grants:
        raise PermissionDenied(
            N_("Your role ({role}) does not allow this ({permission})."),
            role=actor.role.value,
            permission=permission.value,
        )


def system_actor(label: str = "ee-app") -> Actor:
    """The actor of the command line when no ``--as`` is given: whoever has shell access."""
    return Actor(email=label, role=UserRole.ADMIN)
