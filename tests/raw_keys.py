"""The internal keys that must never reach a person (issue 17), derived from the code: the
scheme's measure keys, the shipped scheme's component ids and key, the staff role values,
the rules for missing data and the pool modes; and any snake_case token, "None", "null" or
"nan"."""

from __future__ import annotations

import re

from ee_app.instruments import scheme
from ee_app.models import StaffRole

SNAKE = re.compile(r"(?<![\w.@/:-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@/-])")
MISSING_WORDS = re.compile(r"\b(?:None|null|nan|NaN|NaT|undefined)\b")


def known_keys() -> set[str]:
    """Every key of the code that names a measure, a component, a role or a rule."""
    definition = scheme.default_definition()
    keys = set(scheme.MEASURES) | {c["id"] for c in definition["components"]}
    keys |= {r.value for r in StaffRole} | {definition["key"], *scheme.POOL_MODES}
    keys |= set(getattr(scheme, "MISSING_RULES", ()))  # the rules for missing data (issue 17)
    return keys


def raw_keys(text: str, language: str, keys: set[str] | None = None) -> list[str]:
    """The internal keys in one piece of text a person reads (a label, a cell, a message).

    Always: snake_case tokens and "None"/"null"/"nan" as words. A key that is also an
    English word ("sales", "cap", "mystery-shopper") counts when it is the whole text or
    opens a note before a colon ("repurchase: no data"); in Chinese text, wherever it
    stands."""
    found = SNAKE.findall(text) + MISSING_WORDS.findall(text)
    stripped = text.strip()
    for key in keys if keys is not None else known_keys():
        word = rf"(?<![\w-]){re.escape(key)}(?![\w-])"
        if (
            stripped == key
            or re.search(r"(?:^|[;；]\s*)" + re.escape(key) + r"\s*[:：]", text)
            or (language != "en" and re.search(word, text))
        ):
            found.append(key)
    return sorted(set(found))
