"""Backing up and restoring the embedded SQLite database (``ee-app backup`` / ``restore``).

A backup is SQLite's online backup: a consistent copy taken while the app keeps running
(readers and writers continue; the copy is of one moment). It is written to a temporary file
readable by its owner only (0600: it holds survey answers, payroll and, while a wave is open,
answers sealed with ``EE_SECRET_KEY``), checked, made a single self-contained file, and only
then linked under its name, so a backup file is either complete or absent. A database that
does not exist, or is no ee-app database, is refused: there is nothing to back up.

A restore first checks the backup: SQLite's integrity check, an Alembic revision that is one
of ee-app's own, and exactly the tables and columns that revision creates (any other SQLite
file, or one whose schema was changed by hand, is refused). It refuses to replace a database
that holds data (users, waves, imports, staff: any row beyond the shipped instrument versions
the app creates by itself) unless asked to. The backup is migrated to the newest schema on a
temporary copy, and copied into the database in one transaction only when that succeeded:
a refused or failed restore leaves the database as it was.

PostgreSQL has its own tools (``pg_dump -Fc`` and ``pg_restore``, see docs/deploy.md); these
commands say so rather than pretend.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from ee_app.errors import N_, ConfigError, Conflict, ValidationError

__all__ = ["backup", "check_backup", "holds_data", "known_revisions", "restore", "tables_equal"]

#: Tables the app fills by itself when it starts (the shipped questionnaire, checklists,
#: quizzes and incentive scheme, ``created_by = 'ee-app'``): rows there made by the app are
#: not data anyone would lose; every other row of every table is.
_SHIPPED = ("instrument_version", "checklist_version", "quiz_version", "incentive_scheme")
_SHIPPED_BY = "ee-app"


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


def _connect(path: Path) -> sqlite3.Connection:
    """A connection to an *existing* file, never creating one; read-only if the file is.
    (Not SQLite's ``mode=ro``: a read-only connection to a WAL database leaves its -wal and
    -shm files behind.)"""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True)


def _names(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [r[0] for r in rows]


def _quoted(name: str) -> str:
    # Table names come from sqlite_master, not from a user; quoted as identifiers.
    return '"{}"'.format(name.replace('"', '""'))


def _schema(db: sqlite3.Connection) -> dict[str, frozenset[str]]:
    """Each table's column names."""
    return {
        name: frozenset(r[1] for r in db.execute(f"PRAGMA table_info({_quoted(name)})"))
        for name in _names(db)
    }


def _revision(db: sqlite3.Connection) -> str | None:
    if "alembic_version" not in _names(db):
        return None
    rows = db.execute("SELECT version_num FROM alembic_version").fetchall()
    return rows[0][0] if len(rows) == 1 else None


# Backup ---------------------------------------------------------------------------------------


def _publish(temporary: Path, target: Path) -> None:
    """Give the finished file its name, atomically and never over an existing file."""
    try:
        os.link(temporary, target)
    except FileExistsError as exc:
        raise Conflict(N_("{path} exists already; choose a new file."), path=str(target)) from exc
    except OSError:  # a file system without hard links: rename, after checking once more
        if target.exists():
            raise Conflict(
                N_("{path} exists already; choose a new file."), path=str(target)
            ) from None
        os.replace(temporary, target)
        return
    temporary.unlink()


