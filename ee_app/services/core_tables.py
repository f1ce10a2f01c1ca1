"""The few tables the quick reads of the command line touch, as SQLAlchemy Core ``table()``
objects: the columns those reads use, typed, and nothing else.

``ee-app users list``, ``wave list`` and ``staff list`` answer from these instead of the
models (issue 20): importing the ORM and every model was half a second of a command whose
query takes milliseconds. They describe the same tables as :mod:`ee_app.models`; the
migrations stay the schema's one source, and ``tests/services/test_quick_reads.py`` checks
that every column named here exists in the models with the same name.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Date, Integer, String, column, table

__all__ = [
    "APP_USER",
    "ORG_UNIT",
    "STAFF",
    "STAFF_ASSIGNMENT",
    "SURVEY_INVITATION",
    "SURVEY_WAVE",
    "SURVEY_WAVE_UNIT",
    "USER_SCOPE",
]

APP_USER = table(
    "app_user",
    column("id", Integer),
    column("email", String),
    column("name", String),
    column("role", String),
    column("language", String),
    column("active", Boolean),
)
USER_SCOPE = table("user_scope", column("user_id", Integer), column("unit_id", Integer))
ORG_UNIT = table(
    "org_unit",
    column("id", Integer),
    column("code", String),
    column("name", String),
    column("level", String),
    column("parent_id", Integer),
    column("path", String),
    column("active", Boolean),
)
STAFF = table(
    "staff",
    column("id", Integer),
    column("employee_no", String),
    column("name", String),
    column("hire_date", Date),
    column("leave_date", Date),
)
STAFF_ASSIGNMENT = table(
    "staff_assignment",
    column("staff_id", Integer),
    column("unit_id", Integer),
    column("role", String),
    column("valid_from", Date),
    column("valid_to", Date),
)
SURVEY_WAVE = table(
    "survey_wave",
    column("id", Integer),
    column("code", String),
    column("name", String),
    column("opens_on", Date),
    column("mode", String),
    column("status", String),
    column("k", Integer),
)
SURVEY_WAVE_UNIT = table("survey_wave_unit", column("wave_id", Integer), column("unit_id", Integer))
SURVEY_INVITATION = table(
    "survey_invitation",
    column("wave_id", Integer),
    column("unit_id", Integer),
    column("responded", Boolean),
)
