"""The Reminders section of an open wave, through the real app: not configured, then e-mail
to a local SMTP server with a confirmation, and the log; managers see none of it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from ee_app.db import write_session
from ee_app.models import Staff
from tests.messaging.servers import smtp_server
from tests.pages.test_surveys_page import open_wave, page_text, surveys_page

pytestmark = pytest.mark.usefixtures("link_key")


def test_hr_sends_email_reminders_after_confirming_and_sees_the_log(make_app, app_db, monkeypatch):
    from ee_app.db import make_engine

    engine = make_engine(app_db)
    open_wave(engine, ["SH01"])
    with write_session(engine) as session:
        first = session.scalar(select(func.min(Staff.id)))
        session.execute(
            update(Staff).where(Staff.id != first).values(email="p" + Staff.employee_no + "@c.test")
        )
        session.commit()
    engine.dispose()

    at = surveys_page(make_app, "hr@demo.example", wave="T-1")
    assert "Reminders by e-mail or WeCom are not configured" in page_text(at)

    with smtp_server() as (controller, inbox):
        monkeypatch.setenv("EE_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("EE_SMTP_PORT", str(controller.port))
        monkeypatch.setenv("EE_SMTP_SECURITY", "none")
        monkeypatch.setenv("EE_SMTP_SENDER", "hr@c.test")
        monkeypatch.setenv("EE_REMINDER_RATE", "1000")
        at = surveys_page(make_app, "hr@demo.example", wave="T-1")
        text = page_text(at)
        assert "people who have not answered yet will get this message" in text
        (sample,) = [t.value for t in at.text]
        assert "/survey?t=…\n" in sample  # the sample link, never a real one
        at.button(key="ee_remind_send").click().run()
        assert not at.exception and not at.error, [e.value for e in at.error]
    sent = len(inbox.messages)
    assert sent > 0
    assert f"{sent} messages sent" in at.success[0].value
    log = at.dataframe[-1].value
    assert list(log.columns)[1:] == ["Channel", "Sent by", "Result"]
    assert log.iloc[0]["Channel"] == "E-mail" and f"{sent} messages sent" in log.iloc[0]["Result"]
    assert "@c.test" not in page_text(at)


def test_a_manager_sees_no_reminders(make_app, app_db):
    from ee_app.db import make_engine

    engine = make_engine(app_db)
    open_wave(engine, ["SH01"])
    engine.dispose()
    at = surveys_page(make_app, "manager.sh01@demo.example", wave="T-1")
    assert "Reminders" not in [s.value for s in at.subheader]
