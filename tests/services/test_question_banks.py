"""Question banks through the service: a new assessment is version 1, every save a new version
and an assigned version never changes, the same bank twice is "no change", rules build on the
newest version, every broken rule is refused with nothing saved (messages in both languages),
the audit log names what was saved, and only HR may."""

import pytest
from sqlalchemy import func, select

from ee_app.auth import Actor
from ee_app.errors import NotFound, PermissionDenied, ValidationError
from ee_app.exports.question_bank_example import example_definition
from ee_app.i18n import translator
from ee_app.instruments.quiz import default_definitions
from ee_app.models import AuditLog, QuizAssignment, QuizVersion, UserRole
from ee_app.services import question_banks as banks
from ee_app.services.question_banks import with_rules
from ee_app.words.audit_labels import action_label
from tests.helpers import snapshot

EN, ZH = translator("en"), translator("zh-CN")


def own_bank(key="new-hire"):
    definition = example_definition()
    definition["key"] = key
    return definition


def versions(session, key):
    return session.scalars(
        select(QuizVersion).where(QuizVersion.key == key).order_by(QuizVersion.version)
    ).all()


def test_a_new_assessment_is_version_1_and_the_same_bank_twice_is_no_change(session, hr):
    first = banks.save_bank(session, hr, own_bank(), source="bank.xlsx")
    assert (first.key, first.version, first.created) == ("new-hire", 1, True)
    again = banks.save_bank(session, hr, own_bank())
    assert (again.version, again.created, again.id) == (1, False, first.id)
    assert len(versions(session, "new-hire")) == 1
    entry = session.scalars(select(AuditLog).where(AuditLog.action == "quiz.save")).one()
    assert entry.detail == {"key": "new-hire", "version": 1, "questions": 40, "file": "bank.xlsx"}
    assert action_label("quiz.save", EN) == "Saved a question bank (a new assessment version)"
    listed = {(v.key, v.version): v for v in banks.list_versions(session, hr)}
    assert listed["new-hire", 1].questions == 40 and listed["new-hire", 1].assigned == 0
    assert listed["new-hire", 1].topics == dict.fromkeys(
        ("skin", "hygiene", "service", "compliance"), 10
    )


def test_the_example_is_a_new_version_of_onboarding_and_v1_stays(session, demo, hr):
    v1 = versions(session, "onboarding")[0]
    kept = (v1.sha256, dict(v1.definition))
    assigned = session.scalar(
        select(func.count(func.distinct(QuizAssignment.staff_id))).where(
            QuizAssignment.quiz_id == v1.id
        )
    )
    assert assigned > 0
    preview = banks.preview_bank(session, hr, example_definition())
    assert (preview.new_key, preview.version, preview.base_version) == (False, 2, 1)
    assert preview.topics == dict.fromkeys(("skin", "hygiene", "service", "compliance"), 10)
    assert "compliance-privacy" in preview.changes.added
    assert "complaints-plan" in preview.changes.removed
    assert {"max_attempts", "draw_per_category"} <= set(preview.changes.rules)
    result = banks.save_bank(session, hr, example_definition())
    assert (result.version, result.created) == (2, True)
    session.refresh(v1)
    assert (v1.sha256, v1.definition) == kept
    listed = {(v.key, v.version): v for v in banks.list_versions(session, hr)}
    assert listed["onboarding", 1].assigned == assigned and not listed["onboarding", 1].newest
    assert listed["onboarding", 2].newest and listed["onboarding", 2].questions == 40
    stored = versions(session, "onboarding")[1].definition
    assert stored["max_attempts"] == 2 and stored["version"] == 2


