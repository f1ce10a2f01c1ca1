"""`ee-app backup` and `ee-app restore`: a copy taken while the database is in use restores
to a database equal to the original, table by table; the copy is its owner's only, written
whole or not at all; nothing is backed up from a database that does not exist; a database
holding any data is not replaced without --force; only an ee-app database at one of ee-app's
revisions, with that revision's tables, is restored; a refusal changes nothing."""

import hashlib
import os
import shutil
import sqlite3
import stat
from contextlib import closing

import pytest

from ee_app.backup import known_revisions, tables_equal
from ee_app.cli import main
from ee_app.db import make_engine, schema_is_current, upgrade

SHIPPED = ("instrument_version", "checklist_version", "quiz_version", "incentive_scheme")


@pytest.fixture
def cli(cli_db, demo):
    return cli_db


@pytest.fixture
def sqlite_env(monkeypatch):
    """Point the command at a SQLite file; returns the function that does it."""
    monkeypatch.setenv("EE_LANG", "en")
    monkeypatch.delenv("EE_ENV", raising=False)

    def use(path):
        monkeypatch.setenv("EE_DATABASE_URL", f"sqlite:///{path}")
        return path

    return use


def digest(path) -> str:
    """The file's bytes, and whether its -wal and -shm exist: equal digests, unchanged."""
    parts = [path.read_bytes() if path.exists() else b"<none>"]
    parts += [str(path.with_name(path.name + s).exists()).encode() for s in ("-wal", "-shm")]
    return hashlib.sha256(b"|".join(parts)).hexdigest()


def execute(path, *statements):
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA foreign_keys=OFF")
        for statement in statements:
            db.execute(statement)
        db.commit()


def table_names(path):
    with closing(sqlite3.connect(path)) as db:
        return [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]


def test_backup_and_restore_round_trip(cli, tmp_path, capsys, monkeypatch):
    if not cli.startswith("sqlite"):
        assert main(["backup", "--out", str(tmp_path / "x.db")]) == 1
        assert "pg_dump" in capsys.readouterr().err
        return
    saved = tmp_path / "backup.db"
    assert main(["backup", "--out", str(saved)]) == 0
    assert "Backed up the database" in capsys.readouterr().out
    assert main(["backup", "--out", str(saved)]) == 1  # never overwrites a file
    restored_url = f"sqlite:///{tmp_path / 'restored.db'}"
    monkeypatch.setenv("EE_DATABASE_URL", restored_url)
    assert main(["restore", str(saved)]) == 0
    original, restored = make_engine(cli), make_engine(restored_url)
    assert tables_equal(original, restored) == []
    # The restored database holds data now: a second restore needs --force.
    assert main(["restore", str(saved)]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["restore", str(saved), "--force"]) == 0
    assert tables_equal(original, restored) == []
    original.dispose()
    restored.dispose()


# Backup ---------------------------------------------------------------------------------------


def test_a_database_that_does_not_exist_is_not_backed_up(sqlite_env, tmp_path, capsys):
    missing = sqlite_env(tmp_path / "nowhere" / "ee_app.db")
    out = tmp_path / "backups" / "b.db"
    assert main(["backup", "--out", str(out)]) == 1
    assert "nothing to back up" in capsys.readouterr().err
    assert not missing.exists() and not out.exists()  # no empty database made, no file


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not an ee-app database"),  # an empty file is an empty SQLite database
        (b"not a database at all" * 100, "cannot be read"),
    ],
    ids=["empty", "junk"],
)
def test_a_file_that_is_no_ee_app_database_is_not_backed_up(
    sqlite_env, tmp_path, capsys, content, message
):
    source = sqlite_env(tmp_path / "ee_app.db")
    source.write_bytes(content)
    before = digest(source)
    out = tmp_path / "b.db"
    assert main(["backup", "--out", str(out)]) == 1
    assert message in capsys.readouterr().err
    assert not out.exists() and digest(source) == before
    assert [p.name for p in tmp_path.iterdir()] == ["ee_app.db"]  # no temporary file left


