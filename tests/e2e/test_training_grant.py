"""HR's own question bank, and a new hire who runs out of attempts is not cut off from pay
(issue 19), in a real browser: HR imports the 40-question example bank of docs/training.md
from Excel as onboarding version 2 (two attempts) and assigns it; the new hire fails twice on
a phone and reads that HR can grant another attempt; HR finds the person and grants one with a
reason; the new hire passes, and the onboarding gate of the month's incentive run opens."""

from datetime import date
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from ee_app import clock
from ee_app.auth import Actor, system_actor
from ee_app.config import Settings
from ee_app.db import make_engine, read_session, write_session
from ee_app.exports.question_bank_example import EXAMPLE_FILE
from ee_app.keys import secret_key
from ee_app.models import QuizAssignment, QuizVersion, Staff, UnitLevel, UserRole
from ee_app.services.incentive_inputs import period_inputs
from ee_app.services.org import create_unit
from ee_app.services.roster import import_roster
from ee_app.services.training import quiz_of, quiz_token
from tests.e2e.conftest import screenshot
from tests.e2e.streamlit_ui import close_options, open_page, open_tab, sign_in, wait_idle
from tests.e2e.test_training import answer, open_attempt
from tests.helpers import csv_file

HR = Actor("hr@demo.example", UserRole.HR)
NEW_HIRE = "N9001"
EXAMPLE = Path(__file__).resolve().parents[2] / EXAMPLE_FILE
TEAM = "SH01-NEW"