def backup(engine: Engine, target: Path) -> int:
    """Copy the database to ``target`` (which must not exist), readable by its owner only;
    returns its size in bytes."""
    source = _sqlite_path(engine)
    target = Path(target)
    if not source.is_file():
        raise ValidationError(
            N_("There is no database at {path}: nothing to back up. Check EE_DATABASE_URL."),
            path=str(source),
        )
    if target.exists():
        raise Conflict(N_("{path} exists already; choose a new file."), path=str(target))
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)  # mkstemp made it 0600, whatever the umask
    temporary = Path(name)
    try:
        try:
            with closing(_connect(source)) as live:
                if _revision(live) is None:
                    raise ValidationError(
                        N_("{path} is not an ee-app database: nothing to back up."),
                        path=str(source),
                    )
                with closing(sqlite3.connect(temporary)) as copy:
                    live.backup(copy)
                    # One self-contained file: no -wal or -shm needed to read it.
                    copy.execute("PRAGMA journal_mode=DELETE")
                    ok = copy.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise ValidationError(
                N_("The database {path} cannot be read: {reason}"),
                path=str(source),
                reason=str(exc),
            ) from exc
        if ok != "ok":
            raise ValidationError(
                N_("The copy of {path} failed its check ({reason}); nothing was written."),
                path=str(source),
                reason=ok,
            )
        with temporary.open("rb") as written:
            os.fsync(written.fileno())
        os.chmod(temporary, 0o600)
        _publish(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target.stat().st_size


# Restore --------------------------------------------------------------------------------------


@functools.cache
def known_revisions() -> tuple[str, ...]:
    """ee-app's Alembic revisions, oldest first."""
    from alembic.script import ScriptDirectory

    from ee_app.db import MIGRATIONS

    script = ScriptDirectory(str(MIGRATIONS))
    return tuple(reversed([r.revision for r in script.walk_revisions()]))


@functools.cache
def _schema_of(revision: str) -> dict[str, frozenset[str]]:
    """The tables and columns an empty database has at ``revision`` (migrated to it, once
    per process)."""
    from ee_app.db import make_engine, upgrade

    with tempfile.TemporaryDirectory(prefix="ee-schema-") as folder:
        path = Path(folder) / "schema.db"
        engine = make_engine(f"sqlite:///{path}")
        try:
            upgrade(engine, revision)
        finally:
            engine.dispose()
        with closing(_connect(path)) as db:
            return _schema(db)


def _not_a_backup(path: Path, reason: str) -> ValidationError:
    return ValidationError(
        N_("{path} is not an ee-app backup: {reason}"), path=str(path), reason=reason
    )


def check_backup(path: Path) -> str:
    """Refuse anything but an intact ee-app database; its revision."""
    if not path.is_file():
        raise ValidationError(N_("No backup file {path}."), path=str(path))
    try:
        with closing(_connect(path)) as db:
            ok = db.execute("PRAGMA integrity_check").fetchone()[0]
            revision = _revision(db) if ok == "ok" else None
            found = _schema(db)
    except sqlite3.DatabaseError as exc:
        raise _not_a_backup(path, str(exc)) from exc
    if ok != "ok":
        raise _not_a_backup(path, ok)
    if revision is None:
        raise ValidationError(
            N_(
                "{path} is not an ee-app backup: it has no ee-app schema version (alembic_version)."
            ),
            path=str(path),
        )
    if revision not in known_revisions():
        raise ValidationError(
            N_(
                "{path} is at schema version {revision}, which this ee-app does not know (it "
                "knows {known}): not an ee-app backup, or made by a newer ee-app; restore it "
                "with that version."
            ),
            path=str(path),
            revision=revision,
            known=", ".join(known_revisions()),
        )
    expected = _schema_of(revision)
    differences = sorted(
        name
        for name in set(expected) | set(found)
        if name != "alembic_version" and expected.get(name) != found.get(name)
    )
    if differences:
        raise ValidationError(
            N_(
                "{path} says it is at schema version {revision}, but its tables differ from "
                "that version's ({tables}): not an ee-app backup, or altered; it was not "
                "restored."
            ),
            path=str(path),
            revision=revision,
            tables=", ".join(differences[:10]),
        )
    return revision


def holds_data(path: Path) -> bool:
    """True when the SQLite file holds any data: a row in any table, except the shipped
    instrument versions the app creates by itself."""
    if not path.is_file():
        return False
    with closing(_connect(path)) as db:
        schema = _schema(db)
        for name, columns in schema.items():
            if name == "alembic_version":
                continue
            query = f"SELECT 1 FROM {_quoted(name)}"  # noqa: S608
            if name in _SHIPPED and "created_by" in columns:
                query += f" WHERE created_by <> '{_SHIPPED_BY}'"
            if db.execute(query + " LIMIT 1").fetchone():
                return True
    return False


@contextmanager
def _migrated_copy(source: Path, folder: Path) -> Iterator[Path]:
    """``source`` copied to a private temporary file and migrated to the newest schema."""
    from ee_app.db import make_engine, upgrade

    handle, name = tempfile.mkstemp(prefix=".ee-restore-", suffix=".db", dir=folder)
    os.close(handle)
    copy = Path(name)
    try:
        with closing(_connect(source)) as saved, closing(sqlite3.connect(copy)) as fresh:
            saved.backup(fresh)
        engine = make_engine(f"sqlite:///{copy}")
        try:
            upgrade(engine)
        except Exception as exc:  # whatever stopped the migration, the database is untouched
            raise ValidationError(
                N_(
                    "{path} could not be brought to the newest schema ({reason}); the "
                    "database was not changed."
                ),
                path=str(source),
                reason=str(exc),
            ) from exc
        finally:
            engine.dispose()
        with closing(_connect(copy)) as migrated:
            migrated.execute("PRAGMA journal_mode=DELETE")  # everything in the one file
        yield copy
    finally:
        for leftover in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
            leftover.unlink(missing_ok=True)


def restore(engine: Engine, source: Path, *, force: bool = False) -> None:
    """Replace the configured database with the backup ``source``, migrated to the newest
    schema; nothing changes when the backup or the database is refused."""
    target = _sqlite_path(engine)
    source = Path(source)
    check_backup(source)
    if not force and holds_data(target):
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
        _migrated_copy(source, target.parent) as copy,
        closing(_connect(copy)) as ready,
        closing(sqlite3.connect(target)) as live,
    ):
        # The backup API writes through the live database's own journal, in one
        # transaction: a reader sees the old database or the restored one, never a mix.
        ready.backup(live)


def tables_equal(first: Engine, second: Engine) -> list[str]:
    """The tables whose rows differ between two SQLite databases (empty: equal)."""
    paths = (_sqlite_path(first), _sqlite_path(second))
    contents = []
    for path in paths:
        with closing(_connect(path)) as db:
            queries = {n: f"SELECT * FROM {_quoted(n)}" for n in _names(db)}  # noqa: S608
            contents.append(
                {n: sorted(db.execute(q).fetchall(), key=repr) for n, q in queries.items()}
            )
    a, b = contents
    return sorted(name for name in set(a) | set(b) if a.get(name) != b.get(name))
