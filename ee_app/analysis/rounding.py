"""Exact money for performance pay: numbers as exact fractions (:func:`as_fraction`),
amounts in whole fen (:func:`to_fen`, :func:`yuan`), and the largest-remainder method that
makes the lines add up to their total exactly (:func:`largest_remainder`), extra fen going
to ties in the order people read employee numbers (:func:`natural_key`: E2 before E10).
:mod:`~ee_app.analysis.pay` does the arithmetic with them.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd

__all__ = ["as_fraction", "largest_remainder", "natural_key", "to_fen", "yuan"]

_FEN = 100


def as_fraction(value: Any) -> Fraction:
    """An exact number; a float counts as the decimal it prints as (0.1 → 1/10), so amounts
    do not depend on binary rounding; ``ValueError`` for what is not a finite number.

    >>> as_fraction(0.85), as_fraction(Decimal("1.5")), as_fraction(True)
    (Fraction(17, 20), Fraction(3, 2), Fraction(1, 1))
    """
    if isinstance(value, bool):
        return Fraction(int(value))
    if isinstance(value, Fraction | int):
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("a number must be finite.")
        return Fraction(value)
    if isinstance(value, numbers.Integral):
        return Fraction(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError("a number must be finite.")
        return Fraction(repr(number))
    raise ValueError(f"not a number: {value!r}.")


def to_fen(amount: Fraction) -> int:
    """An amount in yuan as whole fen, half up, for amounts of 0 or more.

    >>> to_fen(Fraction(1, 200)), to_fen(Fraction(1, 300))  # 0.5 fen up, 0.33 fen down
    (1, 0)
    """
    return math.floor(amount * _FEN + Fraction(1, 2))


_DIGITS = re.compile(r"(\d+)")


def natural_key(value: Any) -> tuple:
    """A sort key that orders employee numbers (or any ids) as people read them: runs of
    digits by their value, the text between them without regard to case.

    The text is first put in Unicode NFKC form, so full-width letters and digits (Ｅ１０, as
    typed with a Chinese input method) are the same as E10; runs of digits compare as whole
    numbers (E2 < E10), text runs case-folded (e2 and E2 next to each other), and the key
    alternates text and number, so ids of different shapes still compare: a pure number
    comes before one with a prefix (the empty text sorts first), prefixes alphabetically
    (A9 < E1). Ids that read the same (E2, E02, Ｅ２) then compare by their NFKC form, then
    by the original text, so the order is total and does not depend on the input order. Numbers
    (a staff id) are read as their decimal text; a missing value (None, NaN) sorts last.

    >>> sorted(["E10", "E2", "Ｅ１", "e3", "A9", "7", "E02"], key=natural_key)
    ['7', 'A9', 'Ｅ１', 'E02', 'E2', 'e3', 'E10']
    >>> sorted([10, 9, 100], key=natural_key)
    [9, 10, 100]
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return (1,)
    text = str(value)
    normal = unicodedata.normalize("NFKC", text)
    parts = _DIGITS.split(normal)
    # split() with a group alternates text (even places) and digits (odd places).
    shape = tuple(int(p) if i % 2 else p.casefold() for i, p in enumerate(parts))
    return (0, shape, normal, text)


def largest_remainder(amounts: Sequence[Fraction], ties: Sequence[tuple]) -> tuple[list[int], int]:
    """Fen per line summing exactly to the total rounded half up; extra fen to the largest
    remainders, ties in the order of ``ties``.

    >>> third = Fraction(100, 3)
    >>> largest_remainder([third] * 3, [("E3",), ("E1",), ("E2",)])
    ([3333, 3334, 3333], 10000)
    """
    total = to_fen(sum(amounts, Fraction(0)))
    floors = [math.floor(a * _FEN) for a in amounts]
    remainders = [a * _FEN - f for a, f in zip(amounts, floors, strict=True)]
    missing = total - sum(floors)  # round(Σ remainders): 0 … the lines with a remainder
    order = sorted(range(len(amounts)), key=lambda i: (-remainders[i], ties[i], i))
    for i in order[:missing]:
        floors[i] += 1
    return floors, total


def yuan(fen: int) -> Decimal:
    """Whole fen as yuan, a :class:`~decimal.Decimal` of two places.

    >>> yuan(12345)
    Decimal('123.45')
    """
    return Decimal(fen).scaleb(-2)
