"""The training page and the assessment link through the real ``streamlit_app.py``: HR sees
who passed, assigns, downloads links and reads the item analysis; a manager sees their staff
only; a personal link opens its own assessment, says it is not anonymous, and an unknown one
opens nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ee_app.auth import system_actor
from ee_app.config import Settings
from ee_app.db import read_session
from ee_app.keys import secret_key
from ee_app.models import QuizVersion
from ee_app.services.training import quiz_token
from ee_app.services.training_status import status_table
from tests.pages.apptest import clean, open_page, values_of

PAGE = "ee_app/pages/training.py"


def texts(at) -> str:
    parts = values_of(at) + [m.label for m in at.metric]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(parts)


def opened(make_app, identity, language="en"):
    return clean(open_page(make_app, PAGE, identity, language))


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_hr_sees_status_assignments_and_item_analysis(make_app, language):
    at = opened(make_app, "hr@demo.example", language)
    assert len(at.tabs) == 4  # with Question banks (issue 19)
    shown = texts(at)
    assert ("Reliability (KR-20)" in shown) or ("信度（KR-20）" in shown)
    assert ("too easy" in shown) or ("太容易" in shown)  # the demo's flawed question is flagged
    # Each question's likely ranges (95% intervals, issue 16), in plain words, never "nan".
    english = language == "en"
    facility = "Facility: likely range" if english else "难度系数：可能范围"
    discrimination = "Discrimination: likely range" if english else "区分度：可能范围"
    (table,) = [f.value for f in at.dataframe if discrimination in f.value.columns]
    word = " to " if english else " 至 "
    for column in (facility, discrimination):
        cells = table[column].astype(str)
        assert all(word in cell or cell == "—" for cell in cells), cells.tolist()
        assert not cells.str.contains("nan|None").any()
    assert table[facility].str.endswith("%").sum() == len(table)  # every facility has one


def test_a_manager_sees_their_staff_only(make_app, engine):
    at = opened(make_app, "manager.sh01@demo.example")
    assert not at.tabs
    with read_session(engine) as session:
        everyone = status_table(session, system_actor("t"), quiz_key="onboarding")
    shown = texts(at)
    mine = everyone[everyone["store_code"] == "SH01"]
    others = everyone[everyone["store_code"] != "SH01"]
    assert all(no in shown for no in mine["employee_no"])
    assert not any(no in shown for no in others["employee_no"])


def test_hr_assigns_an_assessment(make_app):
    at = opened(make_app, "hr@demo.example")
    form = at.multiselect[0]
    form.select(form.options[1])  # the first unit under the brand
    at.button(key="FormSubmitter:ee_training_assign-Assign").click().run()
    assert not at.exception, at.exception
    assert any("Assigned to" in s.value for s in at.success), [s.value for s in at.success]


def assessment(make_app, token, language="en"):
    at = make_app(None, language)
    at.query_params["t"] = token
    at.run()
    at.switch_page("ee_app/pages/assessment.py")
    at.query_params["t"] = token
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_personal_link_opens_its_own_assessment(make_app, engine):
    with read_session(engine) as session:
        row = session.scalar(select(QuizVersion).where(QuizVersion.key == "onboarding"))
        table = status_table(session, system_actor("t"), quiz_id=row.id)
    person = table.iloc[0]
    token = quiz_token(secret_key(Settings.from_env()), row.id, int(person["staff_id"]))
    at = assessment(make_app, token)
    assert any("not anonymous" in i.value and person["name"] in i.value for i in at.info)
    unknown = assessment(make_app, "x" * 22)
    assert any("not valid" in i.value for i in unknown.info)
    assert not unknown.button


def test_each_staff_record_shows_the_onboarding_gate(make_app, engine):
    at = make_app("hr@demo.example")
    at.run()
    at.switch_page("ee_app/pages/org.py")
    at.run()
    assert not at.exception, at.exception
    frame = at.dataframe[0].value
    column = frame["Onboarding passed"]
    with read_session(engine) as session:
        status = status_table(session, system_actor("t"), quiz_key="onboarding")
    passed = status.set_index("employee_no")["passed"]
    shown = dict(zip(frame["Employee number"], column, strict=True))
    assert shown and all(value for value in shown.values())  # a date or "not yet" for everyone
    for number, value in shown.items():
        assert (value != "not yet") == bool(passed[number]), number
