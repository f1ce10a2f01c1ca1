"""A bounded load test on loopback: 200 staff of the small demo chain answering a pulse survey
through the real app in a few minutes, against the same submissions through
``ee_app.services.answering.submit`` directly (no browser, no Streamlit) in the same run.

Set-up: a small demo database (``load_demo``, seed 7, today's date); waves for the whole
chain (unit ``LM``, 181 staff) created and opened with the services until there are 200
personal links; as many again for the reference (a link answers once). The app is started with
``streamlit run serve.py`` as ``scripts/run`` and the browser tests start it (demo mode,
loopback), so a link opens the light survey page (``ee_app/light_survey.py``, issue 20). One
headless Chromium then runs the submissions with at most ``concurrency`` browser contexts at
once (Playwright's async API, an asyncio semaphore; a new context per staff member, on a
phone-sized viewport): open the personal link, wait for the form, check an answer for every
item and an eNPS score, submit, wait for the thank-you. Latency is
page open to thank-you; throughput is completed submissions over wall time; an error is any
page that does not reach the thank-you. The app process's CPU time over the browser rounds,
divided by the submissions, is what one staff member's survey costs the server whatever the
browsers cost the machine (they share its two cores). The reference runs the same answers
sequentially through ``answering.submit`` on the same database file, interleaved with the
browser in rounds. Afterwards the database is checked: every link used exactly once (its invitation
responded, as many responses as links, the same multiset of answers as were clicked) and no
other invitation touched.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from sqlalchemy import select

from bench.memory import (
    chromium_options,
    cpu_seconds,
    demo_database,
    streamlit_app,
)
from ee_app.auth import system_actor
from ee_app.config import Settings
from ee_app.db import make_engine, read_session, write_session
from ee_app.i18n import translator
from ee_app.keys import hash_token, secret_key
from ee_app.models import ANSWER_SLOTS, SurveyInvitation, SurveySealed, SurveyWave
from ee_app.sealing import open_sealed
from ee_app.services import answering, waves
from tests.conftest import make_demo_database

COUNT: int | None = 200  # None: every invitation of one wave for the whole chain
CONCURRENCY = 8
ROUNDS = 2
TIMEOUT_MS = 60_000
LANGUAGE = "zh-CN"  # the wave's language, as the staff see it


@dataclass(frozen=True)
class Answer:
    """One staff member's answers: a value 1–5 per item (in the form's order), an eNPS."""

    items: tuple[tuple[str, int], ...]
    enps: int

    def row(self) -> tuple[int | None, ...]:
        given = dict(self.items)
        return (*(given.get(slot) for slot in ANSWER_SLOTS), self.enps)


def _open_waves(engine, prefix: str, count: int | None, today: date) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Waves for the whole chain until there are ``count`` links (one wave when ``None``);
    the (wave code, token) pairs."""
    actor, settings = system_actor("bench"), Settings.from_env()
    links: list[tuple[str, str]] = []
    number = 0
    while not links or (count is not None and len(links) < count):
        number += 1
        code = f"{prefix}-{number}"
        with write_session(engine) as session:
            waves.create_wave(
                session,
                actor,
                code=code,
                name=f"Load test {code}",
                unit_codes=["LM"],
                opens_on=today,
                closes_on=today + timedelta(days=30),
                language=LANGUAGE,
            )
        with write_session(engine) as session:
            waves.open_wave(session, actor, code, settings, today=today)
        with read_session(engine) as session:
            found = waves.invitation_links(session, actor, code, settings)
        links += [(code, parse_qs(urlparse(x.link).query)["t"][0]) for x in found]
    return links if count is None else links[:count]


def _answers(engine, token: str, n: int) -> list[Answer]:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        view = answering.open_link(session, token)
    assert view.instrument is not None, view.state
    slots = [item.slot for item in view.instrument.items]
    rng = random.Random(7)
    return [
        Answer(tuple((slot, rng.randint(1, 5)) for slot in slots), rng.randint(0, 10))
        for _ in range(n)
    ]


# --- the browser path -----------------------------------------------------------------------


