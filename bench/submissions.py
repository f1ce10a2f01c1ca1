"""Survey submissions per second and p95 latency through the service layer, against the
driver (sqlite3 / psycopg) doing the same work in the same run: claim the invitation with a
conditional UPDATE … RETURNING, seal the answers (AES-256-GCM, the ``cryptography`` package,
a blob of the same fixed size), insert it, commit. The encryption is inside both timings. Target
(issue 3): at least half the raw throughput, p95 under 10 ms; issue 14: sealing must keep the
ratio within 10% of what it was before (0.56× SQLite, 0.83× PostgreSQL)."""

from __future__ import annotations

import os
import secrets
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bench.chain import TODAY
from ee_app.auth import system_actor
from ee_app.config import Settings
from ee_app.db import make_engine, read_session, upgrade, write_session
from ee_app.keys import derive, hash_token, secret_key
from ee_app.sealing import MARKER, SEALED_SIZE
from ee_app.services import answering, waves
from ee_app.services.demo import load_demo

N = 2000
REFERENCE = "{driver}, same statements, AES-GCM sealing of the same size"
ANSWERS = {f"a{i:02d}": 1 + (i % 5) for i in range(1, 13)}


def _prepare(url: str, settings: Settings, code: str) -> list[str]:
    engine = make_engine(url)
    upgrade(engine)
    actor = system_actor("bench")
    with write_session(engine) as session:
        load_demo(session, actor, seed=7, size="chain", today=TODAY, parts={"org", "staff"})
    for wave in (f"{code}-a", f"{code}-b"):
        with write_session(engine) as session:
            waves.create_wave(
                session,
                actor,
                code=wave,
                name=wave,
                unit_codes=["LM"],
                opens_on=TODAY,
                closes_on=date(2026, 12, 31),
            )
        with write_session(engine) as session:
            waves.open_wave(session, actor, wave, settings, today=TODAY)
    tokens = {}
    with read_session(engine) as session:
        for wave in (f"{code}-a", f"{code}-b"):
            links = waves.invitation_links(session, actor, wave, settings)
            tokens[wave] = [parse_qs(urlparse(x.link).query)["t"][0] for x in links][:N]
    engine.dispose()
    return tokens[f"{code}-a"], tokens[f"{code}-b"]


def _service(url: str, tokens: list[str], key: bytes) -> list[float]:
    engine = make_engine(url)
    times = []
    for token in tokens:
        start = time.perf_counter()
        answering.submit(engine, token, ANSWERS, 8, None, key=key, today=TODAY)
        times.append(time.perf_counter() - start)
    engine.dispose()
    return times


CLAIM = (
    "UPDATE survey_invitation SET responded = {yes} WHERE token_hash = {p} AND responded = {no} "
    "AND wave_id IN (SELECT id FROM survey_wave WHERE status = 'open' AND opens_on <= {p} "
    "AND closes_on >= {p}) RETURNING wave_id, staff_id, report_unit_id, report_role, "
    "report_band, comment_unit_id, (SELECT mode FROM survey_wave w WHERE w.id = "
    "survey_invitation.wave_id)"
)
INSERT = "INSERT INTO survey_sealed (id, wave_id, sealed) VALUES ({p}, {p}, {p})"
#: The plaintext the reference encrypts: the same size as ee-app's sealed record.
PLAIN_SIZE = SEALED_SIZE - len(MARKER) - 4 - 12 - 16


