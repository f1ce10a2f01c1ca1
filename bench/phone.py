"""The staff survey on a phone (issue 20): a personal link opened on a throttled 4G phone.

Set-up as ``bench/load.py``: a small demo database (seed 7, today), one wave for the whole
chain opened with the services (its personal links), the app started with ``streamlit run`` as
the browser tests start it. The reference, in the same run and interleaved, is a minimal
Streamlit script (one ``st.radio`` and a submit button in a form, a thank-you after it) served
the same way: the ratio shows how far the survey is from Streamlit's own floor. A third
server in the same run, ``streamlit run serve.py`` (what scripts/run starts), answers the same
kind of link with the light survey page (``ee_app/light_survey.py``: plain HTML, a form POST,
a 303 to the thank-you); its rows give its ratio to the reference and to the Streamlit survey.

Each visit is a NEW browser context (cold cache: a staff member opens their link once) on a
phone viewport, with a CDP session on its page: ``Network.enable``,
``Network.emulateNetworkConditions`` (170 ms latency, 9 Mbit/s down and up) and
``Emulation.setCPUThrottlingRate`` 4. Measured in the page (``performance.now()``, from
navigation start): (a) until the first question's first answer is drawn and enabled
(tappable), (b) from the click on Submit to the thank-you; and from CDP the bytes transferred
(``Network.loadingFinished.encodedDataLength``, headers included) and the WebSocket frames'
payloads. The same context then opens a second link in a new page: the warm visit (the static
files come from the browser's cache).

Every round runs each way of serving (``direct``: the browser talks to Streamlit; ``nginx``:
through nginx with gzip and long caching of ``/static/``, docs/deploy.md section 4) for the
reference and the app. nginx (Debian's package, installed when missing as scripts/services
installs things) runs as a child process with a generated configuration in a temporary
folder, never as the system service. Figures are medians over the rounds; the breakdown of
a cold visit (document, static files, WebSocket handshake, first frame, tappable; the page's
script and task time from ``Performance.getMetrics``) is kept in the first row's ``breakdown``.
With ``PHONE_DEBUG=1`` every visit's responses (ms, bytes, address) and WebSocket frames are
printed: where the lazily loaded chunks of each widget type fall on the timeline.

``python -m bench.phone [ROUNDS] [direct] [nginx]`` runs it alone.
"""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bench.load import LANGUAGE, _open_waves
from bench.memory import chromium_options, cpu_seconds, demo_database, streamlit_app
from ee_app.db import make_engine
from ee_app.i18n import translator
from tests.conftest import make_demo_database
from tests.e2e.conftest import free_port, wait_for

ROUNDS = 5
LATENCY_MS = 170
THROUGHPUT = 9_000_000 / 8  # 9 Mbit/s in bytes per second, both ways
CPU_SLOWDOWN = 4
TIMEOUT_MS = 180_000
MODES = ("direct", "nginx")
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}

MINIMAL_SCRIPT = """import streamlit as st

st.set_page_config(page_title="minimal", layout="centered")
if st.session_state.get("done"):
    st.title("Thank you!")
    st.stop()
with st.form("survey", border=False):
    st.radio("How are you?", ["1", "2", "3", "4", "5"], index=None)
    sent = st.form_submit_button("Submit", type="primary")
if sent:
    st.session_state.done = True
    st.rerun()
"""

