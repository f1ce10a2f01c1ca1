"""The payroll workbook in plain words (issue 17): every sheet, in English and in Chinese,
holds none of the internal keys (tests/raw_keys.py derives them from the code); components,
measures, roles, rules, curve points and the notes of each line are named in words."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from ee_app.db import read_session, write_session
from ee_app.exports.payroll import payroll_xlsx
from ee_app.i18n import translator
from ee_app.models import IncentiveRun, IncentiveScheme
from ee_app.services import incentive_runs
from ee_app.words.labels import curve_text, missing_rule_label
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
        run_id = incentive_runs.create_run(session, hr, scheme_id, PERIOD).id
    with read_session(engine) as session:
        return incentive_runs.run_view(session, hr, run_id)


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
    for component in view.scheme.components:  # curve_text is checked by hand in tests/ui
        assert curve_text(component.curve, str) in scheme
        assert missing_rule_label(getattr(component, "missing", "zero"), str) in scheme
    assert not any("% →" in t for t in scheme)  # the old "80% → 50%, 100% → 100%" form
    assert any(t.startswith("Store staff performance pay, version") for t in scheme)


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_no_incentives_cli_message_shows_an_internal_key(
    monkeypatch, db_url, engine, demo, capsys, tmp_path, language
):
    """Every message of ``ee-app incentives run|approve|export|list``, the refusals included,
    and the workbooks it writes, in the shell's language."""
    from ee_app.cli import main

    monkeypatch.setenv("EE_DATABASE_URL", db_url)
    monkeypatch.setenv("EE_LANG", language)
    scan = "en" if language == "en" else "zh_CN"
    messages: list[str] = []

    def call(*args: str) -> int:
        code = main(["incentives", *args])
        out, err = capsys.readouterr()
        messages.extend(line for line in (out + err).splitlines() if line.strip())
        return code

    draft, final = tmp_path / "draft.xlsx", tmp_path / "final.xlsx"
    base = ["--scheme", "store-staff", "--period", PERIOD]
    assert call("run", *base, "--out", str(draft), "--as", "hr@demo.example") == 0
    with read_session(engine) as session:
        run = str(session.scalar(select(func.max(IncentiveRun.id))))
    assert call("list", "--as", "hr@demo.example") == 0  # a draft has no approver yet
    assert call("approve", run) == 1  # no name: refused
    assert call("approve", run, "--as", "hr@demo.example") == 1  # its preparer: refused
    approve = ["approve", run, "--as", "hr2@demo.example", "--out", str(final)]
    if call(*approve) == 1:  # calibration warnings are shown, then acknowledged
        assert call(*approve, "--acknowledge") == 0
    assert call("export", run, "--out", str(tmp_path / "again.xlsx")) == 0
    assert call("run", "--scheme", "store-staff", "--period", "2026-13") == 1
    found = {text: keys for text in messages if (keys := raw_keys(text, scan))}
    assert found == {}, messages
    for book in (draft, final):
        cells = _texts(book.read_bytes())
        in_book = {(sheet, t): raw_keys(t, scan) for sheet, ts in cells.items() for t in ts}
        assert {where: keys for where, keys in in_book.items() if keys} == {}
