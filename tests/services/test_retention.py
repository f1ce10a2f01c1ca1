"""The retention policy (PIPL): a dry run lists and changes nothing, a real run removes exactly
what it listed, the survey aggregates and the outcomes of months inside the horizon are
unchanged, a second run finds nothing, and one person can be erased on request."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import func, select

from ee_app.auth import Actor
from ee_app.config import Settings
from ee_app.db import read_session, write_session
from ee_app.errors import NotFound, PermissionDenied, ValidationError
from ee_app.keys import secret_key
from ee_app.models import (
    AuditLog,
    CsatRecord,
    IncentiveLine,
    QuizAssignment,
    QuizAttempt,
    Sale,
    ShopVisit,
    Staff,
    SurveyInvitation,
    SurveyResult,
    SurveyWave,
    UnitLevel,
    UserRole,
    VisitEvidence,
    WaveStatus,
)
from ee_app.services import (
    answering,
    outcomes,
    results,
    results_rows,
    retention,
    training,
    training_taking,
    waves,
)
from ee_app.services.retention_policy import (
    MAX_MONTHS,
    MIN_DATA_MONTHS,
    MIN_LEFT_MONTHS,
    Policy,
    get_policy,
    set_policy,
)
from tests.helpers import snapshot
from tests.wave_setup import open_new_wave

TODAY = date(2027, 8, 15)  # leavers before 2026-08-15 and data before 2026-02-01 go
INSIDE = (date(2026, 3, 1), date(2026, 3, 31))  # a month inside the data horizon


def _policy(engine, hr, left=MIN_LEFT_MONTHS, data=MIN_DATA_MONTHS) -> None:
    with write_session(engine) as session:
        set_policy(session, hr, left, data)


def _evidence(engine) -> tuple[int, int]:
    """Two evidence files: one of a visit before the horizon, one after. Returns their ids."""
    with write_session(engine) as session:
        visits = session.scalars(select(ShopVisit).order_by(ShopVisit.id).limit(2)).all()
        visits[0].visited_on = date(2025, 12, 10)
        visits[1].visited_on = date(2026, 6, 10)
        ids = []
        for visit, content in zip(visits, (b"old receipt", b"new photo!!"), strict=True):
            row = VisitEvidence(
                visit_id=visit.id,
                item_id="q1",
                file_name="x.jpg",
                mime="image/jpeg",
                size=len(content),
                sha256="0" * 64,
                content=content,
            )
            session.add(row)
            session.flush()
            ids.append(row.id)
        session.commit()
    return ids[0], ids[1]


def _aggregates(session, hr) -> dict:
    """Every survey_result row and the store view of every closed wave."""
    rows = sorted(tuple(r) for r in session.execute(select(SurveyResult.__table__)).all())
    views = {}
    for code in session.scalars(
        select(SurveyWave.code).where(SurveyWave.status == WaveStatus.CLOSED)
    ):
        results_rows.CACHE.clear()
        view = results.engagement_view(session, hr, code, level=UnitLevel.STORE)
        views[code] = (view.rows.to_json(), view.themes.to_json())
    return {"rows": rows, "views": views}


def _outcomes(session, hr) -> dict:
    start, end = INSIDE
    repurchase = outcomes.repurchase_table(session, hr, start, end)
    csat = outcomes.csat_table(session, hr, start, end, months=3)
    return {
        "repurchase": repurchase.drop(columns=["name"]).to_json(),
        "csat": csat.drop(columns=["name"]).to_json(),
        "stores": outcomes.store_summary(session, hr, start, end).to_json(),
    }


def _links(engine, staff_ids) -> list[tuple[str, str]]:
    """(survey token, quiz token) pairs of the people's invitations and assignments."""
    key = secret_key(Settings.from_env())
    with read_session(engine) as session:
        surveys = [
            waves.survey_token(key, w, s, g)
            for w, s, g in session.execute(
                select(
                    SurveyInvitation.wave_id,
                    SurveyInvitation.staff_id,
                    SurveyInvitation.generation,
                ).where(SurveyInvitation.staff_id.in_(staff_ids))
            )
        ]
        quizzes = [
            training.quiz_token(key, q, s)
            for q, s in session.execute(
                select(QuizAssignment.quiz_id, QuizAssignment.staff_id).where(
                    QuizAssignment.staff_id.in_(staff_ids)
                )
            )
        ]
    return surveys, quizzes


