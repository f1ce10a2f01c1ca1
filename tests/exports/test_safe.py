"""Formula injection: text that starts like a formula stays text in every export."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from ee_app.exports.safe import csv_bytes, safe_csv_value
from ee_app.exports.xlsx import add_table_sheet, workbook_bytes

DANGEROUS = ["=1+1", "+86 138", "-5", "@SUM(A1)", '=HYPERLINK("http://x")']


@pytest.mark.parametrize("text", DANGEROUS)
def test_csv_prefixes_an_apostrophe(text):
    assert safe_csv_value(text) == "'" + text
    assert (
        csv_bytes(["h"], [[text]]).decode("utf-8-sig").splitlines()[1].lstrip('"').startswith("'")
    )


@pytest.mark.parametrize("value", ["王静", "E10001", 42, 3.5, None])
def test_harmless_values_are_unchanged(value):
    assert safe_csv_value(value) == value


def test_xlsx_stores_formula_like_text_as_text():
    book = Workbook()
    add_table_sheet(book, "S", ["name"], [[t] for t in DANGEROUS], first=True)
    reread = load_workbook(io.BytesIO(workbook_bytes(book)))
    cells = [row[0] for row in reread.active.iter_rows(min_row=2)]
    assert [c.value for c in cells] == DANGEROUS
    assert {c.data_type for c in cells} == {"s"}
    assert all(c.quotePrefix for c in cells)


def test_libreoffice_shows_formula_like_text_verbatim(tmp_path):
    from tests.helpers import libreoffice_csv

    book = Workbook()
    add_table_sheet(book, "S", ["name", "n"], [[t, 1] for t in DANGEROUS], first=True)
    rows = libreoffice_csv(workbook_bytes(book), tmp_path)
    assert [r[0] for r in rows[1:]] == DANGEROUS  # not evaluated: "=1+1" is not "2"
