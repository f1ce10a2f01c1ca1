"""A training assessment in a real browser, on a phone, from a personal link: a new hire
fails, retries and passes; a third attempt that runs past the time limit is not accepted;
and no attempt beyond the maximum can be started."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import delete, select, update

from ee_app.auth import system_actor
from ee_app.config import Settings
from ee_app.db import make_engine, read_session, write_session
from ee_app.keys import secret_key
from ee_app.models import AttemptStatus, QuizAssignment, QuizAttempt, QuizVersion, utcnow
from ee_app.services.training import open_assessment, quiz_of, quiz_token, status_table
from tests.e2e.conftest import screenshot
from tests.e2e.streamlit_ui import wait_idle


def open_attempt(engine):  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return session.scalar(select(QuizAttempt).where(QuizAttempt.status == AttemptStatus.OPEN))


def answer(page, quiz, attempt, *, right: bool) -> None:  # type: ignore[no-untyped-def]
    for drawn in attempt.questions:
        question = quiz.question(drawn["id"])
        key = f"ee_q_{attempt.id}_{question.id}"
        wrong = [o for o in drawn["options"] if o not in question.correct]
        chosen = [o for o in drawn["options"] if o in question.correct] if right else wrong[:1]
        if question.type == "multiple":
            for option in chosen:
                page.locator(f".st-key-{key}_{option}").get_by_text(
                    question.option(option).text.en, exact=True
                ).click()
        else:
            page.locator(f".st-key-{key}").get_by_text(
                question.option(chosen[0]).text.en, exact=True
            ).click()


def test_a_new_hire_fails_retries_passes_and_runs_out_of_time(start_app, new_page):
    app = start_app()
    engine = make_engine(app.database_url)
    with read_session(engine) as session:
        row = session.scalar(select(QuizVersion).where(QuizVersion.key == "onboarding"))
        quiz = quiz_of(row)
        table = status_table(session, system_actor("e2e"), quiz_id=row.id)
    newcomer = table.iloc[0]
    with write_session(engine) as session:  # as if they had just been hired
        assignment = session.scalar(
            select(QuizAssignment.id).where(
                QuizAssignment.quiz_id == row.id,
                QuizAssignment.staff_id == int(newcomer["staff_id"]),
            )
        )
        session.execute(delete(QuizAttempt).where(QuizAttempt.assignment_id == assignment))
        session.commit()
    token = quiz_token(secret_key(Settings.from_env()), row.id, int(newcomer["staff_id"]))

    phone = new_page(phone=True)
    phone.goto(f"{app.url}/assessment?t={token}")
    wait_idle(phone)
    expect(phone.get_by_text("This assessment is not anonymous")).to_be_visible()
    expect(phone.get_by_text(str(newcomer["name"]))).to_be_visible()
    screenshot(phone, "40-assessment-start-phone")

    for number, right in ((1, False), (2, True)):
        start = "Start the assessment" if number == 1 else f"Start attempt {number}"
        phone.get_by_role("button", name=start).click()
        wait_idle(phone)
        attempt = open_attempt(engine)
        assert attempt.number == number
        answer(phone, quiz, attempt, right=right)
        if number == 2:
            screenshot(phone, "41-assessment-questions-phone")
        phone.get_by_role("button", name="Submit my answers").click()
        wait_idle(phone)
        verdict = "Passed:" if right else "Not passed:"
        expect(phone.get_by_text(verdict, exact=False).first).to_be_visible()
        if not right:
            expect(phone.get_by_text("Right answer:").first).to_be_visible()  # explanations
        screenshot(phone, f"4{number + 1}-assessment-result-{number}")
        phone.get_by_role("button", name=f"Try again ({3 - number} left)").click()
        wait_idle(phone)

    phone.get_by_role("button", name="Start attempt 3").click()
    wait_idle(phone)
    attempt = open_attempt(engine)
    answer(phone, quiz, attempt, right=True)
    with write_session(engine) as session:  # 31 minutes pass
        session.execute(
            update(QuizAttempt)
            .where(QuizAttempt.id == attempt.id)
            .values(deadline=utcnow() - timedelta(minutes=1))
        )
        session.commit()
    phone.get_by_role("button", name="Submit my answers").click()
    wait_idle(phone)
    expect(phone.get_by_text("Attempt 3 was not accepted")).to_be_visible()
    expect(phone.get_by_text("All 3 attempts have been used")).to_be_visible()
    expect(phone.get_by_role("button", name="Start attempt 4")).to_have_count(0)
    screenshot(phone, "44-assessment-no-attempts-left")

    with read_session(engine) as session:
        # What every reader sees: the third attempt ran out of time (it is written as
        # expired by the next write; a late submission is refused by the server either way).
        view = open_assessment(session, token)
        after = status_table(session, system_actor("e2e"), quiz_id=row.id)
    statuses = [a.status for a in view.attempts]
    assert statuses == [AttemptStatus.SUBMITTED, AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED]
    assert view.attempts_left == 0
    assert bool(after.set_index("staff_id").loc[int(newcomer["staff_id"]), "passed"])
    engine.dispose()