async def _answer_in_browser(browser, url: str, answer: Answer) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Seconds from opening the link to the thank-you, and from the click on submit to it."""
    zh = translator(LANGUAGE)
    context = await browser.new_context(
        locale=LANGUAGE,
        viewport={"width": 390, "height": 844},
        # A phone's layout, rasterised at 1×: the server sees the same requests, and the
        # browsers (the load generator, sharing the two cores) draw a quarter of the pixels.
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = await context.new_page()
        start = time.perf_counter()
        await page.goto(url)
        # the light survey page (issue 20): plain HTML, drawn when it has loaded
        submit = page.get_by_role("button", name=zh("Submit my answers"))
        await submit.wait_for()
        form = page.locator("form")
        for slot, value in answer.items:
            await form.locator(f'input[name="{slot}"][value="{value}"]').check()
        await form.locator(f'input[name="enps"][value="{answer.enps}"]').check()
        sent = time.perf_counter()
        await submit.click()
        await page.get_by_role("heading", name=zh("Thank you!")).wait_for()
        end = time.perf_counter()
        return end - start, end - sent
    finally:
        await context.close()


async def _browser_chunk(browser, base: str, chunk, concurrency: int):  # type: ignore[no-untyped-def]
    """The chunk's submissions, ``concurrency`` contexts at once; (latencies, errors, wall)."""
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    errors: list[str] = []
    done: list[int] = []
    submits: list[float] = []

    async def one(index: int, token: str, answer: Answer) -> None:
        async with gate:
            try:
                total, submit = await _answer_in_browser(
                    browser, f"{base}/survey?t={token}", answer
                )
                latencies.append(total)
                submits.append(submit)
                done.append(index)
            except Exception as exc:  # any page that does not reach the thank-you
                errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}")

    start = time.perf_counter()
    await asyncio.gather(*(one(i, t, a) for i, t, a in chunk))
    return latencies, errors, time.perf_counter() - start, done, submits


# --- the reference ----------------------------------------------------------------------------


def _service_chunk(engine, chunk):  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    errors: list[str] = []
    done: list[int] = []
    for index, token, answer in chunk:
        start = time.perf_counter()
        try:
            answering.submit(engine, token, dict(answer.items), answer.enps, None, key=_key())
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        latencies.append(time.perf_counter() - start)
        done.append(index)
    return latencies, errors, sum(latencies), done, latencies


# --- checking the database --------------------------------------------------------------------


def _key() -> bytes:
    """The server key the app and the reference both seal the answers with."""
    return secret_key(Settings.from_env())


