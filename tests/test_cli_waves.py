"""``ee-app wave``: a monthly wave from the shell, clear errors that change nothing, and
managers who see participation of their own units only, never a hidden count."""

import io
import os
import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from openpyxl import load_workbook

from ee_app.cli import main
from ee_app.services import answering
from tests.helpers import reading, snapshot

MANAGER = "manager.sh01@demo.example"
TODAY = date.today()
OPENS = TODAY.isoformat()
CLOSES = (TODAY + timedelta(days=18)).isoformat()


@pytest.fixture
def cli_env(cli_db, monkeypatch, tmp_path):
    monkeypatch.setenv("EE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("EE_PUBLIC_URL", raising=False)
    return cli_db


@pytest.fixture
def demo_cli(cli_env, demo):
    """The small demo, copied from the test session's template (what ``ee-app demo load``
    writes, built once instead of once per test)."""
    return cli_env


def create(code="2026-11", *units, extra=()):
    units = units or ("SH01", "SH02")
    args = ["wave", "create", "--code", code, "--name", "十一月脉搏"]
    for unit in units:
        args += ["--unit", unit]
    return main([*args, "--opens", OPENS, "--closes", CLOSES, *extra])


def out(capsys):
    return capsys.readouterr().out


def waves_listed(capsys, *extra):
    assert main(["wave", "list", *extra]) == 0
    return {line.split("\t")[0]: line.split("\t") for line in out(capsys).splitlines()}


def sheet_rows(path):
    sheet = load_workbook(io.BytesIO(path.read_bytes())).worksheets[0]
    return [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]


def test_a_monthly_wave_from_create_to_close(demo_cli, engine, tmp_path, capsys):
    assert create() == 0
    assert "Created wave 2026-11 (anonymous, k = 5) for SH01, SH02" in out(capsys)
    assert waves_listed(capsys)["2026-11"] == [
        "2026-11",
        "draft",
        "anonymous",
        "0",
        "0",
        "十一月脉搏",
    ]

    assert main(["wave", "open", "2026-11"]) == 0
    invited = int(re.search(r"(\d+) personal links issued", out(capsys)).group(1))
    assert invited >= 10
    assert waves_listed(capsys)["2026-11"][1:5] == ["open", "anonymous", str(invited), "0"]

    xlsx, html = tmp_path / "links.xlsx", tmp_path / "slips.html"
    assert main(["wave", "invite", "2026-11", "--out", str(xlsx)]) == 0
    assert f"Wrote {invited} personal links to {xlsx}" in out(capsys)
    rows = sheet_rows(xlsx)
    assert len(rows) == invited
    assert all(r[4].startswith("http://127.0.0.1:8501/survey?t=") and r[5] == "No" for r in rows)
    assert len({r[4] for r in rows}) == invited
    assert {r[2] for r in rows} == {"上海静安店", "上海徐汇店"}

    assert main(["wave", "invite", "2026-11", "--out", str(html)]) == 0
    page = html.read_text(encoding="utf-8")
    assert page.count("<svg") == invited and all(r[4] in page for r in rows)

    # One person answers; the reminder list leaves them out.
    token = parse_qs(urlparse(rows[0][4]).query)["t"][0]
    answering.submit(
        engine,
        token,
        {"a01": 4},
        9,
        None,
        key=bytes.fromhex(os.environ["EE_SECRET_KEY"]),
        today=TODAY,
    )
    reminders = tmp_path / "reminders.xlsx"
    assert main(["wave", "invite", "2026-11", "--pending", "--out", str(reminders)]) == 0
    assert f"Wrote {invited - 1} personal links of people who have not answered" in out(capsys)
    assert [r[4] for r in sheet_rows(reminders)] == [r[4] for r in rows[1:]]
    assert waves_listed(capsys)["2026-11"][3:5] == [str(invited), "1"]

    assert main(["wave", "participation", "2026-11"]) == 0
    lines = out(capsys).splitlines()
    assert lines[0].startswith("LM\t") and lines[0].split("\t")[2:] == [
        str(invited),
        "1",
        f"{1 / invited:.0%}",
    ]
    assert any(line.startswith("    SH01\t") for line in lines)  # indented by depth

    assert main(["wave", "close", "2026-11"]) == 0
    closed = out(capsys)
    assert f"Closed wave 2026-11: 1 of {invited} answered." in closed
    assert "Clean-up verified" in closed
    assert waves_listed(capsys)["2026-11"][1] == "closed"


def test_close_tells_the_truth_about_the_clean_up_and_cleanup_finishes_it(demo_cli, engine, capsys):
    """A reader keeps the clean-up from finishing: ``wave close`` closes the wave, says the
    clean-up is not complete and exits 1; ``wave cleanup`` finishes it once the reader is gone."""
    create()
    main(["wave", "open", "2026-11"])
    out(capsys)
    with reading(engine):
        assert main(["wave", "close", "2026-11", "--timeout", "0.5"]) == 1
    said = capsys.readouterr()
    assert "Closed wave 2026-11" in said.out
    assert "The clean-up is not complete" in said.err
    assert "ee-app wave cleanup 2026-11" in said.err
    assert waves_listed(capsys)["2026-11"][1] == "closed"
    assert main(["wave", "cleanup", "2026-11"]) == 0
    assert "Clean-up verified" in out(capsys)
    assert main(["wave", "cleanup", "2026-11"]) == 0  # again: still true, still verified


def test_participation_never_prints_a_hidden_count(demo_cli, capsys):
    create()
    main(["wave", "open", "2026-11"])
    out(capsys)
    assert main(["wave", "participation", "2026-11"]) == 0
    lines = out(capsys).splitlines()
    hidden = [line.split("\t") for line in lines if "hidden" in line]
    assert hidden, "the demo's small teams should be hidden"
    for parts in hidden:
        # code, name and the label only: no invited or answered count, no rate.
        assert len(parts) == 3
        assert parts[2] == "hidden: fewer than 5, or protecting a smaller group"
    for line in lines:
        parts = line.split("\t")
        assert len(parts) in (3, 5)
        if len(parts) == 5:
            assert parts[4].endswith("%")


def test_a_manager_sees_participation_of_their_own_units_only(demo_cli, capsys):
    create()
    create("2026-11-BJ", "BJ01")
    main(["wave", "open", "2026-11"])
    out(capsys)
    assert main(["wave", "participation", "2026-11", "--as", MANAGER]) == 0
    lines = out(capsys).splitlines()
    assert lines and all(line.lstrip().split("\t")[0].startswith("SH01") for line in lines)
    assert lines[0].startswith("SH01\t")  # indented from the manager's top unit
    seen = waves_listed(capsys, "--as", MANAGER)
    assert "2026-11" in seen and "2026-11-BJ" not in seen
    assert "2026-11-BJ" in waves_listed(capsys)
    assert main(["wave", "participation", "2026-11-BJ", "--as", MANAGER]) == 1
    assert "No survey wave" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"--opens": "2026-13-40"}, "“2026-13-40” is not a date; write it as 2026-03-05"),
        ({"--closes": "next friday"}, "“next friday” is not a date"),
        ({"--unit": "SH99"}, "unknown or missing units SH99"),
        ({"--closes": (TODAY - timedelta(days=1)).isoformat()}, "closing date is before"),
        ({"--k": "2"}, "anonymity threshold must be at least 3"),
        ({"--k-comments": "4"}, "comment threshold cannot be below"),
        ({"--code": "x" * 33}, "at most 32 characters"),
    ],
)
def test_bad_create_exits_1_and_changes_nothing(demo_cli, engine, capsys, changes, message):
    options = {"--code": "2026-11", "--name": "十一月脉搏", "--unit": "SH01", "--opens": OPENS}
    options |= {"--closes": CLOSES, **changes}
    before = snapshot(engine)
    assert main(["wave", "create", *(x for pair in options.items() for x in pair)]) == 1
    assert message in capsys.readouterr().err
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["wave", "create", "--code", "M1", "--name", "m", "--unit", "SH01"], "does not allow"),
        (["wave", "open", "DRAFT"], "does not allow"),
        (["wave", "close", "OPEN"], "does not allow"),
        (["wave", "cleanup", "OPEN"], "does not allow"),
        (["wave", "invite", "OPEN", "--out", "x.xlsx"], "does not allow"),
    ],
)
def test_a_manager_cannot_run_a_wave(demo_cli, engine, capsys, tmp_path, argv, message):
    create("DRAFT")
    create("OPEN")
    main(["wave", "open", "OPEN"])
    capsys.readouterr()
    argv = [str(tmp_path / a) if a.endswith(".xlsx") else a for a in argv]
    if argv[1] == "create":
        argv += ["--opens", OPENS, "--closes", CLOSES]
    before = snapshot(engine)
    assert main([*argv, "--as", MANAGER]) == 1
    assert message in capsys.readouterr().err
    assert snapshot(engine) == before
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["wave", "open", "OPEN"], "only a draft can be opened"),
        (["wave", "close", "DRAFT"], "only an open wave can be closed"),
        (["wave", "cleanup", "OPEN"], "only a closed wave is cleaned up"),
        (["wave", "open", "NOPE"], "No survey wave “NOPE”"),
        (["wave", "invite", "DRAFT", "--out", "x.xlsx"], "Open the wave first"),
        (["wave", "invite", "OPEN", "--out", "x.pdf"], "use .xlsx"),
        (["wave", "invite", "OPEN", "--out", "x"], "use .xlsx"),
        (["wave", "invite", "OPEN", "--out", "no/such/dir/x.html"], "Cannot write"),
    ],
)
def test_wrong_state_or_file_exits_1_and_changes_nothing(
    demo_cli, engine, capsys, tmp_path, argv, message
):
    create("DRAFT")
    create("OPEN")
    main(["wave", "open", "OPEN"])
    capsys.readouterr()
    if "--out" in argv:
        argv[-1] = str(tmp_path / argv[-1])
    before = snapshot(engine)
    assert main(argv) == 1
    assert message in capsys.readouterr().err
    assert snapshot(engine) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("x")] == []


