"""The ``ee-app`` command: the same services, clear messages, exit codes, unchanged database
on error, and ``--as`` scoping."""

import subprocess
import sys

import pytest

from ee_app.cli import main
from tests.helpers import csv_file, snapshot

HEADER = ["员工编号", "姓名", "岗位", "门店", "团队", "入职日期"]


def test_demo_load_then_staff_list_as_a_manager(cli_db, capsys):
    assert main(["demo", "load", "--seed", "7"]) == 0
    assert "Loaded the small demo" in capsys.readouterr().out
    assert main(["staff", "list", "--as", "manager.sh01@demo.example"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines and all(line.split("\t")[3] == "SH01" for line in lines)
    assert main(["staff", "list", "--as", "manager.sh01@demo.example", "--unit", "BJ01"]) == 1
    assert "BJ01" in capsys.readouterr().err


def test_bad_roster_exits_1_with_row_and_column_and_changes_nothing(
    cli_db, tmp_path, capsys, engine, demo
):
    capsys.readouterr()
    bad = tmp_path / "roster.csv"
    bad.write_bytes(
        csv_file(
            [
                HEADER,
                ["N1", "甲", "美容师", "SH99", "", "2026-01-01"],
                ["N1", "乙", "美容师", "SH01", "", "2026-13-40"],
            ],
            "gbk",
        )
    )
    before = snapshot(engine)
    assert main(["import", "roster", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "row 2, column “门店”: unknown store “SH99”" in err
    assert "row 3, column “入职日期”: “2026-13-40” is not a valid date" in err
    assert "row 3, column “员工编号”: employee number “N1” appears again (first on row 2)" in err
    assert snapshot(engine) == before


def test_clean_roster_imports_once(cli_db, tmp_path, capsys, engine, demo):
    good = tmp_path / "roster.csv"
    good.write_bytes(csv_file([HEADER, ["N1", "甲", "美容师", "SH01", "", "2026-01-01"]]))
    assert main(["import", "roster", str(good), "--dry-run"]) == 0
    assert "Dry run" in capsys.readouterr().out
    assert main(["import", "roster", str(good)]) == 0
    assert "1 new" in capsys.readouterr().out
    before = snapshot(engine)
    assert main(["import", "roster", str(good)]) == 0
    assert "already up to date" in capsys.readouterr().out
    assert snapshot(engine) == before


def test_manager_cannot_import_or_manage_users(cli_db, tmp_path, capsys, demo):
    good = tmp_path / "roster.csv"
    good.write_bytes(csv_file([HEADER, ["N1", "甲", "美容师", "SH01", "", "2026-01-01"]]))
    assert main(["import", "roster", str(good), "--as", "manager.sh01@demo.example"]) == 1
    assert main(["users", "list", "--as", "manager.sh01@demo.example"]) == 1
    assert "does not allow" in capsys.readouterr().err


def test_missing_file_is_a_clear_error(cli_db, capsys):
    assert main(["import", "roster", "/nonexistent/roster.xlsx"]) == 1
    assert "Cannot read /nonexistent/roster.xlsx" in capsys.readouterr().err


def test_production_refuses_demo(cli_db, monkeypatch, capsys):
    monkeypatch.setenv("EE_ENV", "production")
    assert main(["demo", "load"]) == 1
    assert "never loaded" in capsys.readouterr().err


def test_users_add_and_list(cli_db, capsys, demo):
    assert main(["users", "add", "li@x.example", "--role", "manager", "--unit", "BJ01"]) == 0
    main(["users", "list"])
    assert "li@x.example\tmanager\tBJ01" in capsys.readouterr().out


def test_installed_entry_point_runs(cli_db):
    """The console script from pyproject.toml, as a user runs it."""
    ee_app = [sys.executable, "-c", "from ee_app.cli import main; raise SystemExit(main())"]
    done = subprocess.run([*ee_app, "db", "upgrade"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([*ee_app, "bogus"], capture_output=True, text=True, check=False)
    assert done.returncode == 2


@pytest.mark.parametrize(
    ("url", "shown", "secret"),
    [
        ("postgresql+psycopg://ee:s3cret@db/ee", "postgresql+psycopg://ee:***@db/ee", "s3cret"),
        (
            "postgresql+psycopg://ee:p@ss:w/rd@db.internal:5432/ee",
            "postgresql+psycopg://ee:***@db.internal:5432/ee",
            "p@ss",
        ),
        (
            "postgresql+psycopg://ee@db/ee?sslmode=require&password=s3cret",
            "postgresql+psycopg://ee@db/ee?sslmode=require&password=***",
            "s3cret",
        ),
        ("postgresql+psycopg://ee@db:5432/ee", "postgresql+psycopg://ee@db:5432/ee", None),
        ("sqlite:////srv/ee/data/ee@app.db", "sqlite:////srv/ee/data/ee@app.db", None),
    ],
)
def test_config_show_masks_the_database_password(monkeypatch, capsys, url, shown, secret):
    monkeypatch.setenv("EE_DATABASE_URL", url)
    monkeypatch.setenv("EE_SECRET_KEY", "ab" * 32)
    monkeypatch.delenv("EE_ENV", raising=False)
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert f"EE_DATABASE_URL={shown}\n" in out
    assert "abab" not in out
    if secret:
        assert secret not in out


@pytest.mark.parametrize(
    ("start", "said"),
    [
        (None, "Created the schema at revision {head}."),
        ("0011", "Migrated the schema from revision 0011 to {head}."),
        ("head", "The schema is already at the newest revision, {head}."),
    ],
    ids=["new", "older", "current"],
)
def test_db_upgrade_says_what_it_did(monkeypatch, tmp_path, capsys, start, said):
    """A new database used to hear "already up to date" (issue 21)."""
    from ee_app.db import make_engine, upgrade
    from ee_app.services.startup import head_revision

    url = f"sqlite:///{tmp_path / 'ee_app.db'}"
    monkeypatch.setenv("EE_DATABASE_URL", url)
    monkeypatch.setenv("EE_LANG", "en")
    monkeypatch.delenv("EE_ENV", raising=False)
    if start:
        engine = make_engine(url)
        upgrade(engine, start)
        engine.dispose()
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out.strip() == said.format(head=head_revision())
