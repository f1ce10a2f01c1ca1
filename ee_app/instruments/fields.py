"""The parts every instrument definition is made of, read and checked the same way.

The pulse questionnaire, the checklists, the quizzes and the incentive schemes are plain dicts
(TOML on disk, JSON in the database). They share their bilingual texts, their short ids, their
exact numbers and their refusal of unknown settings, so each is read here once, and a fault
is reported in the same words whichever instrument has it. Every reader appends what is wrong
to ``problems`` and returns a stand-in value, so a validator can list every fault at once.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from ee_app.errors import N_, Problem

__all__ = [
    "ID_PATTERN",
    "Text",
    "bilingual",
    "definition_hash",
    "exact",
    "is_count",
    "key_and_version",
    "read_type",
    "shipped_definitions",
    "unique_id",
    "unknown_settings",
]

#: A key or an id: short, lower case, starting with a letter or a digit.
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


@dataclass(frozen=True)
class Text:
    """A text in English and Simplified Chinese."""

    en: str
    zh: str

    def get(self, language: str) -> str:
        return self.zh if language == "zh-CN" else self.en


def bilingual(data: Any, where: str, problems: list[Problem], limit: int) -> Text:
    """The ``en`` and ``zh-CN`` texts of ``data``, each required and at most ``limit`` long."""
    if not isinstance(data, Mapping):
        problems.append(
            Problem(N_("{where}: needs an English and a Chinese text."), {"where": where})
        )
        return Text("", "")
    values = []
    for language in ("en", "zh-CN"):
        value = data.get(language)
        if not isinstance(value, str) or not value.strip():
            problems.append(
                Problem(
                    N_("{where}: the {language} text is missing."),
                    {"where": where, "language": language},
                )
            )
            value = ""
        elif len(value) > limit:
            problems.append(
                Problem(
                    N_("{where}: the {language} text is longer than {limit}."),
                    {"where": where, "language": language, "limit": limit},
                )
            )
        values.append(value.strip())
    return Text(*values)


def exact(value: Any) -> Fraction | None:
    """An exact number from a TOML int, float or decimal string ("0.5"); None if not one, or
    not finite. A weight of 0.1 is one tenth, not the nearest binary float."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float | str):
        try:
            return Fraction(Decimal(str(value)))
        except (ArithmeticError, ValueError):
            return None
    return None


def is_count(value: Any) -> bool:
    """A whole number of 1 or more (a version, a number of attempts); true and false are not."""
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def key_and_version(
    definition: Mapping[str, Any],
    kind: str,
    problems: list[Problem],
    messages: tuple[str, str, str],
) -> tuple[str, int]:
    """A definition's key and version, checking that it is of ``kind``. ``messages`` say, in
    the instrument's own words, that the kind is wrong, the key missing, the version not 1 or
    more; a missing version reads as 0."""
    wrong_kind, no_key, no_version = messages
    if definition.get("kind") != kind:
        problems.append(Problem(wrong_kind))
    key = str(definition.get("key", ""))
    if not ID_PATTERN.match(key):
        problems.append(Problem(no_key))
    version = definition.get("version")
    if not is_count(version):
        problems.append(Problem(no_version))
        version = 0
    return key, version


def read_type(
    data: Mapping[str, Any],
    types: tuple[str, ...],
    fallback: str,
    where: str,
    problems: list[Problem],
) -> str:
    """The ``type`` of an item or a question, one of ``types``; ``fallback`` if it is not."""
    kind = data.get("type")
    if kind not in types:
        problems.append(
            Problem(
                N_("{where}: the type must be one of {types}."),
                {"where": where, "types": ", ".join(types)},
            )
        )
        kind = fallback
    return kind


def unique_id(identifier: str, seen: set[str], message: str, problems: list[Problem]) -> None:
    """Add ``message`` (with ``{id}``) unless ``identifier`` is a short id not in ``seen``;
    remember it in ``seen``."""
    if not ID_PATTERN.match(identifier) or identifier in seen:
        problems.append(Problem(message, {"id": identifier}))
    seen.add(identifier)


def unknown_settings(data: Mapping[str, Any], known: frozenset[str], where: str) -> list[Problem]:
    """A misspelt key (``critcal = true``) must not silently drop a rule."""
    return [
        Problem(N_("{where}: unknown setting “{key}”."), {"where": where, "key": key})
        for key in sorted(set(data) - known)
    ]


def definition_hash(definition: Mapping[str, Any]) -> str:
    """The SHA-256 of the definition's canonical JSON: the identity of an instrument version."""
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def shipped_definitions(folder: Path, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Version 1 of each shipped definition, by key, from ``folder/<key>-v1.toml``; a file
    that holds another key or version is a packaging fault, not a user's."""
    found = {}
    for key in keys:
        with (folder / f"{key}-v1.toml").open("rb") as handle:
            definition = tomllib.load(handle)
        if (definition.get("key"), definition.get("version")) != (key, 1):
            raise ValueError(f"{key}-v1.toml must hold key = {key!r} and version = 1.")
        found[key] = definition
    return found
