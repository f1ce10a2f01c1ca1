"""The closed lists the command line offers as choices (roles, wave modes, cadences).

They live here, free of SQLAlchemy, so that ``ee-app --help`` can build its parser without
importing the models (issue 20: that import was most of the start-up). The models import them
from here, so ``ee_app.models.UserRole is ee_app.choices.UserRole``. :data:`RESULT_RULES`
and the keys of the shipped checklists and assessments live here for the same reason: the
start-up check reads them without importing the models or the instrument parsers.
"""

from __future__ import annotations

import enum

__all__ = [
    "DEFAULT_QUIZZES",
    "DEFAULT_TEMPLATES",
    "RESULT_RULES",
    "Cadence",
    "StaffRole",
    "UserRole",
    "WaveMode",
]

#: The version of the disclosure rules and score definitions ``survey_result`` rows were
#: built with; rows of an older version are rebuilt (``rebuild_stale_results``).
RESULT_RULES = 2
#: The shipped checklist templates, by key (``ee_app/instruments/checklists/<key>-v1.toml``).
DEFAULT_TEMPLATES = ("service-process", "consultation-compliance")
#: The shipped assessments, by key (``ee_app/instruments/quizzes/<key>-v1.toml``).
DEFAULT_QUIZZES = ("onboarding", "quarterly-advanced")


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
