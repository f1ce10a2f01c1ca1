"""The assessment page forgives a slip, in a real browser on a phone: Submit with questions
open asks first and says how many; the countdown shows the deadline in local time, turns into
a warning in the last minutes and says when the time is up, without losing what was ticked;
after a pass there is no further attempt to start, only the result, the history and the
explanations."""

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import delete, select, update

from ee_app.auth import system_actor
from ee_app.clock import format_time, zone_name
from ee_app.config import Settings
from ee_app.db import make_engine, read_session, write_session
from ee_app.keys import secret_key
from ee_app.models import AttemptStatus, QuizAssignment, QuizAttempt, QuizVersion, utcnow
from ee_app.services.training import quiz_of, quiz_token
from ee_app.services.training_status import status_table
from tests.e2e.conftest import screenshot
from tests.e2e.streamlit_ui import wait_idle
from tests.e2e.test_training import open_attempt


def fresh_link(engine):  # type: ignore[no-untyped-def]
    """The onboarding quiz and a personal link of someone with no attempt yet."""
    with read_session(engine) as session:
        row = session.scalar(select(QuizVersion).where(QuizVersion.key == "onboarding"))
        quiz = quiz_of(row)
        table = status_table(session, system_actor("e2e"), quiz_id=row.id)
        staff_id = int(table.iloc[0]["staff_id"])
    with write_session(engine) as session:
        assignment = session.scalar(
            select(QuizAssignment.id).where(
                QuizAssignment.quiz_id == row.id, QuizAssignment.staff_id == staff_id
            )
        )
        session.execute(delete(QuizAttempt).where(QuizAttempt.assignment_id == assignment))
        session.commit()
    return quiz, quiz_token(secret_key(Settings.from_env()), row.id, staff_id)


def option_of(page, quiz, attempt, drawn):  # type: ignore[no-untyped-def]
    """The right option of one drawn question, as a locator (the first one for "multiple")."""
    question = quiz.question(drawn["id"])
    key = f"ee_q_{attempt.id}_{question.id}"
    right = [o for o in drawn["options"] if o in question.correct]
    if question.type == "multiple":
        return [
            page.locator(f".st-key-{key}_{o}").get_by_text(question.option(o).text.en, exact=True)
            for o in right
        ]
    name = question.option(right[0]).text.en
    return [page.locator(f".st-key-{key}").get_by_text(name, exact=True)]


def answer(page, quiz, attempt, questions) -> None:  # type: ignore[no-untyped-def]
    for drawn in questions:
        for option in option_of(page, quiz, attempt, drawn):
            option.click()


def test_unanswered_questions_are_confirmed_time_counts_down_and_a_pass_ends_it(
    start_app, new_page
):
    app = start_app()
    engine = make_engine(app.database_url)
    quiz, token = fresh_link(engine)
    phone = new_page(phone=True)
    phone.goto(f"{app.url}/assessment?t={token}")
    wait_idle(phone)
    phone.get_by_role("button", name="Start the assessment").click()
    wait_idle(phone)
    attempt = open_attempt(engine)
    drawn = list(attempt.questions)

    # The deadline in local time (the app's zone, named), and the minutes left.
    clock = phone.locator(".st-key-ee_assessment_countdown")
    when = f"{format_time(attempt.deadline, '%H:%M')} {zone_name(lambda s: s)}"
    expect(clock).to_contain_text(f"Submit by {when}: 30 minutes left.")

    # All but the last three answered; then the deadline comes close. The countdown redraws
    # on its own, as a warning, and what was ticked stays ticked.
    answer(phone, quiz, attempt, drawn[:-3])
    with write_session(engine) as session:
        session.execute(
            update(QuizAttempt)
            .where(QuizAttempt.id == attempt.id)
            .values(deadline=utcnow() + timedelta(minutes=4, seconds=30))
        )
        session.commit()
    expect(clock).to_contain_text("5 minutes left.", timeout=30_000)
    expect(clock.get_by_test_id("stAlertContentWarning")).to_be_visible()
    first = option_of(phone, quiz, attempt, drawn[0])[0]
    expect(first.locator("xpath=ancestor::label//input")).to_be_checked()
    screenshot(phone, "45-assessment-countdown-warning")

    def move_deadline(delta: timedelta) -> None:
        with write_session(engine) as session:
            session.execute(
                update(QuizAttempt)
                .where(QuizAttempt.id == attempt.id)
                .values(deadline=utcnow() + delta)
            )
            session.commit()

    move_deadline(-timedelta(minutes=1))  # the time runs out: the page says so by itself
    expect(clock.get_by_test_id("stAlertContentError")).to_contain_text(
        "Time is up", timeout=30_000
    )
    move_deadline(timedelta(minutes=20))  # (back in time, to go on)
    expect(clock).to_contain_text("20 minutes left.", timeout=30_000)
    expect(first.locator("xpath=ancestor::label//input")).to_be_checked()

    phone.get_by_role("button", name="Submit my answers").click()
    wait_idle(phone)
    numbers = f"{len(drawn) - 2}, {len(drawn) - 1}, {len(drawn)}"
    expect(phone.get_by_text(f"3 questions are unanswered (numbers {numbers})")).to_be_visible()
    screenshot(phone, "46-assessment-unanswered-confirm")
    with read_session(engine) as session:  # nothing was submitted
        assert session.get(QuizAttempt, attempt.id).status is AttemptStatus.OPEN
    phone.get_by_role("button", name="Go back").click()
    wait_idle(phone)
    expect(phone.get_by_text("questions are unanswered")).to_have_count(0)
    answer(phone, quiz, attempt, drawn[-3:-1])
    phone.get_by_role("button", name="Submit my answers").click()
    wait_idle(phone)
    expect(
        phone.get_by_text(f"1 question is unanswered (number {len(drawn)}); it counts as wrong.")
    ).to_be_visible()
    phone.get_by_role("button", name="Submit anyway").click()
    wait_idle(phone)
    total = len(drawn)
    expect(phone.get_by_text(f"Passed: {total - 1} of {total} right")).to_be_visible()
    expect(phone.get_by_text("nothing more to do")).to_be_visible()
    expect(phone.get_by_role("button", name=re.compile("Try again"))).to_have_count(0)

    # Coming back to the link later: the pass, the history and the explanations; no start.
    again = new_page(phone=True)
    again.goto(f"{app.url}/assessment?t={token}")
    wait_idle(again)
    expect(again.get_by_text("You have passed this assessment.")).to_be_visible()
    expect(again.get_by_text(f"Attempt 1: {total - 1}/{total}")).to_be_visible()
    expect(again.get_by_text("Right answer:").first).to_be_visible()
    expect(again.get_by_role("button", name=re.compile("^Start"))).to_have_count(0)
    screenshot(again, "47-assessment-passed-no-new-attempt")
    with read_session(engine) as session:
        marked = session.get(QuizAttempt, attempt.id)
    assert marked.status is AttemptStatus.SUBMITTED and marked.correct == total - 1
    assert marked.passed
    engine.dispose()
