"""Display names of the enumerations, marked for translation (glossary wording)."""

from __future__ import annotations

from collections.abc import Callable

from ee_app.errors import N_
from ee_app.instruments.pulse import THEMES as THEME_KEYS
from ee_app.models import (
    ActionStatus,
    StaffRole,
    TenureBand,
    Touchpoint,
    UnitLevel,
    UserRole,
    VisitStatus,
)

__all__ = [
    "action_status_label",
    "level_label",
    "staff_role_label",
    "tenure_band_label",
    "theme_label",
    "touchpoint_label",
    "user_role_label",
    "visit_status_label",
]

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

TENURE_BANDS = {
    TenureBand.UNDER_1: N_("under 1 year"),
    TenureBand.ONE_TO_3: N_("1–3 years"),
    TenureBand.THREE_TO_5: N_("3–5 years"),
    TenureBand.OVER_5: N_("5 years or more"),
}
#: Short names of the twelve engagement themes (维度), in the questionnaire's order.
THEMES = {
    "expectations": N_("Clear expectations"),
    "resources": N_("Tools and materials"),
    "strengths": N_("Using strengths"),
    "recognition": N_("Recognition"),
    "care": N_("Someone cares"),
    "development": N_("Development"),
    "voice": N_("Opinions count"),
    "purpose": N_("Meaningful work"),
    "quality": N_("Quality-minded colleagues"),
    "friendship": N_("Close colleague"),
    "progress": N_("Progress talks"),
    "growth": N_("Learning and growth"),
}
if tuple(THEMES) != THEME_KEYS:  # a new theme needs a name here
    raise ValueError("ee_app.ui.labels.THEMES must name the instrument's themes in order.")
ACTION_STATUSES = {
    ActionStatus.TODO: N_("To do"),
    ActionStatus.DOING: N_("In progress"),
    ActionStatus.DONE: N_("Done"),
}
#: Touchpoints of a satisfaction answer (触点), in the order of a customer's visit.
TOUCHPOINTS = {
    Touchpoint.BOOKING: N_("Booking"),
    Touchpoint.RECEPTION: N_("Reception"),
    Touchpoint.TREATMENT: N_("Treatment"),
    Touchpoint.FEEDBACK: N_("Result feedback"),
    Touchpoint.AFTERCARE: N_("After-care"),
    Touchpoint.OTHER: N_("Other"),
}

#: A mystery-shopper visit's status.
VISIT_STATUSES = {
    VisitStatus.DRAFT: N_("To do"),
    VisitStatus.SUBMITTED: N_("Waiting for review"),
    VisitStatus.APPROVED: N_("Approved"),
    VisitStatus.REJECTED: N_("Sent back"),
    VisitStatus.CANCELLED: N_("Cancelled"),
}


def user_role_label(role: UserRole, gettext: Callable[[str], str]) -> str:
    return gettext(USER_ROLES[role])


def staff_role_label(role: StaffRole, gettext: Callable[[str], str]) -> str:
    return gettext(STAFF_ROLES[role])


def level_label(level: UnitLevel, gettext: Callable[[str], str]) -> str:
    return gettext(LEVELS[level])


def tenure_band_label(band: TenureBand, gettext: Callable[[str], str]) -> str:
    return gettext(TENURE_BANDS[band])


def theme_label(theme: str, gettext: Callable[[str], str]) -> str:
    """The short name of an engagement theme; an unknown key is shown as it is."""
    return gettext(THEMES[theme]) if theme in THEMES else theme


def action_status_label(status: ActionStatus, gettext: Callable[[str], str]) -> str:
    return gettext(ACTION_STATUSES[status])


def touchpoint_label(touchpoint: Touchpoint | str, gettext: Callable[[str], str]) -> str:
    """The name of a touchpoint (预约, 接待, 护理/治疗, 效果反馈, 售后回访, 其他); an unknown value
    is shown as it is."""
    try:
        return gettext(TOUCHPOINTS[Touchpoint(touchpoint)])
    except ValueError:
        return str(touchpoint)


def visit_status_label(status: VisitStatus, gettext: Callable[[str], str]) -> str:
    return gettext(VISIT_STATUSES[status])
