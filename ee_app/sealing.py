"""Sealing one survey submission of an open wave, so that a copy of the database files links
no invitation to readable answers.

While a wave is open, every submission is stored as one opaque blob in ``survey_sealed``,
written in the same transaction that marks the invitation as used. Whoever copies the files
(SQLite's database and WAL, a ``pg_dump``, PostgreSQL's WAL) can tell which invitation was
claimed together with which blob, but the blob says nothing without ``EE_SECRET_KEY``: it is
AES-256-GCM (authenticated encryption) under a key for that wave alone, and every blob of
every wave has exactly the same length, whatever was answered, skipped or written.

The key is ``derive(secret, "survey-seal:<wave id>")`` (:func:`ee_app.keys.derive`, an
HMAC-SHA256 of the purpose under the server secret). That is HKDF-Expand's one-block case:
the secret is already at least 32 uniformly random bytes, so HKDF's extract step would add
nothing, and one derivation function for every purpose keeps the key tree in one place.

A blob is::

    b"EESEAL1" | wave id (4 bytes, big-endian) | nonce (12 random bytes) | ciphertext + tag

The first 11 bytes are the *marker* of the wave, in clear and bound to the ciphertext as
associated data: the clean-up after closing searches the database files for it with one scan
(:func:`marker`), and a blob moved to another wave, or altered in any byte, does not open.

The plaintext is a fixed-size record (``struct``, never pickle): a format version, the 17
answer slots (0 = skipped), the eNPS (255 = skipped), the invitation's pooled reporting unit,
role and tenure band and comment unit, the staff id (confidential waves only, 0 otherwise)
and the comment as UTF-8 padded with zeros to 4,000 bytes (1,000 characters of at most four
bytes each).
"""

from __future__ import annotations

import os
import struct
from typing import NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ee_app.errors import N_, ConfigError, Conflict
from ee_app.instruments.pulse import CORE_SLOTS, CUSTOM_SLOTS
from ee_app.keys import derive

__all__ = [
    "COMMENT_BYTES",
    "MARKER",
    "SEALED_SIZE",
    "Submission",
    "marker",
    "open_sealed",
    "seal",
]

#: The clear prefix of every sealed blob, followed by the wave id.
MARKER = b"EESEAL1"
#: The longest comment in UTF-8 bytes: 1,000 characters of up to four bytes.
COMMENT_BYTES = 4000

_SLOTS = (*CORE_SLOTS, *CUSTOM_SLOTS)
_VERSION = 1
_SKIPPED_ENPS = 255
_ROLE_BYTES = 16  # survey_invitation.report_role is String(16)
_BAND_BYTES = 8  # survey_invitation.report_band is String(8)
_NONE_TEXT = 255  # the length byte of a role or band that was pooled away (None)
# version, answers, enps, unit, role (length + bytes), band (length + bytes), comment unit,
# staff, comment (length + bytes)
_RECORD = struct.Struct(f">B{len(_SLOTS)}sBIB{_ROLE_BYTES}sB{_BAND_BYTES}sIIH{COMMENT_BYTES}s")
_HEADER = len(MARKER) + 4
_NONCE = 12
_TAG = 16
#: The length of every sealed blob, of every wave.
SEALED_SIZE = _HEADER + _NONCE + _RECORD.size + _TAG
_MAX_ID = 2**32 - 1
_ANSWER_VALUES = frozenset({None, 1, 2, 3, 4, 5})

_ciphers: dict[tuple[bytes, int], AESGCM] = {}


class Submission(NamedTuple):
    """What one person submitted, with the pooled attributes their invitation gives it.

    ``answers`` holds one value per answer slot (``a01`` … ``a12``, ``x1`` … ``x5``), each
    ``None`` (skipped) or 1–5; ``staff_id`` is set for confidential waves only.
    """

    answers: tuple[int | None, ...]
    enps: int | None
    comment: str
    unit_id: int
    role: str | None
    band: str | None
    comment_unit_id: int
    staff_id: int | None = None


def marker(wave_id: int) -> bytes:
    """The clear prefix every sealed blob of ``wave_id`` starts with.

    >>> marker(7)
    b'EESEAL1\\x00\\x00\\x00\\x07'
    """
    return MARKER + _wave_bytes(wave_id)


def seal(secret: bytes, wave_id: int, submission: Submission) -> bytes:
    """One submission of ``wave_id`` as an opaque blob of :data:`SEALED_SIZE` bytes.

    ``secret`` is the server's secret key (:func:`ee_app.keys.secret_key`); the wave's own
    key is derived from it. Raises ``ValueError`` for a submission that cannot be stored
    (a value out of range, a comment over :data:`COMMENT_BYTES` bytes): the answering
    service has checked everything before, so that is a programming error.

    >>> secret = bytes(32)
    >>> empty = Submission((None,) * 17, None, "", 3, None, None, 2)
    >>> full = Submission((5,) * 17, 10, "很好" * 500, 3, "beautician", "1to3", 2, 41)
    >>> len(seal(secret, 7, empty)) == len(seal(secret, 7, full)) == SEALED_SIZE
    True
    >>> seal(secret, 7, empty).startswith(marker(7))
    True
    """
    header = marker(wave_id)
    nonce = os.urandom(_NONCE)
    return header + nonce + _cipher(secret, wave_id).encrypt(nonce, _encode(submission), header)


