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

__all__ = ["CATALOG", "LANGUAGE_NAMES", "catalog", "translator"]

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


def _english(message: str) -> str:
    return message


def _chinese(message: str) -> str:
    return catalog().get(message, message)


def translator(language: str) -> Callable[[str], str]:
    """The ``gettext`` function for ``language`` (``en`` or ``zh-CN``)."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    return _chinese if language == "zh-CN" else _english