#: The first answer of the first question, drawn (a box on the page) and enabled.
TAPPABLE_JS = """() => {
  const option = document.querySelector('[data-testid="stRadio"] [data-testid="stRadioOption"]');
  if (!option) return false;
  const box = option.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) return false;
  const input = option.querySelector('input') ||
    option.closest('label')?.querySelector('input');
  if (input && input.disabled) return false;
  return performance.now();
}"""
#: The light page (issue 20): the first answer of the first question, drawn.
LIGHT_TAPPABLE_JS = """() => {
  const input = document.querySelector('fieldset.item input[type=radio]');
  if (!input || input.disabled) return false;
  const box = input.closest('label').getBoundingClientRect();
  if (box.width === 0 || box.height === 0) return false;
  return performance.now();
}"""
#: The light page submits a form: the thank-you is a new document, so both ends of the
#: Submit timing are wall-clock in the page (timeOrigin + now), the click kept in sessionStorage.
LIGHT_CLICK_JS = """(label) => {
  sessionStorage.removeItem('eeSent');
  document.addEventListener('click', (e) => {
    const button = e.target.closest('button');
    if (button && button.textContent.includes(label) && !sessionStorage.getItem('eeSent')) {
      sessionStorage.setItem('eeSent', String(performance.timeOrigin + performance.now()));
    }
  }, true);
}"""
LIGHT_THANKS_JS = """(text) => {
  for (const h of document.querySelectorAll('h1')) {
    if (h.textContent.includes(text)) return performance.timeOrigin + performance.now();
  }
  return false;
}"""
THANKS_JS = """(text) => {
  for (const h of document.querySelectorAll('h1')) {
    if (h.textContent.includes(text)) return performance.now();
  }
  return false;
}"""
#: Remembers when the Submit button was clicked (capture phase, before Streamlit sees it).
CLICK_JS = """(label) => {
  window.__eeSent = null;
  document.addEventListener('click', (e) => {
    const button = e.target.closest('button');
    if (button && button.textContent.includes(label) && window.__eeSent === null) {
      window.__eeSent = performance.now();
    }
  }, true);
}"""


# --- nginx -------------------------------------------------------------------------------------

NGINX_CONF = """worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}
{servers}
}}
"""
# What docs/deploy.md recommends, measured here: gzip of the text Streamlit serves
# uncompressed (its JavaScript bundles, CSS, the page), long caching of the hashed files.
NGINX_SERVER = """
    server {{
        listen 127.0.0.1:{port};

        gzip on;
        gzip_comp_level 6;
        gzip_min_length 1024;
        gzip_vary on;
        gzip_proxied any;
        gzip_types text/css application/javascript text/javascript application/json
                   image/svg+xml font/ttf font/otf application/wasm text/plain;

        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 86400;
        }}
        location /static/ {{       # content-hashed file names: cache them for good
            proxy_pass http://127.0.0.1:{upstream};
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_hide_header Cache-Control;
            add_header Cache-Control "public, max-age=31536000, immutable" always;
        }}
    }}
"""


