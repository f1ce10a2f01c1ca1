"""`ee-app import csat|transactions|history|undo` from the shell."""

import pytest

from ee_app.cli import main
from tests.helpers import csv_file, snapshot

CSAT = [
    ["记录编号", "员工编号", "门店", "服务日期", "评分"],
    ["C1", "E10002", "SH01", "2026-10-01", "5"],
    ["C2", "E10003", "SH01", "2026-10-02", "4"],
]
SALES = [
    ["单号", "顾客", "员工编号", "门店", "消费日期", "金额"],
    ["T1", "13800138000", "E10002", "SH01", "2026-10-01", "1,280.00"],
]


@pytest.fixture
def cli(cli_db, demo):
    return cli_db


def write(tmp_path, name, rows, encoding="gbk"):
    path = tmp_path / name
    path.write_bytes(csv_file(rows, encoding))
    return str(path)


def test_import_twice_then_undo(cli, tmp_path, capsys, engine):
    path = write(tmp_path, "回访.csv", CSAT)
    assert main(["import", "csat", path]) == 0
    out = capsys.readouterr().out
    assert "2 new, 0 already imported" in out and "ee-app import undo" in out
    assert main(["import", "csat", path]) == 0
    assert "Nothing new" in capsys.readouterr().out
    assert main(["import", "transactions", write(tmp_path, "pos.csv", SALES)]) == 0
    capsys.readouterr()
    assert main(["import", "history"]) == 0
    # Newest first; below these two come the demo's own outcome batches.
    lines = capsys.readouterr().out.strip().splitlines()[:2]
    assert [line.split("\t")[1] for line in lines] == ["sales", "csat"]
    batch = lines[1].split("\t")[0]
    assert main(["import", "undo", batch]) == 0
    assert "2 rows were removed" in capsys.readouterr().out
    assert main(["import", "undo", batch]) == 1


def test_bad_rows_exit_1_naming_row_and_column(cli, tmp_path, capsys, engine):
    bad = [*CSAT, ["C3", "E99999", "SH01", "2026-10-40", "5"]]
    before = snapshot(engine)
    assert main(["import", "csat", write(tmp_path, "bad.csv", bad)]) == 1
    err = capsys.readouterr().err
    assert "row 4, column “员工编号”: unknown employee number “E99999”" in err
    assert "row 4, column “服务日期”: “2026-10-40” is not a date" in err
    assert snapshot(engine) == before


def test_dry_run_and_mapping(cli, tmp_path, capsys, engine):
    rows = [["ID", "工号", "门店", "日期", "分"], ["X1", "E10002", "SH01", "2026-10-01", "9"]]
    before = snapshot(engine)
    path = write(tmp_path, "x.csv", rows)
    assert (
        main(
            [
                "import",
                "csat",
                path,
                "--dry-run",
                "--map",
                "source_id=ID",
                "--map",
                "score=分",
                "--scale",
                "10",
            ]
        )
        == 0
    )
    assert "Dry run" in capsys.readouterr().out
    assert snapshot(engine) == before
    assert main(["import", "csat", path, "--map", "oops"]) == 1


def test_managers_cannot_import(cli, tmp_path, capsys):
    path = write(tmp_path, "c.csv", CSAT)
    assert main(["import", "csat", path, "--as", "manager.sh01@demo.example"]) == 1
    assert "does not allow" in capsys.readouterr().err


def test_a_file_of_mixed_scales_needs_scale(cli, tmp_path, capsys, engine):
    mixed = write(tmp_path, "mixed.csv", [*CSAT, ["C3", "E10002", "SH01", "2026-10-03", "7"]])
    before = snapshot(engine)
    assert main(["import", "csat", mixed, "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "row 4, column “评分”: 2 scores from 1 to 5 and 1 outside 1–5" in err
    assert "--scale 5 or --scale 10" in err
    assert main(["import", "csat", mixed, "--scale", "5"]) == 1
    assert "row 4, column “评分”: 7 is outside the 5-point scale" in capsys.readouterr().err
    assert snapshot(engine) == before
    assert main(["import", "csat", mixed, "--scale", "10"]) == 0
    out = capsys.readouterr().out
    assert "3 new" in out and "Scores read on the 10-point scale." in out


def test_a_file_over_the_limit_is_refused_before_it_is_read(cli, tmp_path, capsys, monkeypatch):
    from ee_app.imports import tabular

    monkeypatch.setattr(tabular, "MAX_BYTES", 100)
    path = write(tmp_path, "big.csv", SALES * 10)
    monkeypatch.setattr("pathlib.Path.read_bytes", lambda self: pytest.fail("read"))
    assert main(["import", "transactions", path]) == 1
    assert (
        "The file is larger than 100 MB; split it and import the parts." in capsys.readouterr().err
    )