def test_dry_run_lists_and_changes_nothing(engine, demo, hr):
    _policy(engine, hr)
    _evidence(engine)
    before = snapshot(engine)
    with write_session(engine) as session:
        listed = retention.run(session, hr, TODAY, dry_run=True)
    assert snapshot(engine) == before
    assert not listed.done and listed.people and listed.sales and listed.csat
    assert (listed.evidence_files, listed.evidence_bytes) == (1, len(b"old receipt"))
    assert listed.evidence_first == listed.evidence_last == date(2025, 12, 10)
    assert all(p.leave_date < date(2026, 8, 15) for p in listed.people)


def test_run_removes_what_was_listed_and_keeps_the_aggregates(engine, demo, hr):
    _policy(engine, hr)
    _old, new_file = _evidence(engine)
    with read_session(engine) as session:
        listed = retention.plan(session, TODAY)
        aggregates = _aggregates(session, hr)
        figures = _outcomes(session, hr)
        kept_people = session.scalars(
            select(Staff.id).where(
                Staff.leave_date.is_(None) | (Staff.leave_date >= date(2026, 8, 15))
            )
        ).all()
        kept_names = dict(
            session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(kept_people))).all()
        )
        responded = sorted(
            session.execute(select(SurveyInvitation.id, SurveyInvitation.responded)).all()
        )
    gone = [p.staff_id for p in listed.people]
    surveys, quizzes = _links(engine, gone)
    assert surveys and quizzes
    with read_session(engine) as session:
        assert {answering.open_link(session, t).state for t in surveys} != {
            answering.LinkState.UNKNOWN
        }
        assert all(
            training_taking.open_assessment(session, t).state
            is not training_taking.LinkState.UNKNOWN
            for t in quizzes
        )

    with write_session(engine) as session:
        done = retention.run(session, hr, TODAY)
    assert done.done and done.counts() == listed.counts()

    with read_session(engine) as session:
        people = session.scalars(select(Staff).where(Staff.id.in_(gone))).all()
        assert {(p.name, p.email, p.mobile, p.wecom_userid) for p in people} == {
            (retention.ANONYMISED_NAME, None, None, None)
        }
        assert all(p.anonymised_at is not None for p in people)
        assert (
            dict(
                session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(kept_people))).all()
            )
            == kept_names
        )
        for token in surveys:
            assert answering.open_link(session, token).state is answering.LinkState.UNKNOWN
        for token in quizzes:
            assert (
                training_taking.open_assessment(session, token).state
                is training_taking.LinkState.UNKNOWN
            )
        attempts = session.execute(
            select(QuizAttempt.questions, QuizAttempt.answers, QuizAttempt.score)
            .join(QuizAssignment, QuizAssignment.id == QuizAttempt.assignment_id)
            .where(QuizAssignment.staff_id.in_(gone))
        ).all()
        assert attempts and all(q == [] and a == {} for q, a, _ in attempts)
        assert set(session.scalars(select(VisitEvidence.id))) == {new_file}
        # No row is left in any of these states.
        for model, *state in (
            (IncentiveLine, IncentiveLine.staff_id.in_(gone),
             IncentiveLine.name != retention.ANONYMISED_NAME),
            (Sale, Sale.sold_on < done.data_before, Sale.customer.is_not(None)),
            (Sale, Sale.sold_on >= done.data_before, Sale.customer.is_(None)),
            (CsatRecord, CsatRecord.service_date < done.data_before,
             CsatRecord.customer.is_not(None)),
        ):  # fmt: skip
            assert session.scalar(select(func.count()).select_from(model).where(*state)) == 0, state
        # Past participation and results: unchanged.
        assert (
            sorted(session.execute(select(SurveyInvitation.id, SurveyInvitation.responded)).all())
            == responded
        )
        assert _aggregates(session, hr) == aggregates
        assert _outcomes(session, hr) == figures
        entry = session.scalars(select(AuditLog).where(AuditLog.action == "retention.run")).one()
        assert entry.detail["people"] == len(gone) and entry.detail["sales"] == listed.sales
        assert all(p.name not in str(entry.detail) for p in listed.people)

    # Idempotent: a second run on the same day finds nothing and writes nothing.
    before = snapshot(engine)
    with write_session(engine) as session:
        again = retention.run(session, hr, TODAY)
    assert again.empty and snapshot(engine) == before