def nginx_binary() -> str:
    """Debian's nginx, installed (apt) when missing, as scripts/services installs things."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    environ = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=environ)
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", "nginx"],
        check=True,
        env=environ,
        stdout=subprocess.DEVNULL,
    )
    return shutil.which("nginx") or "/usr/sbin/nginx"


@contextmanager
def nginx(folder: Path, upstreams: dict[str, int]) -> Iterator[dict[str, str]]:
    """One nginx child process in front of each upstream port; their addresses by name
    (none started when there is no upstream)."""
    if not upstreams:
        yield {}
        return
    tmp = folder / "nginx"
    tmp.mkdir(exist_ok=True)
    ports = {name: free_port() for name in upstreams}
    servers = "".join(
        NGINX_SERVER.format(port=ports[name], upstream=upstream)
        for name, upstream in upstreams.items()
    )
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, servers=servers))
    binary = nginx_binary()
    subprocess.run([binary, "-t", "-q", "-c", str(conf), "-p", str(tmp)], check=True)
    log = (tmp / "stdout.log").open("wb")
    proc = subprocess.Popen(
        [binary, "-c", str(conf), "-p", str(tmp)], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        for port in ports.values():
            wait_for(f"http://127.0.0.1:{port}/_stcore/health", "ok", timeout=30)
        yield {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    finally:
        proc.terminate()  # nginx: SIGTERM is a fast shutdown of master and worker
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# --- one visit ---------------------------------------------------------------------------------


@dataclass
class Visit:
    tappable_ms: float = 0.0
    submit_ms: float = 0.0
    http_bytes: int = 0  # every HTTP response, headers included, until the thank-you
    http_bytes_tappable: int = 0  # those finished by the time the question was tappable
    ws_bytes: int = 0  # WebSocket payloads, both ways, until the thank-you
    requests: int = 0
    cached: int = 0  # responses from the browser's cache
    server_cpu_open_ms: float = 0.0  # the server process's CPU from the open to tappable
    server_cpu_submit_ms: float = 0.0  # and from the Submit click to the thank-you
    phases: dict[str, float] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)


class Recorder:
    """CDP network events of one page, timestamps in ms from the document's request."""

    def __init__(self) -> None:
        self.start: float | None = None
        self.document: str | None = None
        self.types: dict[str, str] = {}
        self.urls: dict[str, str] = {}
        self.log: list[tuple[float, int, str]] = []  # (ms, bytes, url): what PHONE_DEBUG prints
        self.finished: list[tuple[float, int, str]] = []  # (ms, bytes, type)
        self.cached: set[str] = set()
        self.frames: list[tuple[float, int]] = []
        self.handshake: float | None = None

    def ms(self, timestamp: float) -> float:
        return (timestamp - (self.start or timestamp)) * 1000

    def sent(self, event: dict) -> None:
        if self.start is None and event.get("type") == "Document":
            self.start, self.document = event["timestamp"], event["requestId"]
        self.types[event["requestId"]] = event.get("type", "Other")
        self.urls[event["requestId"]] = event["request"]["url"]

    def served_from_cache(self, event: dict) -> None:
        self.cached.add(event["requestId"])

    def response(self, event: dict) -> None:
        if event["response"].get("fromDiskCache") or event["response"].get("fromMemoryCache"):
            self.cached.add(event["requestId"])

    def finish(self, event: dict) -> None:
        kind = self.types.get(event["requestId"], "Other")
        url = self.urls.get(event["requestId"], "?")
        self.log.append((self.ms(event["timestamp"]), int(event["encodedDataLength"]), url))
        self.finished.append((self.ms(event["timestamp"]), int(event["encodedDataLength"]), kind))

    def frame(self, event: dict) -> None:
        response = event["response"]
        payload = response.get("payloadData", "")
        size = len(base64.b64decode(payload)) if response.get("opcode") == 2 else len(payload)
        self.frames.append((self.ms(event["timestamp"]), size))

    def upgrade(self, event: dict) -> None:
        if self.handshake is None:
            self.handshake = self.ms(event["timestamp"])


async def _throttled_page(context):  # type: ignore[no-untyped-def]
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    recorder = Recorder()
    cdp.on("Network.requestWillBeSent", recorder.sent)
    cdp.on("Network.requestServedFromCache", recorder.served_from_cache)
    cdp.on("Network.responseReceived", recorder.response)
    cdp.on("Network.loadingFinished", recorder.finish)
    cdp.on("Network.webSocketFrameReceived", recorder.frame)
    cdp.on("Network.webSocketFrameSent", recorder.frame)
    cdp.on("Network.webSocketWillSendHandshakeRequest", recorder.upgrade)
    await cdp.send("Network.enable")
    await cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": LATENCY_MS,
            "downloadThroughput": THROUGHPUT,
            "uploadThroughput": THROUGHPUT,
            "connectionType": "cellular4g",
        },
    )
    await cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    await cdp.send("Performance.enable")
    return page, cdp, recorder


