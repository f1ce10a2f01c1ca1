"""Helpers the tests share: building files as users make them, running the command line, and
reading or snapshotting the database."""

from __future__ import annotations

import csv
import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from openpyxl import Workbook
from sqlalchemy import Engine, select

from ee_app.db import read_session
from ee_app.models import Base, OrgUnit


def csv_file(rows: Sequence[Sequence[Any]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_file(rows: Sequence[Sequence[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    """``ee-app`` with these arguments, run in this process: exit code, output and errors."""
    from ee_app.cli import main

    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def sheet_edited(xlsx: bytes, edit: Callable[[bytes], bytes]) -> bytes:
    """The workbook ``xlsx`` with its first sheet's XML passed through ``edit``: a file no
    spreadsheet program writes, as a broken or hostile upload would be."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = edit(content)
            target.writestr(info.filename, content)
    return out.getvalue()


#: The columns of an agency's visit file, as the agency writes them.
VISIT_HEADER = [
    "暗访编号",
    "门店",
    "暗访日期",
    "模板",
    "题目编号",
    "答案",
    "备注",
    "服务员工",
    "暗访机构",
]


def unit_id(engine: Engine, code: str) -> int | None:
    """The id of the unit with this code (None when there is none)."""
    with read_session(engine) as session:
        return session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: two equal snapshots mean an unchanged database."""
    result: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = conn.execute(select(table)).all()
            result[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return result


def libreoffice_csv(xlsx: bytes, tmp_path, sheet: int = 1) -> list[list[str]]:
    """Open a workbook in LibreOffice, as an office user would, and read back one sheet.

    Fails (or skips outside CI) when LibreOffice is not installed; ``scripts/test`` installs it.
    """
    import shutil
    import subprocess

    from tests.conftest import require_or_skip

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        require_or_skip("LibreOffice (soffice) is not installed")
    source = tmp_path / "book.xlsx"
    source.write_bytes(xlsx)
    out = tmp_path / "lo-out"
    out.mkdir(exist_ok=True)
    # Filter options: separator 44 (,), quote 34 ("), charset 76 (UTF-8), first line 1,
    # cell format 1, ..., and the sheet number to export.
    options = f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,{sheet}"
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--convert-to",
            options,
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    produced = sorted(out.glob("*.csv"))
    assert produced, "LibreOffice wrote no CSV"
    with produced[0].open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def sealed_answers(engine: Engine, wave: int | str, key: bytes) -> list:
    """The sealed answers of an open wave (``survey_sealed``), opened with the server key
    ``key``: what a test reads to check what was submitted, as closing the wave would."""
    from ee_app.models import SurveySealed, SurveyWave
    from ee_app.sealing import open_sealed

    column = SurveyWave.id if isinstance(wave, int) else SurveyWave.code
    with engine.connect() as conn:
        wave_id = conn.execute(select(SurveyWave.id).where(column == wave)).scalar_one()
        blobs = conn.execute(select(SurveySealed.sealed).where(SurveySealed.wave_id == wave_id))
        return [open_sealed(key, wave_id, blob) for blob in blobs.scalars()]


@contextmanager
def reading(engine: Engine) -> Iterator[None]:
    """Another connection inside a read transaction (``BEGIN; SELECT …``) until the block
    ends, as a long page view or report would hold it: SQLite cannot empty its WAL meanwhile,
    and PostgreSQL cannot rewrite the tables it read."""
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT count(*) FROM survey_sealed").scalar()
        conn.exec_driver_sql("SELECT count(*) FROM survey_response").scalar()
        try:
            yield
        finally:
            conn.rollback()


# Photos, as phones make them and as an attacker would ------------------------------------------


def png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A valid 1-bit PNG of ``width`` × ``height`` black pixels: 400 megapixels in about
    48 KB by default, which decodes to over a gigabyte (a decompression bomb)."""
    compressor = zlib.compressobj(9)
    row = b"\0" * (1 + (width + 7) // 8)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def photo(
    kind: str = "JPEG",
    size: tuple[int, int] = (64, 32),
    *,
    gps: bool = False,
    orientation: int | None = None,
    mode: str = "RGB",
) -> bytes:
    """A real photo made with Pillow: left half red, right half blue (so that a turn shows);
    with ``gps`` it carries EXIF with a GPS position, the phone's make and a comment, as a
    phone's photo does."""
    from PIL import ExifTags, Image, PngImagePlugin

    image = Image.new("RGB", size, (220, 30, 30))
    image.paste((30, 30, 220), (size[0] // 2, 0, size[0], size[1]))
    if mode != "RGB":
        image = image.convert(mode)
    options: dict[str, Any] = {}
    if gps or orientation:
        exif = Image.Exif()
        exif[ExifTags.Base.Make] = "PhoneMaker"
        if orientation:
            exif[ExifTags.Base.Orientation] = orientation
        if gps:
            exif[ExifTags.IFD.GPSInfo] = {
                ExifTags.GPS.GPSLatitudeRef: "N",
                ExifTags.GPS.GPSLatitude: (31.0, 13.0, 28.0),
                ExifTags.GPS.GPSLongitudeRef: "E",
                ExifTags.GPS.GPSLongitude: (121.0, 26.0, 42.0),
            }
        options["exif"] = exif
    if gps and kind == "JPEG":
        options["comment"] = b"taken at the customer's home"
    if gps and kind == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "taken at the customer's home")
        options["pnginfo"] = info
    buffer = io.BytesIO()
    image.save(buffer, kind, **options)
    return buffer.getvalue()
