"""Memory of the app's server process with 50 browser sessions open, against a minimal
Streamlit script (a title and a button) started the same way with the same 50 sessions, in
the same run.

Each round starts ``streamlit run`` exactly as the browser tests do (``tests/e2e/conftest.py``:
headless, loopback, no file watcher, no sign-in provider, so the app is in demo mode), on a
fresh copy of a small demo database built once with ``load_demo``. One headless Chromium opens
50 browser contexts (each its own cookies, so its own Streamlit session), each loading the
home page as the default demo identity (HR) and waiting until the script run has finished and
the page is drawn. The resident set (``VmRSS`` in ``/proc/<pid>/status``, summed over the
process and any children) is read before any session, with the first session open (the first
script run imports the app's libraries and opens the database), and with all 50 open. Rounds
alternate reference and app; figures are medians over the rounds.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ee_app.auth import system_actor
from ee_app.db import make_engine, upgrade, write_session
from ee_app.services.demo import load_demo
from tests.conftest import make_demo_database
from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    app_environment,
    free_port,
    process,
    streamlit_command,
    wait_for,
)

ROOT = Path(__file__).resolve().parents[1]
SESSIONS = 50
ROUNDS = 3
OPENING = 4  # pages loading at once while the sessions are opened
SETTLE_S = 3.0
MINIMAL_SCRIPT = """import streamlit as st

st.title("Hello")
if st.button("Click me"):
    st.write("Clicked")
"""

Ready = Callable[..., Awaitable[None]]


# --- processes -------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def tree_rss_kib(pid: int) -> int:
    """VmRSS of ``pid`` and all its descendants, in KiB (as ``/proc`` reports it)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
            todo += _children(current)
        except (OSError, ValueError):
            continue  # gone meanwhile
    return total


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of ``pid`` (all its threads) so far, from ``/proc``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> int:
    count, todo = 0, _children(pid)
    while todo:
        count += 1
        todo += _children(todo.pop())
    return count


@dataclass
class RunningApp:
    url: str
    pid: int
    log: Path


@contextmanager
def streamlit_app(
    script: Path | str, folder: Path, env: dict[str, str] | None = None
) -> Iterator[RunningApp]:
    """``streamlit run SCRIPT`` the way ``tests/e2e/conftest.py`` starts the app (cwd at the
    repository root, so ``.streamlit/config.toml`` applies to the app and the reference
    alike); stopped with SIGTERM to its process group on exit."""
    port = free_port()
    args = streamlit_command(script, port, folder / "no-secrets.toml")
    environ = app_environment(port, {"EE_DATA_DIR": str(folder / "data"), **(env or {})})
    log = folder / f"app-{port}.log"
    with process(args, environ, log) as proc:
        wait_for(f"http://127.0.0.1:{port}/_stcore/health", "ok")
        yield RunningApp(f"http://127.0.0.1:{port}", proc.pid, log)


def demo_database(folder: Path, today: date | None = None) -> Path:
    """A migrated SQLite database with the small demo (seed 7), checkpointed, to copy."""
    path = folder / "demo-template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with write_session(engine) as session:
        load_demo(session, system_actor("bench"), seed=7, size="small", today=today)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


# --- the browser ------------------------------------------------------------------------------


