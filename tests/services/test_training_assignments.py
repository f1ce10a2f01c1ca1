"""HR's controls over assessments (issue 19): extra attempts, resets, revoked and re-issued
links, new cycles, automatic assignment on roster import, and who may do what; every refusal
changes nothing."""

# ruff: noqa: F811  (the fixtures of tests/services/test_training.py are imported and used)

import pytest
from sqlalchemy import select

from ee_app.auth import Actor
from ee_app.db import read_session, write_session
from ee_app.errors import Conflict, NotFound, PermissionDenied, ValidationError
from ee_app.i18n import translator
from ee_app.keys import secret_key
from ee_app.models import QuizAssignment, QuizAttempt, Staff, StaffRole, UserRole
from ee_app.services import training, training_links, training_status, training_taking
from ee_app.services import training_assignments as ta
from ee_app.services.roster import import_roster
from ee_app.services.training_auto_assign import Rule, get_rules, set_rules
from tests.conftest import DEMO_TODAY
from tests.helpers import csv_file, snapshot, unit_id
from tests.services.test_training import (  # noqa: F401
    answers,
    newcomer,
    open_attempt,
    quiz,
    quiz_id,
    settings,
)


def employee(engine, staff_id):
    with read_session(engine) as session:
        return session.get(Staff, staff_id).employee_no


def take(engine, token, *, right):
    """Start an attempt on the link and submit it all right (or all wrong)."""
    with write_session(engine) as session:
        training_taking.start_attempt(session, token)
    attempt = open_attempt(engine, token)
    with write_session(engine) as session:
        return training_taking.submit_attempt(
            session, token, attempt.id, answers(quiz(engine, "onboarding"), attempt, right=right)
        )


def view(engine, token):
    with read_session(engine) as session:
        return training_taking.open_assessment(session, token)


def use_up(engine, token):
    for _ in range(quiz(engine, "onboarding").max_attempts):
        take(engine, token, right=False)


def test_out_of_attempts_then_hr_grants_one_and_the_person_passes(engine, newcomer, hr):
    token, staff_id = newcomer
    number = employee(engine, staff_id)
    use_up(engine, token)
    assert view(engine, token).state is training_taking.LinkState.DONE
    with write_session(engine) as session, pytest.raises(Conflict, match="HR can grant"):
        training_taking.start_attempt(session, token)
    with write_session(engine) as session:
        after = ta.grant_attempts(session, hr, "onboarding", number, 1, "retrained on 3 May")
    assert (after.attempts_left, after.extra_attempts, after.passed) == (1, 1, False)
    assert view(engine, token).state is training_taking.LinkState.READY
    assert take(engine, token, right=True).passed
    with read_session(engine) as session:
        gate = training_status.onboarding_passed(session, [staff_id])
        mine = training_status.status_table(session, hr, employee_no=number, quiz_key="onboarding")
    assert gate[staff_id] is not None
    limit = quiz(engine, "onboarding").max_attempts + 1
    assert (int(mine["attempts"].iloc[0]), bool(mine["passed"].iloc[0])) == (limit, True)
    with write_session(engine) as session, pytest.raises(Conflict, match="already passed"):
        ta.grant_attempts(session, hr, "onboarding", number, 1, "again")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("count", "reason", "error"),
    [
        (0, "retrained", "from 1 to 5"),
        (6, "retrained", "from 1 to 5"),
        (-1, "retrained", "from 1 to 5"),
        (True, "retrained", "from 1 to 5"),
        (1, "", "Give a reason"),
        (1, "   ", "Give a reason"),
        (1, "x" * 501, "under 500"),
    ],
)
def test_a_grant_is_bounded_and_needs_a_reason(engine, newcomer, hr, count, reason, error):
    _, staff_id = newcomer
    before = snapshot(engine)
    with write_session(engine) as session, pytest.raises(ValidationError, match=error):
        ta.grant_attempts(session, hr, "onboarding", employee(engine, staff_id), count, reason)
    assert snapshot(engine) == before