def test_a_backup_is_its_owners_only_whole_and_self_contained(
    sqlite_env, sqlite_demo_template, tmp_path, capsys
):
    source = sqlite_env(tmp_path / "live" / "ee_app.db")
    source.parent.mkdir()
    shutil.copy(sqlite_demo_template, source)
    engine = make_engine(f"sqlite:///{source}")
    with engine.connect() as reader:  # the app has the database open, in WAL mode
        reader.exec_driver_sql("SELECT count(*) FROM staff").scalar()
        old = os.umask(0o022)
        try:
            out = tmp_path / "backups" / "nightly.db"
            assert main(["backup", "--out", str(out)]) == 0
        finally:
            os.umask(old)
    engine.dispose()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in out.parent.iterdir()) == ["nightly.db"]
    with closing(sqlite3.connect(f"file:{out}?mode=ro", uri=True)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert db.execute("SELECT count(*) FROM staff").fetchone()[0] > 100
    # An existing file is never replaced, whatever it holds.
    out.write_bytes(b"yesterday")
    assert main(["backup", "--out", str(out)]) == 1
    assert "exists already" in capsys.readouterr().err
    assert out.read_bytes() == b"yesterday"


# Restore: what counts as data ------------------------------------------------------------------


def keep_only(path, kind: str | None, *more: str) -> None:
    """Empty the database at ``path`` but for the rows of table ``kind`` (and the instrument
    versions the app ships, which are no one's data), then run ``more``."""
    statements = []
    for name in table_names(path):
        if name in (kind, "alembic_version"):
            continue
        where = " WHERE created_by <> 'ee-app'" if name in SHIPPED else ""
        statements.append(f"DELETE FROM {name}{where}")
    execute(path, *statements, *more)


@pytest.fixture
def demo_copy(sqlite_demo_template, tmp_path):
    path = tmp_path / "target.db"
    shutil.copy(sqlite_demo_template, path)
    return path


@pytest.mark.parametrize(
    "kind",
    ["app_user", "survey_wave", "import_batch", "staff", "org_unit", "audit_log", "shop_visit"],
)
def test_a_database_holding_any_data_is_not_replaced_without_force(
    sqlite_env, demo_copy, sqlite_template, tmp_path, capsys, kind
):
    backup = tmp_path / "backup.db"
    shutil.copy(sqlite_template, backup)
    target = sqlite_env(demo_copy)
    keep_only(target, kind)
    with closing(sqlite3.connect(target)) as db:
        assert db.execute(f"SELECT count(*) FROM {kind}").fetchone()[0] > 0
    before = digest(target)
    assert main(["restore", str(backup)]) == 1
    assert "holds data" in capsys.readouterr().err
    assert digest(target) == before
    assert main(["restore", str(backup), "--force"]) == 0


def test_a_database_with_only_what_the_app_ships_is_replaced(
    sqlite_env, demo_copy, sqlite_demo_template, tmp_path
):
    backup = tmp_path / "backup.db"
    shutil.copy(sqlite_demo_template, backup)
    target = sqlite_env(demo_copy)
    keep_only(target, None)
    assert main(["restore", str(backup)]) == 0
    with closing(sqlite3.connect(target)) as db:
        assert db.execute("SELECT count(*) FROM staff").fetchone()[0] > 100


def test_hr_s_own_instrument_version_is_data(sqlite_env, demo_copy, sqlite_template, tmp_path):
    backup = tmp_path / "backup.db"
    shutil.copy(sqlite_template, backup)
    target = sqlite_env(demo_copy)
    keep_only(target, None, "UPDATE incentive_scheme SET created_by = 'hr@demo.example'")
    assert main(["restore", str(backup)]) == 1


# Restore: only ee-app databases ----------------------------------------------------------------


def altered(template, tmp_path, *statements):
    path = tmp_path / "altered.db"
    shutil.copy(template, path)
    execute(path, *statements)
    return path


HEAD = known_revisions()[-1]


def altering(statement):
    """A copy of the migrated template with ``statement`` run on it."""
    return lambda template, tmp: altered(template, tmp, statement)


# One statement on the template: what it does, what the refusal names, the case's id.
ALTERED = [
    (
        "UPDATE alembic_version SET version_num = 'a1b2c3d4e5f6'",
        "does not know",
        "unknown-revision",
    ),
    ("DELETE FROM alembic_version", "no ee-app schema version", "no-revision-row"),
    ("INSERT INTO alembic_version VALUES ('0001')", "no ee-app schema version", "two-revisions"),
    ("DROP TABLE survey_sealed", "survey_sealed", "a-table-dropped"),
    ("ALTER TABLE staff ADD COLUMN salary INT", "staff", "a-column-added"),
    ("CREATE TABLE extra (x)", "extra", "a-table-added"),
]
FOREIGN = [
    *(pytest.param(altering(sql), message, id=name) for sql, message, name in ALTERED),
    pytest.param(
        lambda template, tmp: altered(
            tmp_path_db(tmp, "other.db"),
            tmp,
            "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)",
            f"INSERT INTO alembic_version VALUES ('{HEAD}')",
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",
        ),
        "tables differ",
        id="other-app-at-our-revision",
    ),
    pytest.param(
        lambda template, tmp: tmp_path_db(tmp, "empty.db"),
        "no ee-app schema version",
        id="empty-sqlite-file",
    ),
    pytest.param(
        lambda template, tmp: write(tmp / "junk.db", b"not a database at all" * 100),
        "not an ee-app backup",
        id="junk",
    ),
    pytest.param(lambda template, tmp: tmp / "missing.db", "No backup file", id="missing"),
]


def tmp_path_db(folder, name):
    path = folder / name
    sqlite3.connect(path).close()
    return path


def write(path, content):
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(("make", "message"), FOREIGN)
def test_anything_but_an_ee_app_database_is_refused_and_nothing_changes(
    sqlite_env, sqlite_template, sqlite_demo_template, tmp_path, capsys, make, message
):
    backup = make(sqlite_template, tmp_path)
    target = sqlite_env(tmp_path / "target.db")
    shutil.copy(sqlite_demo_template, target)
    before = digest(target)
    for force in ([], ["--force"]):
        assert main(["restore", str(backup), *force]) == 1
        error = capsys.readouterr().err
        assert message in error and "Traceback" not in error
        assert digest(target) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("revision", known_revisions()[:-1])
def test_a_backup_from_an_older_ee_app_is_restored_at_the_newest_schema(
    sqlite_env, tmp_path, capsys, revision
):
    old = tmp_path / f"ee_app-{revision}.db"
    engine = make_engine(f"sqlite:///{old}")
    upgrade(engine, revision)
    engine.dispose()
    target = sqlite_env(tmp_path / "target.db")
    assert main(["restore", str(old)]) == 0
    assert "Restored the database" in capsys.readouterr().out
    engine = make_engine(f"sqlite:///{target}")
    assert schema_is_current(engine)
    engine.dispose()