def chromium_options() -> dict[str, object]:
    """One headless Chromium, launched as the browser tests launch it (never downloaded)."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"Chromium is not installed at {CHROMIUM}")
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


async def idle(page, timeout: float = 120_000) -> None:  # type: ignore[no-untyped-def]
    """The script run has finished: no running indicator, no skeleton left."""
    from playwright.async_api import expect

    await expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=timeout)
    await expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=timeout)


async def home_ready(page) -> None:  # type: ignore[no-untyped-def]
    await page.get_by_role("heading", name="What you can do").wait_for()
    await page.get_by_test_id("stPageLink").first.wait_for()
    await idle(page)


async def minimal_ready(page) -> None:  # type: ignore[no-untyped-def]
    await page.get_by_role("heading", name="Hello").wait_for()
    await page.get_by_role("button", name="Click me").wait_for()
    await idle(page)


async def _open(browser, url: str, ready: Ready) -> tuple[object, float]:  # type: ignore[no-untyped-def]
    context = await browser.new_context(locale="en-US", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(120_000)  # the first script run imports the whole app
    page = await context.new_page()
    start = time.perf_counter()
    await page.goto(url)
    await ready(page)
    return context, time.perf_counter() - start


async def _settled_rss(pid: int) -> int:
    await asyncio.sleep(SETTLE_S)
    return tree_rss_kib(pid)


async def _measure(browser, app: RunningApp, ready: Ready, sessions: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    idle_kib = await _settled_rss(app.pid)
    first, first_s = await _open(browser, app.url, ready)
    one_kib = await _settled_rss(app.pid)
    contexts = [first]
    loads: list[float] = []
    gate = asyncio.Semaphore(OPENING)

    async def one() -> None:
        async with gate:
            context, seconds = await _open(browser, app.url, ready)
            contexts.append(context)
            loads.append(seconds)

    try:
        await asyncio.gather(*(one() for _ in range(sessions - 1)))
        full_kib = await _settled_rss(app.pid)
        children = descendants(app.pid)
    finally:
        for context in contexts:
            await context.close()
    closed_kib = await _settled_rss(app.pid)
    mib = 1024
    return {
        "idle": idle_kib / mib,
        "one": one_kib / mib,
        "full": full_kib / mib,
        "closed": closed_kib / mib,
        "per_session": (full_kib - idle_kib) / sessions / mib,
        "per_later_session": (full_kib - one_kib) / (sessions - 1) / mib,
        "first_load_s": first_s,
        "load_p50_s": statistics.median(loads),
        "children": children,
    }


async def _home_round(browser, template: Path, folder: Path, r: int, sessions: int):  # type: ignore[no-untyped-def]
    """One round of the app: every session on the home page as the demo HR."""
    url = make_demo_database(template, folder / f"app-{r}.db")
    # serve.py, as scripts/run starts it: the app plus the light survey page
    with streamlit_app("serve.py", folder, {"EE_DATABASE_URL": url}) as app:
        return await _measure(browser, app, home_ready, sessions)


async def _rounds(  # type: ignore[no-untyped-def]
    template: Path, folder: Path, sessions: int, rounds: int, ours=_home_round
) -> dict[str, list]:
    """Rounds alternating the minimal script and ``ours(browser, template, folder, round,
    sessions)`` (the home page by default; the first-visit benchmark passes the survey)."""
    from playwright.async_api import async_playwright

    minimal = folder / "minimal_app.py"
    minimal.write_text(MINIMAL_SCRIPT)
    found: dict[str, list[dict[str, float]]] = {"ours": [], "reference": []}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium_options())
        try:
            for r in range(rounds):
                with streamlit_app(minimal, folder) as app:
                    found["reference"].append(await _measure(browser, app, minimal_ready, sessions))
                found["ours"].append(await ours(browser, template, folder, r, sessions))
        finally:
            await browser.close()
    return found


def run(sessions: int = SESSIONS, rounds: int = ROUNDS) -> list[dict[str, object]]:
    os.environ.setdefault("EE_SECRET_KEY", "cd" * 32)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        template = demo_database(folder)
        found = asyncio.run(_rounds(template, folder, sessions, rounds))

    def med(side: str, key: str) -> float:
        return statistics.median(m[key] for m in found[side])

    reference = "minimal Streamlit script (title and button), same start and sessions"
    extras = {
        side: {key: [round(m[key], 2) for m in found[side]] for key in found[side][0]}
        for side in found
    }
    rows: list[dict[str, object]] = []
    for key, label in (
        ("idle", "app process RSS, started, no session yet"),
        ("one", "app process RSS, 1 session open (first script run done)"),
        ("full", f"app process RSS, {sessions} sessions open"),
        ("per_session", f"RSS increase per session, idle to {sessions} sessions"),
        ("per_later_session", f"RSS increase per session, 1 to {sessions} sessions"),
    ):
        ours, ref = med("ours", key), med("reference", key)
        rows.append(
            {
                "benchmark": f"{label} (median of {rounds})",
                "ours_s": round(ours, 2) if key.startswith("per") else round(ours, 1),
                "reference": reference,
                "reference_s": round(ref, 2) if key.startswith("per") else round(ref, 1),
                # A difference within the noise (zero or below) has no meaningful ratio.
                "ratio": round(ours / ref, 2) if ours > 0 and ref > 0 else "-",
                "unit": "MiB",
            }
        )
    rows[0]["runs"] = extras
    rows.append(
        {
            "benchmark": (
                f"page load to drawn, one of {sessions} sessions ({OPENING} opening at once; "
                f"first session after start: {med('ours', 'first_load_s'):.1f} s vs "
                f"{med('reference', 'first_load_s'):.1f} s)"
            ),
            "ours_s": round(med("ours", "load_p50_s"), 2),
            "reference": "the same minimal script",
            "reference_s": round(med("reference", "load_p50_s"), 2),
            "ratio": round(med("ours", "load_p50_s") / med("reference", "load_p50_s"), 1),
        }
    )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
