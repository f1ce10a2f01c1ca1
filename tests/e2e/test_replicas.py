"""Two replicas of the app on one PostgreSQL database, as a load-balanced installation runs it.

Nothing that must be shared may live in a process: the test starts two real ``streamlit run``
processes (each with its own data folder, so not even a file is shared; only the database URL
and ``EE_SECRET_KEY``), opens a wave with the services, and has two Chromium phones answer
different personal links through the two replicas at the same time, and one link through both
at the same moment. The database must hold one response per link and exactly the answered
invitations marked; after the wave closes, both replicas must show HR the same results.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, func, select, text

from ee_app.auth import Actor
from ee_app.config import Settings
from ee_app.db import make_engine, read_session, write_session
from ee_app.models import (
    Staff,
    SurveyInvitation,
    SurveyResponse,
    SurveyWave,
    UserRole,
)
from ee_app.services.results import engagement_view
from ee_app.services.waves import close_wave, create_wave, invitation_links, open_wave
from tests.conftest import PG_SERVER, _pg_url, require_or_skip
from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    app_environment,
    free_port,
    process,
    screenshot,
    streamlit_command,
    wait_for,
)
from tests.e2e.streamlit_ui import (
    E2E_TEST_TIMEOUT_S,
    RUN_TIMEOUT_MS,
    choose,
    new_context,
    wait_idle,
)
from tests.helpers import sealed_answers

pytestmark = pytest.mark.e2e

STORE = "SH01"
WAVE = "replicas"
WAVE_NAME = "Two replicas"
PER_REPLICA = 4  # different links answered through each replica
SCALE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
HR = Actor(email="hr@demo.example", role=UserRole.HR)
USED = "This link has already been used"  # the start of both the error and the info message


@dataclass(frozen=True)
class Replica:
    name: str
    url: str


@pytest.fixture
def pg_demo_url(pg_templates: dict[str, str]) -> Iterator[str]:
    """A database of this test's own, copied from the demo template; dropped at the end."""
    name = f"ee_rep_{secrets.token_hex(4)}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_templates["demo"]}"'))
    try:
        yield _pg_url(name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def start_replicas(stack: ExitStack, tmp_path: Path, database_url: str, key: str) -> list[Replica]:
    """Two ``streamlit run serve.py`` processes on free ports, in demo mode, sharing
    only the database and the secret key (each has its own data folder)."""
    replicas = []
    for name in ("a", "b"):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = app_environment(
            port,
            {
                "EE_DATABASE_URL": database_url,
                "EE_SECRET_KEY": key,
                "EE_DATA_DIR": str(tmp_path / f"data-{name}"),
            },
        )
        args = streamlit_command("serve.py", port, tmp_path / "no-secrets.toml")
        stack.enter_context(process(args, env, tmp_path / f"replica-{name}.log"))
        replicas.append(Replica(name, url))
    for replica in replicas:  # both start at once; wait for both
        wait_for(f"{replica.url}/_stcore/health", "ok")
    return replicas


def in_two_browsers(
    jobs: list[Callable[[object], object]],
    barriers: tuple[threading.Barrier, ...] = (),
    timeout: float = E2E_TEST_TIMEOUT_S / 2,
) -> list:
    """Run each job in its own thread with its own Playwright and Chromium (the sync API
    belongs to the thread that started it, and the test's thread may hold one already); return
    their results, re-raise the first error (breaking ``barriers`` so no thread waits on)."""
    from playwright.sync_api import sync_playwright

    results: list = [None] * len(jobs)
    errors: list[BaseException] = []

    def run(index: int, job: Callable[[object], object]) -> None:
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    results[index] = job(browser)
                finally:
                    browser.close()
        except BaseException as exc:  # reported in the test's thread
            errors.append(exc)
            for barrier in barriers:
                barrier.abort()

    threads = [
        threading.Thread(target=run, args=(i, job), name=f"replica-{i}", daemon=True)
        for i, job in enumerate(jobs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    if errors:
        raise errors[0]
    assert not any(t.is_alive() for t in threads), "a browser thread did not finish"
    return results


def phone(browser) -> Page:  # type: ignore[no-untyped-def]
    context = new_context(
        browser,
        locale="en-US",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    return context.new_page()


def fill_survey(page: Page, link: str, value: int, enps: int, *, cold: bool = False) -> None:
    """Open a personal link and answer every item with ``value`` and the eNPS with ``enps``.
    ``cold``: the replica's first page, which imports everything and starts the engine (about
    10 s alone, twice that with two replicas and two browsers on two cores): it is given a
    script run's whole margin."""
    page.goto(link)  # the light survey page (issue 20): plain HTML, no script run
    intro = page.get_by_text("Your answers are anonymous")
    expect(intro).to_be_visible(timeout=RUN_TIMEOUT_MS if cold else None)
    groups = page.locator("fieldset.item")
    expect(groups).to_have_count(12)
    label = f"{value} · {SCALE[value - 1]}"
    for index in range(12):
        groups.nth(index).get_by_text(label, exact=True).click()
    scale = page.get_by_role("radiogroup", name="How likely are you to recommend")
    scale.get_by_role("radio", name=str(enps), exact=True).click()


def submit_and_read(page: Page) -> str:
    """Submit; "thanks" when the answers were recorded, "used" when the link was refused."""
    page.get_by_role("button", name="Submit my answers").click()
    thanks = page.get_by_role("heading", name="Thank you!", exact=True)
    refused = page.get_by_text(USED).first
    expect(thanks.or_(refused).first).to_be_visible()
    return "thanks" if thanks.count() else "used"


def test_two_replicas_share_nothing_but_the_database(tmp_path, monkeypatch, pg_demo_url):
    if not Path(CHROMIUM).exists():
        require_or_skip(f"Chromium is not installed at {CHROMIUM}")
    key = secrets.token_hex(32)
    monkeypatch.setenv("EE_SECRET_KEY", key)  # links are HMACs of it: the same everywhere
    engine = make_engine(pg_demo_url)
    with ExitStack() as stack:
        stack.callback(engine.dispose)
        a, b = start_replicas(stack, tmp_path, pg_demo_url, key)

        # The wave is made after both replicas started: nothing about it can be in their memory.
        today = date.today()
        settings = replace(Settings.from_env(), public_url=a.url)
        with write_session(engine) as session:
            create_wave(
                session,
                HR,
                code=WAVE,
                name=WAVE_NAME,
                unit_codes=[STORE],
                opens_on=today,
                closes_on=today + timedelta(days=14),
                language="en",
            )
            open_wave(session, HR, WAVE, settings, today=today)
            links = {i.employee_no: i.link for i in invitation_links(session, HR, WAVE, settings)}
        assert len(links) >= 2 * PER_REPLICA + 2, f"{STORE} has too few staff: {len(links)}"
        assert all(link.startswith(f"{a.url}/survey?t=") for link in links.values())

        staff = sorted(links)
        shared = staff[0]  # answered through both replicas at the same moment
        own = {a.name: staff[1 : 1 + PER_REPLICA], b.name: staff[1 + PER_REPLICA :][:PER_REPLICA]}
        # Each link gets its own eNPS value, so the stored responses tell which links they are.
        enps_of = {no: i for i, no in enumerate(staff[1 : 1 + 2 * PER_REPLICA])}
        at_once = threading.Barrier(2, timeout=RUN_TIMEOUT_MS / 1000)
        clicked: dict[str, float] = {}

        def answer(replica: Replica) -> Callable[[object], str]:
            def job(browser) -> str:  # type: ignore[no-untyped-def]
                page = phone(browser)
                for i, no in enumerate(own[replica.name]):
                    link = links[no].replace(a.url, replica.url)
                    fill_survey(page, link, 4, enps_of[no], cold=i == 0)
                    assert submit_and_read(page) == "thanks", no
                # The same link in both replicas: both pages are ready, then submit together.
                page = phone(browser)
                fill_survey(page, links[shared].replace(a.url, replica.url), 2, 9 + (replica is b))
                at_once.wait()
                clicked[replica.name] = time.monotonic()
                outcome = submit_and_read(page)
                screenshot(page, f"60-replica-{replica.name}-same-link-{outcome}")
                return outcome

            return job

        outcomes = in_two_browsers([answer(a), answer(b)], (at_once,))
        assert sorted(outcomes) == ["thanks", "used"], outcomes
        assert abs(clicked["a"] - clicked["b"]) < 2, clicked

        answered = {shared, *own[a.name], *own[b.name]}
        invited = check_database(engine, answered, enps_of, bytes.fromhex(key))
        assert invited == len(links) >= 10

        with write_session(engine) as session:
            close_wave(session, HR, WAVE, settings)
        with read_session(engine) as session:
            view = engagement_view(session, HR, WAVE)
        expected = view.headline.to_dict("records")[0]
        assert int(expected["n"]) == len(answered)

        def results(replica: Replica) -> Callable[[object], dict[str, str]]:
            def job(browser) -> dict[str, str]:  # type: ignore[no-untyped-def]
                context = new_context(
                    browser, locale="en-US", viewport={"width": 1400, "height": 900}
                )
                page = context.new_page()
                page.goto(f"{replica.url}/results")  # the demo identity is HR by default
                wait_idle(page)
                sidebar = page.get_by_test_id("stSidebar")
                expect(sidebar.get_by_text("Signed in as")).to_contain_text("(HR)")
                expect(page.get_by_role("heading", name="Engagement results")).to_be_visible()
                choose(page, "Wave", f"{WAVE_NAME} ({WAVE})")
                expect(page.get_by_role("heading", name="Headline")).to_be_visible()
                metrics = page.get_by_test_id("stMetric")
                expect(metrics.first).to_be_visible()
                shown = {}
                for i in range(metrics.count()):
                    metric = metrics.nth(i)
                    label = metric.get_by_test_id("stMetricLabel").inner_text().strip()
                    shown[label] = metric.get_by_test_id("stMetricValue").inner_text().strip()
                screenshot(page, f"61-replica-{replica.name}-results")
                return shown

            return job

        shown_a, shown_b = in_two_browsers([results(a), results(b)])
        assert shown_a == shown_b, (shown_a, shown_b)
        assert shown_a["Respondents"] == str(len(answered))
        assert shown_a["Engagement index"] == f"{expected['index']:.2f}"


def check_database(engine, answered: set[str], enps_of: dict[str, int], key: bytes) -> int:  # type: ignore[no-untyped-def]
    """One response per answered link, and exactly the answered invitations marked; returns
    the number invited. The wave is open, so its answers are sealed: opened with ``key``."""
    with read_session(engine) as session:
        wave_id = session.scalar(select(SurveyWave.id).where(SurveyWave.code == WAVE))
        plain = session.scalar(select(func.count()).where(SurveyResponse.wave_id == wave_id))
        responses = [(a.enps, a.answers[0]) for a in sealed_answers(engine, wave_id, key)]
        responded = set(
            session.scalars(
                select(Staff.employee_no)
                .join(SurveyInvitation, SurveyInvitation.staff_id == Staff.id)
                .where(SurveyInvitation.wave_id == wave_id, SurveyInvitation.responded)
            )
        )
        invited = session.scalar(
            select(func.count())
            .select_from(SurveyInvitation)
            .where(SurveyInvitation.wave_id == wave_id)
        )
    assert plain == 0  # nothing readable while the wave is open
    assert len(responses) == len(answered), responses
    assert responded == answered
    own = sorted(enps for enps, a01 in responses if a01 == 4)
    assert own == sorted(enps_of.values())  # every different link once, with its own answers
    twice = [(enps, a01) for enps, a01 in responses if a01 == 2]
    assert len(twice) == 1 and twice[0][0] in (9, 10), twice  # the shared link: one of the two
    return invited
