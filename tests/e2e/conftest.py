"""Browser tests: a real Chromium (Playwright) against the real app, started as a user would
start it, signing in through a real OpenID Connect provider (oidc-provider-mock).

Under ``CI=true`` a missing Chromium fails the run; ``scripts/services`` installs it.
Screenshots of the main screens go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import make_demo_database, require_or_skip
from tests.e2e.streamlit_ui import E2E_TEST_TIMEOUT_S, SERVER_START_TIMEOUT_S, new_context

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("EE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
#: People the test identity provider knows; their e-mails match demo users.
OIDC_USERS = [
    {"sub": "hr", "email": "hr@demo.example", "name": "王敏"},
    {"sub": "hr2", "email": "hr2@demo.example", "name": "李娜"},
    {"sub": "manager", "email": "manager.sh01@demo.example", "name": "张店长"},
    {"sub": "shopper", "email": "shopper@demo.example", "name": "神秘顾客 A"},
    {"sub": "stranger", "email": "stranger@elsewhere.example", "name": "Stranger"},
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the browser tests ``e2e`` and give them :data:`E2E_TEST_TIMEOUT_S` (the
    project's 300 s per test is for tests that drive no browser)."""
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.path)).resolve().parent == here:
            item.add_marker(pytest.mark.e2e)
            if item.get_closest_marker("timeout") is None:
                item.add_marker(pytest.mark.timeout(E2E_TEST_TIMEOUT_S))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, expect: str | None = None, timeout: float = SERVER_START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                body = response.read().decode()
                if expect is None or expect in body:
                    return
        except OSError as exc:
            last = exc
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer in {timeout}s: {last}")


def streamlit_command(script: str | Path, port: int, secrets: Path) -> list[str]:
    """``streamlit run SCRIPT`` as a user starts it: headless on loopback ``port``, no file
    watcher, secrets from ``secrets`` (a file that does not exist: none, so demo mode)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--secrets.files",
        str(secrets),
    ]


def app_environment(port: int, extra: dict[str, str]) -> dict[str, str]:
    """This process's environment for an app on ``port``: English, links to its own address,
    and development mode unless ``extra`` sets ``EE_ENV``."""
    environ = {
        **os.environ,
        "EE_LANG": "en",
        "EE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        **extra,
    }
    if "EE_ENV" not in extra:
        environ.pop("EE_ENV", None)
    return environ


@contextmanager
def process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT
        )
        try:
            yield proc
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory) -> Iterator[str]:
    """A real OpenID Connect provider on loopback; returns its base URL."""
    port = free_port()
    args = [
        sys.executable,
        "-W",
        "ignore",
        "-m",
        "oidc_provider_mock",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    for user in OIDC_USERS:
        args += ["--user-claims", json.dumps(user)]
    log = tmp_path_factory.mktemp("oidc") / "oidc.log"
    with process(args, dict(os.environ), log):
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/.well-known/openid-configuration", "authorization_endpoint")
        yield base


@dataclass
class App:
    url: str
    database_url: str
    log: Path


@pytest.fixture
def start_app(tmp_path, sqlite_demo_template) -> Iterator[Callable[..., App]]:
    """Start ``streamlit run serve.py`` (the app and the light survey page) on a free port
    with a demo database."""
    with_stack: list = []

    def start(*, oidc: str | None = None, env: dict[str, str] | None = None) -> App:
        port = free_port()
        database_url = make_demo_database(sqlite_demo_template, tmp_path / f"app-{port}.db")
        secrets = tmp_path / f"secrets-{port}.toml"
        if oidc:
            secrets.write_text(
                "[auth]\n"
                f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
                f'cookie_secret = "{os.urandom(24).hex()}"\n'
                'client_id = "ee-app"\nclient_secret = "not-secret-in-tests"\n'
                f'server_metadata_url = "{oidc}/.well-known/openid-configuration"\n'
            )
        args = streamlit_command("serve.py", port, secrets)
        environ = app_environment(port, {"EE_DATABASE_URL": database_url, **(env or {})})
        log = tmp_path / f"app-{port}.log"
        context = process(args, environ, log)
        context.__enter__()
        with_stack.append(context)
        wait_for(f"http://127.0.0.1:{port}/_stcore/health", "ok")
        return App(f"http://127.0.0.1:{port}", database_url, log)

    yield start
    for context in reversed(with_stack):
        context.__exit__(None, None, None)


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        require_or_skip(f"Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):  # type: ignore[no-untyped-def]
    """A fresh browser context per call, with its own cookies."""
    contexts = []

    def make(*, phone: bool = False):  # type: ignore[no-untyped-def]
        options = {"locale": "en-US"}
        if phone:
            options.update(
                viewport={"width": 390, "height": 844},
                device_scale_factor=2,
                is_mobile=True,
                has_touch=True,
            )
        else:
            options.update(viewport={"width": 1400, "height": 900})
        # Outside hosts are unreachable on this network and fail fast; intercepting
        # requests instead stalls Streamlit's lazily loaded widgets after a redirect.
        context = new_context(browser, **options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