class _Sealer:
    """The reference's sealing: AES-256-GCM straight from ``cryptography``, one key per wave
    (derived once), the answers padded to the same fixed size, a random nonce, the same clear
    header as associated data; no validation or record layout."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self.ciphers: dict[int, AESGCM] = {}

    def __call__(self, wave_id: int, unit_id: int) -> bytes:
        cipher = self.ciphers.get(wave_id)
        if cipher is None:
            cipher = self.ciphers[wave_id] = AESGCM(derive(self.key, f"survey-seal:{wave_id}"))
        header = MARKER + wave_id.to_bytes(4, "big")
        plain = (bytes(ANSWERS.values()) + bytes([8]) + unit_id.to_bytes(4, "big")).ljust(
            PLAIN_SIZE, b"\0"
        )
        nonce = os.urandom(12)
        return header + nonce + cipher.encrypt(nonce, plain, header)


def _raw_sqlite(path: str, tokens: list[str], key: bytes) -> list[float]:
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA secure_delete=ON")  # as ee-app's connections
    claim = CLAIM.format(yes=1, no=0, p="?")
    insert = INSERT.format(p="?")
    sealer = _Sealer(key)
    today = TODAY.isoformat()
    times = []
    for token in tokens:
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        row = conn.execute(claim, (hash_token(token), today, today)).fetchone()
        conn.execute(insert, (secrets.token_hex(16), row[0], sealer(row[0], row[2])))
        conn.execute("COMMIT")
        times.append(time.perf_counter() - start)
    conn.close()
    return times


def _raw_postgres(url: str, tokens: list[str], key: bytes) -> list[float]:
    import psycopg

    conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
    claim = CLAIM.format(yes="true", no="false", p="%s")
    insert = INSERT.format(p="%s")
    sealer = _Sealer(key)
    times = []
    for token in tokens:
        start = time.perf_counter()
        with conn.transaction():
            row = conn.execute(claim, (hash_token(token), TODAY, TODAY)).fetchone()
            conn.execute(insert, (secrets.token_hex(16), row[0], sealer(row[0], row[2])))
        times.append(time.perf_counter() - start)
    conn.close()
    return times


def _interleaved(ours_fn, raw_fn, ours_tokens, raw_tokens, rounds: int = 4):  # type: ignore[no-untyped-def]
    """Alternate the two in rounds, so drift on a shared machine hits both alike."""
    ours: list[float] = []
    raw: list[float] = []
    size = len(ours_tokens) // rounds
    for r in range(rounds):
        raw += raw_fn(raw_tokens[r * size : (r + 1) * size])
        ours += ours_fn(ours_tokens[r * size : (r + 1) * size])
    return ours, raw


def _summary(label: str, ours: list[float], raw: list[float], reference: str) -> dict:
    ours_rate, raw_rate = len(ours) / sum(ours), len(raw) / sum(raw)
    p95 = statistics.quantiles(ours, n=20)[18] * 1000
    return {
        "benchmark": f"survey submissions, {label} ({len(ours)} sequential, p95 {p95:.2f} ms)",
        "ours_s": round(ours_rate),
        "reference": reference,
        "reference_s": round(raw_rate),
        "ratio": round(ours_rate / raw_rate, 2),
        "unit": "submissions/s",
        "p95_ms": round(p95, 2),
        "raw_p95_ms": round(statistics.quantiles(raw, n=20)[18] * 1000, 2),
    }


def run() -> list[dict]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("EE_SECRET_KEY", "cd" * 32)
        settings = Settings.from_env()
        key = secret_key(settings)
        path = Path(tmp) / "bench.db"
        url = f"sqlite:///{path}"
        ours_tokens, raw_tokens = _prepare(url, settings, "s")
        ours, raw = _interleaved(
            lambda chunk: _service(url, chunk, key),
            lambda chunk: _raw_sqlite(str(path), chunk, key),
            ours_tokens,
            raw_tokens,
        )
        results.append(_summary("SQLite", ours, raw, REFERENCE.format(driver="sqlite3")))
    pg = os.environ.get("EE_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    try:
        from sqlalchemy import create_engine, text

        admin = create_engine(pg, isolation_level="AUTOCOMMIT")
        name = f"ee_bench_{secrets.token_hex(3)}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        print(f"PostgreSQL not available, skipped: {exc}")
        return results
    url = pg.rsplit("/", 1)[0] + f"/{name}"
    try:
        ours_tokens, raw_tokens = _prepare(url, settings, "p")
        ours, raw = _interleaved(
            lambda chunk: _service(url, chunk, key),
            lambda chunk: _raw_postgres(url, chunk, key),
            ours_tokens,
            raw_tokens,
        )
        results.append(_summary("PostgreSQL", ours, raw, REFERENCE.format(driver="psycopg")))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
    return results


if __name__ == "__main__":
    for row in run():
        print(row)
