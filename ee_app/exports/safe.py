"""Formula-injection defence for every cell we export (see the package docstring)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["DANGEROUS_PREFIXES", "csv_bytes", "is_dangerous", "safe_csv_value"]

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_dangerous(value: object) -> bool:
    return isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES)


def safe_csv_value(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe."""
    return "'" + value if is_dangerous(value) else value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV as UTF-8 with a BOM, so Excel on a Chinese Windows opens it without mojibake."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([safe_csv_value(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else safe_csv_value(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")
