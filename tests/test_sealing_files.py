"""The red team's attack on the database files, replayed: a copy taken after any commit while
a wave is open links no invitation to readable answers, and after closing and the clean-up
nothing of the sealed answers is left in the files.

SQLite: the database file and its write-ahead log are copied after every commit (the WAL is
kept whole: no automatic checkpoints) and each copy is read as the attacker would, raw bytes
first, then through sqlite3. PostgreSQL: a plain ``pg_dump`` after every commit. In every
copy, the rows added since the previous one must be exactly one used invitation and one
opaque sealed blob of the common length, and no answer or comment text may appear anywhere.
"""

from __future__ import annotations

import itertools
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import make_url

from ee_app.config import Settings
from ee_app.db import read_session, write_session
from ee_app.keys import secret_key
from ee_app.models import (
    ANSWER_SLOTS,
    SurveyComment,
    SurveyResponse,
    SurveyResponseLink,
    SurveyWave,
    WaveMode,
)
from ee_app.sealing import SEALED_SIZE, marker
from ee_app.services import answering, waves
from ee_app.services.cleanup import clean_up_after_close
from tests.conftest import require_or_skip
from tests.wave_setup import open_new_wave, tokens

TODAY = date(2026, 11, 2)
N = 12
#: Distinctive comments: none of them may appear in any copy while the wave is open.
COMMENTS = [f"独特的意见{n:02d}·QZX{n:03d}·{'甲乙丙丁'[n % 4]}组排班太紧" for n in range(N)]


def answers_of(n: int) -> dict[str, int | None]:
    """A different pattern of answers for each person (some skipped)."""
    return {
        s: None if (n + i) % 7 == 0 else 1 + (n * 3 + i) % 5 for i, s in enumerate(ANSWER_SLOTS)
    }


@pytest.fixture
def chain(engine):
    from ee_app.auth import system_actor
    from ee_app.services.demo import load_demo
    from tests.conftest import DEMO_SEED

    with write_session(engine) as session:
        load_demo(
            session, system_actor("test"), seed=DEMO_SEED, today=TODAY, parts={"org", "staff"}
        )


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("EE_SECRET_KEY", "ab" * 32)
    monkeypatch.setenv("EE_DATA_DIR", str(tmp_path))
    return Settings.from_env()


@dataclass
class Copy:
    """What a copy of the database shows someone without the key."""

    raw: bytes  # every byte of the copied files
    responded: set[int]  # ids of the invitations marked as used
    sealed: dict[str, bytes]  # the sealed rows: id → blob
    plain: int  # rows in survey_response, survey_comment and survey_response_link


def copy_sqlite(database: Path, folder: Path) -> Copy:
    """Copy the database file and its WAL as they are, read the bytes, then open the copy."""
    folder.mkdir()
    target = folder / "copy.db"
    shutil.copy(database, target)
    wal = Path(f"{database}-wal")
    if wal.exists():
        shutil.copy(wal, folder / "copy.db-wal")
    raw = b"".join(p.read_bytes() for p in sorted(folder.iterdir()))
    conn = sqlite3.connect(target)
    try:
        responded = {i for (i,) in conn.execute("SELECT id FROM survey_invitation WHERE responded")}
        sealed = dict(conn.execute("SELECT id, sealed FROM survey_sealed"))
        plain = sum(
            conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("survey_response", "survey_comment", "survey_response_link")
        )
    finally:
        conn.close()
    return Copy(raw, responded, sealed, plain)


