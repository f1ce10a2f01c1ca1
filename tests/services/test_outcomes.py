"""Per-staff CSAT and repurchase through the services, on imported files (dates in 2028, after
anything the demo holds, imported as if it were the end of 2028), checked by hand; and
scope."""

from datetime import date

import pytest

from ee_app.config import Settings
from ee_app.db import read_session, write_session
from ee_app.errors import PermissionDenied, ValidationError
from ee_app.services import outcomes
from ee_app.services.outcomes_import import import_csat, import_sales
from ee_app.services.users import actor_for_email
from tests.helpers import csv_file

START, END = date(2028, 3, 1), date(2028, 3, 31)
TODAY = date(2028, 12, 31)  # the imports' clock: no date after it is accepted
CSAT = [
    ["记录编号", "员工编号", "门店", "服务日期", "评分", "触点"],
    # E10002 (SH01): 5, 4, 3, 5 → n 4, top-2 3
    ["Q1", "E10002", "SH01", "2028-03-02", "5", "接待"],
    ["Q2", "E10002", "SH01", "2028-03-05", "4", "护理"],
    ["Q3", "E10002", "SH01", "2028-03-09", "3", "护理"],
    ["Q4", "E10002", "SH01", "2028-03-20", "5", "售后回访"],
    # E10003 (SH01): one answer, 2 → n 1, top-2 0
    ["Q5", "E10003", "SH01", "2028-03-11", "2", "接待"],
    # outside the period
    ["Q6", "E10002", "SH01", "2028-04-02", "1", "接待"],
]
SALES = [
    ["单号", "顾客", "员工编号", "门店", "消费日期", "金额"],
    # customer A: served by E10002 on 3/10, back on 4/20 (41 days) → returned within 90
    ["S1", "A", "E10002", "SH01", "2028-03-10", "500"],
    ["S2", "A", "E10003", "SH01", "2028-04-20", "800"],
    # customer B: served by E10002 on 3/15, back on 6/20 (97 days) → lost
    ["S3", "B", "E10002", "SH01", "2028-03-15", "300"],
    ["S4", "B", "E10002", "SH01", "2028-06-20", "300"],
    # customer C: served by E10003 on 3/31; the data end on 6/20 is 81 days later → pending
    ["S5", "C", "E10003", "SH01", "2028-03-31", "1000"],
]


@pytest.fixture
def imported(engine, demo, admin):
    settings = Settings.from_env()
    with write_session(engine) as session:
        import_csat(session, admin, csv_file(CSAT, "gbk"), "c.csv", settings, scale=5, today=TODAY)
    with write_session(engine) as session:
        import_sales(session, admin, csv_file(SALES, "gbk"), "s.csv", settings, today=TODAY)
    return engine


def rows_by_employee(frame):
    return frame.set_index("employee_no")


def test_csat_per_staff_by_hand(imported, admin):
    with read_session(imported) as session:
        table = rows_by_employee(outcomes.csat_table(session, admin, START, END, min_n=3))
    assert table.loc["E10002", ["n", "top2"]].tolist() == [4, 3]
    assert table.loc["E10002", "mean5"] == pytest.approx(17 / 4)
    assert table.loc["E10002", "top2_rate"] == 0.75 and not table.loc["E10002", "below_min"]
    assert table.loc["E10003", ["n", "top2"]].tolist() == [1, 0]
    assert table.loc["E10003", "below_min"]
    # Shrinkage pulls the one-answer staff member up from 0 toward the store's 3/5.
    assert 0 < table.loc["E10003", "shrunk"] < 0.6


def test_csat_by_touchpoint(imported, admin):
    with read_session(imported) as session:
        table = outcomes.csat_table(session, admin, START, END, by_touchpoint=True)
    mine = table[table["employee_no"] == "E10002"].set_index("touchpoint")
    assert mine["n"].to_dict() == {"aftercare": 1, "reception": 1, "treatment": 2}


def test_repurchase_per_staff_by_hand(imported, admin):
    with read_session(imported) as session:
        table = rows_by_employee(outcomes.repurchase_table(session, admin, START, END))
    # E10002 served A (back in 41 days: returned, 800 CNY) and B (back in 97: lost).
    assert table.loc["E10002", ["customers", "returned", "lost", "pending"]].tolist() == [
        2,
        1,
        1,
        0,
    ]
    assert table.loc["E10002", "rate"] == 0.5
    assert table.loc["E10002", "repeat_value"] == pytest.approx(800.0)
    # E10003 served C on the last day: the window runs past the end of the data → pending.
    assert table.loc["E10003", ["customers", "returned", "lost", "pending"]].tolist() == [
        1,
        0,
        0,
        1,
    ]


def test_same_staff_and_window(imported, admin):
    with read_session(imported) as session:
        same = rows_by_employee(
            outcomes.repurchase_table(session, admin, START, END, same_staff=True)
        )
        long = rows_by_employee(
            outcomes.repurchase_table(session, admin, START, END, window_days=120)
        )
    # A came back to E10003, not to E10002: with "same staff" it is lost for E10002.
    assert same.loc["E10002", ["returned", "lost"]].tolist() == [0, 2]
    # With 120 days neither window has ended by the data's last day (6/20): both customers
    # are pending, although both are already back; they count in no rate yet.
    assert long.loc["E10002", ["returned", "lost", "pending", "pending_returned"]].tolist() == [
        0,
        0,
        2,
        2,
    ]
    assert long["rate"].isna().loc["E10002"]


def test_store_summary(imported, admin):
    with read_session(imported) as session:
        stores = outcomes.store_summary(session, admin, START, END).set_index("store_code")
    assert stores.loc["SH01", "csat_n"] == 5 and stores.loc["SH01", "top2_rate"] == 0.6


def test_managers_see_their_scope(imported):
    with read_session(imported) as session:
        mine = actor_for_email(session, "manager.bj01@demo.example") or actor_for_email(
            session, "manager.east@demo.example"
        )
        table = outcomes.csat_table(session, mine, START, END)
        shopper = actor_for_email(session, "shopper@demo.example")
        with pytest.raises(PermissionDenied):
            outcomes.csat_table(session, shopper, START, END)
    assert set(table["store_code"]) <= {"SH01", "SH02", "HZ01", "SZ01"}


@pytest.mark.parametrize(("month", "ok"), [("2028-03", True), ("2028-13", False), ("x", False)])
def test_month_bounds(month, ok):
    if ok:
        assert outcomes.month_bounds(month) == (START, END)
    else:
        with pytest.raises(ValidationError):
            outcomes.month_bounds(month)