async def _visit(  # type: ignore[no-untyped-def]
    context, url: str, submit_label: str, thanks: str, pid: int, light: bool = False
) -> Visit:
    page, cdp, rec = await _throttled_page(context)
    try:
        cpu_start = cpu_seconds(pid)
        await page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        tappable_js = LIGHT_TAPPABLE_JS if light else TAPPABLE_JS
        handle = await page.wait_for_function(tappable_js, timeout=TIMEOUT_MS)
        tappable = float(await handle.json_value())
        cpu_open = cpu_seconds(pid) - cpu_start
        metrics = {
            m["name"]: m["value"]
            for m in (await cdp.send("Performance.getMetrics"))["metrics"]
            if m["name"]
            in ("ScriptDuration", "TaskDuration", "LayoutDuration", "RecalcStyleDuration")
        }
        await page.evaluate(LIGHT_CLICK_JS if light else CLICK_JS, submit_label)
        if light:
            option = page.locator("fieldset.item label").first
        else:
            option = page.get_by_test_id("stRadio").first.get_by_test_id("stRadioOption").first
        await option.click(timeout=TIMEOUT_MS)
        cpu_start = cpu_seconds(pid)
        await page.get_by_role("button", name=submit_label).click(timeout=TIMEOUT_MS)
        if light:  # a POST, a 303 and a new document: wait for it, then for its heading
            await page.wait_for_url("**/survey/done**", timeout=TIMEOUT_MS)
            handle = await page.wait_for_function(LIGHT_THANKS_JS, arg=thanks, timeout=TIMEOUT_MS)
            done = float(await handle.json_value())
            sent = float(await page.evaluate("Number(sessionStorage.getItem('eeSent'))"))
        else:
            handle = await page.wait_for_function(THANKS_JS, arg=thanks, timeout=TIMEOUT_MS)
            done = float(await handle.json_value())
            sent = float(await page.evaluate("window.__eeSent"))
        cpu_submit = cpu_seconds(pid) - cpu_start
    finally:
        await page.close()
    if os.environ.get("PHONE_DEBUG"):
        for ms, size, url in sorted(rec.log):
            print(f"  {ms:8.0f} ms {size:9d} B {url[-70:]}")
        print(f"  handshake {rec.handshake}, frames {[(round(m), s) for m, s in rec.frames]}")
        print(f"  tappable {tappable:.0f} sent {sent:.0f} done {done:.0f}")
    static = [ms for ms, _, kind in rec.finished if kind in ("Script", "Stylesheet", "Font")]
    before_ws = [ms for ms in static if rec.handshake is None or ms <= rec.handshake]
    document = next((ms for ms, _, kind in rec.finished if kind == "Document"), 0.0)
    first_frame = next((ms for ms, size in rec.frames if size), None)
    return Visit(
        tappable_ms=tappable,
        submit_ms=done - sent,
        http_bytes=sum(size for _, size, _ in rec.finished),
        http_bytes_tappable=sum(size for ms, size, _ in rec.finished if ms <= tappable),
        ws_bytes=sum(size for _, size in rec.frames),
        requests=len(rec.types),
        cached=len(rec.cached),
        phases={
            "document_done": document,
            "static_done": max(before_ws, default=0.0),
            "websocket_handshake": rec.handshake or 0.0,
            "first_frame": first_frame or 0.0,
            "tappable": tappable,
        },
        metrics={k: v * 1000 for k, v in metrics.items()},  # ms of the page's main thread
        server_cpu_open_ms=cpu_open * 1000,
        server_cpu_submit_ms=cpu_submit * 1000,
    )


