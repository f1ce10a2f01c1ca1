"""The demo's first visit (issue 20): ``scripts/run`` on a fresh, empty SQLite database, then
the first browser request, against a minimal Streamlit script started the same way, in the same
run, rounds interleaved.

Each round, on a new empty database:

- **start**: what ``scripts/run`` does before Streamlit (``ee-app db upgrade`` then ``ee-app
  demo load --if-empty --if-demo-mode``), wall and CPU seconds of those children; the
  reference starts nothing before Streamlit (0 s).
- **server up**: ``streamlit run`` (of ``serve.py``, as ``scripts/run`` starts it) until
  ``/_stcore/health`` answers, for both.
- **first visit**: one headless Chromium (as ``bench/memory.py`` launches it) opens the app's
  home page as the default demo identity until the script run has finished and the page is
  drawn; the reference, the minimal script until its title and button are drawn. Also the
  server's CPU seconds for that request (``/proc/<pid>/stat``) and its resident set after.
- **direct start** (the path of someone who runs ``streamlit run`` without ``scripts/run``, and
  of every first visit before issue 20): a server on an empty database, whose first request
  loads the demo itself; the time until its progress bar shows and until the page is drawn.
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.load import _open_waves
from bench.memory import (
    MINIMAL_SCRIPT,
    RunningApp,
    _measure,
    chromium_options,
    cpu_seconds,
    demo_database,
    home_ready,
    minimal_ready,
    streamlit_app,
    tree_rss_kib,
)
from bench.memory import (
    _rounds as memory_rounds,
)
from ee_app.db import make_engine
from tests.conftest import make_demo_database
from tests.e2e.conftest import ROOT

ROUNDS = 3
START = (["db", "upgrade"], ["demo", "load", "--if-empty", "--if-demo-mode"])


def _start(env: dict[str, str]) -> tuple[float, float]:
    """``scripts/run``'s steps before Streamlit, from the repository root: wall, CPU."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    for argv in START:
        subprocess.run(
            [sys.executable, "-m", "ee_app.cli", *argv],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


async def _visit(browser, url: str, ready, pid: int, progress: bool = False) -> dict[str, float]:  # type: ignore[no-untyped-def]
    context = await browser.new_context(locale="en-US", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(300_000)
    page = await context.new_page()
    cpu = cpu_seconds(pid)
    began = time.perf_counter()
    found: dict[str, float] = {}
    try:
        await page.goto(url)
        if progress:
            await page.get_by_test_id("stProgress").first.wait_for()
            found["progress_s"] = time.perf_counter() - began
        await ready(page)
        found["drawn_s"] = time.perf_counter() - began
        found["server_cpu_s"] = cpu_seconds(pid) - cpu
        await asyncio.sleep(1.0)
        found["rss_mib"] = tree_rss_kib(pid) / 1024
    finally:
        await context.close()
    return found


def _timed_up(script: Path | str, folder: Path, env: dict[str, str]):  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    app = streamlit_app(script, folder, env)
    running = app.__enter__()
    return app, running, time.perf_counter() - began


async def _rounds(folder: Path, rounds: int) -> dict[str, list[dict[str, float]]]:
    from playwright.async_api import async_playwright

    minimal = folder / "minimal_app.py"
    minimal.write_text(MINIMAL_SCRIPT)
    found: dict[str, list[dict[str, float]]] = {"reference": [], "ours": [], "direct": []}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium_options())
        try:
            for r in range(rounds):
                app, running, up = _timed_up(minimal, folder, {})
                try:
                    m = await _visit(browser, running.url, minimal_ready, running.pid)
                finally:
                    app.__exit__(None, None, None)
                found["reference"].append({"start_s": 0.0, "start_cpu_s": 0.0, "up_s": up, **m})

                url = f"sqlite:///{folder / f'run-{r}.db'}"
                env = {**os.environ, "EE_DATABASE_URL": url, "EE_LANG": "en"}
                env.pop("EE_ENV", None)
                start, start_cpu = _start(env)
                # serve.py, as scripts/run starts it (the app plus the light survey page)
                app, running, up = _timed_up("serve.py", folder, {"EE_DATABASE_URL": url})
                try:
                    m = await _visit(browser, running.url, home_ready, running.pid)
                finally:
                    app.__exit__(None, None, None)
                found["ours"].append({"start_s": start, "start_cpu_s": start_cpu, "up_s": up, **m})

                url = f"sqlite:///{folder / f'direct-{r}.db'}"
                app, running, up = _timed_up("streamlit_app.py", folder, {"EE_DATABASE_URL": url})
                try:
                    m = await _visit(browser, running.url, home_ready, running.pid, progress=True)
                finally:
                    app.__exit__(None, None, None)
                found["direct"].append({"start_s": 0.0, "start_cpu_s": 0.0, "up_s": up, **m})
        finally:
            await browser.close()
    return found


def run(rounds: int = ROUNDS) -> list[dict[str, object]]:
    os.environ.setdefault("EE_SECRET_KEY", "cd" * 32)
    with tempfile.TemporaryDirectory() as tmp:
        found = asyncio.run(_rounds(Path(tmp), rounds))

    def med(side: str, key: str) -> float:
        return statistics.median(m[key] for m in found[side])

    def spread(side: str, key: str) -> str:
        values = [m[key] for m in found[side]]
        return f"{min(values):.2f}–{max(values):.2f}"

    minimal = "minimal Streamlit script (title and button), started the same way"

    def against_minimal(label: str, key: str, digits: int = 2, unit: str | None = None) -> dict:
        """One measure of ours beside the minimal script's, both started the same way."""
        row: dict[str, object] = {
            "benchmark": label,
            "ours_s": round(med("ours", key), digits),
            "reference": minimal,
            "reference_s": round(med("reference", key), digits),
            "ratio": round(med("ours", key) / med("reference", key), 2),
        }
        if unit:
            row["unit"] = unit
        return row

    load = os.getloadavg()
    rows: list[dict[str, object]] = [
        {
            "benchmark": (
                "scripts/run before Streamlit: db upgrade + demo load --if-empty on an empty "
                f"SQLite (range {spread('ours', 'start_s')} s; CPU "
                f"{med('ours', 'start_cpu_s'):.1f} s)"
            ),
            "ours_s": round(med("ours", "start_s"), 2),
            "reference": "nothing (the minimal script needs no start-up)",
            "reference_s": 0.0,
            "ratio": "-",
        },
        against_minimal("streamlit run until /_stcore/health answers", "up_s"),
        against_minimal(
            f"first request to page drawn (home as HR; range {spread('ours', 'drawn_s')} s)",
            "drawn_s",
        ),
        against_minimal("server CPU for the first request", "server_cpu_s", unit="s CPU"),
        against_minimal("server RSS after the first request", "rss_mib", digits=1, unit="MiB"),
        {
            "benchmark": (
                "direct `streamlit run` on an empty database: first request to progress bar "
                f"shown (page drawn after {med('direct', 'drawn_s'):.1f} s, range "
                f"{spread('direct', 'drawn_s')} s; server CPU "
                f"{med('direct', 'server_cpu_s'):.1f} s)"
            ),
            "ours_s": round(med("direct", "progress_s"), 2),
            "reference": minimal + ", page drawn",
            "reference_s": round(med("reference", "drawn_s"), 2),
            "ratio": round(med("direct", "progress_s") / med("reference", "drawn_s"), 2),
        },
    ]
    rows[0]["runs"] = {
        side: {key: [round(m[key], 2) for m in found[side]] for key in found[side][0]}
        for side in found
    }
    rows[0]["load_average"] = [round(x, 2) for x in load]
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)


