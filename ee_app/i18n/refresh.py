"""Extract translatable strings and merge them into the Chinese catalog (``scripts/i18n``)."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from ee_app.i18n import CATALOG

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
METHOD_MAP = [("ee_app/**.py", "python"), ("streamlit_app.py", "python")]


def _messages() -> list[str | tuple[str, str]]:
    found: list[str | tuple[str, str]] = []
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHOD_MAP, keywords=KEYWORDS
    ):
        if isinstance(message, str) and message:
            found.append(message)
        elif isinstance(message, tuple) and len(message) == 2 and all(message):
            found.append((str(message[0]), str(message[1])))
    return found


def extracted() -> set[str]:
    """Every (singular) message id the code marks for translation."""
    return {m for m in _messages() if isinstance(m, str)}


def extracted_plurals() -> set[tuple[str, str]]:
    """Every (singular, plural) pair the code marks with ``ngettext``."""
    return {m for m in _messages() if isinstance(m, tuple)}


def refresh() -> tuple[int, int]:
    with CATALOG.open("rb") as handle:
        old = read_po(handle)
    new = Catalog(
        locale="zh_CN",
        project="ee-app",
        version="1",
        fuzzy=False,
        creation_date=old.creation_date,
        revision_date=old.revision_date,
    )
    new.header_comment = "# Simplified Chinese translations for ee-app (see scripts/i18n)."
    for msgid in sorted(extracted()):
        previous = old.get(msgid)
        new.add(msgid, previous.string if previous is not None else "")
    for pair in sorted(extracted_plurals()):
        previous = old.get(pair[0])
        kept = previous.string if previous is not None and isinstance(previous.id, tuple) else ("",)
        new.add(pair, kept if isinstance(kept, tuple) else (kept,))
    with CATALOG.open("wb") as handle:
        write_po(handle, new, width=100, no_location=True, omit_header=False, sort_output=True)
    missing = sum(
        1 for m in new if m.id and not (m.string[0] if isinstance(m.string, tuple) else m.string)
    )
    return len(new), missing


if __name__ == "__main__":
    total, missing = refresh()
    print(f"{total} strings, {missing} untranslated")
    sys.exit(0)
