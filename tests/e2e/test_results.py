"""Engagement results in a real browser: a store manager sees their store's scores, its small
teams marked, and nothing of any other store."""

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.streamlit_ui import open_page, sign_in, wait_idle, wait_settled


def test_manager_reads_their_results(start_app, oidc_provider, new_page):
    app = start_app(oidc=oidc_provider)
    page = new_page()
    sign_in(page, app.url, "manager")
    open_page(page, "Engagement results")
    expect(page.get_by_role("heading", name="Engagement results")).to_be_visible()
    expect(page.get_by_role("heading", name="Headline")).to_be_visible()
    wait_settled(page)
    screenshot(page, "20-results-manager")
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text("SH01")
    for other in ("SH02", "BJ01", "GZ01"):
        expect(main).not_to_contain_text(other)

    page.get_by_role("radiogroup", name="Unit level").get_by_role("radio", name="Team").click()
    wait_idle(page)
    expect(main).to_contain_text("fewer than 5")
    screenshot(page, "21-results-teams-hidden")
