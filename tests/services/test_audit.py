"""Reading the audit log as a tool: filters in parameterised SQL on SQLite and PostgreSQL,
local days, paging with the total, exports and downloads that are themselves logged."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from ee_app.auth import Actor
from ee_app.db import read_session, write_session
from ee_app.errors import PermissionDenied, ValidationError
from ee_app.models import AuditLog, UserRole
from ee_app.services import audit
from ee_app.services.audit import AuditFilter

HR = Actor(email="hr@example.com", role=UserRole.HR)


def moment(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


# (when in UTC, who, action, object type, object id)
ENTRIES = [
    (moment(1, 15), "ann@example.com", "wave.open", "survey_wave", "1"),  # 23:00 Nov 1 Beijing
    (moment(1, 16), "ann@example.com", "wave.close", "survey_wave", "1"),  # 00:00 Nov 2 Beijing
    (moment(2, 3), "bob@example.com", "user.create", "app_user", "7"),
    (moment(3, 3), "Bob@Example.com", "wave.open", "survey_wave", "2"),
    (moment(5, 3), "ann@example.com", "incentives.run", "incentive_run", "4"),
]


@pytest.fixture
def logged(engine, monkeypatch):
    monkeypatch.setenv("EE_TIMEZONE", "Asia/Shanghai")
    with write_session(engine) as session:
        for at, who, action, kind, oid in ENTRIES:
            session.add(AuditLog(at=at, actor=who, action=action, object_type=kind, object_id=oid))
        session.commit()
    return engine


def ids(page):
    return [(e.action, e.object_id) for e in page.entries]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (AuditFilter(), 5),
        (AuditFilter(who="bob@example.com"), 2),  # case-insensitive
        (AuditFilter(who="ann@example.com", actions=("wave.open", "wave.close")), 2),
        (AuditFilter(actions=("wave.open",)), 2),
        # Local days: 23:00 UTC+8 on Nov 1 is Nov 1; 16:00 UTC on Nov 1 is already Nov 2.
        (AuditFilter(since=date(2026, 11, 1), until=date(2026, 11, 1)), 1),
        (AuditFilter(since=date(2026, 11, 2), until=date(2026, 11, 2)), 2),
        (AuditFilter(since=date(2026, 11, 3)), 2),
        (AuditFilter(until=date(2026, 11, 2)), 3),
        (AuditFilter(object_type="survey_wave", object_id="1"), 2),
        (AuditFilter(object_type="app_user"), 1),
        # Text that would be SQL is just text.
        (AuditFilter(who="x' OR '1'='1"), 0),
        (AuditFilter(actions=("wave.open') OR ('1'='1",)), 0),
    ],
)
def test_filters(logged, filters, expected):
    with read_session(logged) as session:
        page = audit.list_entries(session, HR, filters)
    assert page.total == len(page.entries) == expected


def test_pages_newest_first_with_the_total(logged):
    with read_session(logged) as session:
        first = audit.list_entries(session, HR, limit=2)
        second = audit.list_entries(session, HR, limit=2, offset=2)
    assert first.total == second.total == 5
    assert ids(first) == [("incentives.run", "4"), ("wave.open", "2")]
    assert ids(second) == [("user.create", "7"), ("wave.close", "1")]


def test_dates_the_wrong_way_round(logged):
    with read_session(logged) as session, pytest.raises(ValidationError):
        audit.list_entries(
            session, HR, AuditFilter(since=date(2026, 11, 3), until=date(2026, 11, 1))
        )


def test_only_hr_and_admins(logged):
    manager = Actor(email="m@example.com", role=UserRole.MANAGER, scope=frozenset())
    with read_session(logged) as session, pytest.raises(PermissionDenied):
        audit.list_entries(session, manager)
    with write_session(logged) as session, pytest.raises(PermissionDenied):
        audit.export_entries(session, manager, None, "csv")


def test_exporting_is_logged_with_its_filters(logged):
    filters = AuditFilter(who="ann@example.com", since=date(2026, 11, 2))
    with write_session(logged) as session:
        entries = audit.export_entries(session, HR, filters, "xlsx")
    assert [e.action for e in entries] == ["incentives.run", "wave.close"]
    with read_session(logged) as session:
        entry = session.scalars(select(AuditLog).where(AuditLog.action == "audit.export")).one()
    assert entry.actor == HR.email and entry.object_type == "audit_log"
    assert entry.detail == {
        "rows": 2,
        "format": "xlsx",
        "filters": {"who": "ann@example.com", "since": "2026-11-02"},
    }


@pytest.mark.parametrize(
    ("kind", "object_id", "detail", "action", "object_type"),
    [
        ("links", 3, {"wave": "2026-11"}, "download.links", "survey_wave"),
        ("slips", 3, {}, "download.slips", "survey_wave"),
        ("reminders", 3, {}, "download.reminders", "survey_wave"),
        ("payroll", 9, {"period": "2026-10"}, "download.payroll", "incentive_run"),
        ("results", 3, {"format": "csv", "level": "store"}, "download.results", "survey_wave"),
    ],
)
def test_downloads_are_logged(engine, kind, object_id, detail, action, object_type):
    with write_session(engine) as session:
        audit.record_download(session, HR, kind, object_id, rows=12, **detail)
    with read_session(engine) as session:
        entry = session.scalars(select(AuditLog).where(AuditLog.action == action)).one()
    assert (entry.actor, entry.object_type, entry.object_id) == (
        HR.email,
        object_type,
        str(object_id),
    )
    assert entry.detail == {"rows": 12, **detail}
