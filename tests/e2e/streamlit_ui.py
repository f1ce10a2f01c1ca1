"""Driving Streamlit widgets from Playwright, by their visible labels, waiting on conditions.

Nothing here sleeps for a fixed time. Every wait is for a condition (a script run that
finished, an element that shows), and every timeout is one of the constants below, set for
a busy two-core machine running the whole suite, with margin for twice that load: a wait
that times out means something is wrong, not that the machine was slow.

How a script run is followed: an init script in every page (:data:`TRACK_RUNS`, added by
:func:`new_context`) watches the ``data-test-script-state`` attribute Streamlit keeps on
its ``stApp`` element (``running`` while the script runs, ``notRunning`` after) and counts
the runs that started. :func:`wait_idle`, called after an action that makes the script run
again (a button, a widget change, a navigation), waits until a run has started since the
previous wait and the app has then stayed idle for :data:`QUIET_MS` (so that the run a
widget change and a button click queue one after the other is waited for too).
:func:`wait_settled` waits for the idle app without requiring a new run (after an action
that may not rerun, such as opening a tab).
"""

from __future__ import annotations

from playwright.sync_api import Browser, BrowserContext, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

__all__ = [
    "ACTION_TIMEOUT_MS",
    "E2E_TEST_TIMEOUT_S",
    "EXPECT_TIMEOUT_MS",
    "FRESH_GRACE_MS",
    "NAVIGATION_TIMEOUT_MS",
    "QUIET_MS",
    "RUN_TIMEOUT_MS",
    "SERVER_START_TIMEOUT_S",
    "TRACK_RUNS",
    "choose",
    "new_context",
    "open_page",
    "open_tab",
    "sign_in",
    "wait_idle",
    "wait_settled",
]

# A page's script run takes 0.2–5 s on an idle machine and up to about 20 s when the suite
# runs on two busy cores (the slowest: the first page a fresh app process serves, and the
# results pages). The margins below are several times that.
#: An expectation (``expect(...).to_be_visible()`` …): the element the last run draws.
EXPECT_TIMEOUT_MS = 90_000
#: One script run, from the action that started it to the idle app.
RUN_TIMEOUT_MS = 180_000
#: A click or a fill waits this long for its element to be there and enabled.
ACTION_TIMEOUT_MS = 90_000
#: A page load or redirect (sign-in goes through the provider and back).
NAVIGATION_TIMEOUT_MS = 120_000
#: The app counts as idle once no script has run for this long: the gap between two queued
#: runs is a few milliseconds.
QUIET_MS = 400
#: How long :func:`wait_idle` looks for the new run before it settles for an idle app.
FRESH_GRACE_MS = 30_000
#: A freshly started process (the app, the identity provider) answers within this.
SERVER_START_TIMEOUT_S = 180
#: One browser test as a whole (the project's 300 s per test is for tests without a browser).
E2E_TEST_TIMEOUT_S = 1200

expect.set_options(timeout=EXPECT_TIMEOUT_MS)

TRACK_RUNS = """
(() => {
  if (window.__eeRuns) return;
  const runs = (window.__eeRuns = {
    started: 0, mark: 0, state: null, since: performance.now(),
  });
  const ATTRIBUTE = "data-test-script-state";
  const step = (state) => {
    if (state === runs.state) return;
    if (state === "running") runs.started += 1;
    runs.state = state;
    runs.since = performance.now();
  };
  const current = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app ? app.getAttribute(ATTRIBUTE) : null;
  };
  new MutationObserver((records) => {
    // Replay every change of the attribute in order: one batch can hold several.
    const changes = records.filter((r) => r.attributeName === ATTRIBUTE);
    changes.forEach((record, i) => {
      const next = changes[i + 1];
      step(next ? next.oldValue : record.target.getAttribute(ATTRIBUTE));
    });
    step(current()); // the app element drawn or replaced
  }).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: [ATTRIBUTE],
    attributeOldValue: true,
  });
})();
"""

_IDLE = """([quiet, fresh]) => {
  const runs = window.__eeRuns;
  if (!runs) return false;
  return (!fresh || runs.started > runs.mark)
    && runs.state === "notRunning"
    && performance.now() - runs.since >= quiet;
}"""


def new_context(browser: Browser, **options) -> BrowserContext:  # type: ignore[no-untyped-def]
    """A browser context whose pages follow script runs, with this module's timeouts."""
    context = browser.new_context(**options)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    context.add_init_script(TRACK_RUNS)
    return context


def _wait(page: Page, *, fresh: bool, timeout: float) -> None:
    page.wait_for_load_state("domcontentloaded")
    page.wait_for_function(_IDLE, arg=[QUIET_MS, fresh], timeout=timeout, polling=100)
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0)
    page.evaluate("() => { window.__eeRuns.mark = window.__eeRuns.started; }")


def wait_idle(page: Page, timeout: float = RUN_TIMEOUT_MS) -> None:
    """Wait for the script run the last action started, until the app is idle again.

    If no new run is seen within :data:`FRESH_GRACE_MS` (a run so short, on a loaded
    machine, that the page drew it before the observer looked; or an action that started
    none), settle for an idle app: the expectations that follow wait for what they need."""
    try:
        _wait(page, fresh=True, timeout=min(timeout, FRESH_GRACE_MS))
    except PlaywrightTimeoutError:
        _wait(page, fresh=False, timeout=timeout)


def wait_settled(page: Page, timeout: float = RUN_TIMEOUT_MS) -> None:
    """Wait until no script run is in progress (none need have started)."""
    _wait(page, fresh=False, timeout=timeout)


def choose(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label`` (no run when it is picked already)."""
    page.get_by_role("combobox", name=label, exact=True).click()
    item = page.get_by_role("option", name=option, exact=True)
    already = item.get_attribute("aria-selected") == "true"
    item.click()
    if already:
        wait_settled(page)
    else:
        wait_idle(page)


def close_options(page: Page) -> None:
    """Close an open drop-down (a multiselect stays open after a pick) and wait until its
    options are gone: a click sent while the list is still closing can land on the list's
    overlay and be lost (a form's submit button then does nothing)."""
    page.keyboard.press("Escape")
    expect(page.get_by_role("option")).to_have_count(0)


def open_tab(page: Page, name: str) -> None:
    """Show the tab ``name`` (a stateful tab, like the incentives page's, reruns the script
    and draws the tab then: wait for it)."""
    page.get_by_role("tab", name=name, exact=True).click()
    wait_idle(page)
    expect(page.get_by_role("tabpanel", name=name, exact=True)).to_be_visible()


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
