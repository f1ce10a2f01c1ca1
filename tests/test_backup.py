"""`ee-app backup` and `ee-app restore`: a copy taken while the database is in use restores
to a database equal to the original, table by table; bad files and overwrites are refused;
PostgreSQL is pointed at its own tools."""

import pytest

from ee_app.backup import tables_equal
from ee_app.cli import main
from ee_app.db import make_engine


@pytest.fixture
def cli(monkeypatch, db_url, demo):
    monkeypatch.setenv("EE_DATABASE_URL", db_url)
    monkeypatch.setenv("EE_LANG", "en")
    return db_url


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


def test_a_file_that_is_no_backup_is_refused(cli, tmp_path, capsys, monkeypatch):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    monkeypatch.setenv("EE_DATABASE_URL", f"sqlite:///{tmp_path / 'target.db'}")
    assert main(["restore", str(junk)]) == 1
    assert "not an ee-app backup" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "missing.db")]) == 1
    assert "No backup file" in capsys.readouterr().err
