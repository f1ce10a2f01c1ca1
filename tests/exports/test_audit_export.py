"""The audit export: plain words, local time, and cells a spreadsheet never runs."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from ee_app.exports.audit import audit_csv, audit_xlsx
from ee_app.models import AuditLog

ENTRIES = [
    AuditLog(
        at=datetime(2026, 12, 6, 17, 30, tzinfo=UTC),
        actor='=HYPERLINK("http://evil")@x.com',
        action="roster.import",
        object_type="import_batch",
        object_id="5",
        detail={"file": "+cmd|' /C calc'!A0.xlsx", "inserted": 3},
    ),
    AuditLog(
        at=datetime(2026, 12, 6, 1, 0, tzinfo=UTC),
        actor="hr@example.com",
        action="wave.open",
        object_type="survey_wave",
        object_id="2",
        detail={"invited": 42},
    ),
]


@pytest.fixture(autouse=True)
def beijing(monkeypatch):
    monkeypatch.setenv("EE_TIMEZONE", "Asia/Shanghai")


def test_xlsx_cells_are_text_never_formulas():
    sheet = load_workbook(io.BytesIO(audit_xlsx(ENTRIES, "en"))).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["When (Beijing time)", "Who", "Action", "Object", "Details"]
    assert rows[1][0] == "2026-12-07 01:30:00"
    assert rows[2][2:] == ["Opened a survey wave", "Survey wave 2", "People invited: 42"]
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type == "s"
    actor = sheet.cell(row=2, column=2)
    assert actor.value.startswith("=") and actor.quotePrefix


def test_csv_cells_are_made_safe_and_chinese_reads():
    text = audit_csv(ENTRIES, "zh-CN").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["时间（北京时间）", "操作人", "操作", "对象", "详情"]
    assert rows[1][1].startswith("'=")
    assert rows[1][2] == "导入了员工名册"
    assert rows[2][2] == "开启调研批次" and rows[2][4] == "邀请人数: 42"
    for row in rows[1:]:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@"))
