"""Issue 17: the audit log page shows its times in the configured zone (Beijing time by
default), named in the reader's language, and never says UTC."""

from datetime import UTC, timedelta

import pytest
from sqlalchemy import select

from ee_app.db import make_engine, read_session
from ee_app.models import AuditLog


def stored_times(url):
    engine = make_engine(url)
    try:
        with read_session(engine) as session:
            moments = session.scalars(select(AuditLog.at).order_by(AuditLog.id.desc())).all()
    finally:
        engine.dispose()
    return [m if m.tzinfo else m.replace(tzinfo=UTC) for m in moments[:200]]


@pytest.mark.parametrize(
    ("language", "zone", "heading", "hours"),
    [
        ("en", None, "When (Beijing time)", 8),  # Shanghai: UTC+8 all year
        ("zh-CN", None, "时间（北京时间）", 8),
        ("en", "Asia/Kolkata", "When (Asia/Kolkata)", 5.5),  # UTC+5:30, no plain name
    ],
)
def test_audit_log_is_in_local_time(make_app, app_db, monkeypatch, language, zone, heading, hours):
    if zone:
        monkeypatch.setenv("EE_TIMEZONE", zone)
    else:
        monkeypatch.delenv("EE_TIMEZONE", raising=False)
    at = make_app("admin@demo.example", language)
    at.run()
    at.switch_page("ee_app/pages/audit.py")
    at.run()
    assert not at.exception, at.exception
    frame = at.dataframe[0].value
    assert heading in frame.columns
    # By hand: each stored UTC moment plus the zone's offset, to the second.
    expected = [
        (m + timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M:%S")
        for m in stored_times(app_db)[: len(frame)]
    ]
    assert list(frame[heading]) == expected
    shown = " ".join(str(c) for c in frame.columns) + " ".join(t.value for t in at.caption)
    assert "UTC" not in shown
