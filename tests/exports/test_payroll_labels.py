"""The payroll workbook in plain words (issue 17): every sheet, in English and in Chinese,
holds none of the internal keys (tests/raw_keys.py derives them from the code); components,
measures, roles, rules, curve points and the notes of each line are named in words."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from ee_app.db import read_session, write_session
from ee_app.exports.payroll import payroll_xlsx
from ee_app.i18n import translator
from ee_app.models import IncentiveScheme
from ee_app.services import incentives
from tests.raw_keys import raw_keys

PERIOD = "2026-09"


def _texts(book: bytes) -> dict[str, list[str]]:
    """Each sheet's text cells (numbers are numbers: nothing to read as a key)."""
    workbook = load_workbook(io.BytesIO(book), read_only=True)
    return {
        sheet.title: [
            cell
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if isinstance(cell, str) and cell
        ]
        for sheet in workbook.worksheets
    }


@pytest.fixture
def view(engine, demo, hr):
    with read_session(engine) as session:
        scheme_id = session.scalar(select(IncentiveScheme.id).order_by(IncentiveScheme.id))
    with write_session(engine) as session:
        run_id = incentives.create_run(session, hr, scheme_id, PERIOD).id
    with read_session(engine) as session:
        return incentives.run_view(session, hr, run_id)


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_no_sheet_shows_an_internal_key(view, language):
    texts = _texts(payroll_xlsx(view, language))
    assert len(texts) == 4
    found = {
        (sheet, text): keys
        for sheet, cells in texts.items()
        for text in cells
        if (keys := raw_keys(text, "en" if language == "en" else "zh_CN"))
    }
    assert found == {}
    # The things that showed their keys are there in words.
    _ = translator(language)
    everything = "\n".join(text for cells in texts.values() for text in cells)
    for words in ("Customer satisfaction", "Repurchase", "Sales performance", "Front desk"):
        assert _(words) in everything
    notes = [line["detail"].get("flags") for line in view.lines]
    assert any(notes), "the demo month has notes to show"


def test_the_notes_name_the_component_in_chinese(view):
    """The Chinese notes said "repurchase：无数据，本项计 0。": the component's key."""
    texts = _texts(payroll_xlsx(view, "zh-CN"))
    payroll = texts["工资表"] if "工资表" in texts else next(iter(texts.values()))
    notes = [t for t in payroll if "：" in t and ("计 0" in t or "门店" in t)]
    assert notes, payroll[:40]
    assert not any("repurchase" in t or "csat" in t or "sales" in t for t in notes)
    assert any(t.startswith(("复购", "顾客满意度", "销售业绩", "神秘顾客")) for t in notes)


def test_the_scheme_sheet_says_the_curve_and_the_rule_in_words(view):
    texts = _texts(payroll_xlsx(view, "en"))
    scheme = texts["Scheme"]
    # The demo's sales curve [[0.8, 0.5], [1.0, 1.0], [1.2, 1.5]], in words.
    curve = next(t for t in scheme if t.startswith("below 80% of target"))
    assert "at 80%: 50%" in curve and "at 120% or more: 150% (cap)" in curve
    assert any(t.startswith("No value:") for t in scheme)  # the rule for a person without one
    assert any(t.startswith("Store staff performance pay, version") for t in scheme)
