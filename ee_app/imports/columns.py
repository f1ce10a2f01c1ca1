"""Matching a file's headers to our fields, in English or Chinese, whatever their spacing,
width or bracketed hints (``入职日期（yyyy-mm-dd）`` is ``hire_date``)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from ee_app.errors import N_, Problem
from ee_app.imports.cells import CellError

__all__ = ["Column", "RowReader", "map_columns", "normalise_header", "unknown_headers"]

T = TypeVar("T")

_BRACKETS = re.compile(r"[\(（\[【].*?[\)）\]】]")
_SEPARATORS = re.compile(r"[\s_\-\.·/:：*]+")


@dataclass(frozen=True)
class Column:
    """A field an import reads: its key, English and Chinese headers, and other spellings."""

    key: str
    en: str
    zh: str
    aliases: tuple[str, ...] = ()
    required: bool = True

    def spellings(self) -> set[str]:
        return {normalise_header(s) for s in (self.key, self.en, self.zh, *self.aliases)}


@lru_cache(maxsize=4096)
def normalise_header(header: str) -> str:
    """Full-width to half-width, lower case, no hints in brackets, no spaces or separators."""
    text = unicodedata.normalize("NFKC", str(header)).strip().lower()
    text = _BRACKETS.sub("", text)
    return _SEPARATORS.sub("", text)


def map_columns(
    header: Sequence[str],
    columns: Sequence[Column],
    mapping: Mapping[str, str] | None = None,
) -> tuple[dict[str, int], list[Problem]]:
    """Find each column's position in ``header``.

    ``mapping`` (field key → header text) lets the user point an unknown header at a field;
    it wins over automatic matching. Returns the positions and the problems: a required field
    missing, or two headers claiming one field.
    """
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    normalised = [normalise_header(h) for h in header]
    explicit = {key: normalise_header(text) for key, text in (mapping or {}).items() if text}
    for column in columns:
        wanted = {explicit[column.key]} if column.key in explicit else column.spellings()
        hits = [i for i, h in enumerate(normalised) if h and h in wanted]
        if len(hits) > 1:
            problems.append(
                Problem(
                    N_("Two columns could mean “{field}”: {headers}. Keep one."),
                    {"field": column.en, "headers": ", ".join(header[i] for i in hits)},
                )
            )
        elif hits:
            positions[column.key] = hits[0]
        elif column.required:
            problems.append(
                Problem(
                    N_("Required column “{field}” ({zh}) is missing."),
                    {"field": column.en, "zh": column.zh},
                )
            )
    return positions, problems


def unknown_headers(header: Sequence[str], positions: Mapping[str, int]) -> list[str]:
    """Headers that no field claimed (shown so the user can map or ignore them)."""
    used = set(positions.values())
    return [h for i, h in enumerate(header) if i not in used and h]


class RowReader:
    """Reads one row's cells by field key, collecting every problem with its row and column.

    One reader serves a whole file: :meth:`start` moves it to the next row::

        reader = RowReader(table.header, positions)
        for number, record in table.rows:
            reader.start(number, record)
            name = reader.read("name", parse_text)
            if reader.problems: ...
    """

    def __init__(self, header: Sequence[str], positions: Mapping[str, int]) -> None:
        self.positions = positions
        self.headers = {key: header[i] for key, i in positions.items()}
        self.number = 0
        self.record: Sequence[object] = ()
        self.problems: list[Problem] = []

    def start(self, number: int, record: Sequence[object]) -> None:
        self.number, self.record, self.problems = number, record, []

    def has(self, key: str) -> bool:
        return key in self.positions

    def raw(self, key: str) -> object:
        index = self.positions.get(key)
        if index is None or index >= len(self.record):
            return None
        return self.record[index]

    def read(self, key: str, parser: Callable[..., T], **kwargs: object) -> T | None:
        """``parser(cell)``, or ``None`` with a problem recorded if the cell is wrong."""
        try:
            return parser(self.raw(key), **kwargs)
        except CellError as exc:
            self.problems.append(Problem(exc.message, exc.params, self.number, self.headers[key]))
            return None

    def problem(self, key: str, message: str, **params: object) -> None:
        self.problems.append(Problem(message, params, self.number, self.headers.get(key)))
