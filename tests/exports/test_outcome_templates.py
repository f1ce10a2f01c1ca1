"""The outcome import templates: filled in as they come, each passes its import's dry run on
the demo chain, in both languages, and opens in LibreOffice with the headers of its language."""

import csv
import io

import pytest
from openpyxl import load_workbook

from ee_app.auth import system_actor
from ee_app.config import Settings
from ee_app.db import write_session
from ee_app.exports.outcome_templates import (
    csat_headers,
    csat_template_csv,
    csat_template_xlsx,
    sales_headers,
    sales_template_csv,
    sales_template_xlsx,
)
from ee_app.imports.outcomes import CSAT_COLUMNS, SALE_COLUMNS
from ee_app.services.outcomes_import import import_csat, import_sales
from tests.helpers import libreoffice_csv, snapshot

LANGUAGES = ["en", "zh-CN"]
TEMPLATES = {
    ("csat", "xlsx"): (csat_template_xlsx, "template.xlsx"),
    ("csat", "csv"): (csat_template_csv, "template.csv"),
    ("sales", "xlsx"): (sales_template_xlsx, "template.xlsx"),
    ("sales", "csv"): (sales_template_csv, "template.csv"),
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("kind", "form"), list(TEMPLATES), ids="-".join)
def test_template_passes_a_dry_run(engine, demo, kind, form, language):
    build, name = TEMPLATES[(kind, form)]
    importer = import_csat if kind == "csat" else import_sales
    before = snapshot(engine)
    with write_session(engine) as session:
        result = importer(
            session, system_actor(), build(language), name, Settings.from_env(), dry_run=True
        )
    assert result.dry_run and result.rows == 2 and result.new == 2
    assert result.first_date is not None and result.first_date <= result.last_date
    if kind == "csat":
        assert result.detected_scale is None  # the template has a Scale column
    assert snapshot(engine) == before


@pytest.mark.parametrize("language", LANGUAGES)
def test_csv_has_the_headers_of_its_language_and_a_bom(language):
    for build, headers in ((csat_template_csv, csat_headers), (sales_template_csv, sales_headers)):
        data = build(language)
        assert data.startswith(b"\xef\xbb\xbf")  # Excel on a Chinese Windows reads UTF-8
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[0] == headers(language) and len(rows) == 3


def test_headers_follow_the_parsers_columns():
    assert csat_headers("zh-CN") == [c.zh for c in CSAT_COLUMNS]
    assert sales_headers("en") == [c.en for c in SALE_COLUMNS]
    assert "指定客顾问" in sales_headers("zh-CN")


@pytest.mark.parametrize("language", LANGUAGES)
def test_csat_workbook_explains_touchpoints_and_scale(language):
    book = load_workbook(io.BytesIO(csat_template_xlsx(language)))
    assert len(book.worksheets) == 3
    second = [str(c) for row in book.worksheets[1].iter_rows(values_only=True) for c in row if c]
    assert ("护理/治疗" if language == "zh-CN" else "Treatment") in second
    assert any("0–10" in text for text in second)
    first = book.worksheets[0]
    assert first["D2"].number_format == "yyyy-mm-dd"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("build", "headers"),
    [(csat_template_xlsx, csat_headers), (sales_template_xlsx, sales_headers)],
    ids=["csat", "sales"],
)
def test_opens_in_libreoffice(tmp_path, build, headers, language):
    rows = libreoffice_csv(build(language), tmp_path)
    assert rows[0] == headers(language)
    assert len(rows) == 3
    assert rows[1][0] and rows[2][0]  # the example ids
    last = len(load_workbook(io.BytesIO(build(language))).worksheets)
    (tmp_path / "notes").mkdir()
    notes = libreoffice_csv(build(language), tmp_path / "notes", sheet=last)
    assert notes[0][0] == ("列" if language == "zh-CN" else "Column")
    assert len(notes) == 1 + len(headers(language))