def pg_dump(url: str) -> str:
    if shutil.which("pg_dump") is None:
        require_or_skip("pg_dump is not on PATH")
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    done = subprocess.run(
        ["pg_dump", "--no-owner", "--no-privileges", libpq],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return done.stdout.decode()


def copied_rows(dump: str, table: str) -> list[dict[str, str]]:
    """The rows of ``table`` in a plain pg_dump (its COPY block)."""
    found = re.search(
        rf"^COPY public\.{table} \((?P<cols>[^)]*)\) FROM stdin;\n(?P<rows>.*?)^\\\.$",
        dump,
        re.MULTILINE | re.DOTALL,
    )
    assert found, table
    columns = found["cols"].split(", ")
    return [
        dict(zip(columns, line.split("\t"), strict=True)) for line in found["rows"].splitlines()
    ]


def copy_postgres(url: str) -> Copy:
    dump = pg_dump(url)
    responded = {
        int(r["id"]) for r in copied_rows(dump, "survey_invitation") if r["responded"] == "t"
    }
    sealed = {
        r["id"]: bytes.fromhex(r["sealed"].split("x", 1)[1])
        for r in copied_rows(dump, "survey_sealed")
    }
    plain = sum(
        len(copied_rows(dump, t))
        for t in ("survey_response", "survey_comment", "survey_response_link")
    )
    return Copy(dump.encode(), responded, sealed, plain)


def open_wave(engine, hr, settings, mode) -> tuple[int, list[str]]:
    wave = open_new_wave(
        engine,
        hr,
        "files",
        ["LM"],
        opens_on=TODAY,
        closes_on=date(2026, 11, 20),
        settings=settings,
        today=TODAY,
        name="文件副本",
        mode=mode,
    )
    return wave.id, tokens(engine, hr, "files", settings)


@pytest.mark.parametrize("mode", [WaveMode.ANONYMOUS, WaveMode.CONFIDENTIAL])
def test_a_copy_after_any_commit_links_no_invitation_to_readable_answers(
    engine, db_url, chain, hr, settings, tmp_path, mode
):
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        # Keep every frame in the WAL, as the red team's copy had them.
        @event.listens_for(engine, "connect")
        def _keep_wal(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            dbapi_conn.execute("PRAGMA wal_autocheckpoint=0")

        engine.dispose()
        database = Path(engine.url.database)

    def take_copy(n: int) -> Copy:
        return copy_sqlite(database, tmp_path / f"copy-{n}") if sqlite else copy_postgres(db_url)

    wave_id, tokens = open_wave(engine, hr, settings, mode)
    key = secret_key(settings)
    copies = [take_copy(0)]
    for n, token in enumerate(tokens[:N]):
        answering.submit(engine, token, answers_of(n), n % 11, COMMENTS[n], key=key, today=TODAY)
        copies.append(take_copy(n + 1))

    blobs: set[bytes] = set()
    for before, after in itertools.pairwise(copies):
        for comment in COMMENTS:
            assert comment.encode() not in after.raw
            assert "组排班太紧".encode() not in after.raw
        assert after.plain == 0
        assert before.responded < after.responded and len(after.responded - before.responded) == 1
        assert before.sealed.keys() < after.sealed.keys()
        assert len(after.sealed.keys() - before.sealed.keys()) == 1
        assert {len(blob) for blob in after.sealed.values()} == {SEALED_SIZE}
        blobs |= set(after.sealed.values())
    assert len(blobs) == N
    assert all(blob.startswith(marker(wave_id)) for blob in blobs)

    with write_session(engine) as session:
        waves.close_wave(session, hr, "files", settings)
    result = clean_up_after_close(engine, hr, "files", timeout=10)
    assert result.verified, result.render()

    # The results are there, pooled and shuffled: every answer and every comment.
    with read_session(engine) as session:
        stored = session.execute(
            select(*(SurveyResponse.__table__.c[s] for s in ANSWER_SLOTS), SurveyResponse.enps)
        ).all()
        texts = session.scalars(select(SurveyComment.text)).all()
        links = session.scalars(select(SurveyResponseLink.staff_id)).all()
        assert session.scalar(select(SurveyWave.cleanup_verified).where(SurveyWave.id == wave_id))
    sent = [(*(answers_of(n)[s] for s in ANSWER_SLOTS), n % 11) for n in range(N)]
    assert sorted(map(tuple, stored), key=repr) == sorted(sent, key=repr)
    assert sorted(texts) == sorted(COMMENTS)
    assert len(links) == (N if mode is WaveMode.CONFIDENTIAL else 0)

    # Nothing of the sealed answers is left in the files.
    if sqlite:
        wal = Path(f"{database}-wal")
        assert not wal.exists() or wal.stat().st_size == 0
        files = database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        assert marker(wave_id) not in files
        for blob in blobs:  # not even a fragment of one, anywhere in a page
            for at in range(32, SEALED_SIZE - 16, 509):
                assert blob[at : at + 16] not in files, at
    else:
        dump = pg_dump(db_url)
        assert copied_rows(dump, "survey_sealed") == []
        assert marker(wave_id).hex() not in dump
        assert sorted(r["text"] for r in copied_rows(dump, "survey_comment")) == sorted(COMMENTS)
