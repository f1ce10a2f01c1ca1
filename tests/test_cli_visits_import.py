"""`ee-app import visits` from the shell, and `import history|undo` for visit batches."""

import pytest
from sqlalchemy import select

from ee_app.cli import main
from ee_app.db import read_session, write_session
from ee_app.instruments.checklist import default_definitions, validate
from ee_app.models import ShopVisit
from ee_app.services.visit_management import review_visit
from tests.helpers import csv_file, snapshot

SERVICE = validate(default_definitions()["service-process"])
HEADER = ["暗访编号", "门店", "暗访日期", "模板", "题目编号", "答案", "备注", "服务员工"]


def visit(visit_id, store="SH01", served_by="E10002"):
    def answer(item):
        if item.type == "choice":
            return item.options[0].id
        return {"yes_no": "是", "scale": "5", "text": "好"}[item.type]

    return [
        [visit_id, store, "2026-10-16", "service-process", i.id, answer(i), "", served_by]
        for i in SERVICE.items
    ]


@pytest.fixture
def cli(cli_db, demo):
    return cli_db


def write(tmp_path, name, rows):
    path = tmp_path / name
    path.write_bytes(csv_file(rows, "gbk"))
    return str(path)


def test_import_twice_then_undo(cli, tmp_path, capsys, engine):
    path = write(tmp_path, "暗访-10月.csv", [HEADER, *visit("A-1"), *visit("A-2")])
    assert main(["import", "visits", path]) == 0
    out = capsys.readouterr().out
    rows = 2 * len(SERVICE.items)
    assert f"Checked {rows} rows: 2 visits from 2026-10-16 to 2026-10-16, 2 new" in out
    assert "wait for review" in out and "ee-app import undo" in out
    assert main(["import", "visits", path]) == 0
    assert "Nothing new: every visit was imported before." in capsys.readouterr().out
    assert main(["import", "history"]) == 0
    newest = capsys.readouterr().out.strip().splitlines()[0].split("\t")
    assert (newest[1], newest[3], newest[-1]) == ("visits", "2/2", "暗访-10月.csv")
    before_undo = snapshot(engine)
    assert main(["import", "undo", newest[0]]) == 0
    assert f"Undid batch {newest[0]}: its 2 visits were removed." in capsys.readouterr().out
    assert len(snapshot(engine)["shop_visit"]) == len(before_undo["shop_visit"]) - 2
    assert main(["import", "undo", newest[0]]) == 1
    assert "was undone already" in capsys.readouterr().err


def test_bad_rows_exit_1_with_one_line_per_problem(cli, tmp_path, capsys, engine):
    rows = [HEADER, *visit("A-1"), *visit("A-2")]
    rows[3][1] = "SH99"
    rows[4][5] = "也许"
    rows[len(SERVICE.items) + 2][1] = "SH02"
    before = snapshot(engine)
    assert main(["import", "visits", write(tmp_path, "bad.csv", rows)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "The visits file was not imported: 3 problems. Nothing was changed."
    assert (
        err[1] == "- row 4, column “门店”: unknown store “SH99”; use a store code from the org page"
    )
    assert err[2].startswith("- row 5, column “答案”: “也许” is not a yes/no answer")
    assert err[3].startswith(f"- row {len(SERVICE.items) + 3}, column “门店”: “SH02” differs")
    assert len(err) == 4
    assert snapshot(engine) == before


def test_dry_run_and_a_note_about_who_served(cli, tmp_path, capsys, engine):
    path = write(tmp_path, "v.csv", [HEADER, *visit("A-1", served_by="E10016")])
    before = snapshot(engine)
    assert main(["import", "visits", path, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Note: row 2, column “服务员工”: employee number “E10016” did not work" in out
    assert "Dry run: nothing was written." in out
    assert snapshot(engine) == before


@pytest.mark.parametrize("email", ["manager.sh01@demo.example", "shopper@demo.example"])
def test_managers_and_shoppers_cannot_import(cli, tmp_path, capsys, engine, email):
    path = write(tmp_path, "v.csv", [HEADER, *visit("A-1")])
    before = snapshot(engine)
    assert main(["import", "visits", path, "--as", email]) == 1
    assert "does not allow" in capsys.readouterr().err
    assert main(["import", "history", "--as", email]) == 1
    assert snapshot(engine) == before


def test_an_approved_visit_keeps_its_batch(cli, tmp_path, capsys, engine, hr):
    assert main(["import", "visits", write(tmp_path, "v.csv", [HEADER, *visit("A-1")])]) == 0
    capsys.readouterr()
    with read_session(engine) as session:
        imported = session.scalars(select(ShopVisit).where(ShopVisit.source_id == "A-1")).one()
    with write_session(engine) as session:
        review_visit(session, hr, imported.id, approve=True)
    before = snapshot(engine)
    assert main(["import", "undo", str(imported.batch_id)]) == 1
    assert "have been approved" in capsys.readouterr().err
    assert snapshot(engine) == before
