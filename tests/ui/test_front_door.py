"""The front door, as a new user meets it (issue 21): every page, for every role, in both
languages, shows no raw key, no snake_case identifier, no "None", "null" or "nan", and, in
the Chinese interface, no English beyond names, codes and units.

Each (role, language) renders the real app once and walks every page that role may open
(``AppTest``, on a copy of the demo database). What a person reads is collected by
``tests/pages/screen_text.py`` (labels, text, table headers and cells, chart titles and
tooltips) and judged by ``tests/raw_keys.py``; English in the Chinese interface is any word
of three or more Latin letters that is not on the allow-list below, a person's or a unit's
name from the demo database, an e-mail address or a code.

Not judged: a page's inline ``<style>``/``<script>`` (never shown), and the cells of an
editable table, which hold content as its author wrote it: a bilingual question bank has an
English column in either interface. Their missing cells are judged all the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from pprint import pformat

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from ee_app.db import make_engine, read_session
from ee_app.models import AppUser, AuditLog, ImportBatch, OrgUnit, QuizVersion, Staff, UserRole
from ee_app.ui.navigation import pages_for
from tests.conftest import make_demo_database
from tests.pages.screen_text import screen_texts
from tests.raw_keys import MISSING_WORDS, raw_keys

APP = Path(__file__).resolve().parents[2] / "streamlit_app.py"
IDENTITIES = {
    UserRole.ADMIN: "admin@demo.example",
    UserRole.HR: "hr@demo.example",
    UserRole.MANAGER: "manager.sh01@demo.example",
    UserRole.SHOPPER: "shopper@demo.example",
}

#: Latin words a Chinese reader meets on purpose: names of measures and methods (eNPS, CSAT,
#: Pearson r), file kinds and encodings, and the language menu's own names.
ALLOWED_WORDS = {
    "eNPS",
    "CSAT",
    "NPS",
    "Excel",
    "CSV",
    "csv",
    "xlsx",
    "html",
    "PDF",
    "JPG",
    "PNG",
    "UTF",
    "GBK",
    "Pearson",
    "Spearman",
    "Cronbach",
    "ICC",
    "English",
    "Language",
    "WeCom",
    "SMTP",
    "HTML",
    "Benjamini",
    "Hochberg",
    "store-staff",  # the shipped incentive scheme's key, naming a scheme version (audit log)
}
EMAIL = re.compile(r"[\w.+-]+@[\w.-]+")
URL = re.compile(r"https?://\S+")
ENTITY = re.compile(r"&\w+;")
#: Not words a person reads: Markdown's colour and icon directives, a command to type and a
#: documentation file (with the section named in it, the docs being in English).
MARKUP = re.compile(r":(?:red|orange|green|blue|violet|gray|grey|rainbow|primary)\[|:material/\w+:")
COMMAND = re.compile(r"ee-app(?: [a-z][a-z-]*)+|docs/[\w./-]+(?:（“[^”]*”)?")
LATIN_WORD = re.compile(r"(?<![\w.-])[A-Za-z][A-Za-z'’]{2,}(?![\w-])")


@pytest.fixture(scope="module")
def demo_names(sqlite_demo_template) -> set[str]:
    """Every Latin word in the demo's names of people, users and units, its unit codes, its
    assessment keys and their topics, the file names of its imports and who acted in its
    audit log: the demo's own proper nouns and the bank authors' keys, shown as they are."""
    engine = make_engine(f"sqlite:///{sqlite_demo_template}")
    with read_session(engine) as session:
        names = [
            *session.scalars(select(Staff.name)),
            *session.scalars(select(AppUser.name)),
            *session.scalars(select(OrgUnit.name)),
            *session.scalars(select(OrgUnit.code)),
            *session.scalars(select(QuizVersion.key)),
            *session.scalars(select(ImportBatch.file_name)),
            *session.scalars(select(AuditLog.actor)),
        ]
        topics = [
            q.get("category", "")
            for definition in session.scalars(select(QuizVersion.definition))
            for q in definition.get("questions", [])
        ]
    engine.dispose()
    words = {w for name in names for w in re.findall(r"[A-Za-z][\w-]*", name or "")}
    return words | {w for name in names for w in re.findall(r"[A-Za-z]+", name or "")} | set(topics)


def _elements(node) -> Iterator[object]:  # type: ignore[no-untyped-def]
    children = getattr(node, "children", None)
    if children is None:
        yield node
        return
    label = getattr(node, "label", None)
    if isinstance(label, str) and label:
        yield node  # a tab's or an expander's label
    for child in children.values():
        yield from _elements(child)


def _shown(node) -> tuple[list[str], bool]:  # type: ignore[no-untyped-def]
    """What one element shows, and whether it is content (an editable table's cells)."""
    if getattr(node, "children", None) is not None:
        return [node.label], False
    body = getattr(getattr(node, "proto", None), "body", "")
    if isinstance(body, str) and body.lstrip().startswith(("<style", "<script")):
        return [], False
    editable = getattr(node, "type", "") == "dataframe" and bool(
        getattr(node.proto, "editing_mode", 0)
    )
    return list(screen_texts(node)), editable


def _english(text: str, allowed: set[str]) -> list[str]:
    for pattern in (EMAIL, URL, ENTITY, MARKUP, COMMAND):
        text = pattern.sub(" ", text)
    return [w for w in LATIN_WORD.findall(text) if w not in allowed and not w.isupper()]


def problems(at: AppTest, language: str, allowed: set[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for node in _elements(at._tree):
        texts, content = _shown(node)
        for text in texts:
            words = MISSING_WORDS.findall(text) if content else raw_keys(text, language)
            words = [w for w in words if w not in allowed or w in ("None", "null", "nan")]
            if language != "en" and not content:
                words += _english(text, allowed)
            if words:
                found[text[:100]] = sorted(set(words))
    return found


@pytest.mark.parametrize("language", ["en", "zh-CN"])
@pytest.mark.parametrize("role", list(UserRole), ids=lambda r: r.value)
def test_every_page_reads_right(
    role, language, tmp_path, monkeypatch, sqlite_demo_template, demo_names
):
    monkeypatch.setenv(
        "EE_DATABASE_URL", make_demo_database(sqlite_demo_template, tmp_path / "app.db")
    )
    monkeypatch.setenv("EE_LANG", "en")
    monkeypatch.delenv("EE_ENV", raising=False)
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state["ee_lang"] = language
    at.session_state["ee_demo_user"] = IDENTITIES[role]
    at.run()
    allowed = ALLOWED_WORDS | demo_names
    report = {}
    for spec in pages_for(role):
        at.switch_page(spec.path)
        at.run()
        assert not at.exception, (spec.path, at.exception)
        if found := problems(at, language, allowed):
            report[spec.path] = found
    assert report == {}, pformat(report, width=150)
