"""The training page's "Question banks" tab through the real ``streamlit_app.py``: HR sees every
version with the people assigned it, and changing the rules saves a new version while the
assigned one stays as it was. (Uploading a workbook is driven in a browser:
tests/e2e/test_training_grant.py.)"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ee_app.db import read_session
from ee_app.models import QuizVersion
from tests.pages.apptest import open_page

PAGE = "ee_app/pages/training.py"


def opened(make_app, language="en"):
    return open_page(make_app, PAGE, language=language)


@pytest.mark.parametrize(
    ("language", "people", "saved"),
    [
        ("en", "people", "Saved version 2 of “onboarding”."),
        ("zh-CN", "人", "已保存“onboarding”的第2版。"),
    ],
)
def test_hr_changes_the_pass_mark_as_a_new_version(make_app, engine, language, people, saved):
    at = opened(make_app, language)
    tables = [t.value for t in at.dataframe]
    listing = next(t for t in tables if "quarterly-advanced" in t.iloc[:, 0].tolist())
    assert {"onboarding", "quarterly-advanced"} <= set(listing.iloc[:, 0])
    assigned = listing.iloc[:, 5].tolist()
    assert all(people in a for a in assigned)
    assert any(not a.startswith("0") for a in assigned)  # the demo assigned onboarding v1
    with read_session(engine) as session:
        before = session.scalar(select(QuizVersion.sha256).where(QuizVersion.key == "onboarding"))
    mark = next(n for n in at.number_input if n.label in ("Pass mark (%)", "合格线（%）"))
    mark.set_value(90)
    submit = next(
        b for b in at.button if b.key.startswith("FormSubmitter:ee_bank_rules_onboarding")
    )
    submit.click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [saved]
    with read_session(engine) as session:
        rows = session.scalars(
            select(QuizVersion).where(QuizVersion.key == "onboarding").order_by(QuizVersion.version)
        ).all()
    assert [r.version for r in rows] == [1, 2]
    assert rows[0].sha256 == before  # the assigned version never changes
    assert rows[1].definition["pass_mark"] == 0.9
    assert rows[1].definition["questions"] == rows[0].definition["questions"]


def test_the_questions_table_reads_back_as_the_same_bank(make_app, engine):
    """Saving the questions table untouched is "no change": the table → definition path
    gives back exactly the stored bank (texts, options, answers, the draw)."""
    at = opened(make_app)
    submit = next(
        b for b in at.button if b.key.startswith("FormSubmitter:ee_bank_questions_onboarding")
    )
    submit.click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == [
        "No change: version 1 of “onboarding” already holds this."
    ]
    with read_session(engine) as session:
        versions = session.scalars(
            select(QuizVersion.version).where(QuizVersion.key == "onboarding")
        ).all()
    assert versions == [1]
