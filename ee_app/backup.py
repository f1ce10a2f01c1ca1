"""Backing up and restoring the embedded SQLite database (``ee-app backup`` / ``restore``).

A backup is SQLite's online backup: a consistent copy taken while the app keeps running
(readers and writers continue; the copy is of one moment). A restore copies a backup into the
configured database after checking that it is an ee-app database, and refuses to overwrite a
database that holds data unless asked to. PostgreSQL has its own tools (``pg_dump -Fc`` and
``pg_restore``, see docs/deploy.md); these commands say so rather than pretend.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from ee_app.errors import N_, ConfigError, Conflict, ValidationError

__all__ = ["backup", "restore", "tables_equal"]


def _sqlite_path(engine: Engine) -> Path:
    url = make_url(str(engine.url))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise ConfigError(
            N_(
                "ee-app backup and restore are for the embedded SQLite database. For "
                "PostgreSQL use pg_dump -Fc and pg_restore (docs/deploy.md)."
            )
        )
    return Path(url.database)


def backup(engine: Engine, target: Path) -> int:
    """Copy the database to ``target`` (which must not exist); returns its size in bytes."""
    source = _sqlite_path(engine)
    target = Path(target)
    if target.exists():
        raise Conflict(N_("{path} exists already; choose a new file."), path=str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(target)) as copy:
        live.backup(copy)
    return target.stat().st_size


def _check_backup(path: Path) -> None:
    if not path.is_file():
        raise ValidationError(N_("No backup file {path}."), path=str(path))
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            ok = db.execute("PRAGMA integrity_check").fetchone()[0]
            version = db.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise ValidationError(
            N_("{path} is not an ee-app backup: {reason}"), path=str(path), reason=str(exc)
        ) from exc
    if ok != "ok" or version is None:
        raise ValidationError(
            N_("{path} is not an ee-app backup: {reason}"), path=str(path), reason=ok
        )


def restore(engine: Engine, source: Path, *, force: bool = False) -> None:
    """Replace the configured database with the backup ``source``."""
    target = _sqlite_path(engine)
    source = Path(source)
    _check_backup(source)
    if target.exists() and not force:
        with closing(sqlite3.connect(target)) as db:  # "holds data": it has staff
            staff = 0
            if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'staff'").fetchone():
                staff = db.execute("SELECT count(*) FROM staff").fetchone()[0]
        if staff:
            raise Conflict(
                N_(
                    "The database {path} holds data; restoring would replace it. Back it up "
                    "first, then run the restore again with --force."
                ),
                path=str(target),
            )
    engine.dispose()
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as saved,
        closing(sqlite3.connect(target)) as live,
    ):
        saved.backup(live)


def tables_equal(first: Engine, second: Engine) -> list[str]:
    """The tables whose rows differ between two SQLite databases (empty: equal)."""
    paths = (_sqlite_path(first), _sqlite_path(second))
    contents = []
    for path in paths:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            names = [
                r[0]
                for r in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
                )
            ]
            # The names come from sqlite_master, not from a user; quoted as identifiers.
            queries = {n: 'SELECT * FROM "{}"'.format(n.replace('"', '""')) for n in names}  # noqa: S608
            contents.append(
                {n: sorted(db.execute(q).fetchall(), key=repr) for n, q in queries.items()}
            )
    a, b = contents
    return sorted(name for name in set(a) | set(b) if a.get(name) != b.get(name))
