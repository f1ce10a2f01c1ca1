"""Display names of the enumerations, marked for translation (glossary wording)."""

from __future__ import annotations

from collections.abc import Callable

from ee_app.errors import N_
from ee_app.models import StaffRole, UnitLevel, UserRole

__all__ = ["level_label", "staff_role_label", "user_role_label"]

USER_ROLES = {
    UserRole.ADMIN: N_("Admin"),
    UserRole.HR: N_("HR"),
    UserRole.MANAGER: N_("Manager"),
    UserRole.SHOPPER: N_("Mystery shopper"),
}
STAFF_ROLES = {
    StaffRole.BEAUTICIAN: N_("Beautician"),
    StaffRole.CONSULTANT: N_("Consultant"),
    StaffRole.DOCTOR: N_("Doctor"),
    StaffRole.NURSE: N_("Nurse"),
    StaffRole.FRONT_DESK: N_("Front desk"),
    StaffRole.STORE_MANAGER: N_("Store manager"),
}
LEVELS = {
    UnitLevel.BRAND: N_("Brand"),
    UnitLevel.REGION: N_("Region"),
    UnitLevel.STORE: N_("Store"),
    UnitLevel.TEAM: N_("Team"),
}


def user_role_label(role: UserRole, gettext: Callable[[str], str]) -> str:
    return gettext(USER_ROLES[role])


def staff_role_label(role: StaffRole, gettext: Callable[[str], str]) -> str:
    return gettext(STAFF_ROLES[role])


def level_label(level: UnitLevel, gettext: Callable[[str], str]) -> str:
    return gettext(LEVELS[level])
