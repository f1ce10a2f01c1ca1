"""The closed lists the command line offers as choices (roles, wave modes, cadences).

They live here, free of SQLAlchemy, so that ``ee-app --help`` can build its parser without
importing the models (issue 20: that import was most of the start-up). The models import them
from here, so ``ee_app.models.UserRole is ee_app.choices.UserRole``. :data:`RESULT_RULES` lives
here for the same reason: the start-up check reads it without importing the models.
"""

from __future__ import annotations

import enum

__all__ = ["RESULT_RULES", "Cadence", "StaffRole", "UserRole", "WaveMode"]

#: The version of the disclosure rules and score definitions ``survey_result`` rows were
#: built with; rows of an older version are rebuilt (``rebuild_stale_results``).
RESULT_RULES = 2


class StaffRole(enum.StrEnum):
    BEAUTICIAN = "beautician"
    CONSULTANT = "consultant"
    DOCTOR = "doctor"
    NURSE = "nurse"
    FRONT_DESK = "front_desk"
    STORE_MANAGER = "store_manager"


class UserRole(enum.StrEnum):
    ADMIN = "admin"
    HR = "hr"
    MANAGER = "manager"
    SHOPPER = "shopper"


class WaveMode(enum.StrEnum):
    ANONYMOUS = "anonymous"
    CONFIDENTIAL = "confidential"


class Cadence(enum.StrEnum):
    MONTHLY = "monthly"
    WEEKLY = "weekly"
