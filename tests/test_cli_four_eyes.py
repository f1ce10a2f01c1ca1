"""Issue 17: `ee-app incentives approve` needs a named approver other than the preparer; the
shell's own actor (no --as) approves nothing, and a run it prepared cannot be approved. The
import history the shell prints is in local time."""

import pytest

from ee_app.cli import main

RUN = ["incentives", "run", "--scheme", "store-staff", "--period", "2026-09"]


@pytest.fixture
def cli(cli_db, demo):
    return cli_db


def prepare(capsys, *extra):
    assert main([*RUN, *extra]) == 0
    return capsys.readouterr().out.split("Run ", 1)[1].split(" ", 1)[0]


def listed_status(capsys, run):
    assert main(["incentives", "list"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith(f"{run}\t"))
    return line.split("\t")[2]


@pytest.mark.parametrize(
    ("prepared_as", "approve_as", "message"),
    [
        # the same shell, no names at all
        ((), (), "Approving needs the approver's name"),
        # prepared as a person, approved by the shell: could be that same person
        (("--as", "hr@demo.example"), (), "Approving needs the approver's name"),
        # the preparer again, typed otherwise
        (("--as", "hr@demo.example"), ("--as", "HR@demo.example"), "prepared by you"),
        # prepared by the shell: nobody can tell the approver is someone else
        ((), ("--as", "hr2@demo.example"), "prepared without a name"),
    ],
)
def test_approve_refuses_without_two_named_people(cli, capsys, prepared_as, approve_as, message):
    run = prepare(capsys, *prepared_as)
    assert main(["incentives", "approve", run, *approve_as]) == 1
    assert message in capsys.readouterr().err
    assert listed_status(capsys, run) == "draft"


def test_the_refusal_reads_in_chinese(cli, capsys, monkeypatch):
    run = prepare(capsys, "--as", "hr@demo.example")
    monkeypatch.setenv("EE_LANG", "zh-CN")
    assert main(["incentives", "approve", run]) == 1
    err = capsys.readouterr().err
    assert f"ee-app incentives approve {run} --as EMAIL" in err and "审批" in err


def test_import_history_is_in_local_time(cli, capsys, monkeypatch, db_url):
    """`ee-app import history` prints the batches' times in EE_TIMEZONE: the demo's batches
    read 8 hours later in Shanghai than in UTC (by hand: UTC+8, no daylight saving)."""
    from datetime import UTC, datetime, timedelta

    monkeypatch.setenv("EE_TIMEZONE", "UTC")
    assert main(["import", "history"]) == 0
    utc = capsys.readouterr().out.splitlines()
    monkeypatch.setenv("EE_TIMEZONE", "Asia/Shanghai")
    assert main(["import", "history"]) == 0
    shanghai = capsys.readouterr().out.splitlines()
    assert utc and len(utc) == len(shanghai)
    for a, b in zip(utc, shanghai, strict=True):
        at_utc = datetime.strptime(a.split("\t")[2], "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        local = at_utc + timedelta(hours=8)
        assert b.split("\t")[2] == local.strftime("%Y-%m-%d %H:%M")
