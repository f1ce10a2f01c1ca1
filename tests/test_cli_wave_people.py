"""``ee-app wave add-joiners``, ``ee-app wave reissue`` and ``ee-app audit list``, and the
audit entries that the commands writing files leave (links, results, the audit log)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from ee_app import clock
from ee_app.cli import main
from ee_app.config import Settings
from ee_app.db import read_session, write_session
from ee_app.keys import secret_key
from ee_app.models import AuditLog
from ee_app.services import answering
from tests.services.test_wave_people import hire, two_stores
from tests.wave_setup import token_of

TODAY = clock.today()


@pytest.fixture
def cli_env(cli_db, monkeypatch, tmp_path, engine, admin):
    monkeypatch.setenv("EE_SECRET_KEY", "ef" * 32)
    monkeypatch.setenv("EE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("EE_PUBLIC_URL", raising=False)
    two_stores(engine, admin)
    args = ["wave", "create", "--code", "W1", "--name", "脉搏", "--unit", "R"]
    closes = (TODAY + timedelta(days=10)).isoformat()
    assert main([*args, "--opens", TODAY.isoformat(), "--closes", closes]) == 0
    assert main(["wave", "open", "W1"]) == 0
    return engine


def state(engine, link):
    with read_session(engine) as session:
        return answering.open_link(session, token_of(link)).state


def entries(engine, action):
    with read_session(engine) as session:
        return session.scalars(select(AuditLog).where(AuditLog.action == action)).all()


def test_late_joiners_lost_links_and_logged_files(cli_env, tmp_path, capsys):
    engine = cli_env
    with write_session(engine) as session:
        hire(session, "N1", "S1", hired=TODAY)
        hire(session, "N2", "S2", hired=TODAY)
        session.commit()
    capsys.readouterr()

    joiners = tmp_path / "joiners.xlsx"
    assert main(["wave", "add-joiners", "W1", "--unit", "S1", "--out", str(joiners)]) == 0
    assert "Added 1 person to wave W1." in capsys.readouterr().out
    sheet = load_workbook(io.BytesIO(joiners.read_bytes())).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert [r[0] for r in rows] == ["N1"]
    assert state(engine, rows[0][4]) is answering.LinkState.READY
    assert main(["wave", "add-joiners", "W1"]) == 0  # N2 printed, no file
    out = capsys.readouterr().out
    assert "Added 1 person" in out and "N2\t" in out

    links = tmp_path / "links.xlsx"
    assert main(["wave", "invite", "W1", "--out", str(links)]) == 0
    sheet = load_workbook(io.BytesIO(links.read_bytes())).worksheets[0]
    old = {r[0]: r[4] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert main(["wave", "reissue", "W1", "A1"]) == 0
    new = capsys.readouterr().out.strip().splitlines()[-1]
    assert new != old["A1"]
    assert state(engine, old["A1"]) is answering.LinkState.UNKNOWN
    assert state(engine, new) is answering.LinkState.READY
    assert main(["wave", "reissue", "W1", "NOBODY"]) == 1
    assert "NOBODY has no invitation" in capsys.readouterr().err

    # Links downloaded: one entry per file with its rows, no names.
    logged = [(e.object_type, e.detail) for e in entries(engine, "download.links")]
    assert logged == [
        ("survey_wave", {"rows": 1, "joiners": True, "wave": "W1"}),
        ("survey_wave", {"rows": 13, "wave": "W1"}),
    ]
    assert [e.detail for e in entries(engine, "wave.add_joiners")] == [
        {"added": 1, "units": ["S1"]},
        {"added": 1, "units": []},
    ]

    # Results: six answers in S1, closed, exported; the export is logged.
    key = secret_key(Settings.from_env())
    for no in ("A0", "A2", "A3", "A4", "A5", "N1"):
        link = new if no == "A1" else old.get(no) or rows[0][4]
        answering.submit(engine, token_of(link), {"a01": 4}, 8, None, key=key)
    assert main(["wave", "close", "W1"]) == 0
    report = tmp_path / "results.csv"
    assert (
        main(["report", "engagement", "--wave", "W1", "--by", "store", "--out", str(report)]) == 0
    )
    (entry,) = entries(engine, "download.results")
    assert entry.detail["format"] == "csv" and entry.detail["level"] == "store"
    assert entry.detail["rows"] >= 1
    capsys.readouterr()

    # The audit log from the shell: filtered and printed, or written and logged.
    assert main(["audit", "list", "--action", "download.links"]) == 0
    out = capsys.readouterr().out
    assert out.count("Downloaded personal survey links") == 2
    assert "Showing 2 of 2 entries." in out
    assert "download.links" not in out and "{" not in out
    exported = tmp_path / "audit.csv"
    assert main(["audit", "list", "--since", TODAY.isoformat(), "--out", str(exported)]) == 0
    text = exported.read_bytes().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][2] == "Action" and len(table) > 5
    (export,) = entries(engine, "audit.export")
    assert export.detail["rows"] == len(table) - 1 and export.detail["format"] == "csv"
    assert main(["audit", "list", "--since", "yesterday"]) == 1