def open_sealed(secret: bytes, wave_id: int, blob: bytes) -> Submission:
    """The submission sealed in ``blob``, which must belong to ``wave_id``.

    Raises :class:`~ee_app.errors.ConfigError` when the blob does not open under this key
    (``EE_SECRET_KEY`` is not the key the wave was opened with, or the blob was altered), and
    :class:`~ee_app.errors.Conflict` when it is not a sealed answer of this wave at all.

    >>> secret = bytes(32)
    >>> sent = Submission((4, None, 2, *(None,) * 14), 9, "排班可以提前", 3, None, "lt1", 2)
    >>> open_sealed(secret, 7, seal(secret, 7, sent)) == sent
    True
    >>> open_sealed(b"x" * 32, 7, seal(secret, 7, sent))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
      ...
    ee_app.errors.ConfigError: EE_SECRET_KEY is not the key this wave was opened with ...
    """
    blob = bytes(blob)
    header = marker(wave_id)
    if len(blob) != SEALED_SIZE or not blob.startswith(MARKER):
        raise Conflict(N_("A stored answer of wave {wave} is not a sealed answer."), wave=wave_id)
    if not blob.startswith(header):
        other = int.from_bytes(blob[len(MARKER) : _HEADER], "big")
        raise Conflict(
            N_("A sealed answer stored with wave {wave} belongs to wave {other}."),
            wave=wave_id,
            other=other,
        )
    nonce, body = blob[_HEADER : _HEADER + _NONCE], blob[_HEADER + _NONCE :]
    try:
        plain = _cipher(secret, wave_id).decrypt(nonce, body, header)
    except InvalidTag as exc:
        raise ConfigError(
            N_(
                "EE_SECRET_KEY is not the key this wave was opened with (or its sealed answers "
                "were altered): the answers of wave {wave} cannot be opened. Start the app with "
                "the key it had when the wave opened."
            ),
            wave=wave_id,
        ) from exc
    return _decode(plain)


def _wave_bytes(wave_id: int) -> bytes:
    if not 0 < wave_id <= _MAX_ID:
        raise ValueError(f"wave id out of range: {wave_id}")
    return wave_id.to_bytes(4, "big")


def _cipher(secret: bytes, wave_id: int) -> AESGCM:
    """The wave's AES-256-GCM (cached: a submission should not pay for the derivation)."""
    cached = _ciphers.get((secret, wave_id))
    if cached is None:
        if len(_ciphers) >= 64:
            _ciphers.clear()
        cached = _ciphers[(secret, wave_id)] = AESGCM(derive(secret, f"survey-seal:{wave_id}"))
    return cached


def _text(value: str | None, size: int) -> tuple[int, bytes]:
    if value is None:
        return _NONE_TEXT, b""
    raw = value.encode()
    if len(raw) > size:
        raise ValueError(f"too long for {size} bytes: {value!r}")
    return len(raw), raw


def _id(value: int | None) -> int:
    if value is None:
        return 0
    if not 0 < value <= _MAX_ID:
        raise ValueError(f"id out of range: {value}")
    return value


def _encode(s: Submission) -> bytes:
    if len(s.answers) != len(_SLOTS):
        raise ValueError(f"{len(_SLOTS)} answer slots expected, got {len(s.answers)}")
    if not _ANSWER_VALUES.issuperset(s.answers):
        raise ValueError("answers must be None or 1-5")
    if s.enps is not None and not 0 <= s.enps <= 10:
        raise ValueError("enps must be None or 0-10")
    comment = s.comment.encode()
    if len(comment) > COMMENT_BYTES:
        raise ValueError(f"comment longer than {COMMENT_BYTES} bytes")
    role_len, role = _text(s.role, _ROLE_BYTES)
    band_len, band = _text(s.band, _BAND_BYTES)
    return _RECORD.pack(
        _VERSION,
        bytes(0 if a is None else a for a in s.answers),
        _SKIPPED_ENPS if s.enps is None else s.enps,
        _id(s.unit_id),
        role_len,
        role,
        band_len,
        band,
        _id(s.comment_unit_id),
        _id(s.staff_id),
        len(comment),
        comment,
    )


def _decode(plain: bytes) -> Submission:
    (
        version,
        answers,
        enps,
        unit_id,
        role_len,
        role,
        band_len,
        band,
        comment_unit_id,
        staff_id,
        comment_len,
        comment,
    ) = _RECORD.unpack(plain)
    if version != _VERSION:
        raise Conflict(
            N_("A sealed answer has an unknown format (version {version})."), version=version
        )
    return Submission(
        tuple(None if a == 0 else a for a in answers),
        None if enps == _SKIPPED_ENPS else enps,
        comment[:comment_len].decode(),
        unit_id,
        None if role_len == _NONE_TEXT else role[:role_len].decode(),
        None if band_len == _NONE_TEXT else band[:band_len].decode(),
        comment_unit_id,
        staff_id or None,
    )
