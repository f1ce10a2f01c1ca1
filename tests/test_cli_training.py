"""``ee-app training``: assign (and assign again as a new cycle), links, HR's controls over one
person (grant, reset, revoke, reissue) and status, from the shell; errors exit 1 and change
nothing."""

# ruff: noqa: F811  (the fixtures of tests/services/test_training.py are imported and used)

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from ee_app.db import read_session
from ee_app.models import AuditLog, Staff
from ee_app.services import training_status, training_taking
from tests.helpers import run_cli, snapshot
from tests.services.test_training import (  # noqa: F401
    newcomer,
    settings,
)
from tests.services.test_training_assignments import employee, use_up, view


def test_hr_helps_a_new_hire_who_ran_out_of_attempts(cli_db, engine, newcomer, capsys, tmp_path):
    token, staff_id = newcomer
    number = employee(engine, staff_id)
    use_up(engine, token)
    code, out, _ = run_cli(capsys, "training", "status", "onboarding", "--pending")
    assert code == 0
    [mine] = [line.split("\t") for line in out.splitlines() if line.startswith(f"{number}\t")]
    assert mine[-3:] == ["3", "0", "not passed"]

    code, out, _ = run_cli(
        capsys, "training", "grant", "onboarding", number, "--attempts", "1", "--reason",
        "retrained on 3 May",
    )  # fmt: skip
    assert code == 0 and f"{number}: 3 of 4 attempts used, 1 left." in out
    code, out, _ = run_cli(
        capsys, "training", "reset", "onboarding", number, "--reason", "new trainer"
    )
    assert code == 0 and f"{number}: 0 of 4 attempts used, 4 left." in out
    assert view(engine, token).attempts_left == 4

    code, out, _ = run_cli(capsys, "training", "reissue", "onboarding", number)
    assert code == 0 and "the old one no longer works" in out
    link = out.strip().splitlines()[-1]
    assert view(engine, token).state is training_taking.LinkState.UNKNOWN
    assert view(engine, link.split("?t=", 1)[1]).employee_no == number

    code, out, _ = run_cli(capsys, "training", "revoke", "onboarding", number, "--reason", "leaked")
    assert code == 0 and "now opens as not valid" in out
    assert view(engine, link.split("?t=", 1)[1]).state is training_taking.LinkState.UNKNOWN
    path = tmp_path / "links.xlsx"
    code, out, _ = run_cli(capsys, "training", "links", "onboarding", "-o", str(path), "--pending")
    assert code == 0 and "personal links to" in out
    sheet = load_workbook(path).active
    cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row if c}
    assert number not in cells  # a withdrawn link is not handed out
    with read_session(engine) as session:  # the file of personal links is in the audit log
        logged = session.scalars(
            select(AuditLog).where(AuditLog.action == "download.quiz_links")
        ).all()
    assert [(e.object_type, e.detail["quiz"]) for e in logged] == [("quiz_version", "onboarding")]


def test_assign_and_assign_again_as_a_new_cycle(cli_db, engine, demo, capsys):
    code, out, _ = run_cli(
        capsys, "training", "assign", "quarterly-advanced", "--unit", "SH02", "--role",
        "front_desk",
    )  # fmt: skip
    assert code == 0 and "Assigned quarterly-advanced to" in out and "0 had it already" in out
    with read_session(engine) as session:
        before = training_status.status_table(session, training_actor(), quiz_key="onboarding")
        left = {
            no for no, day in session.execute(select(Staff.employee_no, Staff.leave_date)) if day
        }
    sh01 = before[before["store_code"] == "SH01"]
    working = set(sh01["employee_no"]) - left
    code, out, _ = run_cli(
        capsys, "training", "assign", "onboarding", "--unit", "SH01", "--new-cycle"
    )
    assert code == 0
    assert f"again as a new cycle to {len(working)} staff, and for the first time to 0" in out
    code, out, _ = run_cli(capsys, "training", "status", "onboarding")
    lines = [line.split("\t") for line in out.strip().splitlines()[:-1]]
    fresh = {line[0] for line in lines if tuple(line[-3:]) == ("0", "3", "not passed")}
    assert working <= fresh  # a new cycle: no attempt yet, all three left
    assert len([line for line in lines if line[2] == "SH01"]) == len(sh01)  # one row each


def training_actor():
    from ee_app.auth import system_actor

    return system_actor("test")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("grant", "onboarding", "{no}", "--attempts", "9", "--reason", "x"), "from 1 to 5"),
        (("grant", "onboarding", "{no}", "--attempts", "1", "--reason", " "), "Give a reason"),
        (("grant", "no-such", "{no}", "--attempts", "1", "--reason", "x"), "Assign it to them"),
        (("grant", "onboarding", "X404", "--attempts", "1", "--reason", "x"), "X404"),
        (("grant", "onboarding", "{no}", "--attempts", "1", "--reason", "x", "--as",
          "manager.sh01@demo.example"), "does not allow this"),
        (("reset", "onboarding", "{no}", "--reason", "x"), "no attempts to reset"),
        (("assign", "onboarding", "--unit", "NOPE"), "Unknown units NOPE"),
        (("assign", "onboarding", "--version", "9", "--unit", "SH01"), "No assessment"),
        (("links", "onboarding", "-o", "links.csv"), "Excel file"),
    ],
)  # fmt: skip
def test_errors_exit_1_and_change_nothing(cli_db, engine, newcomer, capsys, args, message):
    number = employee(engine, newcomer[1])
    before = snapshot(engine)
    code, _, err = run_cli(capsys, "training", *(a.replace("{no}", number) for a in args))
    assert code == 1 and message in err
    assert snapshot(engine) == before