def test_invite_writes_the_file_in_the_language_asked(demo_cli, tmp_path, capsys):
    create()
    main(["wave", "open", "2026-11"])
    target = tmp_path / "邀请.xlsx"
    assert main(["wave", "invite", "2026-11", "--language", "zh-CN", "--out", str(target)]) == 0
    book = load_workbook(io.BytesIO(target.read_bytes()))
    assert book.sheetnames == ["邀请", "说明"]
    assert {r[5] for r in sheet_rows(target)} == {"否"}


@pytest.mark.parametrize(
    ("env", "base"),
    [
        ({}, "http://127.0.0.1:8501/survey?t="),
        ({"EE_PORT": "8600"}, "http://127.0.0.1:8600/survey?t="),
        ({"EE_HOST": "10.20.0.5", "EE_PORT": "80"}, "http://10.20.0.5:80/survey?t="),
        (
            {"EE_PORT": "8600", "EE_PUBLIC_URL": "https://ee.meili.test/"},
            "https://ee.meili.test/survey?t=",
        ),
    ],
    ids=["default", "port", "host-and-port", "public-url-wins"],
)
def test_invite_links_use_the_configured_address(
    demo_cli, monkeypatch, tmp_path, capsys, env, base
):
    """Links name the address the app is served on, as scripts/run sets it: they used to
    say :8501 whatever EE_PORT was (issue 21)."""
    for name in ("EE_HOST", "EE_PORT", "EE_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert create() == 0
    assert main(["wave", "open", "2026-11"]) == 0
    xlsx = tmp_path / "links.xlsx"
    assert main(["wave", "invite", "2026-11", "--out", str(xlsx)]) == 0
    rows = sheet_rows(xlsx)
    assert rows and all(r[4].startswith(base) for r in rows)
