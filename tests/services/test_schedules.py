"""Schedules, the close date and overlapping audiences, on SQLite and PostgreSQL, with a
frozen clock (every call is given ``today``)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from ee_app import clock
from ee_app.config import Settings
from ee_app.db import make_engine, read_session, write_session
from ee_app.errors import Conflict, PermissionDenied, ValidationError
from ee_app.models import AuditLog, Cadence, SurveyInvitation, SurveyWave, WaveStatus
from ee_app.services import schedule_setup, schedules, waves
from ee_app.services.overlap import overlapping_waves
from ee_app.services.schedule_runs import Outcome, run_schedules
from ee_app.services.wave_dates import set_close_date
from tests import schedule_org

D = date


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("EE_SECRET_KEY", "ab" * 32)
    monkeypatch.setenv("EE_DATA_DIR", str(tmp_path))
    return Settings.from_env()


@pytest.fixture
def org(engine):
    schedule_org.build(engine)


def make_schedule(engine, hr, code="PULSE", units=("R",), **options):
    options = {"first_opens_on": D(2026, 1, 31), "open_days": 7, **options}
    with write_session(engine) as session:
        return schedule_setup.create_schedule(
            session, hr, code=code, name="Monthly pulse", unit_codes=list(units), **options
        )


def wave_rows(engine):
    with read_session(engine) as session:
        return session.execute(
            select(SurveyWave.code, SurveyWave.name, SurveyWave.opens_on, SurveyWave.closes_on,
                   SurveyWave.status).order_by(SurveyWave.opens_on)
        ).all()  # fmt: skip


def invitations(engine):
    with read_session(engine) as session:
        return session.scalar(select(func.count()).select_from(SurveyInvitation))


def test_a_monthly_schedule_opens_and_closes_three_waves(engine, org, hr, settings):
    make_schedule(engine, hr)
    days = {
        D(2026, 1, 30): [],
        D(2026, 1, 31): [("opened", "PULSE-2026-01")],
        D(2026, 2, 3): [],  # open already: nothing to do
        D(2026, 2, 7): [("closed", "PULSE-2026-01")],
        D(2026, 2, 28): [("opened", "PULSE-2026-02")],  # clamped to February's end
        D(2026, 3, 7): [("closed", "PULSE-2026-02")],
        D(2026, 3, 31): [("opened", "PULSE-2026-03")],
        D(2026, 4, 7): [("closed", "PULSE-2026-03")],
    }
    for today, expected in days.items():
        report = run_schedules(engine, settings, today=today, timeout=2)
        assert [(e.outcome.value, e.wave) for e in report.events] == expected, today
        for event in report.of(Outcome.OPENED):
            assert event.invited == 22
    assert [tuple(r) for r in wave_rows(engine)] == [
        ("PULSE-2026-01", "Monthly pulse 2026-01", D(2026, 1, 31), D(2026, 2, 6), "closed"),
        ("PULSE-2026-02", "Monthly pulse 2026-02", D(2026, 2, 28), D(2026, 3, 6), "closed"),
        ("PULSE-2026-03", "Monthly pulse 2026-03", D(2026, 3, 31), D(2026, 4, 6), "closed"),
    ]
    assert invitations(engine) == 3 * 22
    with read_session(engine) as session:
        assert (
            session.scalar(select(func.count()).where(SurveyWave.cleanup_verified.is_(True))) == 3
        )
        actors = set(session.scalars(select(AuditLog.actor).where(AuditLog.action.like("wave.%"))))
    assert actors == {"schedule"}


def test_missed_occurrence_is_not_opened_late_and_a_late_start_opens_on_the_day(
    engine, org, hr, settings
):
    make_schedule(engine, hr)
    assert run_schedules(engine, settings, today=D(2026, 2, 10)).events == []  # January's missed
    report = run_schedules(engine, settings, today=D(2026, 3, 2))  # app was down on 02-28
    [event] = report.events
    assert (event.outcome, event.wave, event.opens_on, event.closes_on) == (
        Outcome.OPENED, "PULSE-2026-02", D(2026, 2, 28), D(2026, 3, 6),
    )  # fmt: skip


def test_weekly_codes_and_ends_on(engine, org, hr, settings):
    make_schedule(
        engine, hr, code="WK", cadence=Cadence.WEEKLY, every=2,
        first_opens_on=D(2026, 11, 2), open_days=5, ends_on=D(2026, 11, 20),
    )  # fmt: skip
    for day in (D(2026, 11, 2), D(2026, 11, 7), D(2026, 11, 16), D(2026, 11, 21), D(2026, 11, 30)):
        run_schedules(engine, settings, today=day, timeout=2)
    assert [r.code for r in wave_rows(engine)] == ["WK-2026-11-02", "WK-2026-11-16"]
    with read_session(engine) as session:
        [row] = schedules.list_schedules(session, hr, today=D(2026, 11, 30))
    assert row.next_opening is None and row.waves == 2


def test_audience_below_k_is_skipped_with_the_reason_and_stays_a_draft(engine, org, hr, settings):
    make_schedule(engine, hr, code="SMALL", units=("S3",))
    [event] = run_schedules(engine, settings, today=D(2026, 1, 31)).events
    assert event.outcome is Outcome.SKIPPED
    assert "at least 5" in " ".join(event.lines(str, lambda s, p, n: s if n == 1 else p))
    assert [r.status for r in wave_rows(engine)] == [WaveStatus.DRAFT]


def test_pause_stops_new_waves_but_an_open_one_still_closes(engine, org, hr, settings):
    make_schedule(engine, hr)
    run_schedules(engine, settings, today=D(2026, 1, 31))
    with write_session(engine) as session:
        assert schedules.pause_schedule(session, hr, "PULSE").active is False
    closed = run_schedules(engine, settings, today=D(2026, 2, 7), timeout=2)
    assert [e.outcome for e in closed.events] == [Outcome.CLOSED]
    assert run_schedules(engine, settings, today=D(2026, 2, 28)).events == []
    with write_session(engine) as session:
        row = schedules.resume_schedule(session, hr, "PULSE")
    assert row.active
    assert [e.wave for e in run_schedules(engine, settings, today=D(2026, 3, 31)).events] == [
        "PULSE-2026-03"
    ]
    with read_session(engine) as session:
        actions = session.scalars(
            select(AuditLog.action).where(AuditLog.action.like("schedule.%")).order_by(AuditLog.id)
        ).all()
    assert actions == ["schedule.create", "schedule.pause", "schedule.resume"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"code": "A-CODE-LONGER-THAN-21CH"}, "at most 21"),
        ({"code": "has space"}, "at most 21"),
        ({"open_days": 29}, "from 1 to 28 days"),
        ({"cadence": Cadence.WEEKLY, "open_days": 8}, "from 1 to 7 days"),
        ({"every": 0}, "from 1 to 12"),
        ({"ends_on": D(2026, 1, 1)}, "ends before"),
        ({"k": 2}, "at least 3"),
        ({"k_comments": 4}, "comment threshold"),
        ({"units": ("NOPE",)}, "NOPE"),
    ],
)
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # rules, not SQL
def test_create_refuses_a_bad_schedule(engine, org, hr, change, problem):
    with pytest.raises(ValidationError) as caught:
        make_schedule(engine, hr, **change)
    assert problem in " ".join(p.render() for p in caught.value.problems)


def test_schedules_are_for_hr(engine, org):
    from ee_app.auth import Actor
    from ee_app.models import UserRole

    manager = Actor(email="m@example.com", role=UserRole.MANAGER, scope=frozenset())
    with pytest.raises(PermissionDenied):
        make_schedule(engine, manager)


def test_edit_changes_future_waves_only(engine, org, hr, settings):
    make_schedule(engine, hr)
    run_schedules(engine, settings, today=D(2026, 1, 31))
    with write_session(engine) as session:
        row = schedule_setup.edit_schedule(
            session, hr, "PULSE", name="Pulse", unit_codes=["S1"], first_opens_on=D(2026, 1, 31),
            cadence=Cadence.MONTHLY, every=2, open_days=10, ends_on=None, instrument_id=None,
            mode=waves.WaveMode.ANONYMOUS, k=5, k_comments=5, language="en",
            today=D(2026, 2, 1),
        )  # fmt: skip
    assert (row.unit_codes, row.every, row.next_opening) == (("S1",), 2, D(2026, 3, 31))
    assert wave_rows(engine)[0].closes_on == D(2026, 2, 6)


# Two replicas ----------------------------------------------------------------------------------


def race(db_url, settings, today):
    """Two app replicas (two engines) running the schedules at the same moment."""
    engines = [make_engine(db_url) for _ in range(2)]
    barrier = threading.Barrier(2)
    reports, errors = [None, None], []

    def replica(i):
        try:
            barrier.wait()
            reports[i] = run_schedules(engines[i], settings, today=today, timeout=2)
        except Exception as error:  # reported below: a thread's exception would be lost
            errors.append(error)

    threads = [threading.Thread(target=replica, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for e in engines:
        e.dispose()
    assert not errors, errors
    return [e for r in reports for e in r.events]


def test_two_replicas_open_and_close_each_wave_exactly_once(db_url, engine, org, hr, settings):
    make_schedule(engine, hr)
    make_schedule(engine, hr, code="S1ONLY", units=("S1",), first_opens_on=D(2026, 1, 31))
    events = race(db_url, settings, D(2026, 1, 31))
    opened = [e.wave for e in events if e.outcome is Outcome.OPENED]
    assert sorted(opened) == ["PULSE-2026-01", "S1ONLY-2026-01"]
    assert {e.outcome for e in events} <= {Outcome.OPENED, Outcome.ELSEWHERE}
    assert len(wave_rows(engine)) == 2
    assert invitations(engine) == 22 + 12
    events = race(db_url, settings, D(2026, 2, 7))
    closed = [e.wave for e in events if e.outcome is Outcome.CLOSED]
    assert sorted(closed) == ["PULSE-2026-01", "S1ONLY-2026-01"]
    assert {e.outcome for e in events} <= {Outcome.CLOSED, Outcome.ELSEWHERE}
    with read_session(engine) as session:
        assert session.scalar(select(func.count()).where(AuditLog.action == "wave.open")) == 2
        assert session.scalar(select(func.count()).where(AuditLog.action == "wave.close")) == 2


# The close date --------------------------------------------------------------------------------


MARCH_2, MARCH_10 = D(2026, 3, 2), D(2026, 3, 10)


def draft(engine, hr, code="W1", units=("S1",), opens=MARCH_2, closes=MARCH_10):
    with write_session(engine) as session:
        return waves.create_wave(
            session, hr, code=code, name=code, unit_codes=list(units), opens_on=opens,
            closes_on=closes,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("status", "today", "closes", "error"),
    [
        ("draft", D(2026, 3, 1), D(2026, 3, 20), None),
        ("open", D(2026, 3, 5), D(2026, 3, 20), None),  # extend
        ("open", D(2026, 3, 5), D(2026, 3, 5), None),  # shorten to today
        ("open", D(2026, 3, 5), D(2026, 3, 4), ValidationError),  # the past
        ("draft", D(2026, 2, 1), D(2026, 3, 1), ValidationError),  # before it opens
        ("closed", D(2026, 3, 5), D(2026, 3, 20), Conflict),
    ],
)
def test_set_close_date(engine, org, hr, settings, status, today, closes, error):
    draft(engine, hr)
    if status != "draft":
        with write_session(engine) as session:
            waves.open_wave(session, hr, "W1", settings, today=D(2026, 3, 2))
    if status == "closed":
        with write_session(engine) as session:
            waves.close_wave(session, hr, "W1", settings)
    with write_session(engine) as session:
        if error:
            with pytest.raises(error):
                set_close_date(session, hr, "W1", closes, today=today)
            return
        row = set_close_date(session, hr, "W1", closes, today=today)
    assert row.closes_on == closes
    with read_session(engine) as session:
        entry = session.scalar(select(AuditLog).where(AuditLog.action == "wave.close_date"))
    assert entry.detail == {"before": "2026-03-10", "after": closes.isoformat()}


def test_an_extended_scheduled_wave_closes_on_its_new_date(engine, org, hr, settings):
    make_schedule(engine, hr)
    run_schedules(engine, settings, today=D(2026, 1, 31))
    with write_session(engine) as session:
        set_close_date(session, hr, "PULSE-2026-01", D(2026, 2, 10), today=D(2026, 2, 3))
    assert run_schedules(engine, settings, today=D(2026, 2, 7)).events == []
    [event] = run_schedules(engine, settings, today=D(2026, 2, 11), timeout=2).events
    assert (event.outcome, event.wave) == (Outcome.CLOSED, "PULSE-2026-01")


# Overlap ---------------------------------------------------------------------------------------


def test_overlapping_waves_counts_the_people_in_common(engine, org, hr, settings):
    draft(engine, hr, "REGION", units=("R",))
    draft(engine, hr, "STORE1", units=("S1",))
    draft(engine, hr, "STORE2", units=("S2",))
    with write_session(engine) as session:
        waves.open_wave(session, hr, "STORE1", settings, today=D(2026, 3, 2))
    with write_session(engine) as session:
        waves.open_wave(session, hr, "STORE2", settings, today=D(2026, 3, 2))
    with read_session(engine) as session:
        region = overlapping_waves(session, hr, "REGION", on=D(2026, 3, 2))
        store1 = overlapping_waves(session, hr, "STORE1", on=D(2026, 3, 2))
    assert [(o.code, o.people) for o in region] == [("STORE1", 12), ("STORE2", 8)]
    assert store1 == []  # the region wave is a draft: it reaches no one yet


def test_a_run_reports_an_overlap(engine, org, hr, settings):
    draft(engine, hr, "HANDMADE", units=("S2",), opens=D(2026, 1, 20), closes=D(2026, 2, 20))
    with write_session(engine) as session:
        waves.open_wave(session, hr, "HANDMADE", settings, today=D(2026, 1, 20))
    make_schedule(engine, hr)
    [event] = run_schedules(engine, settings, today=D(2026, 1, 31)).events
    assert [(o.code, o.people) for o in event.overlaps] == [("HANDMADE", 8)]
    assert event.problem
    lines = event.lines(str, lambda s, p, n: s if n == 1 else p)
    assert "8 people who are also invited to open wave HANDMADE" in lines[1]


# At app start ----------------------------------------------------------------------------------


def test_the_start_up_run_never_raises_and_says_what_failed(tmp_path, settings, caplog):
    """A database without the schema: the run fails in its thread, logged, kept for HR."""
    from ee_app.services.schedule_runs import start_in_background

    broken = make_engine(f"sqlite:///{tmp_path / 'not-migrated.db'}")
    run = start_in_background(broken, settings)
    assert run.finished.wait(30)
    broken.dispose()
    assert run.report is None and "survey_wave" in run.error
    assert "schedule run at start-up failed" in caplog.text


def test_the_start_up_run_opens_what_is_due(engine, org, hr, settings):
    from ee_app.services.schedule_runs import start_in_background

    make_schedule(engine, hr, first_opens_on=clock.today())  # the run counts local days
    run = start_in_background(engine, settings)
    assert run.finished.wait(60)
    assert run.error is None
    assert [e.outcome for e in run.report.events] == [Outcome.OPENED]
