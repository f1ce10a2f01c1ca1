import io
import tomllib
import zipfile
from pathlib import Path

import pytest

from ee_app.errors import ImportRejected
from ee_app.imports import tabular
from ee_app.imports.tabular import MAX_BYTES, MAX_MB, file_label, read_frame, read_table
from tests.helpers import csv_file, sheet_edited, xlsx_file

ROOT = Path(__file__).resolve().parents[2]

ROWS = [["员工编号", "姓名"], ["E1", "王静"], ["", ""], ["E2", "李娜"]]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_in_every_encoding_chinese_excel_writes(encoding):
    table = read_table(csv_file(ROWS, encoding), "roster.csv")
    assert table.header == ["员工编号", "姓名"]
    # The blank row 3 is skipped but the numbering stays as in the file.
    assert table.rows == [(2, ("E1", "王静")), (4, ("E2", "李娜"))]


def test_semicolon_and_tab_separated_files():
    data = "员工编号;姓名\nE1;王静\n".encode()
    assert read_table(data, "x.csv").rows == [(2, ("E1", "王静"))]
    data = "员工编号\t姓名\nE1\t王静\n".encode()
    assert read_table(data, "x.txt").rows == [(2, ("E1", "王静"))]


def test_xlsx_first_sheet():
    table = read_table(xlsx_file(ROWS), "roster.xlsx")
    assert table.header == ["员工编号", "姓名"]
    assert [n for n, _ in table.rows] == [2, 4]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "x.csv", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "old.xls", ".xls"),
        (b"PK\x03\x04broken", "x.xlsx", "not a readable"),
        (b"a,b\n1,2\n", "x.pdf", "Unsupported"),
        (b"\xff\xfe\x00\xd8\x00", "x.csv", "encoding"),  # broken UTF-16 then not GB18030
    ],
)
def test_unreadable_files_are_rejected_with_advice(data, name, message):
    with pytest.raises(ImportRejected, match=message):
        read_table(data, name)


def test_the_upload_limit_is_what_the_import_accepts():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == MAX_MB
    assert MAX_BYTES == MAX_MB * 1024 * 1024  # Streamlit's MB, too


def test_a_larger_file_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_BYTES", 1024)
    data = csv_file([["员工编号"], *(["E1"] for _ in range(300))])
    for read in (read_table, read_frame):
        with pytest.raises(ImportRejected, match=f"larger than {MAX_MB} MB"):
            read(data, "big.csv")


@pytest.mark.parametrize(
    "edit",
    [
        lambda xml: xml[: len(xml) // 2],  # cut: unclosed tags
        lambda xml: xml.replace(b"<row ", b"<row <", 1),  # not well-formed
    ],
    ids=["cut", "broken-tag"],
)
@pytest.mark.parametrize("read", [read_table, read_frame])
def test_a_workbook_broken_inside_its_sheet_is_refused(edit, read):
    """openpyxl reads the sheet only row by row: the failure comes while iterating."""
    with pytest.raises(ImportRejected, match=r"not a readable \.xlsx workbook"):
        read(sheet_edited(xlsx_file(ROWS), edit), "x.xlsx")


@pytest.mark.parametrize("read", [read_table, read_frame])
def test_a_corrupt_deflate_stream_is_refused(read):
    """A bit flipped inside the compressed sheet: zlib fails once rows are read."""
    data = bytearray(xlsx_file(ROWS))
    sheet = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    data[sheet.header_offset + 30 + len(sheet.filename) + len(sheet.extra) + 50] ^= 0x10
    with pytest.raises(ImportRejected, match=r"save it again as \.xlsx") as info:
        read(bytes(data), "x.xlsx")
    assert "decompressing" in info.value.render()


@pytest.mark.parametrize(
    ("name", "label"),
    [("花名册.xlsx", "花名册.xlsx"), ("a\x00b\x07.csv", "ab.csv"), ("长" * 300, "长" * 255)],
)
def test_file_names_are_kept_storable(name, label):
    assert file_label(name) == label