def test_erase_one_person_now(engine, demo, hr):
    with read_session(engine) as session:
        person = session.scalars(
            select(Staff).where(Staff.leave_date.is_(None)).order_by(Staff.id).limit(1)
        ).one()
        number, name = person.employee_no, person.name
    surveys, _ = _links(engine, [person.id])
    with write_session(engine) as session:
        who = retention.erase_person(session, hr, number, "their request of 1 Aug")
    assert (who.employee_no, who.name) == (number, name)
    with read_session(engine) as session:
        after = session.scalars(select(Staff).where(Staff.employee_no == number)).one()
        assert (after.name, after.anonymised_at is not None) == (retention.ANONYMISED_NAME, True)
        assert all(
            answering.open_link(session, t).state is answering.LinkState.UNKNOWN for t in surveys
        )
        # Past pay keeps its amounts and still verifies, without the name.
        from ee_app.models import IncentiveRun
        from ee_app.services import incentive_runs

        line = session.scalars(
            select(IncentiveLine).where(IncentiveLine.staff_id == person.id)
        ).one()
        assert line.name == retention.ANONYMISED_NAME
        view = incentive_runs.run_view(session, hr, line.run_id)
        assert [r for r in session.get(IncentiveRun, line.run_id).inputs if name in str(r)] == []
        assert any(x["employee_no"] == number for x in view.lines)
        entry = session.scalars(select(AuditLog).where(AuditLog.action == "retention.erase")).one()
        assert entry.detail == {"employee_no": number, "reason": "their request of 1 Aug"}
    with write_session(engine) as session, pytest.raises(ValidationError):
        retention.erase_person(session, hr, number, "again")


@pytest.mark.parametrize(
    ("employee_no", "reason", "error"),
    [
        ("NOBODY", "request", NotFound),
        ("E10002", "  ", ValidationError),
    ],
)
def test_erase_refuses(session, demo, hr, employee_no, reason, error):
    with pytest.raises(error):
        retention.erase_person(session, hr, employee_no, reason)


@pytest.mark.parametrize(
    ("left", "data", "ok"),
    [
        (24, 24, True),
        (MIN_LEFT_MONTHS, MIN_DATA_MONTHS, True),
        (MAX_MONTHS, MAX_MONTHS, True),
        (MIN_LEFT_MONTHS - 1, 24, False),
        (24, MIN_DATA_MONTHS - 1, False),  # shorter than the repurchase comparisons need
        (24, MAX_MONTHS + 1, False),
        (24, 0, False),
        (True, 24, False),
        ("24", 24, False),
    ],
)
def test_policy_bounds(session, hr, left, data, ok):
    assert get_policy(session) == Policy()  # the defaults until saved
    if ok:
        saved = set_policy(session, hr, left, data)
        assert (saved.left_months, saved.data_months, saved.saved_by) == (left, data, hr.email)
    else:
        with pytest.raises(ValidationError):
            set_policy(session, hr, left, data)
        assert get_policy(session) == Policy()


