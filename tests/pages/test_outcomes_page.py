"""The customer outcomes page through the real ``streamlit_app.py``: HR and managers read it in
both languages, managers see their own store only, and HR imports, maps columns and undoes.

The files here are dated March 2029, after anything the demo holds, so the tests pass whether
or not the demo comes with outcomes of its own; and the page opens on the latest month. The
imports' clock is set to the end of 2029 (they refuse dates in the future).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, func, select

from ee_app import clock
from ee_app.auth import system_actor
from ee_app.config import Settings
from ee_app.db import read_session, write_session
from ee_app.demo.chain import generate_chain
from ee_app.models import CsatRecord, Sale, SaleStaff
from ee_app.services.outcomes_import import import_csat, import_sales
from tests.conftest import DEMO_SEED, DEMO_TODAY
from tests.helpers import csv_file, snapshot
from tests.pages.apptest import clean, open_page

PAGE = "ee_app/pages/outcomes.py"
HR = "hr@demo.example"
MANAGER = "manager.sh01@demo.example"
MONTH = "2029-03"


def staff_of(store: str) -> list[str]:
    chain = generate_chain(DEMO_SEED, "small", DEMO_TODAY)
    return [
        s.employee_no
        for s in chain.staff
        if s.periods[-1][0].split("-")[0] == store and s.leave_date is None
    ]


SH01 = staff_of("SH01")
BJ01 = staff_of("BJ01")
CSAT = [
    ["记录编号", "员工编号", "门店", "服务日期", "评分", "触点"],
    ["P1", SH01[7], "SH01", "2029-03-02", "5", "护理"],
    ["P2", SH01[7], "SH01", "2029-03-05", "4", "护理/治疗"],
    ["P3", SH01[1], "SH01", "2029-03-06", "3", "接待"],
    ["P4", BJ01[7], "BJ01", "2029-03-07", "5", "售后回访"],
    ["P5", BJ01[7], "BJ01", "2029-03-08", "2", "预约"],
]
SALES = [
    ["单号", "顾客", "员工编号", "门店", "消费日期", "金额"],
    ["T1", "13800138000", f"{SH01[3]}、{SH01[7]}", "SH01", "2029-03-10", "1,280.00"],
    ["T2", "13800138001", SH01[7], "SH01", "2029-03-12", "680"],
    ["T3", "13900139000", BJ01[7], "BJ01", "2029-03-15", "300"],
]


@pytest.fixture(autouse=True)
def in_2029(monkeypatch):
    """The imports' clock at the end of 2029: files dated March 2029 are not in the future."""

    # the local date (issue 17), which the imports and the page's opening month read
    monkeypatch.setattr(clock, "today", lambda tz=None: date(2029, 12, 31))


@pytest.fixture
def seeded(engine):
    """This month's answers and sales of SH01 and BJ01, imported through the services."""
    settings = Settings.from_env()
    with write_session(engine) as session:
        csat = import_csat(session, system_actor(), csv_file(CSAT, "gbk"), "c.csv", settings)
    with write_session(engine) as session:
        sales = import_sales(session, system_actor(), csv_file(SALES, "gbk"), "s.csv", settings)
    return csat.batch_id, sales.batch_id


@pytest.fixture
def no_outcomes(engine):
    """The demo without any customer outcomes (whether or not it came with some)."""
    with write_session(engine) as session:
        for model in (SaleStaff, Sale, CsatRecord):
            session.execute(delete(model))
        session.commit()


def count(engine, model) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def outcomes_page(make_app, identity=HR, language="en"):
    return clean(open_page(make_app, PAGE, identity, language))


def texts(at, kind: str) -> str:
    return "\n".join(str(e.value) for e in getattr(at, kind))


def frame_with(at, column: str):
    """The first table with ``column``."""
    return next(f.value for f in at.dataframe if column in f.value.columns)