def test_rules_make_a_new_version_built_on_the_newest(session, hr):
    banks.save_bank(session, hr, own_bank())
    result = banks.save_rules(
        session,
        hr,
        "new-hire",
        draw_per_category={"skin": 2, "hygiene": 2, "service": 3, "compliance": 3},
        pass_mark=0.9,
        max_attempts=3,
        time_limit_minutes=None,
        grading="last",
    )
    assert result.version == 2
    old, new = (v.definition for v in versions(session, "new-hire"))
    assert new["questions"] == old["questions"]
    assert (new["pass_mark"], new["max_attempts"], new["grading"]) == (0.9, 3, "last")
    assert "time_limit_minutes" not in new
    assert sum(new["draw_per_category"].values()) == 10
    entry = session.scalars(select(AuditLog).where(AuditLog.action == "quiz.rules")).one()
    assert entry.detail["base"] == 1 and entry.detail["version"] == 2
    with pytest.raises(NotFound):
        banks.save_rules(session, hr, "nope", pass_mark=0.5)


def test_with_rules_changes_only_what_it_is_given():
    shipped = default_definitions()["onboarding"]
    new = with_rules(shipped, max_attempts=2)
    assert new == {**shipped, "max_attempts": 2}
    assert shipped["max_attempts"] == 3  # the given definition is untouched
    whole = with_rules(shipped, draw_per_category=None, draw=20)
    assert "draw_per_category" not in whole and whole["draw"] == 20


DRAWS = {"skin": 5, "hygiene": 5, "service": 5, "compliance": 5}
RULES = [
    (
        "pass mark 120%",
        {"pass_mark": 1.2},
        "The pass mark must be a share above 0 and at most 1.",
        "合格线",
    ),
    (
        "attempts 0",
        {"max_attempts": 0},
        "The maximum number of attempts must be 1 or more.",
        "作答次数",
    ),
    (
        "time limit 0",
        {"time_limit_minutes": 0},
        "The time limit is a whole number of minutes, or left out.",
        "限时",
    ),
    ("unknown grading", {"grading": "best"}, "The grading rule is “highest” or “last”.", "最高"),
    (
        "unknown topic in the draw",
        {"draw_per_category": {**DRAWS, "makeup": 2}},
        "Category “makeup” has 0 questions; 2 cannot be drawn.",
        "makeup",
    ),
    (
        "draw more than the topic has",
        {"draw_per_category": {**DRAWS, "skin": 11}},
        "Category “skin” has 10 questions; 11 cannot be drawn.",
        "skin",
    ),
    (
        "topic never drawn",
        {"draw_per_category": {"skin": 5, "hygiene": 5, "service": 5}},
        "Category “compliance” is never drawn",
        "compliance",
    ),
]


@pytest.mark.parametrize(("name", "rules", "english", "chinese"), RULES, ids=[r[0] for r in RULES])
def test_each_broken_rule_is_refused_and_nothing_saved(
    engine, session, hr, name, rules, english, chinese
):
    banks.save_bank(session, hr, own_bank())
    before = snapshot(engine)
    with pytest.raises(ValidationError) as caught:
        banks.save_rules(session, hr, "new-hire", **rules)
    rendered = [p.render(EN) for p in caught.value.problems]
    assert any(english in r for r in rendered), rendered
    chinese_text = caught.value.render(ZH)
    assert chinese in chinese_text and "考核" in chinese_text
    assert snapshot(engine) == before


def test_a_bank_with_every_problem_reports_them_all(session, hr):
    broken = own_bank()
    broken["pass_mark"] = 0
    broken["max_attempts"] = 0
    broken["questions"][0]["zh-CN"] = ""
    broken["questions"][1]["id"] = broken["questions"][0]["id"]
    with pytest.raises(ValidationError) as caught:
        banks.save_bank(session, hr, broken)
    assert len(caught.value.problems) >= 4
    assert not versions(session, "new-hire")


def test_only_hr_and_admins_manage_question_banks(session):
    manager = Actor(email="m@demo.example", role=UserRole.MANAGER, scope=frozenset({1}))
    for call in (
        lambda: banks.save_bank(session, manager, own_bank()),
        lambda: banks.list_versions(session, manager),
        lambda: banks.preview_bank(session, manager, own_bank()),
        lambda: banks.version_definition(session, manager, "onboarding"),
    ):
        with pytest.raises(PermissionDenied):
            call()
