"""A question bank from Excel in a real browser: HR signs in, opens Training → Question banks,
uploads the example workbook of docs/training.md, checks it, confirms, and sees the new
onboarding version listed with its 40 questions."""

from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from ee_app.db import make_engine, read_session
from ee_app.exports.question_bank_example import EXAMPLE_FILE
from ee_app.models import QuizVersion
from tests.e2e.conftest import screenshot
from tests.e2e.streamlit_ui import open_page, sign_in, wait_idle

EXAMPLE = Path(__file__).resolve().parents[2] / EXAMPLE_FILE


def test_hr_imports_the_example_question_bank(start_app, oidc_provider, new_page):
    app = start_app(oidc=oidc_provider)
    page = new_page()
    sign_in(page, app.url, "hr")
    open_page(page, "Training")
    page.get_by_role("tab", name="Question banks").click()
    expect(page.get_by_text("Onboarding assessment v1, 36 questions")).to_be_visible()
    page.locator('input[type="file"]').set_input_files(str(EXAMPLE))
    wait_idle(page)
    page.get_by_role("button", name="Check the workbook").click()
    wait_idle(page)
    expect(page.get_by_text("It will be saved as version 2 of “onboarding”.")).to_be_visible()
    expect(page.get_by_text("40 questions", exact=True)).to_be_visible()
    expect(page.get_by_text("Added questions:", exact=False)).to_be_visible()
    screenshot(page, "45-question-bank-checked")
    page.get_by_role("button", name="Save as version 2").click()
    wait_idle(page)
    expect(page.get_by_text("Saved version 2 of “onboarding”.")).to_be_visible()
    expect(page.get_by_text("Onboarding assessment v2, 40 questions")).to_be_visible()
    screenshot(page, "46-question-bank-saved")
    engine = make_engine(app.database_url)
    with read_session(engine) as session:
        rows = session.scalars(
            select(QuizVersion).where(QuizVersion.key == "onboarding").order_by(QuizVersion.version)
        ).all()
    engine.dispose()
    assert [r.version for r in rows] == [1, 2]
    assert len(rows[1].definition["questions"]) == 40
    assert rows[1].definition["max_attempts"] == 2
