"""Sealing one submission (ee_app/sealing.py): one length for every blob whatever was
answered, nothing readable without the key, and a blob that does not open says why."""

from __future__ import annotations

import pytest

from ee_app.errors import ConfigError, Conflict
from ee_app.models import ANSWER_SLOTS
from ee_app.sealing import COMMENT_BYTES, MARKER, SEALED_SIZE, Submission, marker, open_sealed, seal
from ee_app.services.answering import COMMENT_LIMIT

SECRET = bytes.fromhex("5e" * 32)
OTHER = bytes.fromhex("a7" * 32)
WAVE = 7
SKIPPED = (None,) * len(ANSWER_SLOTS)

SUBMISSIONS = {
    "all skipped, no comment": Submission(SKIPPED, None, "", 3, None, None, 3),
    "every answer, short comment": Submission(
        tuple(1 + n % 5 for n in range(len(ANSWER_SLOTS))), 0, "好", 12, "beautician", "lt1", 4
    ),
    "1000 Chinese characters": Submission(
        (5,) * len(ANSWER_SLOTS), 10, "前台很忙" * (COMMENT_LIMIT // 4), 3, None, "5plus", 3
    ),
    "1000 characters of four bytes": Submission(
        SKIPPED, 7, "😀" * COMMENT_LIMIT, 2**31 - 1, "x" * 16, "y" * 8, 2**31 - 1
    ),
    "confidential, a staff id inside": Submission(
        (4,) * 12 + (None,) * 5, 9, "排班可以再提前一点公布。", 3, "doctor", "1to3", 3, 2**31 - 1
    ),
}


@pytest.mark.parametrize("name", list(SUBMISSIONS))
def test_every_blob_has_one_length_and_opens_to_what_was_sealed(name):
    submission = SUBMISSIONS[name]
    blob = seal(SECRET, WAVE, submission)
    assert len(blob) == SEALED_SIZE
    assert blob.startswith(marker(WAVE)) and blob.count(MARKER) == 1
    assert open_sealed(SECRET, WAVE, blob) == submission


def test_the_longest_comment_fits_exactly():
    assert len(("😀" * COMMENT_LIMIT).encode()) == COMMENT_BYTES
    too_long = Submission(SKIPPED, None, "😀" * COMMENT_LIMIT + "a", 3, None, None, 3)
    with pytest.raises(ValueError, match="longer than 4000 bytes"):
        seal(SECRET, WAVE, too_long)


@pytest.mark.parametrize(
    "submission",
    [
        Submission((6, *SKIPPED[1:]), None, "", 3, None, None, 3),
        Submission((0, *SKIPPED[1:]), None, "", 3, None, None, 3),
        Submission(SKIPPED, 11, "", 3, None, None, 3),
        Submission(SKIPPED[1:], None, "", 3, None, None, 3),
        Submission(SKIPPED, None, "", 0, None, None, 3),
        Submission(SKIPPED, None, "", 3, "x" * 17, None, 3),
        Submission(SKIPPED, None, "", 3, None, "y" * 9, 3),
        Submission(SKIPPED, None, "", 3, None, None, 3, 2**32),
    ],
)
def test_what_cannot_be_stored_is_refused(submission):
    with pytest.raises(ValueError):
        seal(SECRET, WAVE, submission)


def test_nothing_submitted_is_readable_in_the_blob():
    submission = SUBMISSIONS["confidential, a staff id inside"]
    blob = seal(SECRET, WAVE, submission)
    assert submission.comment.encode() not in blob
    assert "排班".encode() not in blob
    assert b"doctor" not in blob and b"1to3" not in blob
    assert (2**31 - 1).to_bytes(4, "big") not in blob[len(marker(WAVE)) :]
    # The same answers sealed twice give different blobs (a fresh nonce each time).
    assert seal(SECRET, WAVE, submission) != blob


def test_the_wrong_key_says_which_key_is_needed():
    blob = seal(SECRET, WAVE, SUBMISSIONS["every answer, short comment"])
    with pytest.raises(ConfigError, match="EE_SECRET_KEY is not the key this wave was opened"):
        open_sealed(OTHER, WAVE, blob)


def _flip(blob: bytes, at: int) -> bytes:
    return blob[:at] + bytes([blob[at] ^ 0x01]) + blob[at + 1 :]


@pytest.mark.parametrize(
    ("where", "change", "error", "message"),
    [
        ("the nonce", lambda b: _flip(b, 11), ConfigError, "not the key"),
        ("the first byte of ciphertext", lambda b: _flip(b, 23), ConfigError, "not the key"),
        ("the middle of the padding", lambda b: _flip(b, 3000), ConfigError, "not the key"),
        ("the tag", lambda b: _flip(b, SEALED_SIZE - 1), ConfigError, "not the key"),
        ("the marker", lambda b: _flip(b, 0), Conflict, "not a sealed answer"),
        ("the wave id", lambda b: _flip(b, 10), Conflict, "belongs to wave 6"),
        ("one byte cut off", lambda b: b[:-1], Conflict, "not a sealed answer"),
        ("one byte added", lambda b: b + b"\0", Conflict, "not a sealed answer"),
    ],
)
def test_an_altered_blob_does_not_open(where, change, error, message):
    blob = seal(SECRET, WAVE, SUBMISSIONS["1000 Chinese characters"])
    with pytest.raises(error, match=message):
        open_sealed(SECRET, WAVE, change(blob))


def test_a_blob_belongs_to_its_wave_only():
    blob = seal(SECRET, WAVE, SUBMISSIONS["every answer, short comment"])
    with pytest.raises(Conflict, match="stored with wave 8 belongs to wave 7"):
        open_sealed(SECRET, 8, blob)
    # Relabelled as wave 8, it still does not open: the wave is inside the key and the tag.
    relabelled = marker(8) + blob[len(marker(WAVE)) :]
    with pytest.raises(ConfigError, match="not the key"):
        open_sealed(SECRET, 8, relabelled)


@pytest.mark.parametrize("wave_id", [0, -1, 2**32])
def test_wave_ids_outside_four_bytes_are_refused(wave_id):
    with pytest.raises(ValueError, match="wave id"):
        marker(wave_id)
