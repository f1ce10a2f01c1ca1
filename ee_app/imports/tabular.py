"""Bytes in, a header and rows out: .xlsx through openpyxl, .csv in UTF-8 (with or without BOM),
GBK/GB18030 (what Chinese Excel writes) or UTF-16 (Excel's "Unicode text").

Row numbers are the ones the user sees in Excel: the header is row 1. Blank rows are skipped
but keep their numbering, so a message about row 40 points at row 40 of the file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd

from ee_app.errors import N_, ImportRejected, Problem

__all__ = [
    "MAX_BYTES",
    "MAX_MB",
    "Frame",
    "Table",
    "check_size",
    "decode_text",
    "file_label",
    "open_workbook",
    "problems_limit",
    "read_frame",
    "read_table",
]

#: The largest file an import accepts, in MB (MiB, as Streamlit counts them): a year of a
#: 400-store chain's sales (a million rows) is 74 MB as CSV. Streamlit's upload limit
#: (``server.maxUploadSize`` in .streamlit/config.toml) is the same number.
MAX_MB = 100
MAX_BYTES = MAX_MB * 1024 * 1024
_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True)
class Table:
    """A header and the non-blank rows under it, each with its row number in the file."""

    header: list[str]
    rows: list[tuple[int, tuple[Any, ...]]]
    encoding: str | None = None  # for CSV: the encoding it was read with

    def __len__(self) -> int:
        return len(self.rows)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes, trying UTF-8 (with BOM), UTF-16 (by its BOM), then GB18030 (⊇ GBK)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ImportRejected(
        N_(
            "The file's text encoding could not be recognised. Save it from Excel as "
            "“CSV UTF-8” or as .xlsx and try again."
        )
    )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_size(size: int) -> None:
    """Refuse a file larger than :data:`MAX_BYTES` before reading it."""
    if size > MAX_BYTES:
        raise ImportRejected(
            N_("The file is larger than {limit} MB; split it and import the parts."),
            limit=MAX_MB,
        )


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def file_label(filename: str) -> str:
    """The file's name as an import batch and the audit log keep it: without control
    characters (a database may refuse them) and at most 255 characters."""
    return _UNPRINTABLE.sub("", filename)[:255]


def _read_csv(data: bytes) -> Table:
    text, encoding = decode_text(data)
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRejected(N_("The file is empty.")) from None
    except csv.Error as exc:
        raise ImportRejected(N_("The file is not valid CSV: {reason}"), reason=str(exc)) from exc
    rows: list[tuple[int, tuple[Any, ...]]] = []
    try:
        for number, record in enumerate(reader, start=2):
            if all(_blank(v) for v in record):
                continue
            rows.append((number, tuple(record)))
    except csv.Error as exc:
        raise ImportRejected(
            N_("The file is not valid CSV near row {row}: {reason}"),
            row=reader.line_num,
            reason=str(exc),
        ) from exc
    return Table(header=[h.strip() for h in header], rows=rows, encoding=encoding)


_XLSX_UNREADABLE = N_(
    "The file is not a readable .xlsx workbook ({reason}). Open it in Excel, save it "
    "again as .xlsx (or as CSV UTF-8) and import that."
)


def _unreadable(exc: Exception, refusal: str = _XLSX_UNREADABLE) -> ImportRejected:
    return ImportRejected(refusal, reason=str(exc) or type(exc).__name__)


def open_workbook(data: bytes, refusal: str = _XLSX_UNREADABLE) -> Any:
    """openpyxl's read-only workbook of ``data``. A damaged or foreign file can fail with any
    of openpyxl's many errors: each is refused with ``refusal`` (with its ``{reason}``)."""
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a damaged file; see the docstring
        raise _unreadable(exc, refusal) from exc


def _iter_xlsx(data: bytes) -> Iterator[tuple[Any, ...]]:
    """The first sheet's rows as values. A damaged workbook (a broken zip, a corrupt deflate
    stream, malformed XML, cells openpyxl cannot make sense of) can fail anywhere inside
    openpyxl, with any of a dozen exception types, and only when that row is reached: every
    failure while reading becomes one :class:`ImportRejected`."""
    book = open_workbook(data)
    try:
        if not book.worksheets:
            raise ImportRejected(N_("The workbook has no sheet."))
        rows = book.worksheets[0].iter_rows(values_only=True)
        while True:
            try:
                record = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # a damaged file; see the docstring
                raise _unreadable(exc) from exc
            yield record
    finally:
        book.close()


