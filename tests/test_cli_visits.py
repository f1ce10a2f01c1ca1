"""`ee-app visit list|report`: what each user may see of mystery-shopper visits from the shell,
and that a shopper gets neither another shopper's visit nor any survey result."""

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from ee_app.cli import main
from ee_app.db import read_session
from ee_app.models import AppUser, OrgUnit, ShopVisit, VisitStatus


@pytest.fixture
def cli(cli_db, demo):
    return cli_db


def visit_of(engine, email, store):
    with read_session(engine) as session:
        return session.scalar(
            select(ShopVisit.id)
            .join(AppUser, AppUser.id == ShopVisit.shopper_id)
            .join(OrgUnit, OrgUnit.id == ShopVisit.store_id)
            .where(AppUser.email == email, OrgUnit.code == store)
        )


def listed(capsys, *args):
    assert main(["visit", "list", *args]) == 0
    return [line.split("\t") for line in capsys.readouterr().out.strip().splitlines()]


def test_each_user_lists_what_they_may_see(cli, capsys):
    everything = listed(capsys)
    mine = listed(capsys, "--as", "shopper@demo.example")
    manager = listed(capsys, "--as", "manager.sh01@demo.example")
    # Shopper A's work in progress; shopper B's draft to SZ01 is not there.
    assert {(row[2], row[1]) for row in mine if row[1] != "approved"} == {
        ("SH01", "draft"),
        ("SH02", "draft"),
        ("HZ01", "submitted"),
    }
    theirs = listed(capsys, "--as", "shopper2@demo.example")
    assert not {row[0] for row in mine} & {row[0] for row in theirs}
    assert {row[2] for row in manager} == {"SH01"} and {row[1] for row in manager} == {"approved"}
    assert len(everything) > len(mine) > 0
    waiting = listed(capsys, "--status", "submitted")
    assert [row[2] for row in waiting] == ["HZ01"]


def test_a_shopper_cannot_report_another_shoppers_visit(cli, capsys, tmp_path, engine):
    theirs = visit_of(engine, "shopper2@demo.example", "SZ01")
    out = tmp_path / "v.xlsx"
    assert (
        main(["visit", "report", str(theirs), "--out", str(out), "--as", "shopper@demo.example"])
        == 1
    )
    assert f"No visit {theirs}" in capsys.readouterr().err and not out.exists()


def test_a_shopper_gets_no_survey_result(cli, capsys, tmp_path):
    out = tmp_path / "r.xlsx"
    args = ["report", "engagement", "--wave", "pulse-2026-10", "--by", "store", "--out", str(out)]
    assert main([*args, "--as", "shopper@demo.example"]) == 1
    assert "does not allow" in capsys.readouterr().err and not out.exists()


def test_hr_writes_a_visit_report(cli, capsys, tmp_path, engine):
    with read_session(engine) as session:
        approved = session.scalar(
            select(ShopVisit.id).where(ShopVisit.status == VisitStatus.APPROVED).limit(1)
        )
    out = tmp_path / "visit.xlsx"
    assert main(["visit", "report", str(approved), "--out", str(out)]) == 0
    assert f"Wrote the report of visit {approved}" in capsys.readouterr().out
    assert load_workbook(out).sheetnames[0]
    assert main(["visit", "report", str(approved), "--out", str(tmp_path / "v.csv")]) == 1
