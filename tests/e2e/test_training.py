"""A training assessment in a real browser, on a phone, from a personal link: a new hire
fails, retries, runs past the time limit (not accepted) and fails the last attempt; no attempt
beyond the maximum can be started. (Passing, after which no attempt is offered at all, is in
test_assessment_page.py.)"""

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import delete, select, update

from ee_app.auth import system_actor
from ee_app.config import Settings
from ee_app.db import make_engine, read_session, write_session
from ee_app.keys import secret_key
from ee_app.models import AttemptStatus, QuizAssignment, QuizAttempt, QuizVersion, utcnow
from ee_app.services.training import quiz_of, quiz_token
from ee_app.services.training_status import status_table
from ee_app.services.training_taking import open_assessment
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


def test_a_new_hire_fails_runs_out_of_time_and_uses_every_attempt(start_app, new_page):
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

    phone.get_by_role("button", name="Start the assessment").click()
    wait_idle(phone)
    attempt = open_attempt(engine)
    assert attempt.number == 1
    answer(phone, quiz, attempt, right=False)
    phone.get_by_role("button", name="Submit my answers").click()
    wait_idle(phone)
    expect(phone.get_by_text("Not passed:", exact=False).first).to_be_visible()
    expect(phone.get_by_text("Right answer:").first).to_be_visible()  # explanations
    screenshot(phone, "42-assessment-result-1")
    phone.get_by_role("button", name="Try again (2 left)").click()
    wait_idle(phone)

    phone.get_by_role("button", name="Start attempt 2").click()
    wait_idle(phone)
    attempt = open_attempt(engine)
    answer(phone, quiz, attempt, right=True)
    screenshot(phone, "41-assessment-questions-phone")
    with write_session(engine) as session:  # 31 minutes pass
        session.execute(
            update(QuizAttempt)
            .where(QuizAttempt.id == attempt.id)
            .values(deadline=utcnow() - timedelta(minutes=1))
        )
        session.commit()
    phone.get_by_role("button", name="Submit my answers").click()
    wait_idle(phone)
    expect(phone.get_by_text("Attempt 2 was not accepted")).to_be_visible()

    phone.get_by_role("button", name="Start attempt 3").click()
    wait_idle(phone)
    attempt = open_attempt(engine)
    answer(phone, quiz, attempt, right=False)
    phone.get_by_role("button", name="Submit my answers").click()
    wait_idle(phone)
    expect(phone.get_by_text("Not passed:", exact=False).first).to_be_visible()
    expect(phone.get_by_role("button", name="Try again (0 left)")).to_have_count(0)
    phone.goto(f"{app.url}/assessment?t={token}")  # coming back to the link later
    wait_idle(phone)
    expect(phone.get_by_text("All 3 attempts have been used")).to_be_visible()
    expect(phone.get_by_role("button", name="Start attempt 4")).to_have_count(0)
    screenshot(phone, "44-assessment-no-attempts-left")

    with read_session(engine) as session:
        # What every reader sees: the second attempt ran out of time (it is written as
        # expired by the next write; a late submission is refused by the server either way).
        view = open_assessment(session, token)
        after = status_table(session, system_actor("e2e"), quiz_id=row.id)
    statuses = [a.status for a in view.attempts]
    assert statuses == [AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED, AttemptStatus.SUBMITTED]
    assert view.attempts_left == 0
    assert not bool(after.set_index("staff_id").loc[int(newcomer["staff_id"]), "passed"])
    engine.dispose()