def _read_xlsx(data: bytes) -> Table:
    records = _iter_xlsx(data)
    header: list[str] | None = None
    rows: list[tuple[int, tuple[Any, ...]]] = []
    for number, record in enumerate(records, start=1):
        if header is None:
            if all(_blank(v) for v in record):
                raise ImportRejected(N_("The first row of the first sheet must be the header."))
            header = ["" if v is None else str(v).strip() for v in record]
            continue
        if all(_blank(v) for v in record):
            continue
        rows.append((number, record))
    if header is None:
        raise ImportRejected(N_("The file is empty."))
    # Excel often reports trailing formatted-but-empty columns; drop unnamed trailing ones.
    while header and not header[-1]:
        header.pop()
    return Table(header=header, rows=rows)


def _is_workbook(data: bytes, filename: str) -> bool:
    """Whether an upload is an .xlsx workbook (by its name or its first bytes) rather than
    CSV text; an empty or too large file, an old .xls workbook or another type is refused
    with :class:`ImportRejected` saying what to do."""
    check_size(len(data))
    if not data.strip():
        raise ImportRejected(N_("The file is empty."))
    suffix = PurePath(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        return True
    if suffix == ".xls" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportRejected(
            N_("Old .xls workbooks are not supported: open it in Excel and save as .xlsx.")
        )
    if suffix not in (".csv", ".txt", ".tsv", ""):
        raise ImportRejected(
            N_("Unsupported file type “{suffix}”: use .xlsx or .csv."), suffix=suffix
        )
    return False


def read_table(data: bytes, filename: str) -> Table:
    """Read an uploaded file; raise :class:`ImportRejected` saying what to do if it cannot be."""
    return _read_xlsx(data) if _is_workbook(data, filename) else _read_csv(data)


def problems_limit(problems: list[Problem], limit: int = 500) -> list[Problem]:
    """Keep the first ``limit`` problems and say how many more there were."""
    if len(problems) <= limit:
        return problems
    more = Problem(N_("… and {count} more problems."), {"count": len(problems) - limit})
    return [*problems[:limit], more]


@dataclass(frozen=True)
class Frame:
    """A file as columns: the header, the non-blank rows as text or cell values, and each row's
    number in the file (the header is row 1). For imports of hundreds of thousands of rows,
    where checking cell by cell in Python would take minutes."""

    header: list[str]
    data: pd.DataFrame  # columns 0..n-1, object dtype
    rows: np.ndarray  # the row number of each data row
    encoding: str | None = None

    def __len__(self) -> int:
        return len(self.data)


def read_frame(data: bytes, filename: str) -> Frame:
    """Like :func:`read_table`, but column-wise: CSV through pandas' parser (all cells as text),
    .xlsx through openpyxl's streaming reader."""
    if _is_workbook(data, filename):
        return _xlsx_frame(data)
    text, encoding = decode_text(data)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
        separator = dialect.delimiter
    except csv.Error:
        separator = ","
    try:
        raw = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            header=None,
            dtype=object,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        raise ImportRejected(N_("The file is not valid CSV: {reason}"), reason=str(exc)) from exc
    except pd.errors.EmptyDataError:
        raise ImportRejected(N_("The file is empty.")) from None
    return _split_header(raw, encoding)


def _split_header(raw: pd.DataFrame, encoding: str | None) -> Frame:
    if raw.empty:
        raise ImportRejected(N_("The file is empty."))
    header = ["" if _blank(v) else str(v).strip() for v in raw.iloc[0].tolist()]
    while header and not header[-1]:
        header.pop()
    body = raw.iloc[1:, : max(len(header), 1)].copy()
    body.columns = range(body.shape[1])
    numbers = np.arange(2, len(raw) + 1)
    filled = ~_blank_frame(body).all(axis=1) if len(body) else np.array([], bool)
    return Frame(header, body[filled].reset_index(drop=True), numbers[filled], encoding)


def _blank_frame(frame: pd.DataFrame) -> np.ndarray:
    """A boolean array: which cells are empty (None, NaN or only spaces)."""
    masks = []
    for column in frame.columns:
        # once per distinct value: a column repeats its stores, dates and prices
        codes, uniques = pd.factorize(frame[column].to_numpy(dtype=object), use_na_sentinel=True)
        empty = [isinstance(v, str) and not v.strip() for v in uniques]
        masks.append(np.array([*empty, True], dtype=bool)[codes])  # code -1 (missing): blank
    return np.column_stack(masks) if masks else np.zeros((len(frame), 0), bool)


def _xlsx_frame(data: bytes) -> Frame:
    columns: list[list[Any]] = []
    for record in _iter_xlsx(data):
        while len(columns) < len(record):
            columns.append([None] * (len(columns[0]) if columns else 0))
        for position, column in enumerate(columns):
            column.append(record[position] if position < len(record) else None)
    if not columns or not columns[0]:
        raise ImportRejected(N_("The file is empty."))
    raw = pd.DataFrame({i: pd.Series(c, dtype=object) for i, c in enumerate(columns)})
    return _split_header(raw, None)
