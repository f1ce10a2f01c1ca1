"""The clean-up after closing a wave: no remnant of its sealed answers left in the database
files, verified, not assumed.

Closing a wave (:func:`ee_app.services.waves.close_wave`) deletes its ``survey_sealed`` rows
in the closing transaction. Deleted is not yet gone from the files:

* **SQLite** zeroes deleted rows and freed pages in the database file (``secure_delete``, on
  for every connection of :func:`ee_app.db.make_engine`), but the write-ahead log (WAL) still
  holds the pages as they were until it is checkpointed *and truncated*, which needs a moment
  when no other connection is reading. :func:`clean_up_after_close` runs
  ``PRAGMA wal_checkpoint(TRUNCATE)``, reads its ``(busy, log, checkpointed)`` row, retries
  with backoff while a reader blocks it (up to ``timeout`` seconds), then checks: the WAL is
  empty (or holds only frames written after the truncation), ``secure_delete`` is on, and the
  wave's marker (:func:`ee_app.sealing.marker`) occurs in neither the database file nor the
  WAL. If the marker is still in the database file (a connection without ``secure_delete``
  deleted the rows), it rebuilds the file with ``VACUUM`` once and checks again.
* **PostgreSQL** keeps deleted row versions in the table files until they are vacuumed.
  :func:`clean_up_after_close` rewrites ``survey_sealed``, ``survey_response``,
  ``survey_comment`` and ``survey_response_link`` with ``VACUUM (FULL)`` (the old files are
  dropped), retrying while other transactions hold the tables, and verifies that each table
  got a new file and that the wave has no sealed row left. What it cannot verify: PostgreSQL's
  own WAL segments (``pg_wal``, any WAL archive, standbys, base backups) keep the encrypted
  answers until they are recycled; without ``EE_SECRET_KEY`` they link nothing.

Only a verified clean-up sets ``survey_wave.cleanup_verified``; a failure says why in plain
words and how to finish (the "Retry clean-up" button, or ``ee-app wave cleanup WAVE``), and is
logged as a warning with the wave's id and nothing else.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from ee_app.auth import Actor, Permission, require
from ee_app.db import read_session, write_session
from ee_app.errors import N_, Conflict, NotFound
from ee_app.models import SurveySealed, SurveyWave, WaveStatus
from ee_app.sealing import marker

__all__ = ["DEFAULT_TIMEOUT", "CleanupResult", "clean_up_after_close"]

#: How long the clean-up waits, in all, for readers that keep it from finishing (seconds).
DEFAULT_TIMEOUT = 10.0
#: The tables whose old row versions may hold a closed wave's answers (PostgreSQL).
SURVEY_TABLES = ("survey_sealed", "survey_response", "survey_comment", "survey_response_link")
_FIRST_PAUSE = 0.05  # seconds; doubled after each blocked attempt
_LONGEST_PAUSE = 1.0
_ATTEMPT_WAIT_MS = 250  # how long one attempt waits for a lock before it reports "busy"
_CHUNK = 8 << 20  # bytes read at a time when scanning a file

logger = logging.getLogger(__name__)

Gettext = Callable[[str], str]

_RETRY = N_(
    " Finish it later with “Retry clean-up” on the Pulse surveys page or with "
    "ee-app wave cleanup {code}."
)


@dataclass(frozen=True)
class CleanupResult:
    """Whether the clean-up was verified, and a plain reason (English, translatable)."""

    verified: bool
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, gettext: Gettext = lambda message: message) -> str:
        text_ = gettext(self.message)
        if not self.verified:
            text_ += gettext(_RETRY)
        try:
            return text_.format(**self.params)
        except (KeyError, IndexError, ValueError):
            return text_

    def __str__(self) -> str:
        return self.render()


def clean_up_after_close(
    engine: Engine, actor: Actor, wave_code: int | str, *, timeout: float = DEFAULT_TIMEOUT
) -> CleanupResult:
    """Remove and verify the removal of a closed wave's sealed answers from the database
    files (see the module docstring for what that means on each database).

    Runs outside any transaction of the caller's and waits at most about ``timeout`` seconds
    for other connections. Raises for a wave that does not exist or is not closed; returns
    ``verified=False`` with the reason for everything else, and only a verified clean-up sets
    the wave's ``cleanup_verified``.
    """
    require(actor, Permission.MANAGE_SURVEYS)
    column = SurveyWave.id if isinstance(wave_code, int) else SurveyWave.code
    with read_session(engine) as session:
        wave = session.execute(
            select(SurveyWave.id, SurveyWave.code, SurveyWave.status).where(column == wave_code)
        ).first()
        if wave is None:
            raise NotFound(N_("No survey wave “{wave}”."), wave=wave_code)
        if wave.status is not WaveStatus.CLOSED:
            raise Conflict(
                N_("Wave “{code}” is {status}; only a closed wave is cleaned up."),
                code=wave.code,
                status=wave.status.value,
            )
        left = session.scalar(
            select(func.count()).select_from(SurveySealed).where(SurveySealed.wave_id == wave.id)
        )
    deadline = time.monotonic() + max(timeout, 0.0)
    if left:
        result = CleanupResult(
            False,
            N_("The clean-up is not complete: wave {code} still has {count} sealed answers."),
            {"count": left},
        )
    elif engine.dialect.name == "sqlite":
        result = _sqlite(engine, wave.id, deadline, timeout)
    elif engine.dialect.name == "postgresql":
        result = _postgresql(engine, deadline, timeout)
    else:
        result = CleanupResult(
            False,
            N_("The clean-up is not complete: ee-app cannot verify it on {database}."),
            {"database": engine.dialect.name},
        )
    result = CleanupResult(result.verified, result.message, {**result.params, "code": wave.code})
    if not result.verified:
        logger.warning("clean-up after closing wave %s not verified", wave.id)
        return result
    try:
        with write_session(engine) as session:
            session.execute(
                update(SurveyWave).where(SurveyWave.id == wave.id).values(cleanup_verified=True)
            )
            session.commit()
    except SQLAlchemyError as exc:  # verified, but not recorded: say so, and let a retry record it
        logger.warning("clean-up after closing wave %s verified but not recorded", wave.id)
        return CleanupResult(
            False,
            N_("The clean-up is not complete: the database refused it ({error})."),
            {"error": type(getattr(exc, "orig", None) or exc).__name__, "code": wave.code},
        )
    if engine.dialect.name == "sqlite":
        _tidy_wal(engine)
    return result


def _seconds(value: float) -> str:
    return f"{round(value, 1):g}"


# SQLite ---------------------------------------------------------------------------------------


def _files(engine: Engine) -> tuple[Path, Path] | None:
    """The database file and its WAL, or None for an in-memory database."""
    name = engine.url.database
    if not name or name == ":memory:" or engine.url.query.get("mode") == "memory":
        return None
    return Path(name), Path(f"{name}-wal")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _holds(path: Path, needle: bytes) -> bool:
    """Whether ``needle`` occurs anywhere in the file. Plain reads in chunks that overlap by
    the needle's length: unlike ``mmap``, a file another connection truncates meanwhile (a
    WAL being reset) cannot crash the process with SIGBUS."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return False
    with handle:
        tail = b""
        while chunk := handle.read(_CHUNK):
            window = tail + chunk
            if needle in window:
                return True
            tail = window[-(len(needle) - 1) :]
    return False