# --- memory with 50 sessions on the survey page ---------------------------------------------


async def survey_ready(page) -> None:  # type: ignore[no-untyped-def]
    """The light survey form is drawn: its first question and the submit button (a plain HTML
    page: nothing runs after it has loaded)."""
    await page.locator("form input[type=radio]").first.wait_for()
    await page.locator("form button[type=submit]").wait_for()


async def _survey_round(browser, template: Path, folder: Path, r: int, sessions: int):  # type: ignore[no-untyped-def]
    """One round of the app with every session on the survey page of one personal link."""
    url = make_demo_database(template, folder / f"survey-{r}.db")
    engine = make_engine(url)
    ((_, token),) = _open_waves(engine, f"mem-{r}", 1, date.today())
    engine.dispose()
    with streamlit_app("serve.py", folder, {"EE_DATABASE_URL": url}) as app:
        # Every session opens the same personal link (opening uses nothing up), served as
        # scripts/run serves it: the light page of serve.py.
        link = RunningApp(f"{app.url}/survey?t={token}", app.pid, app.log)
        return await _measure(browser, link, survey_ready, sessions)


def survey_memory_run(sessions: int = 50, rounds: int = 2) -> list[dict[str, object]]:
    """``scripts/bench memory_survey``: the memory benchmark's figures with every session on
    the survey page of one personal link (phone-free: the same desktop contexts)."""
    os.environ.setdefault("EE_SECRET_KEY", "cd" * 32)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        found = asyncio.run(
            memory_rounds(demo_database(folder), folder, sessions, rounds, _survey_round)
        )

    def med(side: str, key: str) -> float:
        return statistics.median(m[key] for m in found[side])

    rows: list[dict[str, object]] = []
    for key, label in (
        ("idle", "server RSS, no session yet"),
        ("one", "server RSS, 1 session on the survey page"),
        ("full", f"server RSS, {sessions} sessions on the survey page"),
    ):
        rows.append(
            {
                "benchmark": f"{label} (median of {rounds})",
                "ours_s": round(med("ours", key), 1),
                "reference": "minimal Streamlit script, same start and sessions",
                "reference_s": round(med("reference", key), 1),
                "ratio": round(med("ours", key) / med("reference", key), 2),
                "unit": "MiB",
            }
        )
    rows[0]["runs"] = {
        side: {key: [round(m[key], 2) for m in found[side]] for key in found[side][0]}
        for side in found
    }
    rows[0]["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return rows
