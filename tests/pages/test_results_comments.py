"""The Results page of a wave with own questions and k_c > k (issue 18), through the real
``streamlit_app.py``: a store of 13 shows its comments to HR and to its manager, the own
questions' section is there, a hidden own question says "fewer than k", and HR tags a
comment with two themes through the comments table."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from ee_app.auth import system_actor
from ee_app.db import make_engine, read_session, write_session
from ee_app.models import UserRole
from ee_app.services.comments import comments_of_unit
from ee_app.services.users import save_user
from tests.pages.conftest import APP
from tests.pages.test_pages import texts
from tests.services import comment_chain as cc

PAGE = "ee_app/pages/results.py"


@pytest.fixture
def chain_app(tmp_path, monkeypatch, sqlite_template):
    path = tmp_path / "chain.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    cc.build(engine)
    with write_session(engine) as session:
        save_user(session, system_actor(), "hr@example.com", role=UserRole.HR, name="HR")
        save_user(
            session, system_actor(), "cs@example.com", role=UserRole.MANAGER, unit_codes=["CS"]
        )
    engine.dispose()
    monkeypatch.setenv("EE_DATABASE_URL", url)
    monkeypatch.setenv("EE_LANG", "en")
    monkeypatch.setenv("EE_DEMO", "1")  # pick a user of this (non-demo) database
    monkeypatch.delenv("EE_ENV", raising=False)
    return url


@pytest.mark.parametrize(
    ("identity", "unit", "expect", "absent"),
    [
        (
            "hr@example.com",
            "CS",
            [
                "13 comments, in random order",
                "Your own questions",
                cc.OWN[0][0],
                "Every comment of the wave with the group",
            ],
            [],
        ),
        (
            "cs@example.com",
            "CS",
            ["13 comments, in random order", "Your own questions"],
            ["Every comment of the wave with the group"],
        ),
        (
            "hr@example.com",
            "CS3",
            ["fewer than 3", "Comments are shown for groups of at least 10"],
            [],
        ),
    ],
)
def test_results_page_shows_own_questions_and_store_comments(
    chain_app, identity, unit, expect, absent
):
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.session_state["ee_lang"] = "en"
    at.session_state["ee_demo_user"] = identity
    at.run()
    at.switch_page(PAGE)
    at.run()
    at.selectbox(key="ee_results_unit").set_value(unit).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    shown = texts(at)
    for text in expect:
        assert text in shown, text
    for text in absent:
        assert text not in shown, text
    assert "No comments in this wave" not in shown
    if identity == "hr@example.com" and unit == "CS":  # HR tags the first comment shown
        edits = {"edited_rows": {0: {"Themes": ["voice", "care"]}}}
        at.session_state["ee_results_comment_editor"] = {
            **edits,
            "added_rows": [],
            "deleted_rows": [],
        }
        next(b for b in at.button if b.label == "Save tags").click().run()
        assert [t.value for t in at.toast] == ["Tags saved for 1 comment."]
        assert "Someone cares: 1 comment · Opinions count: 1 comment" in texts(at)
        engine = make_engine(chain_app)
        with read_session(engine) as session:
            found = comments_of_unit(session, cc.hr(), cc.WAVE, "CS")[1]
        engine.dispose()
        assert [c.themes for c in found if c.themes] == [("care", "voice")]
