"""Parsing one cell as the user meant it: Excel dates and serial numbers, 2026年3月5日,
full-width digits, thousands separators. Each parser raises :class:`CellError` with a message
that says what was expected."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from ee_app.errors import N_

__all__ = ["CellError", "parse_date", "parse_decimal", "parse_int", "parse_text"]

_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TIME_TAIL = re.compile(r"[T\s]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


class CellError(ValueError):
    """A cell that cannot be read; ``message`` is a translatable template, ``params`` its values."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message.format(**params))
        self.message = message
        self.params = params


def _clean(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_text(value: Any, *, max_length: int = 100, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise CellError(N_("is empty"))
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an employee number Excel stored as 1024.0
    text = str(value).strip()
    if len(text) > max_length:
        raise CellError(N_("is longer than {limit} characters"), limit=max_length)
    return text


def parse_date(value: Any, *, required: bool = True) -> date | None:
    """A date from a date cell, an Excel serial number, or text such as 2026-03-05,
    2026/3/5, 2026.3.5, 20260305 or 2026年3月5日."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise CellError(N_("is empty"))
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel's serial range (1900-01-01 … 9999-12-31)
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise CellError(N_("“{value}” is not a date"), value=value)
    text = _TIME_TAIL.sub("", _clean(value))
    match = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if match is None:
        if text.isdigit() and 20000 <= int(text) <= 80000:
            return _EXCEL_EPOCH + timedelta(days=int(text))
        raise CellError(N_("“{value}” is not a date; write it as 2026-03-05"), value=value)
    year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(N_("“{value}” is not a valid date"), value=value) from None


def parse_decimal(value: Any, *, required: bool = True) -> Decimal | None:
    """A number, allowing ¥/￥, thousands separators, full-width digits and (accounting) minus."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise CellError(N_("is empty"))
        return None
    if isinstance(value, bool):
        raise CellError(N_("“{value}” is not a number"), value=value)
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    text = _clean(value).replace(",", "").replace("¥", "").replace("元", "").replace(" ", "")
    if text.startswith("(") and text.endswith(")"):
        text = "-" + text[1:-1]
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(N_("“{value}” is not a number"), value=value) from None
    if not number.is_finite():
        raise CellError(N_("“{value}” is not a number"), value=value)
    return number


def parse_int(value: Any, *, required: bool = True) -> int | None:
    number = parse_decimal(value, required=required)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(N_("“{value}” is not a whole number"), value=value)
    return int(number)
