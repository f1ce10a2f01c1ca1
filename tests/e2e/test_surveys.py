"""A pulse wave in a real browser: HR creates and opens it and downloads the links; a staff
member answers on a phone; the same link then refuses a second answer."""

import io
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import func, select

from ee_app.config import Settings
from ee_app.db import make_engine, read_session
from ee_app.i18n import translator
from ee_app.keys import secret_key
from ee_app.models import SurveyResponse, SurveyWave
from tests.e2e.conftest import screenshot
from tests.e2e.streamlit_ui import close_options, open_page, sign_in, wait_idle
from tests.helpers import sealed_answers

zh = translator("zh-CN")


def test_hr_runs_a_wave_and_staff_answer_on_a_phone(start_app, oidc_provider, new_page):
    app = start_app(oidc=oidc_provider)
    hr = new_page()
    sign_in(hr, app.url, "hr")
    open_page(hr, "Pulse surveys")

    # The new-wave form (the schedules' form below it has fields of the same names).
    form = hr.get_by_test_id("stForm").filter(has=hr.get_by_role("button", name="Create draft"))
    code = form.get_by_role("textbox", name="Code", exact=True)
    code.fill("e2e-nov")
    form.get_by_role("textbox", name="Wave name", exact=True).fill("E2E 十一月脉搏")
    form.get_by_label("Audience", exact=True).click()
    hr.keyboard.type("SH01")  # typing filters the options and opens the list
    hr.get_by_role("option", name="(SH01) · Store").click()
    close_options(hr)
    hr.get_by_role("button", name="Create draft").click()
    wait_idle(hr)
    expect(hr.get_by_text("Draft e2e-nov created")).to_be_visible()

    hr.get_by_role("button", name="Open the wave").click()
    hr.get_by_role("button", name="Yes, open it").click()
    wait_idle(hr)
    expect(hr.get_by_text("Wave e2e-nov is open")).to_be_visible()
    screenshot(hr, "10-wave-opened")

    with hr.expect_download() as download:
        hr.get_by_role("button", name="Invitations (Excel)").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    links = [
        row[header.index("Personal link")] for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert links and all("/survey?t=" in link for link in links)
    link = links[0].replace("http://127.0.0.1:8501", app.url)

    # The link opens the light survey page (issue 20): plain HTML, no script run to wait for.
    phone = new_page(phone=True)
    phone.goto(link)
    # The wave speaks Chinese by default; the page offers English.
    expect(phone.get_by_role("button", name=zh("Submit my answers"))).to_be_visible()
    expect(phone.locator("script")).to_have_count(0)
    screenshot(phone, "11-survey-phone-zh")
    phone.get_by_role("link", name="English", exact=True).click()
    expect(phone.get_by_text("Your answers are anonymous")).to_be_visible()
    groups = phone.locator("fieldset.item")
    expect(groups).to_have_count(12)
    for index in range(12):
        if index == 5:
            continue  # items may be skipped
        groups.nth(index).get_by_text("4 · Agree", exact=True).click()
    enps = phone.get_by_role("radiogroup", name="How likely are you to recommend")
    enps.get_by_role("radio", name="9", exact=True).click()
    phone.get_by_role("textbox").last.fill("排班可以再提前一点公布。")
    phone.get_by_role("button", name="Submit my answers").click()
    expect(phone.get_by_role("heading", name="Thank you!")).to_be_visible()
    assert "t=" not in phone.url  # the thank-you page carries no token
    screenshot(phone, "12-survey-thanks")

    again = new_page(phone=True)
    again.goto(link)
    used = zh("This link has already been used: the survey was answered. Thank you!")
    expect(again.get_by_text(used)).to_be_visible()
    screenshot(again, "13-survey-link-used-zh")
    expect(again.get_by_role("radio")).to_have_count(0)

    # While the wave is open the answers are one sealed blob; the app's key opens it.
    engine = make_engine(app.database_url)
    with read_session(engine) as session:
        wave_id = session.scalar(select(SurveyWave.id).where(SurveyWave.code == "e2e-nov"))
        plain = session.scalar(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.wave_id == wave_id)
        )
    (sent,) = sealed_answers(engine, wave_id, secret_key(Settings.from_env()))
    engine.dispose()
    assert plain == 0
    assert (sent.answers[0], sent.answers[5], sent.enps) == (4, None, 9)
    assert sent.comment == "排班可以再提前一点公布。"
