"""Issue 17: four eyes need two named people (the shell's own actor approves nothing, nor is
a run it prepared approvable), and the payroll sign-off sheet gives its times in local time."""

import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from ee_app.auth import Actor, system_actor
from ee_app.db import read_session, write_session
from ee_app.errors import Conflict
from ee_app.exports.payroll import payroll_xlsx
from ee_app.models import IncentiveRun, IncentiveScheme, RunStatus, UserRole
from ee_app.services import incentive_approval, incentive_runs

PERIOD = "2026-09"


def run_for(engine, actor):
    with read_session(engine) as session:
        scheme = session.scalar(select(IncentiveScheme.id).order_by(IncentiveScheme.id))
    with write_session(engine) as session:
        return incentive_runs.create_run(session, actor, scheme, PERIOD).id


def status(engine, run_id):
    with read_session(engine) as session:
        run = session.get(IncentiveRun, run_id)
        return run.status, run.approved_by


@pytest.mark.parametrize(
    ("preparer", "approver", "message"),
    [
        # the preparer again, however the address is typed
        ("hr@demo.example", "hr@demo.example", "prepared by you"),
        ("hr@demo.example", "HR@Demo.Example", "prepared by you"),
        ("hr@demo.example", " hr@demo.example ", "prepared by you"),
        # the shell's actor (ee-app without --as) is nobody in particular
        ("hr@demo.example", "cli", "needs a named approver"),
        ("hr@demo.example", "ee-app", "needs a named approver"),
        # a run the shell prepared without a name: no second person can be shown
        ("cli", "hr2@demo.example", "prepared without a name"),
        ("cli", "cli", "needs a named approver"),
    ],
)
def test_approval_needs_a_second_named_person(engine, demo, preparer, approver, message):
    def actor(email):
        if "@" in email:
            return Actor(email, UserRole.HR)
        return system_actor(email)  # an administrator: may do everything but this

    run_id = run_for(engine, actor(preparer))
    with write_session(engine) as session, pytest.raises(Conflict, match=message):
        incentive_approval.approve_run(session, actor(approver), run_id)
    assert status(engine, run_id) == (RunStatus.DRAFT, "")


@pytest.mark.parametrize(
    ("language", "zone", "prepared_label", "approved_label", "prepared", "approved"),
    [
        # 30 Sep 17:30 UTC is 1 Oct 01:30 in Shanghai (UTC+8): the local date is the next day.
        (
            "en",
            None,
            "Prepared at (Beijing time)",
            "Approved at (Beijing time)",
            "2026-10-01 01:30",
            "2026-10-02 00:05",
        ),
        (
            "zh-CN",
            None,
            "制表时间（北京时间）",
            "审批时间（北京时间）",
            "2026-10-01 01:30",
            "2026-10-02 00:05",
        ),
        (
            "en",
            "UTC",
            "Prepared at (Coordinated Universal Time)",
            "Approved at (Coordinated Universal Time)",
            "2026-09-30 17:30",
            "2026-10-01 16:05",
        ),
    ],
)
def test_the_signoff_sheet_is_in_local_time(
    engine,
    demo,
    hr,
    monkeypatch,
    language,
    zone,
    prepared_label,
    approved_label,
    prepared,
    approved,
):
    if zone:
        monkeypatch.setenv("EE_TIMEZONE", zone)
    else:
        monkeypatch.delenv("EE_TIMEZONE", raising=False)
    run_id = run_for(engine, hr)
    with write_session(engine) as session, session.begin():  # stored in UTC, as the app does
        session.execute(
            update(IncentiveRun)
            .where(IncentiveRun.id == run_id)
            .values(
                created_at=datetime(2026, 9, 30, 17, 30, tzinfo=UTC),
                approved_at=datetime(2026, 10, 1, 16, 5, tzinfo=UTC),
            )
        )
    with read_session(engine) as session:
        view = incentive_runs.run_view(session, hr, run_id)
    book = load_workbook(io.BytesIO(payroll_xlsx(view, language)))
    sheet = book.worksheets[-1]
    signoff = {r[0]: r[1] for r in sheet.iter_rows(values_only=True) if r and r[0]}
    assert signoff[prepared_label] == prepared
    assert signoff[approved_label] == approved
    assert not any("UTC" in str(v) for row in sheet.iter_rows(values_only=True) for v in row)