async def _person(  # type: ignore[no-untyped-def]
    browser, url_cold: str, url_warm: str, label: str, thanks: str, pid: int, light: bool
):
    """A new context (cold cache) opening one link, then a second link in the same context."""
    context = await browser.new_context(locale=LANGUAGE, **PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        cold = await _visit(context, url_cold, label, thanks, pid, light)
        warm = await _visit(context, url_warm, label, thanks, pid, light)
    finally:
        await context.close()
    return cold, warm


# --- the run -----------------------------------------------------------------------------------


async def _warm_up(browser, url: str) -> None:  # type: ignore[no-untyped-def]
    """The first page after start imports the app: not timed, not throttled."""
    context = await browser.new_context()
    try:
        page = await context.new_page()
        await page.goto(url, timeout=TIMEOUT_MS)
        await page.get_by_test_id("stApp").wait_for(timeout=TIMEOUT_MS)
        await page.wait_for_function(
            '() => document.querySelector(\'[data-testid="stRadio"], [data-testid="stAlert"]\')',
            timeout=TIMEOUT_MS,
        )
    finally:
        await context.close()


async def _warm_up_light(browser, url: str) -> None:  # type: ignore[no-untyped-def]
    """The light page's first request after start builds the engine: not timed."""
    context = await browser.new_context()
    try:
        page = await context.new_page()
        await page.goto(url, timeout=TIMEOUT_MS)
        await page.locator("h1").wait_for(timeout=TIMEOUT_MS)
    finally:
        await context.close()


async def _drive(bases, links, rounds, pids):  # type: ignore[no-untyped-def]
    from playwright.async_api import async_playwright

    zh = translator(LANGUAGE)
    sides = {
        "reference": ("/", "Submit", "Thank you!"),
        "ours": ("/survey?t={token}", zh("Submit my answers"), zh("Thank you!")),
        "light": ("/survey?t={token}", zh("Submit my answers"), zh("Thank you!")),
    }
    found = {(m, s): {"cold": [], "warm": []} for m in bases for s in sides}
    cpu = dict.fromkeys(sides, 0.0)
    tokens = iter(links)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium_options())
        try:
            for urls in bases.values():
                await _warm_up(browser, urls["reference"])
                await _warm_up(browser, f"{urls['ours']}/survey?t=warm-up")
                await _warm_up_light(browser, f"{urls['light']}/survey?t=warm-up")
            for r in range(rounds):
                for mode, urls in bases.items():
                    for side, (path, label, thanks) in sides.items():
                        linked = side != "reference"
                        first, second = (next(tokens), next(tokens)) if linked else ("", "")
                        cold_url = urls[side] + path.format(token=first)
                        warm_url = urls[side] + path.format(token=second)
                        pid = pids[side]
                        before = cpu_seconds(pid)
                        cold, warm = await _person(
                            browser, cold_url, warm_url, label, thanks, pid, side == "light"
                        )
                        cpu[side] += cpu_seconds(pid) - before
                        found[(mode, side)]["cold"].append(cold)
                        found[(mode, side)]["warm"].append(warm)
                        print(
                            f"round {r + 1} {mode:6} {side:9} cold {cold.tappable_ms:7.0f} ms "
                            f"submit {cold.submit_ms:5.0f} ms {cold.http_bytes / 1e3:7.0f} kB | "
                            f"warm {warm.tappable_ms:6.0f} ms submit {warm.submit_ms:5.0f} ms "
                            f"{warm.http_bytes / 1e3:5.0f} kB",
                            flush=True,
                        )
        finally:
            await browser.close()
    return found, cpu


def _median(visits: list[Visit], key: str) -> float:
    return statistics.median(getattr(v, key) for v in visits)


