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


# --- the CSAT window (issue 16) -----------------------------------------------------------------

WINDOW_CSAT = [
    ["记录编号", "员工编号", "门店", "服务日期", "评分", "触点"],
    ["W1", "E10002", "SH01", "2027-09-30", "5", "护理"],  # before a 6-month window
    ["W2", "E10002", "SH01", "2027-12-31", "5", "护理"],  # in 6 months, not in 3
    ["W3", "E10002", "SH01", "2028-01-01", "4", "护理"],  # the first day of 3 months
    ["W4", "E10002", "SH01", "2028-02-29", "2", "护理"],  # leap day
]


@pytest.fixture
def windowed(imported, admin):
    with write_session(imported) as session:
        import_csat(
            session,
            admin,
            csv_file(WINDOW_CSAT, "gbk"),
            "w.csv",
            Settings.from_env(),
            scale=5,
            today=TODAY,
        )
    return imported


@pytest.mark.parametrize(
    ("months", "n", "top2"),
    [
        # March only (Q1–Q4; Q6 on 2 April is after the month): 5, 4, 3, 5
        (1, 4, 3),
        # + January and February: W3 (4, top-2) and W4 (2) → the sum of the 3 months
        (3, 6, 4),
        # + October–December 2027: W2 (5); W1 on 30 September is a day too early
        (6, 7, 5),
    ],
)
def test_csat_window_sums_the_months_ending_with_the_period(windowed, admin, months, n, top2):
    with read_session(windowed) as session:
        table = rows_by_employee(
            outcomes.csat_table(session, admin, START, END, months=months, min_n=5)
        )
    assert table.loc["E10002", ["n", "top2"]].tolist() == [n, top2]
    assert table.loc["E10002", "below_min"] == (n < 5)  # ⚠ only when true
    assert table.loc["E10003", "n"] == 1  # E10003's one answer is in March


def test_csat_window_shrinks_with_a_prior_fitted_on_the_window(windowed, admin):
    """Only E10002 (6 answers, 4 top-2) and E10003 (1, 0) answered in Jan–Mar 2028: two staff
    in SH01, fewer than 3, so both take the prior fitted on all staff of the window.
    By hand (Kleinman 1973): μ = 4/7, k = 2, N = 7, Σn²/N = 37/7;
    S = 6·(4/6 − 4/7)² + (0 − 4/7)² = 0.380952, S/(μ(1−μ)) = 0.380952/(12/49) = 1.555556;
    ρ = (1.555556 − 1)/(7 − 37/7 − 1) = 0.555556/0.714286 = 0.777778; α + β = 1/ρ − 1 =
    0.2857, clipped to 2: α = 8/7, β = 6/7. Shrunken: (4 + 8/7)/(6 + 2) = 0.642857 and
    (0 + 8/7)/(1 + 2) = 0.380952. With March alone the prior would differ."""
    with read_session(windowed) as session:
        table = rows_by_employee(outcomes.csat_table(session, admin, START, END, months=3))
        march = rows_by_employee(outcomes.csat_table(session, admin, START, END, months=1))
    assert table.loc["E10002", "shrunk"] == pytest.approx(0.642857, abs=1e-6)
    assert table.loc["E10003", "shrunk"] == pytest.approx(0.380952, abs=1e-6)
    assert march.loc["E10003", "shrunk"] != pytest.approx(0.380952, abs=1e-3)


@pytest.mark.parametrize("months", [0, 2, 12])
def test_csat_window_is_one_three_or_six_months(imported, admin, months):
    with read_session(imported) as session, pytest.raises(ValidationError):
        outcomes.csat_table(session, admin, START, END, months=months)


@pytest.mark.parametrize(
    ("start", "end", "months", "first"),
    [
        (date(2026, 10, 1), date(2026, 10, 31), 3, date(2026, 8, 1)),
        (date(2026, 3, 1), date(2026, 3, 31), 3, date(2026, 1, 1)),
        (date(2026, 2, 1), date(2026, 2, 28), 3, date(2025, 12, 1)),  # across the year
        (date(2026, 1, 1), date(2026, 1, 31), 6, date(2025, 8, 1)),
        (date(2026, 12, 1), date(2026, 12, 31), 6, date(2026, 7, 1)),
        (date(2026, 10, 15), date(2026, 10, 31), 1, date(2026, 10, 15)),  # as given
    ],
)
def test_csat_window_bounds(start, end, months, first):
    assert outcomes.csat_window(start, end, months) == (first, end)


@pytest.mark.parametrize(
    ("data", "today", "month"),
    [
        # the demo loaded on 6 November: November is six days old → October
        ((date(2025, 11, 7), date(2026, 11, 6)), date(2026, 11, 6), "2026-10"),
        # data to the last day of October, read on 1 November → October is complete
        ((date(2026, 1, 1), date(2026, 10, 31)), date(2026, 11, 1), "2026-10"),
        # ... but read on 31 October itself it is not over yet → September
        ((date(2026, 1, 1), date(2026, 10, 31)), date(2026, 10, 31), "2026-09"),
        # an export that stopped mid-September, read in December: September has ended
        ((date(2026, 1, 1), date(2026, 9, 14)), date(2026, 12, 6), "2026-09"),
        # the test demo (data to 2 November) read on 6 December: November has ended
        ((date(2025, 11, 3), date(2026, 11, 2)), date(2026, 12, 6), "2026-11"),
        # across the new year
        ((date(2025, 6, 1), date(2026, 1, 5)), date(2026, 1, 5), "2025-12"),
        # nothing complete yet: the only month there is
        ((date(2026, 11, 2), date(2026, 11, 5)), date(2026, 11, 6), "2026-11"),
    ],
)
def test_last_complete_month(data, today, month):
    span = outcomes.DataRange(data[0], data[1], data[0], data[1])
    assert outcomes.last_complete_month(span, today) == month


def test_the_demo_gives_most_staff_enough_answers_over_three_months(engine, demo, admin):
    """Issue 16: in the demo 99.8% of staff-months had fewer than 10 answers and the shrunken
    rate was the same for everyone. Over the 3 months ending with October 2026 (the last
    complete month of the test demo, built for 2 November), most staff have 10 or more, the
    flag says so only for the others, and the shrunken rates differ from person to person."""
    start, end = outcomes.month_bounds("2026-10")
    with read_session(engine) as session:
        table = outcomes.csat_table(session, admin, start, end, months=3)
        month = outcomes.csat_table(session, admin, start, end, months=1)
    assert len(table) >= 180
    assert (table["n"] >= 10).mean() > 0.8
    assert (table["below_min"] == (table["n"] < 10)).all()
    assert table["n"].sum() > 2.5 * month["n"].sum()  # three months' answers, not one
    shrunk = table["shrunk"].round(3)
    assert shrunk.nunique() > 0.5 * len(table) and table["shrunk"].std() > 0.03
