"""Formatting numbers and user text for pages: blanks for hidden values, intervals, the
direction of a change, and text shown literally rather than as Markdown."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

__all__ = ["blank", "direction", "fewer", "interval", "number", "plain", "signed"]

Gettext = Callable[[str], str]
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:])")


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: Any, scale: float = 1.0) -> float | None:
    return None if blank(value) else float(value) * scale


def interval(low: Any, high: Any, spec: str = ".2f") -> str | None:
    """``[low, high]`` with a real minus sign, or None when either end is unknown."""
    if blank(low) or blank(high):
        return None
    return f"[{low:{spec}}, {high:{spec}}]".replace("-", "−")


def signed(value: float, spec: str) -> str:
    return f"{value:{spec}}".replace("-", "−")


def fewer(k: int, gettext: Gettext) -> str:
    """The mark of a hidden group."""
    return gettext("fewer than {k}").format(k=k)


def direction(low: Any, high: Any, gettext: Gettext) -> str | None:
    """A word for a change: up or down when its interval excludes 0."""
    if blank(low) or blank(high):
        return None
    if low > 0:
        return gettext("up")
    if high < 0:
        return gettext("down")
    return gettext("no clear change")


def plain(text: str) -> str:
    """User text (a note, an owner) shown literally, never as Markdown."""
    return _MARKDOWN.sub(r"\\\1", text)