def _checkpoint(raw: sqlite3.Connection, wal: Path, deadline: float) -> tuple[int, float]:
    """``wal_checkpoint(TRUNCATE)`` until it is not blocked and the WAL is empty, or until
    the deadline; returns the last ``busy`` flag and the seconds spent."""
    start = time.monotonic()
    pause = _FIRST_PAUSE
    while True:
        remaining = deadline - time.monotonic()
        wait_ms = max(1, min(_ATTEMPT_WAIT_MS, int(remaining * 1000)))
        raw.execute(f"PRAGMA busy_timeout = {wait_ms}")
        busy, _log, _checkpointed = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy == 0 and _size(wal) == 0:
            return 0, time.monotonic() - start
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return busy, time.monotonic() - start
        time.sleep(min(pause, remaining))
        pause = min(pause * 2, _LONGEST_PAUSE)


def _sqlite(engine: Engine, wave_id: int, deadline: float, timeout: float) -> CleanupResult:
    files = _files(engine)
    if files is None:
        return CleanupResult(True, N_("Nothing to clean up: the database is in memory."))
    database, wal = files
    needle = marker(wave_id)
    raw = engine.raw_connection()  # its pooled connection is in autocommit mode (db.py)
    driver = raw.driver_connection
    try:
        (waited_before,) = driver.execute("PRAGMA busy_timeout").fetchone()
        try:
            busy, waited = _checkpoint(driver, wal, deadline)
            if busy == 0 and _holds(database, needle):
                # A connection without secure_delete left the rows' bytes behind: rebuild.
                driver.execute("VACUUM")
                busy, more = _checkpoint(driver, wal, deadline)
                waited += more
            (secure,) = driver.execute("PRAGMA secure_delete").fetchone()
        finally:
            driver.execute(f"PRAGMA busy_timeout = {int(waited_before)}")
    except sqlite3.Error as exc:
        return CleanupResult(
            False,
            N_("The clean-up is not complete: the database refused it ({error})."),
            {"error": type(exc).__name__},
        )
    finally:
        raw.close()
    if busy:
        return CleanupResult(
            False,
            N_(
                "The clean-up is not complete: other connections kept reading the database for "
                "{seconds} s, so its write-ahead log may still hold the wave's sealed answers "
                "(encrypted)."
            ),
            {"seconds": _seconds(max(waited, timeout))},
        )
    if secure != 1:
        return CleanupResult(
            False,
            N_(
                "The clean-up is not complete: SQLite's secure_delete is off, so deleted answers "
                "may stay on disk."
            ),
        )
    for path in (database, wal):
        if _holds(path, needle):
            return CleanupResult(
                False,
                N_("The clean-up is not complete: {file} still holds sealed answers of the wave."),
                {"file": path.name},
            )
    if _size(wal):
        # Truncated (busy was 0), then written again by another wave's answers meanwhile:
        # those frames are newer than the deletion, and the scan above found nothing.
        return CleanupResult(
            True,
            N_(
                "Clean-up verified: the write-ahead log was emptied (it holds only newer "
                "writes) and no trace of the wave's sealed answers is left in the database files."
            ),
        )
    return CleanupResult(
        True,
        N_(
            "Clean-up verified: the write-ahead log is empty and no trace of the wave's sealed "
            "answers is left in the database files."
        ),
    )


