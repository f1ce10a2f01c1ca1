"""Translations: English source strings, Simplified Chinese from a gettext catalog.

The catalog is ``zh_CN/LC_MESSAGES/messages.po`` (edited with any PO editor, kept complete by
``scripts/i18n`` and checked by ``tests/i18n``). It is read with Babel when first needed, so
there is no compiled ``.mo`` file to keep in step. The words follow the project glossary.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from ee_app.config import LANGUAGES

#: ``ngettext(singular, plural, n)``: the form for ``n`` in the reader's language; the
#: result still holds its placeholders (``{count}``), filled with ``.format`` as usual.
Ngettext = Callable[[str, str, int], str]

__all__ = [
    "CATALOG",
    "LANGUAGE_NAMES",
    "Ngettext",
    "catalog",
    "plural_translator",
    "plurals",
    "translator",
]

CATALOG = Path(__file__).resolve().parent / "zh_CN" / "LC_MESSAGES" / "messages.po"
LANGUAGE_NAMES = {"en": "English", "zh-CN": "简体中文"}


@cache
def catalog() -> dict[str, str]:
    """msgid → msgstr of the Chinese catalog (untranslated and fuzzy entries left out)."""
    from babel.messages.pofile import read_po

    with CATALOG.open("rb") as handle:
        po = read_po(handle)
    return {
        str(m.id): str(m.string)
        for m in po
        if m.id and m.string and not m.fuzzy and isinstance(m.id, str)
    }


@cache
def plurals() -> dict[tuple[str, str], str]:
    """(singular, plural) → the Chinese form. Chinese has one form for every number
    (``nplurals=1``), so each entry has one translation."""
    from babel.messages.pofile import read_po

    with CATALOG.open("rb") as handle:
        po = read_po(handle)
    return {
        (str(m.id[0]), str(m.id[1])): str(m.string[0])
        for m in po
        if isinstance(m.id, tuple) and m.string and m.string[0] and not m.fuzzy
    }


def _english(message: str) -> str:
    return message


def _chinese(message: str) -> str:
    return catalog().get(message, message)


def translator(language: str) -> Callable[[str], str]:
    """The ``gettext`` function for ``language`` (``en`` or ``zh-CN``)."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    return _chinese if language == "zh-CN" else _english


def _english_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


def _chinese_plural(singular: str, plural: str, n: int) -> str:
    found = plurals().get((singular, plural))
    return found if found is not None else _english_plural(singular, plural, n)


def plural_translator(language: str) -> Ngettext:
    """The ``ngettext`` function for ``language``: "1 comment", "2 comments"; 1 条意见."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    return _chinese_plural if language == "zh-CN" else _english_plural
