"""Photos decoded under the pixel limit and kept as clean copies: hostile files (made here,
byte by byte) are refused with a message that says what to do, real photos come back upright
without their metadata, and a stored file that cannot be shown gives no preview."""

import io
import struct
import time

import pytest
from PIL import Image

from ee_app.errors import ValidationError
from ee_app.imports.images import MAX_PIXELS, clean_photo, preview
from tests.helpers import photo, png_bomb, png_chunk

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def resized_jpeg(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header claims ``width`` × ``height``."""
    data = bytearray(photo("JPEG", (16, 16)))
    start = data.index(b"\xff\xc0")  # baseline frame: marker, length, precision, height, width
    data[start + 5 : start + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def truncated_png() -> bytes:
    whole = photo("PNG", (200, 200))
    return whole[: len(whole) // 2]


HOSTILE = [
    pytest.param(PNG_SIGNATURE + b"junk" * 500, "image/png", "cannot be opened", id="png-junk"),
    pytest.param(png_bomb(), "image/png", "at most 40 megapixels", id="png-400-megapixels"),
    pytest.param(png_bomb(8_000, 5_001), "image/png", "at most 40 megapixels", id="png-just-over"),
    pytest.param(truncated_png(), "image/png", "cannot be opened", id="png-truncated"),
    pytest.param(
        PNG_SIGNATURE + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 0, 0, 8, 2, 0, 0, 0)),
        "image/png",
        "cannot be opened",
        id="png-zero-size",
    ),
    pytest.param(
        b"\xff\xd8\xff\xe0" + b"\0" * 64, "image/jpeg", "cannot be opened", id="jpeg-junk"
    ),
    pytest.param(
        photo("JPEG", (300, 300))[:600], "image/jpeg", "cannot be opened", id="jpeg-truncated"
    ),
    pytest.param(
        resized_jpeg(65_000, 65_000), "image/jpeg", "at most 40 megapixels", id="jpeg-65000-square"
    ),
    pytest.param(photo("PNG"), "image/jpeg", "cannot be opened", id="png-called-jpeg"),
]


@pytest.mark.parametrize(("data", "mime", "message"), HOSTILE)
def test_hostile_files_are_refused_quickly_without_decoding_them(data, mime, message):
    assert len(data) < 5 * 2**20
    started = time.perf_counter()
    with pytest.raises(ValidationError) as refused:
        clean_photo(data, mime, "证据.png")
    assert time.perf_counter() - started < 2  # nothing was decoded at a gigabyte's size
    assert message in str(refused.value)
    assert "证据.png" in str(refused.value)
    assert preview(data, mime) is None  # and a stored copy of it shows a placeholder


def test_the_bomb_is_small_and_would_break_pillow():
    bomb = png_bomb()
    assert len(bomb) < 64 * 1024
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(bomb))  # what drawing it directly did to HR's review page


def test_a_photo_at_the_limit_is_kept():
    width, height = 8_000, MAX_PIXELS // 8_000
    kept = clean_photo(png_bomb(width, height), "image/png", "big.png")
    assert (kept.width, kept.height) == (width, height)


@pytest.mark.parametrize(
    ("kind", "mime", "mode"),
    [
        ("JPEG", "image/jpeg", "RGB"),
        ("JPEG", "image/jpeg", "L"),
        ("JPEG", "image/jpeg", "CMYK"),
        ("PNG", "image/png", "RGB"),
        ("PNG", "image/png", "RGBA"),
        ("PNG", "image/png", "P"),
        ("PNG", "image/png", "L"),
    ],
)
def test_a_phone_photo_comes_back_upright_without_its_metadata(kind, mime, mode):
    # Orientation 6: the camera was turned; the picture is stored on its side.
    original = photo(kind, (64, 32), gps=True, orientation=6, mode=mode)
    assert Image.open(io.BytesIO(original)).getexif()  # the phone's EXIF is there
    kept = clean_photo(original, mime, "photo")
    assert kept.mime == mime
    image = Image.open(io.BytesIO(kept.data))
    assert image.format == kind
    assert image.mode in ("L", "RGB", "RGBA")  # what browsers show
    assert (image.width, image.height) == (kept.width, kept.height) == (32, 64)
    assert not image.getexif()
    assert set(image.info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi"}
    assert b"customer's home" not in kept.data and b"PhoneMaker" not in kept.data
    # Upright: the red half, left before the turn, is now on top.
    top = image.convert("RGB").getpixel((16, 8))
    bottom = image.convert("RGB").getpixel((16, 56))
    if mode not in ("L",):
        assert top[0] > top[2] and bottom[2] > bottom[0], (top, bottom)


def test_transparency_of_a_palette_png_is_kept():
    image = Image.new("P", (8, 8), 0)
    image.putpalette([255, 255, 255, 0, 0, 0])
    image.info["transparency"] = 0
    buffer = io.BytesIO()
    image.save(buffer, "PNG", transparency=0)
    kept = Image.open(io.BytesIO(clean_photo(buffer.getvalue(), "image/png", "x").data))
    assert kept.mode == "RGBA" and kept.getpixel((0, 0))[3] == 0


def test_a_preview_is_small_and_of_the_same_format():
    big = photo("JPEG", (3000, 2000))
    small = Image.open(io.BytesIO(preview(big, "image/jpeg", box=640)))
    assert small.format == "JPEG" and max(small.size) <= 640
    assert preview(b"%PDF-1.7", "application/pdf") is None
