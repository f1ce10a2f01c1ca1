"""The clean-up after closing a wave (ee_app/services/cleanup.py): verified only when it is
true, bounded while other connections block it, and finished by a retry."""

from __future__ import annotations

import shutil
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event, select

from ee_app.auth import Actor, system_actor
from ee_app.config import Settings
from ee_app.db import make_engine, read_session, write_session
from ee_app.errors import Conflict, NotFound, PermissionDenied
from ee_app.keys import secret_key
from ee_app.models import SurveyWave, UserRole
from ee_app.sealing import marker
from ee_app.services import answering, waves
from ee_app.services.cleanup import clean_up_after_close
from tests.helpers import reading
from tests.wave_setup import open_new_wave, tokens

TODAY = date(2026, 11, 2)


def load_chain(engine) -> None:
    from ee_app.services.demo import load_demo
    from tests.conftest import DEMO_SEED

    with write_session(engine) as session:
        load_demo(
            session, system_actor("test"), seed=DEMO_SEED, today=TODAY, parts={"org", "staff"}
        )


@pytest.fixture
def chain(engine):
    load_chain(engine)


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("EE_SECRET_KEY", "ab" * 32)
    monkeypatch.setenv("EE_DATA_DIR", str(tmp_path))
    return Settings.from_env()


def answered_wave(engine, hr, settings, code="2026-11", people=8) -> int:
    """An open wave over the chain with ``people`` answers and comments; its id."""
    wave_id = open_new_wave(
        engine,
        hr,
        code,
        ["LM"],
        opens_on=TODAY,
        closes_on=date(2026, 11, 20),
        settings=settings,
        today=TODAY,
    ).id
    key = secret_key(settings)
    for n, token in enumerate(tokens(engine, hr, code, settings)[:people]):
        answering.submit(engine, token, {"a01": 1 + n % 5}, 7, f"意见{n}", key=key, today=TODAY)
    return wave_id


def verified_flag(engine, wave_id: int) -> bool:
    with read_session(engine) as session:
        return session.scalar(select(SurveyWave.cleanup_verified).where(SurveyWave.id == wave_id))


def wal_of(engine) -> Path:
    return Path(f"{engine.url.database}-wal")


def test_a_reader_keeps_the_clean_up_from_finishing_and_a_retry_finishes_it(
    engine, chain, hr, settings
):
    """Another connection inside a read transaction while the wave closes: the clean-up
    waits a bounded time, says it is not complete (and it is not: on SQLite the WAL still
    holds the sealed answers), and leaves the flag unset; once the reader is gone, a retry
    verifies."""
    wave_id = answered_wave(engine, hr, settings)
    with reading(engine):
        with write_session(engine) as session:
            waves.close_wave(session, hr, "2026-11", settings)
        started = time.monotonic()
        result = clean_up_after_close(engine, hr, "2026-11", timeout=0.5)
        waited = time.monotonic() - started
        if engine.dialect.name == "sqlite":
            assert marker(wave_id) in wal_of(engine).read_bytes()
    assert not result.verified
    assert waited < 5, waited
    said = result.render()
    assert said.startswith("The clean-up is not complete")
    assert "ee-app wave cleanup 2026-11" in said and "Retry clean-up" in said
    assert verified_flag(engine, wave_id) is False

    again = clean_up_after_close(engine, hr, "2026-11", timeout=5)
    assert again.verified, again.render()
    assert verified_flag(engine, wave_id) is True
    if engine.dialect.name == "sqlite":
        assert not wal_of(engine).exists() or wal_of(engine).stat().st_size == 0
        assert marker(wave_id) not in Path(engine.url.database).read_bytes()


MANAGER = Actor(email="manager.sh01@demo.example", role=UserRole.MANAGER, scope=frozenset())


@pytest.mark.parametrize(
    ("who", "wave", "error", "message"),
    [
        ("hr", "nope", NotFound, "No survey wave"),
        ("hr", "open", Conflict, "only a closed wave is cleaned up"),
        ("manager", "closed", PermissionDenied, "does not allow"),
    ],
)
def test_only_hr_cleans_up_and_only_closed_waves(
    engine, chain, hr, settings, who, wave, error, message
):
    answered_wave(engine, hr, settings, code="open", people=1)
    answered_wave(engine, hr, settings, code="closed", people=1)
    with write_session(engine) as session:
        waves.close_wave(session, hr, "closed", settings)
    with pytest.raises(error, match=message):
        clean_up_after_close(engine, hr if who == "hr" else MANAGER, wave, timeout=1)


# SQLite: what the verification really checks ------------------------------------------------


@pytest.fixture
def sqlite_url(sqlite_template, tmp_path) -> str:
    path = tmp_path / "cleanup.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def engine_with(url: str, pragma: str):  # type: ignore[no-untyped-def]
    """An engine whose every connection also runs ``pragma`` (after the app's own)."""
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _after(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.execute(pragma)

    return engine


def test_rows_deleted_without_secure_delete_are_found_and_the_file_rebuilt(
    sqlite_url, hr, settings
):
    """A connection without secure_delete closes the wave: the sealed answers stay in the
    database file's free space. The clean-up finds the wave's marker there, rebuilds the file
    (VACUUM) and verifies only after that."""
    careless = engine_with(sqlite_url, "PRAGMA secure_delete=OFF")
    load_chain(careless)
    wave_id = answered_wave(careless, hr, settings)
    with write_session(careless) as session:
        waves.close_wave(session, hr, "2026-11", settings)
    with careless.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    careless.dispose()
    database = Path(make_engine(sqlite_url).url.database)
    assert marker(wave_id) in database.read_bytes()  # the remnant is real

    engine = make_engine(sqlite_url)
    result = clean_up_after_close(engine, hr, "2026-11", timeout=5)
    assert result.verified, result.render()
    assert marker(wave_id) not in database.read_bytes()
    assert verified_flag(engine, wave_id) is True
    engine.dispose()


def test_secure_delete_off_is_never_reported_as_verified(sqlite_url, hr, settings):
    engine = engine_with(sqlite_url, "PRAGMA secure_delete=OFF")
    load_chain(engine)
    wave_id = answered_wave(engine, hr, settings)
    with write_session(engine) as session:
        waves.close_wave(session, hr, "2026-11", settings)
    result = clean_up_after_close(engine, hr, "2026-11", timeout=2)
    assert not result.verified
    assert "secure_delete is off" in result.render()
    assert verified_flag(engine, wave_id) is False
    engine.dispose()
