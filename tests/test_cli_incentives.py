"""`ee-app incentives run|approve|export|list`: a month from the shell, approved by a second
person only, and the payroll workbook written."""

import pytest
from openpyxl import load_workbook

from ee_app.cli import main


@pytest.fixture
def cli(cli_db, demo):
    return cli_db


def test_run_approve_and_export(cli, capsys, tmp_path):
    draft = tmp_path / "draft.xlsx"
    args = ["incentives", "run", "--scheme", "store-staff", "--period", "2026-09"]
    assert main([*args, "--out", str(draft), "--as", "hr@demo.example"]) == 0
    out = capsys.readouterr().out
    run = out.split("Run ", 1)[1].split(" ", 1)[0]
    assert "A second person approves it" in out and draft.exists()
    assert main(["incentives", "approve", run, "--as", "hr@demo.example"]) == 1
    assert "second person must approve" in capsys.readouterr().err
    final = tmp_path / "payroll.xlsx"
    assert (
        main(
            [
                "incentives",
                "approve",
                run,
                "--as",
                "hr2@demo.example",
                "--out",
                str(final),
                "--acknowledge",
            ]
        )
        == 0
    )
    capsys.readouterr()
    signoff = {
        r[0]: r[1]
        for r in load_workbook(final)["Sign-off"].iter_rows(values_only=True)
        if r and r[0]
    }
    assert signoff["Status"] == "Approved" and signoff["Approved by"] == "hr2@demo.example"
    assert main(["incentives", "list"]) == 0
    assert f"{run}\t2026-09\tapproved" in capsys.readouterr().out
    again = tmp_path / "again.xlsx"
    assert main(["incentives", "export", run, "--out", str(again)]) == 0
    assert load_workbook(again).sheetnames == ["Payroll", "By store", "Scheme", "Sign-off"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scheme", "nope", "--period", "2026-09"], "No incentive scheme"),
        (["--scheme", "store-staff", "--period", "2026-13"], "2026-10"),
        (
            ["--scheme", "store-staff", "--period", "2026-09", "--as", "manager.sh01@demo.example"],
            "does not allow",
        ),
    ],
)
def test_bad_arguments_exit_1(cli, capsys, args, message):
    assert main(["incentives", "run", *args]) == 1
    assert message in capsys.readouterr().err


def test_run_takes_the_csat_window(cli, capsys, tmp_path):
    """--csat-months reaches the run (issue 16) and lands on the sign-off sheet; a window the
    pay engine does not offer is refused by the parser."""
    draft = tmp_path / "draft.xlsx"
    args = ["incentives", "run", "--scheme", "store-staff", "--period", "2026-09"]
    assert main([*args, "--csat-months", "6", "--out", str(draft), "--as", "hr@demo.example"]) == 0
    capsys.readouterr()
    signoff = {
        r[0]: r[1]
        for r in load_workbook(draft)["Sign-off"].iter_rows(values_only=True)
        if r and r[0]
    }
    assert signoff["CSAT window (months ending with the period)"] == 6
    with pytest.raises(SystemExit):
        main([*args, "--csat-months", "2", "--as", "hr@demo.example"])


def test_payroll_lines_are_in_natural_employee_order(cli, capsys, tmp_path, db_url):
    """Issue 16: the lines of a run read E2 before E10, not as text (two staff of a first run
    renumbered so that the numbers differ in length, then the month run again)."""
    from ee_app.analysis.rounding import natural_key
    from ee_app.db import make_engine, read_session, write_session
    from ee_app.models import Staff
    from ee_app.services.incentive_runs import _lines

    engine = make_engine(db_url)
    args = ["incentives", "run", "--scheme", "store-staff", "--period", "2026-09"]

    def run_lines() -> list[dict]:
        assert main([*args, "--as", "hr@demo.example"]) == 0
        run = int(capsys.readouterr().out.split("Run ", 1)[1].split(" ", 1)[0])
        with read_session(engine) as session:
            return _lines(session, run)

    try:
        first, second = run_lines()[:2]
        with write_session(engine) as session, session.begin():
            session.get(Staff, first["staff_id"]).employee_no = "E10"
            session.get(Staff, second["staff_id"]).employee_no = "E2"
        numbers = [line["employee_no"] for line in run_lines()]
    finally:
        engine.dispose()
    assert numbers[:2] == ["E2", "E10"]
    assert numbers == sorted(numbers, key=natural_key)
    assert sorted(numbers)[0] == "E10" and sorted(numbers)[-1] == "E2"  # as text


def test_approve_prints_the_calibration_warnings_and_needs_acknowledge(cli, capsys):
    """A run whose calibration has warnings (issue 17): `approve` without --acknowledge prints
    them in plain words and refuses (exit 1, the run stays a draft); with it, it approves and
    prints what was acknowledged. The scheme is the crafted one of the service tests (personal
    sales for store managers against a store's target), so the warnings do not depend on how
    the shipped demo scheme is calibrated."""
    from ee_app.db import make_engine, read_session, write_session
    from ee_app.models import IncentiveRun, RunStatus
    from ee_app.services import incentives
    from ee_app.services.calibration import run_calibration
    from tests.services.test_calibration import CRAFTED, HR2

    crafted = {**CRAFTED, "key": "crafted"}
    engine = make_engine(cli)
    with write_session(engine) as session:
        incentives.save_scheme(session, HR2, crafted)
    args = ["incentives", "run", "--scheme", "crafted", "--period", "2026-09"]
    assert main([*args, "--as", "hr@demo.example"]) == 0
    run = capsys.readouterr().out.split("Run ", 1)[1].split(" ", 1)[0]
    with read_session(engine) as session:
        warnings = run_calibration(session, HR2, int(run)).warnings
    assert warnings  # store managers and front desk cannot reach a personal sales target
    approve = ["incentives", "approve", run, "--as", "hr2@demo.example"]
    assert main(approve) == 1
    out, err = capsys.readouterr()
    shown = [line for line in out.splitlines() if line.startswith("Calibration warning: ")]
    assert len(shown) == len(warnings)
    assert any(line.startswith("Calibration warning: Store manager: all ") for line in shown)
    assert "--acknowledge" in err and "_" not in "".join(shown)
    with read_session(engine) as session:
        assert session.get(IncentiveRun, int(run)).status is RunStatus.DRAFT
    assert main([*approve, "--acknowledge"]) == 0
    out = capsys.readouterr().out
    assert out.count("Acknowledged: ") == len(warnings) and "approved and locked" in out
    with read_session(engine) as session:
        record = session.get(IncentiveRun, int(run)).calibration
    engine.dispose()
    assert record["acknowledged_by"] == "hr2@demo.example"
    assert len(record["warnings"]) == len(warnings)