def upload(at, kind: str, name: str, data: bytes):
    if kind != "csat":
        at.segmented_control(key="ee_outcomes_kind").set_value(kind).run()
    at.file_uploader(key=f"ee_outcomes_upload_{kind}").set_value((name, data, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("language", ["en", "zh-CN"])
@pytest.mark.parametrize("identity", [HR, MANAGER])
@pytest.mark.parametrize("with_data", [False, True], ids=["as-loaded", "with-march"])
def test_renders_for_hr_and_manager(make_app, engine, request, identity, language, with_data):
    if with_data:
        request.getfixturevalue("seeded")
    at = outcomes_page(make_app, identity, language)
    assert at.title
    import_offered = any(str(w.key).startswith("ee_outcomes_upload") for w in at.file_uploader)
    assert import_offered == (identity == HR)
    if with_data:
        assert at.selectbox(key="ee_outcomes_month").value == MONTH
        staff = frame_with(at, "员工编号" if language == "zh-CN" else "Employee number")
        assert len(staff) >= 1


def test_empty_until_hr_imports(make_app, engine, no_outcomes):
    manager = outcomes_page(make_app, MANAGER)
    assert "HR imports" in texts(manager, "info")
    assert not manager.dataframe and not manager.file_uploader
    at = outcomes_page(make_app, HR)
    assert "Import the CRM's satisfaction answers and the POS's sales below" in texts(at, "info")
    assert not at.tabs
    upload(at, "csat", "csat.csv", csv_file(CSAT, "gbk"))
    at.button(key="ee_outcomes_import").click().run()
    clean(at)
    assert [t.label for t in at.tabs][:3] == ["Staff", "By touchpoint", "Stores"]
    assert at.selectbox(key="ee_outcomes_month").value == MONTH
    assert len(frame_with(at, "Employee number")) == 3


def test_manager_sees_only_sh01_staff(make_app, seeded):
    at = outcomes_page(make_app, MANAGER)
    staff = frame_with(at, "Employee number")
    assert set(staff["Employee number"]) == {SH01[1], SH01[3], SH01[7]}
    assert all("SH01" in store for store in staff["Store"])
    touchpoints = frame_with(at, "Touchpoint")
    assert set(touchpoints["Employee number"]) <= set(SH01)
    stores = next(f.value for f in at.dataframe if "Customers" in f.value and "Name" not in f.value)
    assert list(stores["Store"]) == ["上海静安店 (SH01)"]
    shown = "\n".join(f.value.to_csv() for f in at.dataframe)
    assert "BJ01" not in shown and BJ01[7] not in shown


def test_hr_sees_both_stores_with_their_n(make_app, seeded):
    at = outcomes_page(make_app, HR)
    staff = frame_with(at, "Employee number").set_index("Employee number")
    assert staff.loc[SH01[7], "CSAT n"] == 2 and staff.loc[SH01[7], "Top-2 %"] == 100
    assert staff.loc[SH01[7], "Customers"] == 2
    assert staff.loc[BJ01[7], "CSAT n"] == 2
    assert staff.loc[SH01[1], "Few answers"].startswith("⚠")  # 1 answer, minimum 10
    # Served on 10 and 12 March, the data end there: every window is still open.
    assert staff.loc[SH01[7], "Pending"] == 2 and staff.loc[SH01[7], "Decided"] == 0


def test_gbk_csv_with_chinese_headers_imports_and_appears_in_history(make_app, engine):
    at = outcomes_page(make_app, HR, "zh-CN")
    before = snapshot(engine)
    upload(at, "csat", "回访记录.csv", csv_file(CSAT, "gbk"))
    at.button(key="ee_outcomes_check").click().run()
    clean(at)
    assert "5" in texts(at, "info")  # rows counted, nothing written
    assert snapshot(engine) == before
    csat_before = count(engine, CsatRecord)
    at.button(key="ee_outcomes_import").click().run()
    clean(at)
    assert count(engine, CsatRecord) == csat_before + 5
    assert at.success, "the import is confirmed"
    assert any("回访记录.csv" in f.value.to_csv() for f in at.dataframe), "listed in the history"
    # The same file again adds nothing.
    at.button(key="ee_outcomes_import").click().run()
    clean(at)
    assert count(engine, CsatRecord) == csat_before + 5


def test_bad_file_shows_row_level_problems_and_writes_nothing(make_app, engine):
    bad = [*CSAT, ["P9", "E99999", "SH01", "2029-03-40", "5", "护理"]]
    at = outcomes_page(make_app, HR)
    before = snapshot(engine)
    upload(at, "csat", "bad.csv", csv_file(bad, "gbk"))
    at.button(key="ee_outcomes_import").click().run()
    assert not at.exception, at.exception
    assert at.error and "Nothing was changed" in at.error[0].value
    problems = frame_with(at, "Problem")
    located = set(zip(problems["Row"], problems["Column"], strict=True))
    assert {(7, "员工编号"), (7, "服务日期")} <= located
    assert any("E99999" in p for p in problems["Problem"])
    assert snapshot(engine) == before


def test_mapping_step_for_an_unknown_id_header(make_app, engine):
    rows = [["ID", *SALES[0][1:]], *SALES[1:]]
    at = outcomes_page(make_app, HR)
    upload(at, "sales", "pos.csv", csv_file(rows, "gbk"))
    picker = at.selectbox(key="ee_outcomes_map_sales_source_id")
    assert picker.value == "" and "ID" in picker.options
    assert at.button(key="ee_outcomes_import").disabled
    # The fields that were recognised are already pointed at their columns.
    assert at.selectbox(key="ee_outcomes_map_sales_customer").value == "顾客"
    picker.set_value("ID").run()
    clean(at)
    assert not at.button(key="ee_outcomes_import").disabled
    sales_before = count(engine, Sale)
    at.button(key="ee_outcomes_import").click().run()
    clean(at)
    assert count(engine, Sale) == sales_before + 3
    assert "pos.csv" in set(frame_with(at, "File")["File"])


def test_undo_removes_the_batch(make_app, engine, seeded):
    csat_batch, _sales_batch = seeded
    csat_before = count(engine, CsatRecord)
    at = outcomes_page(make_app, HR)
    at.selectbox(key="ee_outcomes_undo_pick").set_value(csat_batch).run()
    clean(at)
    at.button(key="ee_outcomes_undo_now").click().run()
    clean(at)
    assert count(engine, CsatRecord) == csat_before - 5
    assert any(str(csat_batch) in s.value for s in at.success)
    history = frame_with(at, "Status").set_index("Batch")
    assert history.loc[csat_batch, "Status"].startswith("Undone")
    offered = at.selectbox(key="ee_outcomes_undo_pick").options
    assert not any(label.startswith(f"Batch {csat_batch} ·") for label in offered)


def test_a_file_of_mixed_scales_waits_for_the_scale_to_be_chosen(make_app, engine):
    mixed = [*CSAT, ["P6", SH01[7], "SH01", "2029-03-09", "7", "护理"]]
    at = outcomes_page(make_app, HR)
    before = snapshot(engine)
    upload(at, "csat", "mixed.csv", csv_file(mixed, "gbk"))
    at.button(key="ee_outcomes_import").click().run()
    assert not at.exception, at.exception
    problems = frame_with(at, "Problem")
    assert (problems["Row"].tolist(), problems["Column"].tolist()) == ([7], ["评分"])
    assert "5 scores from 1 to 5 and 1 outside 1–5" in problems["Problem"][0]
    assert snapshot(engine) == before
    at.segmented_control(key="ee_outcomes_scale").set_value(10).run()
    csat_before = count(engine, CsatRecord)
    at.button(key="ee_outcomes_import").click().run()
    clean(at)
    assert count(engine, CsatRecord) == csat_before + 6
    assert "0–10" in texts(at, "success")


@pytest.mark.parametrize(
    ("language", "label"),
    [("en", "(.xlsx or .csv, at most 100 MB)"), ("zh-CN", "（.xlsx 或 .csv，不超过 100 MB）")],
)
def test_the_upload_box_says_the_limit(make_app, language, label):
    at = outcomes_page(make_app, HR, language)
    [box] = [w for w in at.file_uploader if str(w.key).startswith("ee_outcomes_upload")]
    assert box.label.endswith(label)


def test_opens_on_the_last_complete_month_with_three_months_of_csat(make_app, monkeypatch):
    """Issue 16: read on 6 November 2026, the page opened on November (six days, two of them
    in the test demo's data) and every staff member carried "⚠ n < 10". It opens on October,
    with each person's CSAT over August–October, and ⚠ only where n < 10."""

    monkeypatch.setattr(clock, "today", lambda tz=None: date(2026, 11, 6))
    at = outcomes_page(make_app, HR)
    assert at.selectbox(key="ee_outcomes_month").value == "2026-10"
    assert at.selectbox(key="ee_outcomes_csat_months").value == 3
    assert "Staff satisfaction from 2026-08-01 to 2026-10-31." in texts(at, "caption")

    def flagged(at) -> tuple[int, int]:
        staff = frame_with(at, "Employee number")
        rated = staff[staff["CSAT n"].notna()]
        few = rated["Few answers"].str.startswith("⚠")
        assert (few == (rated["CSAT n"] < 10)).all()  # the flag only when true
        return int(few.sum()), len(rated)

    few, rated = flagged(at)
    assert rated >= 180 and few < 0.2 * rated
    at.selectbox(key="ee_outcomes_csat_months").set_value(1).run()
    clean(at)
    assert flagged(at)[0] > few  # October alone: more staff with too few answers
