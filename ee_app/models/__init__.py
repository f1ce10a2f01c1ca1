"""SQLAlchemy 2.0 typed models: the database schema of ee-app, one module per area.

Schema changes go through Alembic (``ee_app/migrations``); the models and the newest migration
must agree, which ``tests/test_db.py`` checks on SQLite and PostgreSQL. Time columns hold UTC.
Enumerations are stored as short strings with a CHECK constraint.
"""

from ee_app.models.base import Base, utcnow
from ee_app.models.incentives import IncentiveLine, IncentiveRun, IncentiveScheme, RunStatus
from ee_app.models.org import (
    AppSetting,
    AppUser,
    AuditLog,
    ImportBatch,
    OrgUnit,
    Staff,
    StaffAssignment,
    StaffRole,
    UnitLevel,
    UserRole,
    UserScope,
)
from ee_app.models.outcomes import CsatRecord, Sale, SaleStaff, Touchpoint
from ee_app.models.results import (
    HIDDEN_METRICS,
    RESULT_RULES,
    RESULT_SUMS,
    ActionItem,
    ActionPlan,
    ActionStatus,
    ConfidentialRelation,
    SurveyResult,
    SurveyWaveResult,
)
from ee_app.models.schedules import Cadence, ReminderRun, SurveySchedule, SurveyScheduleUnit
from ee_app.models.shopping import (
    ChecklistVersion,
    ShopVisit,
    VisitEvidence,
    VisitSource,
    VisitStatus,
)
from ee_app.models.survey import (
    ANSWER_SLOTS,
    InstrumentVersion,
    SurveyComment,
    SurveyCommentTag,
    SurveyInvitation,
    SurveyResponse,
    SurveyResponseLink,
    SurveySealed,
    SurveyWave,
    SurveyWaveUnit,
    TenureBand,
    WaveMode,
    WaveStatus,
)
from ee_app.models.training import AttemptStatus, QuizAssignment, QuizAttempt, QuizVersion

__all__ = [
    "ANSWER_SLOTS",
    "HIDDEN_METRICS",
    "RESULT_RULES",
    "RESULT_SUMS",
    "ActionItem",
    "ActionPlan",
    "ActionStatus",
    "AppSetting",
    "AppUser",
    "AttemptStatus",
    "AuditLog",
    "Base",
    "Cadence",
    "ChecklistVersion",
    "ConfidentialRelation",
    "CsatRecord",
    "ImportBatch",
    "IncentiveLine",
    "IncentiveRun",
    "IncentiveScheme",
    "InstrumentVersion",
    "OrgUnit",
    "QuizAssignment",
    "QuizAttempt",
    "QuizVersion",
    "ReminderRun",
    "RunStatus",
    "Sale",
    "SaleStaff",
    "ShopVisit",
    "Staff",
    "StaffAssignment",
    "StaffRole",
    "SurveyComment",
    "SurveyCommentTag",
    "SurveyInvitation",
    "SurveyResponse",
    "SurveyResponseLink",
    "SurveyResult",
    "SurveySchedule",
    "SurveyScheduleUnit",
    "SurveySealed",
    "SurveyWave",
    "SurveyWaveResult",
    "SurveyWaveUnit",
    "TenureBand",
    "Touchpoint",
    "UnitLevel",
    "UserRole",
    "UserScope",
    "VisitEvidence",
    "VisitSource",
    "VisitStatus",
    "WaveMode",
    "WaveStatus",
    "utcnow",
]