def show_tab(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """The tab ``name``, opened again if a rerun drew the page with its first tab."""
    if page.get_by_role("tab", name=name, exact=True).get_attribute("aria-selected") != "true":
        open_tab(page, name)


def _setup(engine) -> int:  # type: ignore[no-untyped-def]
    """A new hire: the first member of a new team of SH01, so that assigning to it reaches
    them alone."""
    today = clock.today()
    with write_session(engine) as session:
        create_unit(session, system_actor("e2e"), TEAM, "新人组", UnitLevel.TEAM, "SH01")
        session.commit()
    rows = [
        ["员工编号", "姓名", "岗位", "门店", "团队", "入职日期"],
        [NEW_HIRE, "新美容师", "美容师", "SH01", TEAM, today.replace(day=1).isoformat()],
    ]
    with write_session(engine) as session:
        result = import_roster(session, HR, csv_file(rows), "roster.csv", effective=today)
    assert result.inserted == 1
    with read_session(engine) as session:
        return session.scalar(select(Staff.id).where(Staff.employee_no == NEW_HIRE))


def _gate(engine, staff_id: int) -> bool:  # type: ignore[no-untyped-def]
    """The onboarding gate of this month's incentive run for the new hire."""
    period = date.today().strftime("%Y-%m")
    with read_session(engine) as session:
        inputs = period_inputs(session, HR, period)
    return bool(inputs.set_index("staff_id").loc[staff_id, "onboarding_passed"])


def _attempt(phone, engine, quiz, number: int, *, right: bool) -> None:  # type: ignore[no-untyped-def]
    start = "Start the assessment" if number == 1 else f"Start attempt {number}"
    phone.get_by_role("button", name=start).click()
    wait_idle(phone)
    attempt = open_attempt(engine)
    assert attempt.number == number
    answer(phone, quiz, attempt, right=right)
    phone.get_by_role("button", name="Submit my answers").click()
    wait_idle(phone)
    verdict = "Passed:" if right else "Not passed:"
    expect(phone.get_by_text(verdict, exact=False).first).to_be_visible()


def _import_bank(hr) -> None:  # type: ignore[no-untyped-def]
    """HR uploads the example workbook on Training → Question banks, checks it and saves it."""
    open_tab(hr, "Question banks")
    expect(hr.get_by_text("Onboarding assessment v1, 36 questions")).to_be_visible()
    hr.locator('input[type="file"]').set_input_files(str(EXAMPLE))
    wait_idle(hr)
    hr.get_by_role("button", name="Check the workbook").click()
    wait_idle(hr)
    expect(hr.get_by_text("It will be saved as version 2 of “onboarding”.")).to_be_visible()
    expect(hr.get_by_text("40 questions", exact=True)).to_be_visible()
    screenshot(hr, "45-question-bank-checked")
    hr.get_by_role("button", name="Save as version 2").click()
    wait_idle(hr)
    expect(hr.get_by_text("Saved version 2 of “onboarding”.")).to_be_visible()
    expect(hr.get_by_text("Onboarding assessment v2, 40 questions")).to_be_visible()


def test_hr_imports_a_bank_and_grants_a_new_hire_another_attempt_and_the_pay_gate_opens(
    start_app, oidc_provider, new_page
):
    app = start_app(oidc=oidc_provider)
    engine = make_engine(app.database_url)
    staff_id = _setup(engine)
    assert not _gate(engine, staff_id)

    hr = new_page()
    sign_in(hr, app.url, "hr")
    open_page(hr, "Training")
    _import_bank(hr)
    show_tab(hr, "Assign and links")
    assign = hr.get_by_role("button", name="Assign", exact=True)
    form = hr.get_by_test_id("stForm").filter(has=assign)
    expect(form.get_by_role("combobox", name="Assessment")).to_be_visible()  # the newest: v2
    form.get_by_label("Units", exact=True).click()
    hr.keyboard.type(TEAM)
    hr.get_by_role("option", name=f"({TEAM}) · Team").click()
    close_options(hr)
    assign.click()
    wait_idle(hr)
    expect(hr.get_by_text("Assigned to 1 staff; 0 had it already.")).to_be_visible()

    with read_session(engine) as session:
        version = session.scalar(
            select(QuizVersion).where(QuizVersion.key == "onboarding", QuizVersion.version == 2)
        )
        quiz = quiz_of(version)
        assert len(quiz.questions) == 40 and quiz.max_attempts == 2
        assert session.scalar(select(QuizAssignment.id).where(QuizAssignment.staff_id == staff_id))
    token = quiz_token(secret_key(Settings.from_env()), version.id, staff_id)
    link = f"{app.url}/assessment?t={token}"

    phone = new_page(phone=True)
    phone.goto(link)
    wait_idle(phone)
    _attempt(phone, engine, quiz, 1, right=False)
    phone.get_by_role("button", name="Try again (1 left)").click()
    wait_idle(phone)
    _attempt(phone, engine, quiz, 2, right=False)
    expect(phone.get_by_role("button", name="Try again", exact=False)).to_have_count(0)
    phone.goto(link)  # opened again later: no attempt left, and what to do
    wait_idle(phone)
    expect(phone.get_by_text("All 2 attempts have been used. HR can grant you")).to_be_visible()
    expect(phone.get_by_role("button", name="Start attempt 3")).to_have_count(0)
    screenshot(phone, "47-assessment-ask-hr")

    show_tab(hr, "Assign and links")
    hr.get_by_role("textbox", name="Employee number", exact=True).fill(NEW_HIRE)
    hr.keyboard.press("Enter")
    wait_idle(hr)
    expect(hr.get_by_text("Attempts used: 2 of 2; 0 left.")).to_be_visible()
    expect(hr.get_by_text("No attempts left", exact=False).first).to_be_visible()
    grant = hr.get_by_test_id("stExpander").filter(has_text="Grant attempts")
    grant.get_by_text("Grant attempts", exact=True).click()
    grant.get_by_role("textbox", name="Reason", exact=True).fill("Retrained on the hygiene SOP")
    grant.get_by_role("button", name="Grant").click()
    wait_idle(hr)
    show_tab(hr, "Assign and links")
    expect(hr.get_by_text("Granted 1 more attempt; 1 left now.")).to_be_visible()
    expect(hr.get_by_text("Attempts used: 2 of 3; 1 left.")).to_be_visible()
    screenshot(hr, "48-training-grant")

    phone.goto(link)
    wait_idle(phone)
    _attempt(phone, engine, quiz, 3, right=True)
    assert _gate(engine, staff_id)  # the month's incentive run now lets them through
    engine.dispose()