def test_grants_add_up_and_are_audited(engine, newcomer, hr):
    _, staff_id = newcomer
    number = employee(engine, staff_id)
    qid = quiz_id(engine, "onboarding")
    with write_session(engine) as session:
        ta.grant_attempts(session, hr, qid, number, 5, "long leave")
    with write_session(engine) as session:
        after = ta.grant_attempts(session, hr, qid, number, 2, "second chance")
    assert after.limit == quiz(engine, "onboarding").max_attempts + 7
    with read_session(engine) as session:
        from ee_app.models import AuditLog

        entries = session.scalars(
            select(AuditLog).where(AuditLog.action == "quiz.grant").order_by(AuditLog.id)
        ).all()
    assert [(e.detail["attempts"], e.detail["reason"]) for e in entries] == [
        (5, "long leave"),
        (2, "second chance"),
    ]


def test_reset_is_refused_while_an_attempt_is_under_way_and_after_a_pass(engine, newcomer, hr):
    token, staff_id = newcomer
    number = employee(engine, staff_id)
    with write_session(engine) as session:
        training_taking.start_attempt(session, token)
    before = snapshot(engine)
    with write_session(engine) as session, pytest.raises(Conflict, match="right now"):
        ta.reset_attempts(session, hr, "onboarding", number, "wrong person took it")
    assert snapshot(engine) == before
    attempt = open_attempt(engine, token)
    with write_session(engine) as session:
        training_taking.submit_attempt(
            session, token, attempt.id, answers(quiz(engine, "onboarding"), attempt, right=True)
        )
    before = snapshot(engine)
    with write_session(engine) as session, pytest.raises(Conflict, match="take the pass away"):
        ta.reset_attempts(session, hr, "onboarding", number, "again")
    assert snapshot(engine) == before


def test_a_reset_keeps_the_history_and_starts_the_count_again(engine, newcomer, hr):
    token, staff_id = newcomer
    number = employee(engine, staff_id)
    limit = quiz(engine, "onboarding").max_attempts
    use_up(engine, token)
    with write_session(engine) as session:
        after = ta.reset_attempts(session, hr, "onboarding", number, "took it untrained")
    assert (after.attempts, after.counted, after.attempts_left) == (limit, 0, limit)
    seen = view(engine, token)
    assert len(seen.attempts) == limit and seen.attempts_left == limit
    done = take(engine, token, right=True)
    assert done.number == limit + 1 and done.passed
    with read_session(engine) as session:
        status = training_status.status_table(
            session, hr, employee_no=number, quiz_key="onboarding"
        )
    assert (int(status["attempts"].iloc[0]), int(status["attempts_left"].iloc[0])) == (1, limit - 1)
    with write_session(engine) as session, pytest.raises(Conflict, match="already passed"):
        ta.reset_attempts(session, hr, "onboarding", number, "again")


def test_a_reissued_link_replaces_the_old_one(engine, newcomer, hr, settings):
    token, staff_id = newcomer
    number = employee(engine, staff_id)
    take(engine, token, right=False)
    with write_session(engine) as session:
        link = ta.reissue_link(session, hr, "onboarding", number, settings)
    new = link.link.split("?t=", 1)[1]
    assert new != token and link.employee_no == number
    assert view(engine, token).state is training_taking.LinkState.UNKNOWN
    with write_session(engine) as session, pytest.raises(NotFound, match="not valid"):
        training_taking.start_attempt(session, token)
    fresh = view(engine, new)
    assert fresh.employee_no == number and len(fresh.attempts) == 1  # the same assignment
    with read_session(engine) as session:
        links = training_links.assignment_links(
            session, hr, quiz_id(engine, "onboarding"), settings
        )
    assert [x.link for x in links if x.employee_no == number] == [link.link]
    with write_session(engine) as session:
        newer = ta.reissue_link(session, hr, "onboarding", number, settings)
    assert view(engine, new).state is training_taking.LinkState.UNKNOWN
    assert view(engine, newer.link.split("?t=", 1)[1]).state is training_taking.LinkState.READY


