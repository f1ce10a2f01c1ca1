"""Parsing one cell as the user meant it: Excel dates and serial numbers, 2026年3月5日,
full-width digits, thousands separators. Each parser raises :class:`CellError` with a message
that says what was expected.

What no import stores, whatever the database: text with the characters of
:data:`UNSTORABLE`, and (customer outcomes and visits) dates before :data:`EARLIEST_DATE` or
more than :data:`FUTURE_TOLERANCE` after today.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from ee_app.errors import N_

__all__ = [
    "EARLIEST_DATE",
    "FUTURE_TOLERANCE",
    "MAX_EMPLOYEE_NO",
    "UNSTORABLE",
    "UNSTORABLE_MESSAGE",
    "CellError",
    "control_code",
    "employee_number",
    "parse_date",
    "parse_decimal",
    "parse_employee_no",
    "parse_int",
    "parse_text",
]

#: Characters no import stores: the C0 control characters other than tab, line feed and
#: carriage return (PostgreSQL refuses NUL in text, openpyxl cannot write the others into an
#: export) and lone surrogates (no encoding can write them).
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
#: Customer outcomes and visits dated before this are refused: a typo in the year (0001, 1026)
#: or a placeholder, not a sale.
EARLIEST_DATE = date(2000, 1, 1)
#: How far after today (the server's day) an outcome may be dated: one day, for a sale made
#: after midnight in China while the server's clock is still on yesterday (UTC).
FUTURE_TOLERANCE = timedelta(days=1)
MAX_EMPLOYEE_NO = 32

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


#: The problem with text holding a character of :data:`UNSTORABLE`; ``code`` is
#: :func:`control_code` of the text.
UNSTORABLE_MESSAGE = N_("contains the control character {code}, which cannot be stored; remove it")


def control_code(text: str) -> str:
    """The first character of :data:`UNSTORABLE` in ``text``, as U+0000.

    >>> control_code("E1\\x00")
    'U+0000'
    """
    found = UNSTORABLE.search(text)
    return f"U+{ord(found.group()):04X}" if found else ""


def parse_text(value: Any, *, max_length: int = 100, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise CellError(N_("is empty"))
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an employee number Excel stored as 1024.0
    text = str(value).strip()
    if UNSTORABLE.search(text):
        raise CellError(UNSTORABLE_MESSAGE, code=control_code(text))
    if len(text) > max_length:
        raise CellError(N_("is longer than {limit} characters"), limit=max_length)
    return text


def employee_number(text: str) -> str:
    """An employee number as every import compares it: NFKC (full-width ``Ｅ１０００４`` is
    ``E10004``) and trimmed.

    >>> employee_number(" Ｅ１０００４ ")
    'E10004'
    """
    return unicodedata.normalize("NFKC", text).strip()


def parse_employee_no(value: Any, *, required: bool = True) -> str | None:
    """An employee number (see :func:`employee_number`), at most 32 characters."""
    if isinstance(value, str):
        value = employee_number(value)
    return parse_text(value, max_length=MAX_EMPLOYEE_NO, required=required)


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
