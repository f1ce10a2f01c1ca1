"""The Checklists tab through the real ``streamlit_app.py``: HR types a checklist's head,
checks it, sees every problem where it is, and saves a new version; an unchanged save stores
nothing; the preview draws the shopper's form."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ee_app.db import read_session
from ee_app.models import ChecklistVersion
from tests.pages.apptest import open_page
from tests.raw_keys import raw_keys

VISITS = "ee_app/pages/visits.py"


def opened(make_app, language="en"):
    return open_page(make_app, VISITS, language=language)


def versions(engine, key):
    with read_session(engine) as session:
        return session.scalar(
            select(func.count()).select_from(ChecklistVersion).where(ChecklistVersion.key == key)
        )


def fill_head(at, key="hair-wash"):
    at.text_input(key="ee_ck_1_key").set_value(key)
    at.text_input(key="ee_ck_1_name_en").set_value("Hair wash")
    at.text_input(key="ee_ck_1_name_zh").set_value("洗发服务")
    at.text_area(key="ee_ck_1_desc_en").set_value("A short check of the hair wash.")
    at.text_area(key="ee_ck_1_desc_zh").set_value("洗发服务简要检查。")


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "is empty; write the text"), ("zh-CN", "为空，请填写内容")],
)
def test_check_lists_every_problem_in_the_readers_words(make_app, language, expected):
    at = opened(make_app, language)
    at.button(key="ee_ck_check").click().run()
    assert not at.exception, at.exception
    assert at.error, "a blank checklist has problems"
    table = at.dataframe[-1].value
    problems = list(table.iloc[:, -1])
    assert problems.count(expected) == 8  # name, description, section name, item text × 2
    shown = [str(v) for v in table.to_numpy().ravel()]
    assert not [k for text in shown for k in raw_keys(text, language)]
    sheets = set(table.iloc[:, 0])
    assert sheets == (
        {"Checklist", "Sections", "Items"} if language == "en" else {"检查表", "部分", "题目"}
    )


def test_saving_with_problems_writes_nothing(make_app, engine):
    at = opened(make_app)
    fill_head(at)
    at.run()
    # The blank template's section and item still lack their texts (AppTest cannot type into
    # st.data_editor; the browser test fills the tables through a workbook in Chromium).
    assert versions(engine, "hair-wash") == 0
    at.button(key="ee_ck_save").click().run()
    assert not at.exception, at.exception
    assert versions(engine, "hair-wash") == 0, "problems: nothing saved"
    assert at.error


def test_preview_and_a_shipped_checklist_as_start(make_app, engine):
    at = opened(make_app)
    at.selectbox(key="ee_ck_start").select_index(1)
    at.button(key="ee_ck_start_now").click().run()
    assert at.text_input(key="ee_ck_2_key").value in ("service-process", "consultation-compliance")
    at.toggle(key="ee_ck_preview_on").set_value(True).run()
    assert not at.exception, at.exception
    assert any("critical item" in m.value for m in at.markdown)
    # Saving it unchanged stores nothing and says so.
    key = at.text_input(key="ee_ck_2_key").value
    before = versions(engine, key)
    at.button(key="ee_ck_save").click().run()
    assert versions(engine, key) == before
    assert any("No change" in s.value for s in at.success), [s.value for s in at.success]
