"""``ee-app retention``: show, set, a dry run that writes nothing, a run, an erasure, and
clear refusals that change nothing."""

import pytest
from sqlalchemy import select

from ee_app.cli import main
from ee_app.db import read_session
from ee_app.models import Staff
from tests.helpers import snapshot

TODAY = "2027-08-15"


@pytest.fixture
def cli(cli_db, monkeypatch, tmp_path):
    monkeypatch.setenv("EE_DATA_DIR", str(tmp_path))
    return cli_db


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_retention_commands(cli, engine, demo, capsys):
    assert main(["retention", "show", "--today", TODAY]) == 0
    shown = capsys.readouterr().out
    assert "more than 24 months ago" in shown and "Employee number" not in shown

    assert main(["retention", "set", "--left-months", "12", "--data-months", "18"]) == 0
    assert "kept 12 months" in capsys.readouterr().out

    before = snapshot(engine)
    assert main(["retention", "run", "--dry-run", "--today", TODAY]) == 0
    listed = capsys.readouterr().out
    assert snapshot(engine) == before
    assert "Dry run: nothing was written." in listed
    assert "people who left before 2026-08-15 are anonymised." in listed
    assert "sales before 2026-02-01 lose their customer reference." in listed
    with read_session(engine) as session:
        leaver = session.execute(
            select(Staff.employee_no, Staff.name).where(Staff.leave_date < "2026-08-15")
        ).first()
    assert f"{leaver.employee_no}\t{leaver.name}\t" in listed

    assert main(["retention", "run", "--today", TODAY]) == 0
    done = capsys.readouterr().out
    assert "Done: the data above was removed." in done and leaver.name not in done
    assert main(["retention", "run", "--today", TODAY]) == 0
    assert "Nothing is due to go today." in capsys.readouterr().out

    with read_session(engine) as session:
        number = session.scalar(select(Staff.employee_no).where(Staff.anonymised_at.is_(None)))
    assert main(["retention", "erase", number, "--reason", "their request"]) == 0
    assert f"employee number {number}" in capsys.readouterr().out


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["retention", "set", "--left-months", "6", "--data-months", "24"], "at least 12"),
        (["retention", "set", "--left-months", "24", "--data-months", "6"], "at least 18"),
        (["retention", "run", "--today", "15/08/2027"], "is not a date"),
        (["retention", "erase", "NOBODY", "--reason", "request"], "No staff member"),
        (["retention", "erase", "E10002", "--reason", " "], "Say why"),
    ],
)
def test_retention_refusals_change_nothing(cli, engine, capsys, argv, message):
    assert main(["db", "upgrade"]) == 0  # reference data first: only the refusal is compared
    before = snapshot(engine)
    assert main(argv) == 1
    assert message in capsys.readouterr().err
    assert snapshot(engine) == before