def _tidy_wal(engine: Engine) -> None:
    """Empty the WAL once more after writing the flag, if nobody is reading (best effort:
    what it holds now was written after the verified clean-up)."""
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        (waited_before,) = driver.execute("PRAGMA busy_timeout").fetchone()
        driver.execute(f"PRAGMA busy_timeout = {_ATTEMPT_WAIT_MS}")
        try:
            driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            driver.execute(f"PRAGMA busy_timeout = {int(waited_before)}")
    except sqlite3.Error:
        pass
    finally:
        raw.close()


# PostgreSQL -----------------------------------------------------------------------------------


def _filenodes(conn) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {
        table: conn.execute(text("SELECT pg_relation_filenode(:t)"), {"t": table}).scalar_one()
        for table in SURVEY_TABLES
    }


def _postgresql(engine: Engine, deadline: float, timeout: float) -> CleanupResult:
    start = time.monotonic()
    pause = _FIRST_PAUSE
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            before = _filenodes(conn)
            try:
                while True:
                    # Only the tables not rewritten yet: an attempt that timed out on one
                    # table has already finished the ones before it.
                    now = _filenodes(conn)
                    pending = [t for t in SURVEY_TABLES if now[t] == before[t]]
                    if not pending:
                        break
                    remaining = deadline - time.monotonic()
                    wait_ms = max(1, min(_ATTEMPT_WAIT_MS, int(remaining * 1000)))
                    conn.execute(text(f"SET lock_timeout = {wait_ms}"))
                    try:
                        for table in pending:  # constants, never input
                            conn.execute(text(f"VACUUM (FULL) {table}"))
                    except SQLAlchemyError as exc:
                        if getattr(exc.orig, "sqlstate", None) != "55P03":  # lock_not_available
                            raise
                        remaining = deadline - time.monotonic()
                        if remaining <= 0:
                            return CleanupResult(
                                False,
                                N_(
                                    "The clean-up is not complete: other connections kept the "
                                    "survey tables in use for {seconds} s, so old row versions "
                                    "may still hold the wave's sealed answers (encrypted)."
                                ),
                                {"seconds": _seconds(max(time.monotonic() - start, timeout))},
                            )
                        time.sleep(min(pause, remaining))
                        pause = min(pause * 2, _LONGEST_PAUSE)
            finally:
                conn.execute(text("RESET lock_timeout"))
            after = _filenodes(conn)
    except SQLAlchemyError as exc:
        return CleanupResult(
            False,
            N_("The clean-up is not complete: the database refused it ({error})."),
            {"error": type(getattr(exc, "orig", None) or exc).__name__},
        )
    if any(after[t] == before[t] for t in SURVEY_TABLES):
        return CleanupResult(
            False,
            N_("The clean-up is not complete: the survey tables were not all rewritten."),
        )
    return CleanupResult(
        True,
        N_(
            "Clean-up verified: the survey tables were rewritten and hold no sealed answer of "
            "the wave. PostgreSQL's own WAL files keep the encrypted answers until they are "
            "recycled; without EE_SECRET_KEY they link nothing."
        ),
    )
