"""The Personal data page through the real ``streamlit_app.py``: HR sees the policy and what
goes today in words, removes it after ticking a confirmation that names the counts, and erases
one person by typing the employee number twice; the page reads the same in Chinese."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ee_app.db import read_session, write_session
from ee_app.models import Staff, UserRole
from ee_app.services.retention import ANONYMISED_NAME
from ee_app.ui.navigation import pages_for
from tests.pages.apptest import clean, open_page, values_of

PAGE = "ee_app/pages/retention.py"


def texts(at) -> str:
    parts = values_of(at) + [c.label for c in at.checkbox]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(parts)


def opened(make_app, language="en"):
    return clean(open_page(make_app, PAGE, language=language))


def test_hr_removes_what_goes_and_erases_one_person(make_app, engine):
    with write_session(engine) as session:
        leaver, stays = session.scalars(select(Staff).order_by(Staff.id).limit(2)).all()
        leaver.leave_date = date(2020, 3, 31)  # left long ago: due under the default policy
        numbers = (leaver.employee_no, stays.employee_no)
        name = leaver.name
        session.commit()
    at = opened(make_app)
    shown = texts(at)
    assert "1 person who left before" in shown and name in shown and "2020-03-31" in shown

    at.button(key="FormSubmitter:ee_retention_run_form-Remove now").click().run()
    assert "Tick the confirmation first." in texts(at)
    at.checkbox(key="ee_retention_confirm").check()
    at.button(key="FormSubmitter:ee_retention_run_form-Remove now").click().run()
    assert not at.exception, at.exception
    assert "Removed: 1 person who left before" in texts(at), texts(at)
    with read_session(engine) as session:
        assert session.get(Staff, leaver.id).name == ANONYMISED_NAME

    at.text_input(key="ee_retention_erase_no").input(numbers[1])
    at.text_input(key="ee_retention_erase_again").input("X" + numbers[1])
    at.text_input(key="ee_retention_erase_reason").input("request of 1 Dec")
    at.button(key="FormSubmitter:ee_retention_erase_form-Erase").click().run()
    assert "Type the same employee number twice." in texts(at)
    at.text_input(key="ee_retention_erase_again").input(numbers[1])
    at.button(key="FormSubmitter:ee_retention_erase_form-Erase").click().run()
    assert f"Erased the personal data of employee number {numbers[1]}." in texts(at)
    with read_session(engine) as session:
        assert session.get(Staff, stays.id).anonymised_at is not None


def test_reads_in_chinese_and_managers_cannot_open_it(make_app):
    at = opened(make_app, "zh-CN")
    shown = texts(at)
    assert "个人信息保留" in shown and "今天没有需要删除的数据。" in shown
    offered = {role: [p.path for p in pages_for(role)] for role in UserRole}
    assert [r for r in UserRole if PAGE in offered[r]] == [UserRole.ADMIN, UserRole.HR]