def test_a_revoked_link_opens_nothing_until_reissued(engine, newcomer, hr, settings):
    token, staff_id = newcomer
    number = employee(engine, staff_id)
    with write_session(engine) as session, pytest.raises(ValidationError):
        ta.revoke_link(session, hr, "onboarding", number, "")
    with write_session(engine) as session:
        ta.revoke_link(session, hr, "onboarding", number, "link posted in the group chat")
    assert view(engine, token).state is training_taking.LinkState.UNKNOWN
    with read_session(engine) as session:
        links = training_links.assignment_links(
            session, hr, quiz_id(engine, "onboarding"), settings
        )
        _, mine = ta.person_assignments(session, hr, number)
    assert number not in {x.employee_no for x in links}
    assert [a.active for a in mine if a.quiz_key == "onboarding"] == [False]
    with write_session(engine) as session, pytest.raises(Conflict, match="already withdrawn"):
        ta.revoke_link(session, hr, "onboarding", number, "again")
    with write_session(engine) as session, pytest.raises(Conflict, match="re-issue the link"):
        ta.grant_attempts(session, hr, "onboarding", number, 1, "x")
    with write_session(engine) as session:
        link = ta.reissue_link(session, hr, "onboarding", number, settings)
    assert view(engine, link.link.split("?t=", 1)[1]).state is training_taking.LinkState.READY


def test_a_new_cycle_keeps_the_history_and_gives_a_new_link(engine, newcomer, hr, settings):
    token, staff_id = newcomer
    number = employee(engine, staff_id)
    qid = quiz_id(engine, "onboarding")
    assert take(engine, token, right=True).passed
    with read_session(engine) as session:
        passed_at = training_status.onboarding_passed(session, [staff_id])[staff_id]
        staff_sh01 = len(training_links.assignment_links(session, hr, qid, settings))
    with write_session(engine) as session:
        result = ta.new_cycle(
            session, hr, qid, [unit_id(engine, "SH01-B")], settings, today=DEMO_TODAY
        )
    assert result.renewed >= 1 and result.first == 0
    assert view(engine, token).state is training_taking.LinkState.UNKNOWN  # the old cycle's link
    cycle2 = training.quiz_token(secret_key(settings), qid, staff_id, 2, 1)
    fresh = view(engine, cycle2)
    assert fresh.attempts == () and not fresh.passed
    with read_session(engine) as session:
        rows = session.scalars(
            select(QuizAssignment)
            .where(QuizAssignment.staff_id == staff_id, QuizAssignment.quiz_id == qid)
            .order_by(QuizAssignment.cycle)
        ).all()
        kept = session.scalars(
            select(QuizAttempt).where(QuizAttempt.assignment_id == rows[0].id)
        ).all()
        links = training_links.assignment_links(session, hr, qid, settings)
        status = training_status.status_table(session, hr, quiz_id=qid, employee_no=number)
        gate = training_status.onboarding_passed(session, [staff_id])[staff_id]
    assert [(r.cycle, r.active) for r in rows] == [(1, False), (2, True)]
    assert len(kept) == 1 and kept[0].passed  # the history stays
    assert len(links) == staff_sh01  # one link per person: the newest cycle's
    assert [x.link.split("?t=", 1)[1] for x in links if x.employee_no == number] == [cycle2]
    assert len(status) == 1 and not status["passed"].iloc[0]
    assert gate == passed_at  # the onboarding gate still sees the earlier pass


