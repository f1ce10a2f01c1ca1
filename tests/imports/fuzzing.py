"""Hostile import files, made from valid ones, and the rules every import must keep with them.

A small chain (two stores, five staff, the shipped checklists) is built through the services;
:func:`hostile_files` mutates valid roster, CSAT, sales and visits files into hostile ones
(wrong encodings, truncated or garbled .xlsx bytes and sheet XML, huge and odd cells, extreme
dates and numbers, NUL and control characters, duplicate rows and headers, full-width text,
mixed scales …), reproducibly from a seed; :func:`check_import` runs one file through the dry
run and the real import and checks the rules:

* only :class:`~ee_app.errors.ImportRejected` or success, never another exception;
* a refused file leaves the database exactly as it was (and a dry run always does);
* the dry run and the real import agree (the same counts, or the same problems);
* every problem names a row or a column, or is about the whole file, and quotes a cell
  briefly.

``tests/imports/test_fuzz.py`` runs a few hundred files on SQLite and PostgreSQL;
``scripts/fuzz`` runs as many as asked.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from openpyxl import Workbook
from sqlalchemy import Engine

from ee_app.auth import system_actor
from ee_app.config import Settings
from ee_app.db import write_session
from ee_app.demo.outcome_files import SALE_HEADERS
from ee_app.errors import ImportRejected
from ee_app.exports.visit_templates import visit_template_rows
from ee_app.instruments.checklist import default_definitions, validate
from ee_app.models import UnitLevel
from ee_app.services import org
from ee_app.services.instruments import ensure_reference_data
from ee_app.services.outcomes_import import import_csat, import_sales
from ee_app.services.roster import import_roster
from ee_app.services.visit_import import import_visits
from tests.helpers import VISIT_HEADER, sheet_edited, snapshot

__all__ = [
    "KINDS",
    "Hostile",
    "Verdict",
    "base_rows",
    "build_chain",
    "check_import",
    "crash_files",
    "hostile_files",
    "serialise",
]

KINDS = ("roster", "csat", "sales", "visits")
EFFECTIVE = date(2026, 11, 1)  # the roster's moves, fixed so both runs agree
#: The longest a rendered problem may be: a template with its quoted cells (at most ~80
#: characters each) and its row and column.
MAX_PROBLEM_CHARS = 600

ROSTER_HEADER = ["员工编号", "姓名", "岗位", "门店", "团队", "入职日期", "离职日期"]
ROSTER = [
    ["E10002", "王静", "前台", "SH01", "", "2024-01-02", ""],
    ["E10003", "李娜", "美容师", "SH01", "SH01-A", "2024-01-02", ""],
    ["E10004", "张敏", "医生", "SH01", "", "2024-01-02", ""],
    ["E10008", "陈晨", "咨询师", "SH01", "", "2024-01-02", ""],
    ["E10010", "赵雷", "美容师", "SH02", "", "2024-01-02", ""],
]
CSAT_HEADER = ["记录编号", "员工编号", "门店", "服务日期", "评分", "触点", "手机号"]
CSAT = [
    ["C1", "E10002", "SH01", "2026-10-01", "5", "接待", "138 0013 8000"],
    ["C2", "E10003", "上海静安店", "2026/10/2", "4", "售后回访", "13900139000"],
    ["C3", "E10004", "SH01", "46300", "2", "护理", ""],
    ["C4", "E10010", "SH02", "2026年10月5日", "3", "", "13700137000"],
    ["C5", "E10008", "SH01", "2026.10.6", "1", "效果反馈", "13600136000"],
]
SALES_HEADER = list(SALE_HEADERS)  # the POS export's columns, as the demo writes them
SALES = [
    [
        "T1",
        "138-0013-8000",
        "E10004、E10008",
        "SH01",
        "2026-10-01",
        "1,280.00",
        "水光针",
        "医美",
        "E10008",
    ],
    ["T2", "13800138000", "E10002", "SH01", "2026年10月3日", "￥680", "补水护理", "护理", ""],
    ["T3", "13900139000", "E10010", "SH02", "2026/10/4", "(100.00)", "退款", "", ""],
    ["T4", "13700137000", "E10003", "SH01", "20261005", "99", "", "", "E10008"],
]
SERVICE = validate(default_definitions()["service-process"])


def build_chain(engine: Engine) -> None:
    """A brand, a region, stores SH01 (上海静安店, with team SH01-A) and SH02, the shipped
    checklists and five staff imported from :data:`ROSTER`: what every base file refers to."""
    admin = system_actor("fuzz")
    with write_session(engine) as session:
        ensure_reference_data(session)
    units = [
        ("B", "悦颜", UnitLevel.BRAND, None),
        ("R1", "华东区", UnitLevel.REGION, "B"),
        ("SH01", "上海静安店", UnitLevel.STORE, "R1"),
        ("SH02", "上海徐汇店", UnitLevel.STORE, "R1"),
        ("SH01-A", "美容一组", UnitLevel.TEAM, "SH01"),
    ]
    for code, name, level, parent in units:
        with write_session(engine) as session:
            org.create_unit(session, admin, code, name, level, parent)
    data = serialise([ROSTER_HEADER, *ROSTER], "csv", encoding="utf-8")
    with write_session(engine) as session:
        import_roster(session, admin, data, "roster.csv", effective=EFFECTIVE)


def base_rows(kind: str) -> list[list[Any]]:
    """A valid file of ``kind`` as rows (the header first)."""
    if kind == "roster":
        return [list(ROSTER_HEADER), *(list(r) for r in ROSTER)]
    if kind == "csat":
        return [list(CSAT_HEADER), *(list(r) for r in CSAT)]
    if kind == "sales":
        return [list(SALES_HEADER), *(list(r) for r in SALES)]
    header = list(VISIT_HEADER)
    rows = [list(r[:9]) for r in visit_template_rows(SERVICE, "zh-CN")]
    return [header, *rows]


# Writing files ------------------------------------------------------------------------------


def serialise(
    rows: list[list[Any]], form: str, *, encoding: str = "utf-8", delimiter: str = ","
) -> bytes:
    """Rows as a CSV in ``encoding`` (characters it cannot hold are replaced) or an .xlsx."""
    if form == "xlsx":
        book = Workbook()
        sheet = book.active
        for row in rows:
            sheet.append([_xlsx_safe(v) for v in row])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(
        ["" if v is None else str(v) for v in row] for row in rows
    )
    return buffer.getvalue().encode(encoding, errors="replace")


def _xlsx_safe(value: Any) -> Any:
    """openpyxl refuses control characters in cells: write their code point instead (the
    garbled-XML mutations put real ones into sheets)."""
    if isinstance(value, str):
        return "".join(c if c >= " " or c in "\t\n\r" else f"U+{ord(c):04X}" for c in value)
    return value


# Mutations ----------------------------------------------------------------------------------

_TODAY = date.today()
#: Cells that have broken imports, or might: extreme dates and numbers, control characters,
#: formulas, long text, full-width and invisible characters.
HOSTILE_TEXT: tuple[Any, ...] = (
    "",
    " ",
    "\x00",
    "E10002\x00",
    "C1\x00X",
    "\x01\x02\x1b[31m",
    "\ufeff",
    "\u200b",
    "\u202eE10002",
    "9999-12-31",
    "0001-01-01",
    "1900-01-01",
    "1677-09-21",
    "2262-04-12",
    "2099-01-01",
    (_TODAY + timedelta(days=2)).isoformat(),
    (_TODAY + timedelta(days=1)).isoformat(),
    "2026-02-30",
    "2026-13-01",
    "0",
    "-1",
    "2958465",
    "2958466",
    "99999",
    "1e10",
    "10000000000",
    "9999999999.99",
    "9999999999.995",
    "-10000000000",
    "1e308",
    "1e400",
    "nan",
    "inf",
    "-inf",
    "(100)",
    "()",
    "¥",
    "1,2,3",
    "7",
    "6",
    "10",
    "11",
    "4.5",
    "Ｅ１０００２",
    "Ｅ１０００４、Ｅ１０００８",
    "ＳＨ０１",
    "ｅ１０００２",
    " E10002 ",
    "E10002,E10002",
    "、、",
    "=1+1",
    "@SUM(A1)",
    "NULL",
    "#N/A",
    "😀",
    "是",
    "不适用",
    "x" * 65,
    "长" * 101,
    "y" * 201,
    "z" * 5_000,
    "w" * 200_000,
    "line\nbreak",
    '"quoted"',
)
#: What an .xlsx cell can hold besides text.
HOSTILE_VALUES: tuple[Any, ...] = (
    date(1, 1, 1),
    date(1900, 1, 1),
    date(1677, 9, 20),
    date(2262, 4, 12),
    date(9999, 12, 31),
    datetime(2099, 1, 1, 8, 30),
    _TODAY + timedelta(days=3),
    0,
    -1,
    1e10,
    -1e10,
    9_999_999_999.995,
    2**63,
    1e300,
    -0.0,
    3.5,
    7,
    True,
    None,
)


@dataclass(frozen=True)
class Hostile:
    """One generated file: which import reads it, its name, its bytes, and how it was made."""

    kind: str
    name: str
    data: bytes
    recipe: tuple[str, ...]
    origin: str = ""  # "seed S, file N": how to make it again

    def __str__(self) -> str:
        made = f" [{self.origin}]" if self.origin else ""
        recipe = " + ".join(self.recipe)
        return f"{self.kind} {self.name!r} ({len(self.data)} bytes){made}: {recipe}"


def _cell(rng: random.Random, xlsx: bool) -> Any:
    if xlsx and rng.random() < 0.3:
        return rng.choice(HOSTILE_VALUES)
    return rng.choice(HOSTILE_TEXT)


def _data_position(rng: random.Random, rows: list[list[Any]]) -> tuple[int, int]:
    row = rng.randrange(1, len(rows)) if len(rows) > 1 else 0
    return row, rng.randrange(max(len(rows[row]), 1))


def _replace_cells(rng: random.Random, rows: list[list[Any]], xlsx: bool) -> str:
    for _ in range(rng.choices([1, 2, 4], weights=[6, 2, 1])[0]):
        row, column = _data_position(rng, rows)
        while len(rows[row]) <= column:
            rows[row].append("")
        rows[row][column] = _cell(rng, xlsx)
    return "cells"


def _fill_column(rng: random.Random, rows: list[list[Any]], xlsx: bool) -> str:
    column = rng.randrange(len(rows[0]))
    value = _cell(rng, xlsx)
    for row in rows[1:]:
        if column < len(row):
            row[column] = value
    return f"column {column}"


def _duplicate_rows(rng: random.Random, rows: list[list[Any]], xlsx: bool) -> str:
    if len(rows) > 1:
        rows.extend(list(r) for r in rng.sample(rows[1:], k=min(len(rows) - 1, 3)))
    return "duplicate rows"


def _duplicate_header(rng: random.Random, rows: list[list[Any]], xlsx: bool) -> str:
    column = rng.randrange(len(rows[0]))
    for row in rows:
        row.append(row[column] if column < len(row) else "")
    return "duplicate column"


def _drop_column(rng: random.Random, rows: list[list[Any]], xlsx: bool) -> str:
    column = rng.randrange(len(rows[0]))
    for row in rows:
        if column < len(row):
            del row[column]
    return "drop column"


def _shuffle_columns(rng: random.Random, rows: list[list[Any]], xlsx: bool) -> str:
    order = list(range(len(rows[0])))
    rng.shuffle(order)
    rows[:] = [[r[i] if i < len(r) else "" for i in order] for r in rows]
    return "shuffle columns"


def _ragged(rng: random.Random, rows: list[list[Any]], xlsx: bool) -> str:
    for row in rng.sample(rows, k=min(len(rows), 3)):
        if row and rng.random() < 0.5:
            del row[rng.randrange(len(row)) :]
        else:
            row.extend(["extra"] * rng.randint(1, 3))
    return "ragged rows"


def _header_cells(rng: random.Random, rows: list[list[Any]], xlsx: bool) -> str:
    column = rng.randrange(len(rows[0]))
    rows[0][column] = rng.choice(["", " ", "\x00", "x" * 300, "员工编号", "ID", "评分", "日期"])
    return "header cell"


def _truncate_rows(rng: random.Random, rows: list[list[Any]], xlsx: bool) -> str:
    keep = rng.choice([0, 1])
    rows[:] = rows[:keep] if keep else [[]]
    return "no rows" if keep else "nothing"


def _blank_rows(rng: random.Random, rows: list[list[Any]], xlsx: bool) -> str:
    for _ in range(rng.randint(1, 3)):
        rows.insert(rng.randrange(1, len(rows) + 1), [""] * len(rows[0]))
    return "blank rows"


def _full_width(rng: random.Random, rows: list[list[Any]], xlsx: bool) -> str:
    def wide(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in value)

    for row in rows[1:]:
        for i in rng.sample(range(len(row)), k=min(len(row), 2)):
            row[i] = wide(row[i])
    return "full-width"


def _many_rows(rng: random.Random, rows: list[list[Any]], xlsx: bool) -> str:
    if len(rows) < 2:
        return "many rows (none)"
    body = rows[1:]
    for copy in range(rng.randint(10, 60)):
        for row in body:
            clone = list(row)
            if clone:
                clone[0] = f"{clone[0]}-{copy}"
            rows.append(clone)
    return "many rows"


def _scores(rng: random.Random, rows: list[list[Any]], xlsx: bool) -> str:
    """CSAT: a score off the 1–5 scale, or a Scale column with odd values."""
    if len(rows) < 2:
        return "scores (none)"
    header = rows[0]
    if "评分" in header and rng.random() < 0.6:
        column = header.index("评分")
        for row in rng.sample(rows[1:], k=min(len(rows) - 1, rng.randint(1, 2))):
            if column < len(row):
                row[column] = rng.choice(["7", "0", "10", "6", "11", "-1", 9, "９"])
        return "score off 1-5"
    header.append(rng.choice(["量表", "满分", "Scale"]))
    for row in rows[1:]:
        row.append(rng.choice(["5", "10", "", "7", "五", "0", 10]))
    return "scale column"


def _future(rng: random.Random, rows: list[list[Any]], xlsx: bool) -> str:
    names = {"入职日期", "离职日期", "服务日期", "消费日期", "暗访日期"}
    columns = [i for i, h in enumerate(rows[0]) if h in names]
    if not columns or len(rows) < 2:
        return "future (none)"
    row = rng.randrange(1, len(rows))
    column = rng.choice(columns)
    days = rng.choice([1, 2, 30, 365 * 73])
    value: Any = (_TODAY + timedelta(days=days)).isoformat()
    if xlsx and rng.random() < 0.5:
        value = _TODAY + timedelta(days=days)
    if column < len(rows[row]):
        rows[row][column] = value
    return f"date +{days} days"


GRID_MUTATIONS: dict[str, Callable[[random.Random, list[list[Any]], bool], str]] = {
    "cells": _replace_cells,
    "fill": _fill_column,
    "duplicate rows": _duplicate_rows,
    "duplicate header": _duplicate_header,
    "drop column": _drop_column,
    "shuffle": _shuffle_columns,
    "ragged": _ragged,
    "header cell": _header_cells,
    "truncate rows": _truncate_rows,
    "blank rows": _blank_rows,
    "full-width": _full_width,
    "many rows": _many_rows,
    "scores": _scores,
    "future": _future,
}
#: How often each grid mutation is drawn (the cell-level ones most).
GRID_WEIGHTS = {
    "cells": 8,
    "fill": 3,
    "duplicate rows": 2,
    "duplicate header": 1,
    "drop column": 1,
    "shuffle": 1,
    "ragged": 1,
    "header cell": 1,
    "truncate rows": 1,
    "blank rows": 1,
    "full-width": 2,
    "many rows": 1,
    "scores": 2,
    "future": 3,
}


def _flip_bytes(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if buffer:
            buffer[rng.randrange(len(buffer))] = rng.randrange(256)
    return bytes(buffer), "flipped bytes"


def _truncate_bytes(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    return data[: rng.randrange(len(data) + 1)], "truncated"


def _insert_junk(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    at = rng.randrange(len(data) + 1)
    junk = rng.choice(
        [
            b"\x00" * 8,
            b"\xff\xfe",
            b"\xef\xbb\xbf",
            bytes(rng.randrange(256) for _ in range(16)),
            b"\r",
            b'"',
        ]
    )
    return data[:at] + junk + data[at:], "junk bytes"


def _sheet_xml(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Rewrite the first sheet's XML: cut it, break a tag, give a cell a strange type or
    value, or point at shared strings that are not there."""
    source = zipfile.ZipFile(io.BytesIO(data))
    name = "xl/worksheets/sheet1.xml"
    xml = source.read(name).decode()
    edits: list[tuple[str, Callable[[str], str]]] = [
        ("cut", lambda x: x[: rng.randrange(len(x))]),
        ("broken tag", lambda x: x.replace("<row ", "<row <", 1)),
        (
            "date type",
            lambda x: x.replace('t="s"', 't="d"', 1).replace("<v>", "<v>0001-01-01T00:00:00", 1),
        ),
        ("date 9999", lambda x: x.replace('t="n"', 't="d"', 1).replace("<v>", "<v>9999-12-31", 1)),
        ("shared index", lambda x: x.replace('t="s"><v>', 't="s"><v>99999', 1)),
        ("bad number", lambda x: x.replace("<v>", "<v>1e400x", 1)),
        ("bad bool", lambda x: x.replace('t="s"', 't="b"', 1)),
        ("error cell", lambda x: x.replace('t="s"', 't="e"', 1)),
        ("cell ref", lambda x: x.replace(' r="A2"', ' r="XFE2"', 1)),
        ("row number", lambda x: x.replace('<row r="2"', '<row r="1048577"', 1)),
        ("NUL entity", lambda x: x.replace("<v>", "<v>&#0;", 1)),
        (
            "inline NUL",
            lambda x: x.replace('t="s"><v>0</v>', 't="inlineStr"><is><t>a\x00b</t></is>', 1),
        ),
        ("dimension", lambda x: x.replace('<dimension ref="', '<dimension ref="A1:XFD1048576 ', 1)),
    ]
    label, edit = rng.choice(edits)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == name:
                content = edit(xml).encode("utf-8", errors="surrogatepass")
            elif (
                info.filename == "xl/sharedStrings.xml"
                and label == "shared index"
                and rng.random() < 0.5
            ):
                continue
            target.writestr(info.filename, content)
    return out.getvalue(), f"sheet XML: {label}"


