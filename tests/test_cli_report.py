"""``ee-app report engagement``: the results of a closed wave as .xlsx or .csv, within the
scope of ``--as`` and under the same suppression as the app; clear errors that write nothing."""

import csv
import io
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook

from ee_app.auth import system_actor
from ee_app.cli import main
from ee_app.db import read_session
from ee_app.models import UnitLevel
from ee_app.services.results import engagement_view
from tests.helpers import snapshot

WAVE = "pulse-2026-10"
MANAGER = "manager.sh01@demo.example"


@pytest.fixture
def report_cli(cli_files, demo):
    """The small demo (closed waves pulse-2026-06 … 10, pulse-2026-11 open) behind the CLI."""
    return cli_files


def report(*extra):
    return main(["report", "engagement", "--wave", WAVE, *extra])


def hr_view(engine, **options):
    with read_session(engine) as session:
        return engagement_view(session, system_actor("test"), WAVE, **options)


def csv_rows(path):
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def sheet_rows(path, sheet=0):
    book = load_workbook(io.BytesIO(path.read_bytes()))
    return [list(r) for r in book.worksheets[sheet].iter_rows(min_row=2, values_only=True)]


def file_text(path):
    """Everything a file holds, as text: each part of a workbook, or the CSV itself."""
    if path.suffix == ".csv":
        return path.read_bytes().decode("utf-8-sig")
    with zipfile.ZipFile(path) as archive:
        return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())


def test_by_store_to_xlsx_and_csv(report_cli, engine, tmp_path, capsys):
    view = hr_view(engine)
    xlsx, table = tmp_path / "门店结果.xlsx", tmp_path / "stores.csv"
    assert report("--by", "store", "--out", str(xlsx)) == 0
    out = capsys.readouterr().out
    assert f"Wrote the results of wave {WAVE} to {xlsx}." in out
    assert "12 units; hidden: 0 (fewer than 5" in out
    rows = sheet_rows(xlsx)
    assert [r[0] for r in rows] == list(view.rows["code"])
    # A store whose index rests on a theme answered by fewer than k shows it blank.
    assert [r[3] for r in rows] == [
        None if pd.isna(v) else pytest.approx(v) for v in view.rows["index"]
    ]
    assert load_workbook(io.BytesIO(xlsx.read_bytes())).sheetnames == ["Results", "Themes", "About"]

    assert report("--by", "store", "--out", str(table), "--language", "zh-CN") == 0
    rows = csv_rows(table)
    assert rows[0][:3] == ["门店代码", "门店", "回复人数"]
    assert [r[0] for r in rows[1:]] == list(view.rows["code"])
    assert [r[3] for r in rows[1:]] == [
        "" if pd.isna(v) else str(round(v, 2)) for v in view.rows["index"]
    ]


def test_by_team_marks_the_hidden_teams(report_cli, engine, tmp_path, capsys):
    view = hr_view(engine, level=UnitLevel.TEAM)
    hidden = int(view.rows["hidden"].sum())
    target = tmp_path / "teams.csv"
    assert report("--by", "team", "--out", str(target)) == 0
    assert f"{len(view.rows)} units; hidden: {hidden} " in capsys.readouterr().out
    rows = csv_rows(target)[1:]
    assert sum(r[2] == "fewer than 5" for r in rows) == hidden > 0
    for row in rows:
        if row[2] == "fewer than 5":
            assert set(row[3:]) == {""}


@pytest.mark.parametrize(("by", "suffix"), [("store", ".xlsx"), ("team", ".csv")])
def test_a_manager_gets_their_own_units_only(report_cli, engine, tmp_path, capsys, by, suffix):
    target = tmp_path / f"mine{suffix}"
    assert report("--by", by, "--as", MANAGER, "--out", str(target)) == 0
    codes = [r[0] for r in (sheet_rows(target) if suffix == ".xlsx" else csv_rows(target)[1:])]
    assert codes == (["SH01"] if by == "store" else ["SH01-B", "SH01-M", "SH01-F"])
    text = file_text(target)
    others = set()
    for level in (UnitLevel.REGION, UnitLevel.STORE):
        rows = hr_view(engine, level=level).rows
        others |= {c for c in rows["code"] if c != "SH01"}
        others |= {n for c, n in zip(rows["code"], rows["name"], strict=True) if c != "SH01"}
    assert others and not [o for o in others if o in text]


def test_a_manager_above_their_scope_gets_an_empty_file(report_cli, tmp_path, capsys):
    target = tmp_path / "regions.csv"
    assert report("--by", "region", "--as", MANAGER, "--out", str(target)) == 0
    assert "0 units; hidden: 0" in capsys.readouterr().out
    assert len(csv_rows(target)) == 1  # the header alone


def test_a_role_filter_per_store_marks_the_unpublished_stores(report_cli, engine, tmp_path, capsys):
    view = hr_view(engine, dim="role", value="beautician")
    shown = list(view.rows.loc[~view.rows["hidden"], "code"])
    assert shown and len(shown) < len(view.rows)
    target = tmp_path / "beauticians.xlsx"
    assert report("--by", "store", "--filter", "role=beautician", "--out", str(target)) == 0
    assert f"hidden: {len(view.rows) - len(shown)} " in capsys.readouterr().out
    rows = sheet_rows(target)
    assert [r[0] for r in rows if r[2] != "fewer than 5"] == shown
    assert all(set(r[3:]) == {None} for r in rows if r[2] == "fewer than 5")
    about = {r[0]: r[1] for r in sheet_rows(target, 2) if r[0]}
    assert about["Filter"] == "role = beautician"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--wave", WAVE, "--by", "team", "--filter", "role=nurse"], "shown per store only"),
        (["--wave", WAVE, "--by", "region", "--filter", "band=lt1"], "shown per store only"),
        (["--wave", "pulse-2026-11", "--by", "store"], "once wave “pulse-2026-11” closes"),
        (["--wave", "NOPE", "--by", "store"], "No survey wave “NOPE”"),
        (["--wave", WAVE, "--by", "store", "--filter", "role"], "role=VALUE or band=VALUE"),
        (["--wave", WAVE, "--by", "store", "--filter", "role=cook"], "Unknown role “cook”"),
        (["--wave", WAVE, "--by", "store", "--filter", "age=30"], "Filter by role or tenure band"),
        (["--wave", WAVE, "--by", "store", "--as", "nobody@x.example"], "No active user"),
    ],
)
@pytest.mark.parametrize("name", ["x.xlsx", "x.csv"])
def test_errors_exit_1_and_write_nothing(report_cli, engine, tmp_path, capsys, argv, message, name):
    target = tmp_path / name
    before = snapshot(engine)
    assert main(["report", "engagement", *argv, "--out", str(target)]) == 1
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""
    assert not target.exists()
    assert snapshot(engine) == before


@pytest.mark.parametrize("name", ["x.pdf", "x", "x.xls"])
def test_another_suffix_exits_1_and_writes_nothing(report_cli, tmp_path, capsys, name):
    assert report("--by", "store", "--out", str(tmp_path / name)) == 1
    assert "use .xlsx" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("x")] == []


def test_an_unwritable_path_exits_1(report_cli, tmp_path, capsys):
    assert report("--by", "store", "--out", str(tmp_path / "no" / "such" / "x.csv")) == 1
    assert "Cannot write" in capsys.readouterr().err
