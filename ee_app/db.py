"""Engines, sessions and schema upgrades. The only module that creates engines.

SQLite (the embedded default) runs in WAL mode with foreign keys on. Its transactions start
with ``BEGIN IMMEDIATE`` when opened through :func:`write_session`, so that two writers queue
on the busy timeout instead of failing when a read lock cannot be upgraded; plain
:func:`read_session` transactions stay deferred so readers never wait for each other.

Nothing here connects at import time: the app wraps :func:`make_engine` in
``st.cache_resource`` and the command line calls it once per run.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from ee_app.errors import N_, ConfigError

if TYPE_CHECKING:  # the ORM is imported by the first session, not by every command (issue 20)
    from sqlalchemy.orm import Session

__all__ = [
    "bulk_insert",
    "current_revision",
    "is_sqlite",
    "make_engine",
    "read_session",
    "schema_is_current",
    "upgrade",
    "write_session",
    "writer",
]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_BEGIN_OPTION = "ee_begin"
_BEGIN_SQL = {"DEFERRED": "BEGIN DEFERRED", "IMMEDIATE": "BEGIN IMMEDIATE"}
_upgrade_lock = threading.Lock()
_writers: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create the engine for ``url``; SQLite files get their folder and their pragmas."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(N_("EE_DATABASE_URL is not a database URL: {url}"), url=url) from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, echo=echo, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    return create_engine(parsed, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the sqlite3 module, decide when a transaction begins.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        # Deleted rows (survey answers rewritten when a wave closes) are overwritten on disk.
        cur.execute("PRAGMA secure_delete=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        # Straight to the driver: this runs for every transaction, and a full SQLAlchemy
        # execute here cost as much as the survey submission it begins.
        conn.connection.dbapi_connection.execute(_BEGIN_SQL[mode])


def read_session(engine: Engine) -> Session:
    """A session for reading (and for writes that cannot race, such as the demo loader)."""
    from sqlalchemy.orm import Session

    return Session(engine, expire_on_commit=False)


def writer(engine: Engine) -> Engine:
    """The engine whose transactions take SQLite's write lock at BEGIN (made once per engine:
    building it costs as much as a short transaction)."""
    if not is_sqlite(engine):
        return engine
    immediate = _writers.get(engine)
    if immediate is None:
        immediate = _writers[engine] = engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
    return immediate


def write_session(engine: Engine) -> Session:
    """A session whose transactions take SQLite's write lock at BEGIN (no effect elsewhere)."""
    from sqlalchemy.orm import Session

    return Session(writer(engine), expire_on_commit=False)


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """Serialise schema upgrades: threads of one process, and replicas sharing PostgreSQL."""
    with _upgrade_lock:
        if engine.dialect.name != "postgresql":
            yield
            return
        key = int.from_bytes(hashlib.sha256(b"ee-app-migrations").digest()[:4], "big")
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()


def _alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or migrate the schema to ``revision`` (Alembic), safely under concurrency."""
    from alembic import command

    try:
        with _migration_lock(engine):
            command.upgrade(_alembic_config(engine), revision)
    except OperationalError as exc:
        raise ConfigError(
            N_("Cannot reach the database at {url}: {reason}"),
            url=engine.url.render_as_string(hide_password=True),
            reason=str(exc.orig),
        ) from exc


def current_revision(engine: Engine) -> str | None:
    """The schema's Alembic revision, or None for a database without one (new or empty), so
    that ``ee-app db upgrade`` can say what it did rather than only where it ended."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT min(version_num) FROM alembic_version")).scalar()


def schema_is_current(engine: Engine) -> bool:
    """True when the database is at the newest migration."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(engine))
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current == set(script.get_heads())


def bulk_insert(
    session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence]
) -> int:
    """Insert many rows inside the session's transaction as fast as the driver allows:
    ``executemany`` on SQLite, ``COPY … FROM STDIN`` on PostgreSQL. ``table`` and ``columns``
    are the code's own constants, never user input; the values travel as parameters (SQLite)
    or in COPY's data stream (PostgreSQL), never inside the SQL text.

    SQLAlchemy's per-row bookkeeping cost more than the database's own work at the sizes
    imports reach (a chain's year of sales is a million rows).
    """
    connection = session.connection()
    raw = connection.connection.dbapi_connection
    names = ", ".join(columns)
    count = 0
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    marks = ", ".join("?" * len(columns))
    cursor = raw.cursor()
    pending = iter(rows)
    try:
        while batch := list(islice(pending, 50_000)):  # batches taken in C, not row by row
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)  # noqa: S608
            count += len(batch)
    finally:
        cursor.close()
    return count