def _corrupt_deflate(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Flip bytes inside the compressed sheet, leaving the zip's directory intact: openpyxl
    meets a broken deflate stream or a wrong CRC only while reading rows."""
    source = zipfile.ZipFile(io.BytesIO(data))
    info = source.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        at = start + rng.randrange(max(info.compress_size, 1))
        buffer[at] ^= 1 << rng.randrange(8)
    return bytes(buffer), "corrupt deflate"


def _replace_whole(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    choices = [
        (b"", "empty"),
        (b"   \r\n\t ", "whitespace"),
        (b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(64)), "zip junk"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old xls"),
        (bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400))), "random bytes"),
        (b"\xff\xfe" + bytes(rng.randrange(256) for _ in range(41)), "odd UTF-16"),
        (b'a,"b\n' * 3, "open quote"),
    ]
    data, label = rng.choice(choices)
    return data, label


def _file_name(rng: random.Random, kind: str, form: str) -> str:
    stem = {"roster": "花名册", "csat": "回访", "sales": "流水", "visits": "暗访"}[kind]
    roll = rng.random()
    if roll < 0.05:
        return f"{stem}\x00\x07.{form}"
    if roll < 0.08:
        return "长" * 300 + f".{form}"
    if roll < 0.11:
        return f"{stem}.{rng.choice(['XLSX', 'tsv', 'txt', 'xls', 'pdf', ''])}"
    return f"{stem}.{form}"


def hostile_file(rng: random.Random, kind: str, tag: str = "", origin: str = "") -> Hostile:
    """One hostile file of ``kind``: a few grid mutations, serialised, and sometimes broken
    at the byte level. ``tag`` prefixes the source ids (most of the time), so that most
    files are new to the database rather than refused as imported before."""
    form = "xlsx" if rng.random() < 0.35 else "csv"
    rows = base_rows(kind)
    recipe = [form]
    if tag and kind != "roster" and rng.random() < 0.8:
        for row in rows[1:]:
            row[0] = f"{tag}-{row[0]}"
    names = list(GRID_WEIGHTS)
    count = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
    for name in rng.choices(names, weights=[GRID_WEIGHTS[n] for n in names], k=count):
        if not rows or not rows[0]:
            break
        recipe.append(GRID_MUTATIONS[name](rng, rows, form == "xlsx"))
    if form == "csv":
        encoding = rng.choice(["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "latin-1", "big5"])
        delimiter = rng.choice([",", ",", ";", "\t", "|"])
        recipe.append(f"{encoding} {delimiter!r}")
        data = serialise(rows, "csv", encoding=encoding, delimiter=delimiter)
    else:
        data = serialise(rows, "xlsx")
    roll = rng.random()
    if roll < 0.25:
        byte_mutations: list[Callable[[random.Random, bytes], tuple[bytes, str]]]
        if form == "xlsx":
            byte_mutations = [
                _sheet_xml,
                _sheet_xml,
                _corrupt_deflate,
                _truncate_bytes,
                _flip_bytes,
            ]
        else:
            byte_mutations = [_flip_bytes, _truncate_bytes, _insert_junk]
        data, label = rng.choice(byte_mutations)(rng, data)
        recipe.append(label)
    elif roll < 0.28:
        data, label = _replace_whole(rng, data)
        recipe.append(label)
    return Hostile(kind, _file_name(rng, kind, form), data, tuple(recipe), origin)


def hostile_files(seed: int, count: int) -> Iterator[Hostile]:
    """``count`` hostile files, the kinds in turn, the same for the same seed on the same day
    (a few cells are dated relative to today: tomorrow, the day after)."""
    rng = random.Random(seed)
    for number in range(count):
        origin = f"seed {seed}, file {number}"
        yield hostile_file(rng, KINDS[number % len(KINDS)], f"S{seed}F{number}", origin)


# Running one file ---------------------------------------------------------------------------

#: Problems about the whole file: they name neither a row nor a column, by design.
WHOLE_FILE = frozenset(
    {
        "Required column “{field}” ({zh}) is missing.",
        "Two columns could mean “{field}”: {headers}. Keep one.",
        "The file has a header but no rows.",
        "… and {count} more problems.",
    }
)


@dataclass(frozen=True)
class Verdict:
    """What an import said: its counts, or its refusal as the user reads it."""

    accepted: bool
    said: tuple[Any, ...]


def _import(engine: Engine, hostile: Hostile, dry_run: bool) -> Any:
    admin = system_actor("fuzz")
    settings = Settings.from_env()
    with write_session(engine) as session:
        if hostile.kind == "roster":
            return import_roster(
                session, admin, hostile.data, hostile.name, dry_run=dry_run, effective=EFFECTIVE
            )
        if hostile.kind == "csat":
            return import_csat(
                session, admin, hostile.data, hostile.name, settings, dry_run=dry_run
            )
        if hostile.kind == "sales":
            return import_sales(
                session, admin, hostile.data, hostile.name, settings, dry_run=dry_run
            )
        return import_visits(session, admin, hostile.data, hostile.name, dry_run=dry_run)


def _counts(result: Any) -> tuple[Any, ...]:
    names = ("rows", "visits", "inserted", "updated", "moved", "new", "unchanged")
    extra = ("detected_scale", "first_date", "last_date")
    return tuple(getattr(result, n, None) for n in (*names, *extra))


def _verdict(engine: Engine, hostile: Hostile, dry_run: bool) -> Verdict:
    """Run one import; anything but success or :class:`ImportRejected` fails, naming the
    file."""
    try:
        result = _import(engine, hostile, dry_run)
    except ImportRejected as error:
        _check_messages(error, hostile)
        return Verdict(False, (error.render(), *(p.render() for p in error.problems)))
    except Exception as exc:
        what = "dry run" if dry_run else "import"
        raise AssertionError(f"{hostile}: the {what} raised {exc!r}") from exc
    return Verdict(True, _counts(result))


def _check_messages(error: ImportRejected, hostile: Hostile) -> None:
    for problem in error.problems:
        located = problem.row is not None or problem.column is not None
        assert located or problem.message in WHOLE_FILE, f"{hostile}: unlocated {problem!r}"
        rendered = problem.render()
        assert len(rendered) <= MAX_PROBLEM_CHARS, f"{hostile}: {len(rendered)} characters"
    assert len(error.render().splitlines()[0]) <= MAX_PROBLEM_CHARS, hostile


def check_import(engine: Engine, hostile: Hostile, before: Any = None) -> tuple[Verdict, Any]:
    """The rules of the module docstring for one file. Returns the verdict and the database's
    snapshot after it (pass it back as ``before`` for the next file to save a snapshot)."""
    before = snapshot(engine) if before is None else before
    dry = _verdict(engine, hostile, dry_run=True)
    assert snapshot(engine) == before, f"{hostile}: the dry run changed the database"
    real = _verdict(engine, hostile, dry_run=False)
    after = snapshot(engine)
    if not real.accepted:
        assert after == before, f"{hostile}: a refused import changed the database"
    assert dry.accepted == real.accepted, f"{hostile}: dry run {dry} but import {real}"
    if dry.accepted:
        assert dry.said == real.said, f"{hostile}: dry run {dry.said} but import {real.said}"
    else:
        assert dry.said == real.said, f"{hostile}: the dry run and the import said different things"
    return real, after


# The crash files ----------------------------------------------------------------------------


def _flip_in_sheet(data: bytes, offsets: tuple[int, ...]) -> bytes:
    """Flip one bit at each offset into the compressed sheet (a corrupt deflate stream that
    only breaks once openpyxl reads rows)."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    buffer = bytearray(data)
    for offset in offsets:
        buffer[start + offset] ^= 0x10
    return bytes(buffer)


def crash_files() -> dict[str, bytes]:
    """The files that crashed the imports before they failed closed (issue 15): valid files of
    the chain of :func:`build_chain` with one hostile thing each. Kept under
    ``tests/imports/crash_files/``; this makes them again."""

    def rows(kind: str, tag: str, row: int = 1, column: str = "", value: Any = None) -> list:
        grid = base_rows(kind)
        for line in grid[1:]:
            line[0] = line[0] if kind == "roster" else f"{tag}-{line[0]}"
        if column:
            grid[row][grid[0].index(column)] = value
        return grid

    csv_ = lambda grid: serialise(grid, "csv")  # noqa: E731
    xlsx = lambda grid: serialise(grid, "xlsx")  # noqa: E731
    half = lambda xml: xml[: len(xml) // 2]  # noqa: E731
    return {
        "csat-9999-12-31.csv": csv_(rows("csat", "K1", 2, "服务日期", "9999-12-31")),
        "sales-9999-12-31.csv": csv_(rows("sales", "K2", 3, "消费日期", "9999-12-31")),
        "csat-year-0001.xlsx": xlsx(rows("csat", "K3", 1, "服务日期", date(1, 1, 1))),
        "sales-year-0001.xlsx": xlsx(rows("sales", "K4", 2, "消费日期", datetime(1, 1, 1))),
        "roster-malformed-sheet-xml.xlsx": sheet_edited(xlsx(rows("roster", "K5")), half),
        "visits-malformed-sheet-xml.xlsx": sheet_edited(xlsx(rows("visits", "K6")), half),
        "csat-corrupt-deflate.xlsx": _flip_in_sheet(xlsx(rows("csat", "K7")), (51,)),
        "sales-corrupt-deflate.xlsx": _flip_in_sheet(xlsx(rows("sales", "K8")), (50,)),
        "sales-nul-in-item.csv": csv_(rows("sales", "K9", 2, "项目", "补水\x00护理")),
        "sales-amount-1e10.csv": csv_(rows("sales", "K10", 4, "金额", "10000000000")),
    }
