"""The shopper's checklist on a phone forgives a slip, in a real browser: the sidebar folds
away once a page is chosen in it (even where the browser does not call itself a phone), a
second tap on a chosen answer keeps it, what still stops the submission is listed at the
Submit button with links that scroll to each item, and the upload box states the limit and
types the app enforces."""

import re

from playwright.sync_api import expect

from ee_app.db import make_engine
from tests.e2e.conftest import screenshot
from tests.e2e.streamlit_ui import sign_in, wait_idle, wait_settled
from tests.e2e.test_visits import CHECKLIST, NO_WITH_PHOTO, open_draft_visit


def test_a_shopper_on_a_phone_cannot_lose_an_answer_and_finds_what_is_missing(
    start_app, oidc_provider, new_page
):
    app = start_app(oidc=oidc_provider)
    engine = make_engine(app.database_url)
    # A phone-sized window whose browser does not say "phone" (Chromium's own user agent):
    # Streamlit alone would leave the sidebar open over the chosen page.
    phone = new_page(phone=True)
    sign_in(phone, app.url, "shopper")
    expand = phone.get_by_test_id("stExpandSidebarButton")
    expect(expand).to_be_visible()  # folded on a narrow screen to start with
    expand.click()
    nav = phone.get_by_test_id("stSidebarNav")
    expect(nav).to_be_in_viewport()
    nav.get_by_role("link", name="My visits", exact=True).click()
    wait_idle(phone)
    expect(phone.get_by_role("heading", name="My visits")).to_be_in_viewport()
    expect(expand).to_be_visible()
    expect(nav).not_to_be_in_viewport()
    screenshot(phone, "35-my-visits-after-navigation-phone")

    open_draft_visit(phone, engine)

    # A second tap on the chosen answer keeps it (yes/no and 1–5 alike).
    yes_no = next(i for i in CHECKLIST.items if i.type == "yes_no")
    scale = next(i for i in CHECKLIST.items if i.type == "scale")
    for item, option in ((yes_no, "Yes"), (scale, "4")):
        button = phone.locator(f".st-key-item_{item.id}").get_by_role("radio", name=option)
        button.scroll_into_view_if_needed()
        button.click()
        wait_idle(phone)
        expect(button).to_be_checked()
        button.click()
        wait_settled(phone)
        expect(button).to_be_checked()

    # What is missing, at the Submit button, each line a link to its item.
    missing = phone.locator(".st-key-ee_my_visit_missing")
    missing.scroll_into_view_if_needed()
    expect(missing).to_contain_text(re.compile(r"Still to do before you can submit: \d+ items"))
    expect(missing.get_by_role("link")).to_have_count(5)  # the first five; the rest counted
    expect(missing).to_contain_text(re.compile(r"… and \d+ more items"))
    answered = {yes_no.id, scale.id}
    first = next(i for i in CHECKLIST.items if i.scored and i.id not in answered)
    link = missing.get_by_role("link").first
    expect(link).to_have_attribute("href", f"#ee-item-{first.id}")
    expect(link).to_contain_text(first.text.en)
    assert missing.get_by_role("link", name=re.compile(re.escape(yes_no.text.en))).count() == 0
    box = phone.locator(f".st-key-item_{first.id}")
    expect(box).not_to_be_in_viewport()
    screenshot(phone, "36-visit-missing-list-phone")
    link.click()
    expect(box).to_be_in_viewport()
    # The item's first line lands just below Streamlit's fixed header, not under it.
    phone.wait_for_function(
        """(id) => {
          const top = document.getElementById(id).getBoundingClientRect().top;
          const header = document.querySelector('[data-testid="stHeader"]');
          return top >= header.getBoundingClientRect().bottom - 1 && top < innerHeight / 3;
        }""",
        arg=f"ee-item-{first.id}",
    )
    screenshot(phone, "37-visit-jumped-to-item-phone")
    # "Yes, submit" waits until nothing is missing.
    phone.get_by_role("button", name="Submit for review").click()
    expect(phone.get_by_role("button", name="Yes, submit")).to_be_disabled()
    expect(phone.get_by_text("Answer the items listed above first")).to_be_visible()
    phone.keyboard.press("Escape")

    # The upload box states what the app enforces: 5 MB per file, the types it keeps.
    evidence = phone.locator(f".st-key-item_{NO_WITH_PHOTO}")
    evidence.scroll_into_view_if_needed()
    expect(evidence).to_contain_text("Photo or receipt (JPG, PNG or PDF, at most 5 MB)")
    expect(evidence.get_by_test_id("stFileUploaderDropzoneInstructions")).to_have_text(
        "5MB per file • JPG, PNG, PDF"
    )
    screenshot(phone, "38-visit-upload-limit-phone")
    engine.dispose()
