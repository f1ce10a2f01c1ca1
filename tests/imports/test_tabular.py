import pytest

from ee_app.errors import ImportRejected
from ee_app.imports.tabular import read_table
from tests.helpers import csv_file, xlsx_file

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