@pytest.mark.parametrize(
    "actor",
    [Actor("m@demo.example", UserRole.MANAGER), Actor("s@demo.example", UserRole.SHOPPER)],
)
def test_only_hr_and_admins_manage_personal_data(session, actor):
    for call in (
        lambda: set_policy(session, actor, 24, 24),
        lambda: retention.run(session, actor, TODAY, dry_run=True),
        lambda: retention.plan(session, TODAY, actor=actor),
        lambda: retention.erase_person(session, actor, "E10002", "request"),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_policy_months_are_whole():
    policy = Policy(left_months=12, data_months=18)
    assert policy.left_before(TODAY) == date(2026, 8, 15)
    assert policy.data_before(TODAY) == date(2026, 2, 1)
    assert pd.Timestamp(policy.data_before(date(2027, 3, 31))).day == 1


SALES_FILE = [
    ["单号", "顾客", "员工编号", "门店", "消费日期", "金额", "项目", "指定客顾问"],
    ["R1", "13800138000", "E10002、E10003", "SH01", "2025-12-05", "1,280.00", "水光针", "E10002"],
    ["R2", "13800138000", "E10002", "SH01", "2026-01-10", "680.50", "补水护理", ""],
    ["R3", "13800138000", "E10003", "SH01", "2026-03-05", "99", "", ""],
]
CSAT_FILE = [
    ["记录编号", "员工编号", "门店", "服务日期", "评分", "触点", "手机号"],
    ["Q1", "E10002", "SH01", "2025-12-05", "5", "接待", "138 0013 8000"],
    ["Q2", "E10003", "SH01", "2026-03-05", "4", "护理", "13900139000"],
]
OLD_ROWS = {"sales": {"R1", "R2"}, "csat": {"Q1"}}


def _import(engine, admin, kind, rows, today):
    from ee_app.services import outcomes_import as oi
    from tests.helpers import csv_file

    run = oi.import_sales if kind == "sales" else oi.import_csat
    with write_session(engine) as session:
        return run(session, admin, csv_file(rows), f"{kind}.csv", Settings.from_env(), today=today)


def _customers(engine, kind) -> dict[str, str | None]:
    model = Sale if kind == "sales" else CsatRecord
    with read_session(engine) as session:
        return dict(
            session.execute(
                select(model.source_id, model.customer).where(
                    model.source_id.in_(["R1", "R2", "R3", "R9", "Q1", "Q2", "Q9"])
                )
            ).all()
        )


@pytest.mark.parametrize(("kind", "rows"), [("sales", SALES_FILE), ("csat", CSAT_FILE)])
def test_reimport_of_an_old_file_brings_no_customer_back(engine, demo, admin, hr, kind, rows):
    _policy(engine, hr)
    assert _import(engine, admin, kind, rows, date(2026, 4, 1)).new == len(rows) - 1
    assert all(_customers(engine, kind).values())
    with write_session(engine) as session:
        retention.run(session, hr, TODAY)
    removed = {s for s, c in _customers(engine, kind).items() if c is None}
    assert removed == OLD_ROWS[kind]
    before = snapshot(engine)
    again = _import(engine, admin, kind, rows, TODAY)
    assert (again.new, again.unchanged, again.batch_id) == (0, len(rows) - 1, None)
    assert snapshot(engine) == before
    # A row older than the horizon that arrives for the first time is stored without its
    # customer, and is unchanged on the next import.
    late = [rows[0], [("R9" if kind == "sales" else "Q9"), *rows[1][1:]]]
    assert _import(engine, admin, kind, late, TODAY).new == 1
    assert _customers(engine, kind)["R9" if kind == "sales" else "Q9"] is None
    assert _import(engine, admin, kind, late, TODAY).unchanged == 1


def test_removed_customers_never_group_as_one(engine, demo, admin, hr):
    """Before the run, the file's customer bought in December and came back in January; after
    it, December's sales have no customer: nobody is counted, NULLs are not one customer."""
    _policy(engine, hr)
    _import(engine, admin, "sales", SALES_FILE, date(2026, 4, 1))
    december = (date(2025, 12, 1), date(2025, 12, 31))
    with read_session(engine) as session:
        assert outcomes.repurchase_table(session, hr, *december)["returned"].sum() > 0
    with write_session(engine) as session:
        retention.run(session, hr, TODAY)
    with read_session(engine) as session:
        assert outcomes.repurchase_table(session, hr, *december).empty
        by_store = outcomes.store_summary(session, hr, *december)
    assert by_store["rate"].isna().all()


def test_an_erasure_while_a_confidential_wave_is_open_leaves_no_link(engine, demo, hr):
    """The sealed answer of an open confidential wave carries its person: closing the wave
    after an erasure counts their answer but makes no link to them, and a run removes
    nothing else."""
    from datetime import timedelta

    from ee_app.instruments.pulse import CORE_SLOTS
    from ee_app.models import SurveyResponse, SurveyResponseLink, WaveMode

    settings = Settings.from_env()
    key = secret_key(settings)
    start = date(2026, 10, 1)
    open_new_wave(
        engine,
        hr,
        "C1",
        ["LM"],
        opens_on=start,
        closes_on=start + timedelta(days=20),
        settings=settings,
        today=start,
        mode=WaveMode.CONFIDENTIAL,
    )
    with read_session(engine) as session:
        wave_id = session.scalar(select(SurveyWave.id).where(SurveyWave.code == "C1"))
        invited = session.execute(
            select(SurveyInvitation.staff_id, SurveyInvitation.generation).where(
                SurveyInvitation.wave_id == wave_id
            )
        ).all()
        erased = session.get(Staff, invited[0][0]).employee_no
    for staff_id, generation in invited:
        token = waves.survey_token(key, wave_id, staff_id, generation)
        answering.submit(engine, token, dict.fromkeys(CORE_SLOTS, 4), 7, "", today=start, key=key)
    with write_session(engine) as session:
        retention.erase_person(session, hr, erased, "request")
    with write_session(engine) as session:
        waves.close_wave(session, hr, "C1", settings=settings)
    linked = select(func.count()).select_from(SurveyResponseLink)
    responses = select(func.count()).select_from(SurveyResponse)
    with read_session(engine) as session:
        assert session.scalar(linked.where(SurveyResponseLink.staff_id == invited[0][0])) == 0
        others = session.scalar(linked)
        assert session.scalar(responses.where(SurveyResponse.wave_id == wave_id)) == len(invited)
    assert others == len(invited) - 1
    with write_session(engine) as session:
        retention.run(session, hr, date(2026, 12, 1))
    with read_session(engine) as session:
        assert session.scalar(linked.where(SurveyResponseLink.staff_id == invited[0][0])) == 0
        assert session.scalar(linked) == others


def test_an_old_roster_file_does_not_bring_the_name_back(engine, demo, hr):
    from ee_app.services.roster import import_roster
    from tests.helpers import csv_file

    person = demo.chain.staff[1]  # a front-desk clerk of SH01-F
    row = [person.employee_no, person.name, "前台", "SH01", "SH01-F", person.hire_date.isoformat()]
    file = csv_file([["员工编号", "姓名", "岗位", "门店", "团队", "入职日期"], row])
    with write_session(engine) as session:
        retention.erase_person(session, hr, person.employee_no, "request")
    with write_session(engine) as session:
        result = import_roster(session, hr, file, "roster.csv")
    assert (result.updated, result.moved, result.unchanged) == (0, 0, 1)
    with read_session(engine) as session:
        names = session.scalars(select(Staff.name).where(Staff.employee_no == person.employee_no))
        assert list(names) == [retention.ANONYMISED_NAME]