def run(rounds: int = ROUNDS, modes: tuple[str, ...] = MODES) -> list[dict[str, object]]:
    os.environ.setdefault("EE_SECRET_KEY", "cd" * 32)
    load_before = os.getloadavg()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = make_demo_database(demo_database(folder, date.today()), folder / "phone.db")
        engine = make_engine(url)
        links = [token for _, token in _open_waves(engine, "phone", None, date.today())]
        engine.dispose()
        needed = rounds * len(modes) * 4  # two links a visit pair, the Streamlit and light pages
        if len(links) < needed:
            raise RuntimeError(f"{len(links)} links for {needed} visits")
        minimal = folder / "minimal_survey.py"
        minimal.write_text(MINIMAL_SCRIPT)
        with (
            streamlit_app(minimal, folder) as ref,
            streamlit_app("streamlit_app.py", folder, {"EE_DATABASE_URL": url}) as app,
            streamlit_app("serve.py", folder, {"EE_DATABASE_URL": url}) as light,
        ):
            # ``streamlit_app.py`` alone still serves the Streamlit survey page at /survey;
            # ``serve.py`` (what scripts/run starts) answers /survey with the light page.
            servers = {"ours": app, "reference": ref, "light": light}
            direct = {side: server.url for side, server in servers.items()}
            ports = {side: _port(server.url) for side, server in servers.items()}
            with nginx(folder, ports if "nginx" in modes else {}) as proxied:
                bases = {m: direct if m == "direct" else proxied for m in modes}
                pids = {side: server.pid for side, server in servers.items()}
                found, cpu = asyncio.run(_drive(bases, links, rounds, pids))
    load_after = os.getloadavg()
    return _rows(found, cpu, rounds, load_before, load_after, time.perf_counter() - began)


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def _rows(found, cpu, rounds, load_before, load_after, elapsed) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    reference = "minimal Streamlit script (one st.radio, a submit button), served the same way"
    rows: list[dict[str, object]] = []
    modes = sorted({m for m, _ in found}, key=MODES.index)
    for mode in modes:
        ours, ref = found[(mode, "ours")], found[(mode, "reference")]
        for visit in ("cold", "warm"):
            for key, label, unit, scale in (
                ("tappable_ms", "navigation start to first question tappable", "ms", 1),
                ("submit_ms", "Submit click to thank-you", "ms", 1),
                ("http_bytes", "HTTP bytes transferred, open to thank-you", "kB", 1e-3),
                ("ws_bytes", "WebSocket payload bytes, both ways", "kB", 1e-3),
                ("server_cpu_open_ms", "server process CPU, open to tappable", "ms", 1),
                ("server_cpu_submit_ms", "server process CPU, Submit to thank-you", "ms", 1),
            ):
                mine = _median(ours[visit], key) * scale
                base = _median(ref[visit], key) * scale
                rows.append(
                    {
                        "benchmark": (
                            f"phone, 4G 170 ms 9 Mbit/s, CPU ÷{CPU_SLOWDOWN}, {mode}, {visit} "
                            f"visit: {label} (median of {rounds}; range "
                            f"{min(getattr(v, key) for v in ours[visit]) * scale:.0f}–"
                            f"{max(getattr(v, key) for v in ours[visit]) * scale:.0f})"
                        ),
                        "ours_s": round(mine, 1 if unit == "kB" else 0),
                        "reference": reference,
                        "reference_s": round(base, 1 if unit == "kB" else 0),
                        "ratio": round(mine / base, 2) if base else "-",
                        "unit": unit,
                    }
                )
                light = _median(found[(mode, "light")][visit], key) * scale
                rows.append(
                    {
                        "benchmark": (
                            f"phone, {mode}, {visit} visit, LIGHT survey page (serve.py): "
                            f"{label} (median of {rounds})"
                        ),
                        "ours_s": round(light, 1 if unit == "kB" else 0),
                        "reference": reference,
                        "reference_s": round(base, 1 if unit == "kB" else 0),
                        "ratio": round(light / base, 2) if base else "-",
                        "streamlit_survey_s": round(mine, 1 if unit == "kB" else 0),
                        "ratio_to_streamlit_survey": round(light / mine, 3) if mine else "-",
                        "unit": unit,
                    }
                )
    breakdown = {
        f"{mode} {side} {visit}": {
            **{
                phase: round(statistics.median(v.phases[phase] for v in visits))
                for phase in visits[0].phases
            },
            **{
                f"main thread {name} ms": round(
                    statistics.median(v.metrics.get(name, 0) for v in visits)
                )
                for name in visits[0].metrics
            },
            "requests": statistics.median(v.requests for v in visits),
            "from cache": statistics.median(v.cached for v in visits),
            "kB by tappable": round(_median(visits, "http_bytes_tappable") / 1e3, 1),
        }
        for (mode, side), by_visit in found.items()
        for visit, visits in by_visit.items()
    }
    rows[0]["breakdown"] = breakdown
    rows[0]["server_cpu_s"] = {side: round(s, 2) for side, s in cpu.items()}
    rows[0]["load_average"] = {"before": load_before, "after": load_after}
    rows[0]["total_runtime_s"] = round(elapsed, 1)
    return rows


if __name__ == "__main__":
    import json
    import sys

    chosen = tuple(sys.argv[2:]) or MODES
    for row in run(int(sys.argv[1]) if len(sys.argv) > 1 else ROUNDS, chosen):
        print(json.dumps(row, ensure_ascii=False))