def _check(engine, links, answers, done) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Every link used once and only those: per wave, responded invitations and responses
    equal the links used, and the answers stored are the answers given (the waves are open,
    so the answers are sealed: opened here with the server key, as closing would)."""
    used = {hash_token(token) for index, (_, token) in enumerate(links) if index in done}
    codes = sorted({code for code, _ in links})
    expected = Counter(answers[i].row() for i in done)
    with read_session(engine) as session:
        ids = session.scalars(select(SurveyWave.id).where(SurveyWave.code.in_(codes))).all()
        invitations = session.execute(
            select(SurveyInvitation.token_hash, SurveyInvitation.responded).where(
                SurveyInvitation.wave_id.in_(ids)
            )
        ).all()
        sealed = session.execute(
            select(SurveySealed.wave_id, SurveySealed.sealed).where(SurveySealed.wave_id.in_(ids))
        ).all()
    opened = [open_sealed(_key(), wave_id, blob) for wave_id, blob in sealed]
    stored = Counter((*a.answers, a.enps) for a in opened)
    responded = {h for h, r in invitations if r}
    return {
        "links": len(links),
        "used": len(used),
        "invitations": len(invitations),
        "responded": len(responded),
        "responses": sum(stored.values()),
        "ok": responded == used and stored == expected,
        "answers_match": stored == expected,
    }


# --- the run -----------------------------------------------------------------------------------


def _quantile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def _drive(app, web, svc, engine, concurrency: int, rounds: int):  # type: ignore[no-untyped-def]
    from playwright.async_api import async_playwright

    results = {"ours": [[], [], 0.0, [], []], "reference": [[], [], 0.0, [], []]}
    server_cpu = 0.0  # the app process's CPU seconds while the browsers answered
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium_options())
        try:
            # The first page after start imports the app and opens the database: not timed.
            context = await browser.new_context()
            page = await context.new_page()
            start = time.perf_counter()
            await page.goto(f"{app.url}/survey?t=warm-up")
            await page.locator("h1").wait_for(timeout=120_000)  # "this link is not valid"
            cold = time.perf_counter() - start
            await context.close()
            size = -(-len(web) // rounds)
            for r in range(rounds):  # the reference's chunk, then the browser's
                part = slice(r * size, (r + 1) * size)
                reference = _service_chunk(engine, svc[part])
                before = cpu_seconds(app.pid)
                ours = await _browser_chunk(browser, app.url, web[part], concurrency)
                server_cpu += cpu_seconds(app.pid) - before
                for side, found in (("reference", reference), ("ours", ours)):
                    total = results[side]
                    for k in range(5):
                        total[k] += found[k]
        finally:
            await browser.close()
    return results, cold, server_cpu


def run(
    count: int | None = COUNT, concurrency: int = CONCURRENCY, rounds: int = ROUNDS
) -> list[dict[str, object]]:
    os.environ.setdefault("EE_SECRET_KEY", "cd" * 32)
    began = time.perf_counter()
    today = date.today()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = make_demo_database(demo_database(folder, today), folder / "load.db")
        engine = make_engine(url)
        web_links = _open_waves(engine, "load-web", count, today)
        svc_links = _open_waves(engine, "load-svc", len(web_links), today)
        n = len(web_links)
        answers = _answers(engine, web_links[0][1], n)
        web = [(i, token, answers[i]) for i, (_, token) in enumerate(web_links)]
        svc = [(i, token, answers[i]) for i, (_, token) in enumerate(svc_links)]
        # serve.py, as scripts/run starts it: links open the light survey page
        with streamlit_app("serve.py", folder, {"EE_DATABASE_URL": url}) as app:
            found, cold, server_cpu = asyncio.run(
                _drive(app, web, svc, engine, concurrency, rounds)
            )
        checks = {
            "ours": _check(engine, web_links, answers, set(found["ours"][3])),
            "reference": _check(engine, svc_links, answers, set(found["reference"][3])),
        }
        engine.dispose()
    elapsed = time.perf_counter() - began

    stats = {}
    for side, (latencies, errors, wall, _, submits) in found.items():
        stats[side] = {
            "rate": len(latencies) / wall if wall else 0.0,
            "p50_ms": _quantile(latencies, 50) * 1000,
            "p95_ms": _quantile(latencies, 95) * 1000,
            "submit_p50_ms": _quantile(submits, 50) * 1000,
            "submit_p95_ms": _quantile(submits, 95) * 1000,
            "errors": len(errors),
            "wall_s": wall,
            "error_samples": errors[:5],
        }
    ours, ref = stats["ours"], stats["reference"]
    reference = f"answering.submit directly, the same {n} answers, one at a time"
    what = f"pulse survey, {n} staff through the browser, {concurrency} contexts at once"

    def verdict(check: dict[str, object]) -> str:
        return (
            f"{check['responses']} responses for {check['used']} links, "
            f"{check['responded']}/{check['invitations']} invitations responded, "
            f"answers {'match' if check['answers_match'] else 'DIFFER'}"
        )

    rows: list[dict[str, object]] = [
        {
            "benchmark": f"{what}: throughput ({ours['wall_s']:.0f} s wall)",
            "ours_s": round(ours["rate"], 2),
            "reference": reference,
            "reference_s": round(ref["rate"]),
            "ratio": round(ours["rate"] / ref["rate"], 5),
            "unit": "submissions/s",
            "stats": stats,
            "checks": checks,
            "first_page_after_start_s": round(cold, 1),
            "total_runtime_s": round(elapsed, 1),
        },
        *(
            {
                "benchmark": f"{what}: p{q} latency, page open to thank-you",
                "ours_s": round(ours[f"p{q}_ms"]),
                "reference": f"{reference} (one submit call)",
                "reference_s": round(ref[f"p{q}_ms"], 3),
                "ratio": round(ours[f"p{q}_ms"] / ref[f"p{q}_ms"]),
                "unit": "ms",
            }
            for q in (50, 95)
        ),
        {
            "benchmark": (
                f"{what}: submit click to thank-you, p50 (p95 {ours['submit_p95_ms']:.0f} ms)"
            ),
            "ours_s": round(ours["submit_p50_ms"]),
            "reference": f"{reference} (one submit call, p95 {ref['p95_ms']:.3f} ms)",
            "reference_s": round(ref["p50_ms"], 3),
            "ratio": round(ours["submit_p50_ms"] / ref["p50_ms"]),
            "unit": "ms",
        },
        {
            "benchmark": (
                f"{what}: the app process's CPU per submission (every request of one survey "
                f"on the light page: open, submit, thank-you; {server_cpu:.1f} CPU-s in all)"
            ),
            "ours_s": round(server_cpu / max(len(found["ours"][0]), 1) * 1000),
            "reference": f"{reference} (one submit call)",
            "reference_s": round(ref["p50_ms"], 3),
            "ratio": round(server_cpu / max(len(found["ours"][0]), 1) * 1000 / ref["p50_ms"]),
            "unit": "ms",
        },
        {
            "benchmark": (
                f"{what}: errors (no thank-you); database after: {verdict(checks['ours'])}"
            ),
            "ours_s": ours["errors"],
            "reference": f"{reference}; database after: {verdict(checks['reference'])}",
            "reference_s": ref["errors"],
            "ratio": "-",
            "unit": "errors",
        },
    ]
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
