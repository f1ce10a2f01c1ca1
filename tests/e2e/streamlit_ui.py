"""Driving Streamlit widgets from Playwright, by their visible labels."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def wait_idle(page: Page) -> None:
    """Wait until the script run finishes (the running indicator is gone)."""
    page.wait_for_load_state("domcontentloaded")
    page.wait_for_timeout(300)  # let a rerun that a click triggered begin
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=60_000)
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0, timeout=60_000)


def choose(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label``."""
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def sign_in(page: Page, url: str, sub: str) -> None:
    """Sign in through the provider's page, choosing the predefined user ``sub``."""
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/oauth2/authorize**")
    page.get_by_role("button", name=sub, exact=True).click()
    page.wait_for_url(f"{url}/**")
    wait_idle(page)


def open_page(page: Page, title: str) -> None:
    """Follow the sidebar's navigation link named ``title``."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    wait_idle(page)
