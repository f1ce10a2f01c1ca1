"""Column widths that fit their text, so that no number or mark is cut off in a table.

Streamlit sizes a column without a width from the cells it measures first; a "fewer than 5"
further down, or a header longer than its numbers, is then cut to "fewer th…". Pages give
such columns :func:`fit_width` of everything the column shows, header included.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

__all__ = ["fit_width"]

#: Pixels per character at the table's font size: Latin letters and digits, then wide ones
#: (Chinese), plus the cell's padding and the header's sort arrow.
_NARROW, _WIDE, _PADDING = 7.5, 14.0, 36


def _text_width(text: str) -> float:
    return sum(_WIDE if unicodedata.east_asian_width(ch) in ("W", "F") else _NARROW for ch in text)


def fit_width(texts: Iterable[object], header: str = "", minimum: int = 60) -> int:
    """The width in pixels of a column showing ``texts`` (None and NaN count as empty) under
    ``header``, at least ``minimum``.

    >>> fit_width(["12", "fewer than 5"], "n")
    126
    >>> fit_width(["12", "少于5人"], "n") < fit_width(["12", "fewer than 5"], "n")
    True
    """
    widest = _text_width(header)
    for text in texts:
        if text is None or (isinstance(text, float) and text != text):
            continue
        widest = max(widest, _text_width(str(text)))
    return max(minimum, round(widest + _PADDING))