def test_a_manager_cannot_change_assignments_and_nothing_changes(engine, newcomer, settings):
    _, staff_id = newcomer
    number = employee(engine, staff_id)
    manager = Actor("m@x", UserRole.MANAGER, frozenset({unit_id(engine, "SH01")}))
    before = snapshot(engine)
    calls = [
        lambda s: ta.grant_attempts(s, manager, "onboarding", number, 1, "x"),
        lambda s: ta.reset_attempts(s, manager, "onboarding", number, "x"),
        lambda s: ta.revoke_link(s, manager, "onboarding", number, "x"),
        lambda s: ta.reissue_link(s, manager, "onboarding", number, settings),
        lambda s: ta.new_cycle(s, manager, quiz_id(engine, "onboarding"), [1], settings),
        lambda s: set_rules(s, manager, [Rule("onboarding")]),
    ]
    for call in calls:
        with write_session(engine) as session, pytest.raises(PermissionDenied):
            call(session)
    assert snapshot(engine) == before


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_unknown_people_and_assessments_are_named(engine, newcomer, hr):
    _, staff_id = newcomer
    with write_session(engine) as session, pytest.raises(NotFound, match="No staff member X9"):
        ta.grant_attempts(session, hr, "onboarding", "X9", 1, "x")
    with write_session(engine) as session, pytest.raises(NotFound, match="Assign it"):
        ta.grant_attempts(session, hr, "no-such", employee(engine, staff_id), 1, "x")
    zh = translator("zh-CN")
    with write_session(engine) as session, pytest.raises(ValidationError) as info:
        ta.grant_attempts(session, hr, "onboarding", employee(engine, staff_id), 9, "x")
    assert "5" in info.value.render(zh) and info.value.render(zh) != info.value.render()


HEADER = ["员工编号", "姓名", "岗位", "门店", "团队", "入职日期"]
HIRES = [
    ["N001", "钱小美", "美容师", "SH01", "SH01-B", "2026-09-01"],
    ["N002", "孙思雨", "咨询师", "SH01", "", "2026-10-08"],
]


def _import(engine, hr, settings, rows, **kwargs):
    with write_session(engine) as session:
        return import_roster(
            session, hr, csv_file(rows), "roster.csv", effective=DEMO_TODAY, settings=settings,
            **kwargs,
        )  # fmt: skip


def _assigned(engine):
    with read_session(engine) as session:
        return set(
            session.scalars(
                select(Staff.employee_no)
                .join(QuizAssignment, QuizAssignment.staff_id == Staff.id)
                .where(Staff.employee_no.in_(["N001", "N002"]))
            )
        )


def test_new_hires_get_the_assessments_of_their_role(engine, demo, hr, settings):
    with read_session(engine) as session:
        assert get_rules(session) == []  # the default: no rule
    assert _import(engine, hr, settings, [HEADER, HIRES[0]]).assessments_assigned == 0
    assert _assigned(engine) == set()
    with write_session(engine) as session:
        set_rules(session, hr, [Rule("onboarding", (StaffRole.BEAUTICIAN,))])
    with read_session(engine) as session:
        assert get_rules(session) == [Rule("onboarding", (StaffRole.BEAUTICIAN,))]
    rows = [HEADER, ["N003", "周一", "美容师", "SH01", "SH01-B", "2026-10-09"]]
    before = snapshot(engine)
    dry = _import(engine, hr, settings, rows, dry_run=True)
    assert (dry.inserted, dry.assessments_assigned) == (1, 1) and snapshot(engine) == before
    # N001 exists now (imported before the rule): not a new hire. N002, a consultant: no rule.
    result = _import(engine, hr, settings, [HEADER, *HIRES])
    assert (result.inserted, result.assessments_assigned) == (1, 0)
    assert _assigned(engine) == set()
    result = _import(engine, hr, settings, rows)
    assert (result.inserted, result.assessments_assigned) == (1, 1)
    with read_session(engine) as session:
        links = training_links.assignment_links(
            session, hr, quiz_id(engine, "onboarding"), settings
        )
    [link] = [x for x in links if x.employee_no == "N003"]
    assert view(engine, link.link.split("?t=", 1)[1]).staff_name == "周一"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("rules", "error"),
    [
        ([Rule("no-such")], "No assessment “no-such”"),
        ([Rule("onboarding"), Rule("onboarding", (StaffRole.NURSE,))], "two rules"),
    ],
)
def test_rules_name_installed_assessments_once(engine, demo, hr, rules, error):
    before = snapshot(engine)
    with write_session(engine) as session, pytest.raises(ValidationError) as info:
        set_rules(session, hr, rules)
    assert error in "; ".join(p.render() for p in info.value.problems)
    assert snapshot(engine) == before
