"""The one exception tree of ee-app.

Every error a user can cause derives from :class:`EeError`. Pages catch ``EeError`` and show
its message with ``st.error``; the command line prints it and exits non-zero. Library errors
(SQLAlchemy, openpyxl, codecs) are translated at the boundary with ``raise ... from exc`` so
that nothing above the service layer needs to know which library failed.

Messages are English format strings marked for translation with ``N_``; ``render(gettext)``
gives the message in the reader's language, ``str(error)`` the English one (for logs)::

    EeError
    ├── ConfigError         the app is configured wrongly (missing secret, bad URL)
    ├── PermissionDenied    the actor's role or scope does not allow this
    ├── NotFound            the object does not exist, or is outside the actor's scope
    ├── Conflict            the action clashes with the current state (already used, locked)
    └── ValidationError     input was wrong; carries one Problem per wrong cell or row
        └── ImportRejected  a file was refused as a whole; nothing was written
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "N_",
    "QUOTE_LIMIT",
    "ConfigError",
    "Conflict",
    "EeError",
    "ImportRejected",
    "NotFound",
    "PermissionDenied",
    "Problem",
    "ValidationError",
    "quote",
]

Gettext = Callable[[str], str]


def N_(message: str) -> str:
    """Mark a string for translation without translating it now (gettext's convention)."""
    return message


def _identity(message: str) -> str:
    return message


#: How many characters of a cell a message quotes: a file of 1 MB cells must not make
#: messages of megabytes.
QUOTE_LIMIT = 80
#: Parameters that hold our own words (lists of valid choices), never a user's cell.
_OWN_WORDS = frozenset(
    {"choices", "keys", "known", "measures", "options", "roles", "types", "versions"}
)
#: Control characters shown as their pictures (NUL as ␀, a line break as ␊), so a message
#: stays one line and shows where they are.
_PICTURES = {code: 0x2400 + code for code in range(32)} | {0x7F: 0x2421}


def quote(value: Any, limit: int = QUOTE_LIMIT) -> Any:
    """``value`` as a message quotes it: text cut to ``limit`` characters (ending in "…")
    with control characters made visible; anything else unchanged.

    >>> quote("x" * 100)[-3:], len(quote("x" * 100))
    ('xx…', 80)
    >>> quote("E1\\x00")
    'E1␀'
    """
    if not isinstance(value, str):
        return value
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return value.translate(_PICTURES)


def _format(template: str, params: Mapping[str, Any]) -> str:
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        # A translated template that lost a placeholder must not hide the original error.
        return template


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as the user sees it.

    ``row`` is the spreadsheet row number (the header is row 1), ``column`` the header as it
    appears in the user's file. Both are ``None`` when the problem concerns the whole file.
    ``sheet`` names the sheet of a workbook read sheet by sheet (a checklist template).
    """

    message: str
    params: Mapping[str, Any] = field(default_factory=dict)
    row: int | None = None
    column: str | None = None
    sheet: str | None = None

    def __post_init__(self) -> None:
        # Cells and headers are quoted briefly (see :func:`quote`), whatever made the problem.
        quoted = {k: v if k in _OWN_WORDS else quote(v) for k, v in self.params.items()}
        object.__setattr__(self, "params", quoted)
        object.__setattr__(self, "column", quote(self.column))

    def render(self, gettext: Gettext = _identity) -> str:
        text = _format(gettext(self.message), self.params)
        where = []
        if self.sheet is not None:
            where.append(gettext(N_("sheet “{sheet}”")).format(sheet=self.sheet))
        if self.row is not None:
            where.append(gettext(N_("row {row}")).format(row=self.row))
        if self.column is not None:
            where.append(gettext(N_("column “{column}”")).format(column=self.column))
        return f"{', '.join(where)}: {text}" if where else text

    def __str__(self) -> str:
        return self.render()


class EeError(Exception):
    """Base of every error a user of ee-app can cause or meet."""

    def __init__(self, message: str, **params: Any) -> None:
        self.message = message
        self.params = params
        super().__init__(_format(message, params))

    def render(self, gettext: Gettext = _identity) -> str:
        return _format(gettext(self.message), self.params)


class ConfigError(EeError):
    """The installation is configured wrongly; the message says which setting to fix."""


class PermissionDenied(EeError):
    """The actor's role or unit scope does not allow the action."""


class NotFound(EeError):
    """The object does not exist or lies outside the actor's scope (never say which)."""


class Conflict(EeError):
    """The action clashes with the current state, e.g. a survey link already used."""


class ValidationError(EeError):
    """Input was wrong. ``problems`` lists each wrong row or cell."""

    def __init__(self, message: str, problems: list[Problem] | None = None, **params: Any):
        super().__init__(message, **params)
        self.problems: list[Problem] = list(problems or [])

    def render(self, gettext: Gettext = _identity) -> str:
        head = super().render(gettext)
        if not self.problems:
            return head
        return "\n".join([head, *("- " + p.render(gettext) for p in self.problems)])


class ImportRejected(ValidationError):
    """A file was refused as a whole; the database is exactly as it was before."""

    def __init__(self, message: str, problems: list[Problem] | None = None, **params: Any):
        super().__init__(message, problems, **{k: quote(v) for k, v in params.items()})
