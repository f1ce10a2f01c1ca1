"""Photos people upload (mystery-shopper evidence): decoded under a pixel limit, kept as a
clean copy.

A file that merely *starts* like a JPEG or PNG proves nothing: a PNG signature followed by
junk, or a 48 KB PNG that declares 20,000 × 20,000 pixels (a decompression bomb: 400
megapixels, over a gigabyte once decoded), passes a magic-byte check and breaks whatever
later tries to draw it. So every photo is opened here with Pillow, restricted to the format
its first bytes claim; its size is read from the header and refused above
:data:`MAX_PIXELS` *before* any pixel is decoded; then it is decoded in full (a damaged or
truncated file is refused) and re-encoded from its pixels alone, in the same format. The
copy carries no metadata: no EXIF (the GPS position, the phone, the time), no comments, no
colour profile; a photo taken sideways is turned upright first, since its EXIF orientation
goes with the rest.

:func:`preview` decodes a stored photo the same guarded way for display, so one bad file
stored before these checks shows a placeholder instead of breaking a page.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from ee_app.errors import N_, ValidationError

__all__ = ["MAX_PIXELS", "PHOTO_FORMATS", "Photo", "clean_photo", "preview"]

#: The most pixels a photo may have: 40 megapixels (a 7,746 × 5,164 photo; phone cameras
#: save 12–24 MP by default). Decoded, that is at most 160 MB of RGBA, briefly.
MAX_PIXELS = 40_000_000
#: The photo formats accepted, by MIME type: the Pillow format a file must decode as.
PHOTO_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
_JPEG_QUALITY = 90
# Errors Pillow raises for a file it cannot decode (UnidentifiedImageError is an OSError;
# SyntaxError and ValueError come from damaged headers and oversized text chunks).
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError)


@dataclass(frozen=True)
class Photo:
    """A clean copy of a photo: its bytes, MIME type and size in pixels."""

    data: bytes
    mime: str
    width: int
    height: int


def _unreadable(file_name: str) -> ValidationError:
    return ValidationError(
        N_(
            "“{file}” cannot be opened as a photo: it is damaged or not really a JPEG or PNG. "
            "Take the photo again, or send a screenshot."
        ),
        file=file_name,
    )


def _too_large(file_name: str) -> ValidationError:
    return ValidationError(
        N_(
            "“{file}” has too many pixels: a photo can have at most {limit} megapixels. Take "
            "it at a lower resolution, or send a screenshot."
        ),
        file=file_name,
        limit=MAX_PIXELS // 1_000_000,
    )


def _open(data: bytes, mime: str, file_name: str, *, draft: int | None = None) -> Image.Image:
    """The photo decoded in full, after its header has been checked against the limit
    (``draft``: a JPEG may be decoded at a reduced scale still at least this large)."""
    try:
        with warnings.catch_warnings():
            # The size is checked below, against our own limit; Pillow's global one (89 MP,
            # a warning, and an error from 179 MP) is not the rule here.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[PHOTO_FORMATS[mime]])
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _too_large(file_name)
            if width <= 0 or height <= 0:
                raise _unreadable(file_name)
            if draft is not None:
                image.draft(None, (draft, draft))
            image.load()
    except Image.DecompressionBombError as exc:
        raise _too_large(file_name) from exc
    except _DECODE_ERRORS as exc:
        raise _unreadable(file_name) from exc
    return image


def _pixels_only(image: Image.Image, mime: str) -> Image.Image:
    """The photo upright, in a mode its format saves, with no metadata left on it."""
    upright = ImageOps.exif_transpose(image)
    if mime == "image/jpeg":
        keep = ("L", "RGB")  # CMYK too becomes RGB: browsers show it unreliably
        upright = upright if upright.mode in keep else upright.convert("RGB")
    elif upright.mode in ("P", "PA"):
        # A palette's transparency lives in the metadata about to be dropped: spell it out.
        has_alpha = "transparency" in upright.info or upright.mode == "PA"
        upright = upright.convert("RGBA" if has_alpha else "RGB")
    elif upright.mode not in ("1", "L", "LA", "RGB", "RGBA", "I", "I;16"):
        upright = upright.convert("RGBA")
    if upright is image:
        upright = image.copy()
    upright.info = {}
    return upright


def _encode(image: Image.Image, mime: str) -> bytes:
    buffer = io.BytesIO()
    if mime == "image/jpeg":
        image.save(buffer, "JPEG", quality=_JPEG_QUALITY)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()


def clean_photo(data: bytes, mime: str, file_name: str) -> Photo:
    """Decode ``data`` (a ``mime`` photo, by its first bytes) under :data:`MAX_PIXELS` and
    return a re-encoded copy without metadata; :class:`ValidationError` for a file that does
    not decode, or has too many pixels."""
    if mime not in PHOTO_FORMATS:
        raise ValueError(f"Not a photo format: {mime}")
    image = _open(data, mime, file_name)
    try:
        clean = _pixels_only(image, mime)
        encoded = _encode(clean, mime)
    except _DECODE_ERRORS as exc:
        raise _unreadable(file_name) from exc
    return Photo(encoded, mime, clean.width, clean.height)


def preview(data: bytes, mime: str, box: int = 640) -> bytes | None:
    """The photo at most ``box`` pixels wide and high, in its own format, decoded under the
    same guard as an upload; ``None`` for a stored file that cannot be shown (damaged, or
    too large)."""
    if mime not in PHOTO_FORMATS:
        return None
    try:
        small = _pixels_only(_open(data, mime, "", draft=box), mime)
        small.thumbnail((box, box))
        if mime == "image/jpeg" and small.mode != "L":
            small = small.convert("RGB")
        return _encode(small, mime)
    except (ValidationError, *_DECODE_ERRORS):
        return None
