"""How one cell of an agency's visits file reads (:mod:`ee_app.imports.visits`): the template
a row names, and an answer as the checklist item stores it, in the many ways an agency writes
yes, no, not applicable, a score or an option."""

from __future__ import annotations

import re
import unicodedata

from ee_app.errors import N_
from ee_app.imports.cells import CellError, parse_int, parse_text
from ee_app.imports.columns import normalise_header
from ee_app.instruments.checklist import MAX_COMMENT, NA, ChecklistItem, ChecklistOption

__all__ = [
    "NA_WORDS",
    "NO_WORDS",
    "YES_WORDS",
    "clean_cell",
    "parse_answer",
    "parse_template",
]

#: How an agency may write yes, no and not applicable (compared after normalise_header).
YES_WORDS = ("是", "yes", "y", "true", "√", "✓", "✔")
NO_WORDS = ("否", "no", "n", "false", "×", "✗", "✘")
NA_WORDS = ("不适用", "na", "n/a", "不涉及")
_YES = frozenset(normalise_header(w) for w in YES_WORDS)
_NO = frozenset(normalise_header(w) for w in NO_WORDS)
_NA = frozenset(normalise_header(w) for w in NA_WORDS)
_TEMPLATE = re.compile(
    r"^(?P<key>[a-z0-9][a-z0-9_-]{0,39}?)(?:\s*@\s*v?(?P<at>\d{1,4})|\s+v(?P<v>\d{1,4}))?$"
)
_POINTS = re.compile(r"\s*分$")  # "4分"


def clean_cell(value: object) -> str:
    """A cell as text to compare: a whole float without its ".0", full-width characters
    made half-width, spaces trimmed."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_template(value: object) -> tuple[str, int | None]:
    """``service-process`` → (key, None: the newest version); ``service-process v2`` or
    ``service-process@2`` → (key, 2)."""
    text = parse_text(value, max_length=60) or ""  # never empty: parse_text says so first
    match = _TEMPLATE.match(clean_cell(text).lower())
    if match is None:
        raise CellError(
            N_(
                "“{value}” is not a template key; write it as service-process or service-process v2"
            ),
            value=text,
        )
    version = match.group("at") or match.group("v")
    return match.group("key"), None if version is None else int(version)


def _option_words(item: ChecklistItem) -> dict[str, ChecklistOption]:
    """Each option by its id and by its English and Chinese text; a text two options share
    (after normalising) is left out rather than guessed."""
    found: dict[str, ChecklistOption | None] = {}
    for option in item.options:
        for word in {normalise_header(w) for w in (option.id, option.text.en, option.text.zh)}:
            if word and found.get(word, option) is not option:
                found[word] = None
            else:
                found[word] = option
    for option in item.options:  # an exact id always wins
        found[option.id] = option
    return {w: o for w, o in found.items() if o is not None}


def parse_answer(item: ChecklistItem, value: object) -> object | None:
    """The stored answer to ``item`` that a cell means, or None for an empty cell.

    Yes/no items take 是/否/不适用, yes/no/na, Y/N (and ticks); a scale item a whole number
    from 1 to 5 ("4分" too); a choice an option's id or its English or Chinese text; a text
    item any text of up to 1000 characters. Not applicable (不适用, na) is accepted for items
    that allow it.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if item.type == "text":
        return parse_text(value, max_length=MAX_COMMENT)
    word = normalise_header(clean_cell(value))
    if word in _NA:
        if not item.na:
            raise CellError(N_("“not applicable” is not allowed for this item"))
        return NA
    if item.type == "yes_no":
        if word in _YES:
            return "yes"
        if word in _NO:
            return "no"
        raise CellError(
            N_("“{value}” is not a yes/no answer; write 是, 否 or 不适用 (yes, no, na)"),
            value=value,
        )
    if item.type == "scale":
        try:
            number = parse_int(_POINTS.sub("", clean_cell(value)))
        except CellError:
            number = None
        if number is None or not 1 <= number <= 5:
            raise CellError(N_("“{value}” is not a score from 1 to 5"), value=value)
        return number
    options = _option_words(item)
    option = options.get(clean_cell(value).lower()) or options.get(word)
    if option is None:
        raise CellError(
            N_("“{value}” is not an option of this item; use one of: {options}"),
            value=value,
            options=", ".join(o.id for o in item.options),
        )
    return option.id
