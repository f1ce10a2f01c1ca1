"""Issue 20: the repurchase tables computed in SQL (``sales_read.repurchase_pairs`` and
``analysis.repurchase_table.repurchase_from_pairs``) equal the pure functions ``repurchase`` and
``repurchase_by_store`` on the served customers' sales (``sales_frame``), for every
attribution option, on crafted edge cases (one customer each) and on the demo's year, on
SQLite and PostgreSQL."""

from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import func, select

from ee_app.analysis.repurchase import repurchase, repurchase_by_store
from ee_app.analysis.repurchase_table import repurchase_from_pairs
from ee_app.db import read_session, write_session
from ee_app.models import ImportBatch, OrgUnit, Sale, SaleStaff, Staff, UnitLevel
from ee_app.services.outcomes import month_bounds
from ee_app.services.sales_read import repurchase_pairs, sales_frame

START, END = date(2031, 3, 1), date(2031, 3, 31)
WINDOW = 30
MODES = [
    # by, same unit
    ("last_served", False),
    ("last_served", True),
    ("owner", False),
    ("owner", True),
    ("store", False),
    ("store", True),
]

# (customer, date, amount, store 0/1, serving staff 0–2, owner 0–2 or None), in import order.
# Dates after anything the demo holds; each customer is one edge case.
SALES = [
    # returned: served by s0 on 3/10, back on 4/5 (26 days, at the other store, unserved)
    ("back", "2031-03-10", "100.10", 0, [0], 0),
    ("back", "2031-04-05", "250.25", 1, [], 0),
    # lost: back after the window (3/12 + 31 days)
    ("lost", "2031-03-12", "80", 0, [1], 1),
    ("lost", "2031-04-12", "90", 0, [1], 1),
    # window edges: t = 3/5, back on 3/5 (same day: no return) and on 4/4 (t + 30: counts)
    ("edge", "2031-03-05", "10", 0, [0], None),
    ("edge", "2031-03-05", "20", 0, [1], None),
    ("edge", "2031-04-04", "30", 0, [2], None),
    # two staff on one sale; the return served by only one of them (same_staff differs)
    ("pair", "2031-03-15", "300", 1, [0, 1], 1),
    ("pair", "2031-03-20", "40", 1, [1], 1),
    # ties on the last day with different owners: the last imported sale's owner counts
    ("tie", "2031-03-28", "60", 0, [2], 0),
    ("tie", "2031-03-28", "70", 1, [0], 2),
    ("tie", "2031-04-10", "15", 1, [2], 2),
    # last service per pair: s0 on 3/2 and s1 on 3/25; back on 4/1 (30 days after s0's: no)
    ("later", "2031-03-02", "50", 0, [0], 0),
    ("later", "2031-03-25", "50", 0, [1], 1),
    ("later", "2031-04-02", "55", 0, [0], 1),
    # a refund (negative amount) is a transaction: it counts as a return, its value negative
    ("refund", "2031-03-08", "500", 1, [2], 2),
    ("refund", "2031-03-18", "-500", 1, [], 2),
    # only unserved sales in the period: nobody's under last_served, the store's customer
    ("unserved", "2031-03-03", "25", 1, [], None),
    ("unserved", "2031-03-20", "35", 0, [1], None),
    # bought before the period only: nobody's customer; a sale before the period is no return
    ("before", "2031-02-20", "45", 0, [0], 0),
    ("before", "2031-03-01", "45", 0, [0], 0),
    # pending: t + 30 after the end of the data (4/20, set by an anonymous sale), back early
    ("open", "2031-03-30", "99", 0, [2], 2),
    ("open", "2031-04-02", "11", 0, [2], 2),
    ("pending", "2031-03-31", "12", 1, [0], 0),
    # bought at both stores in the period; back at one of them only
    ("stores", "2031-03-06", "20", 0, [0], 0),
    ("stores", "2031-03-07", "30", 1, [1], 0),
    ("stores", "2031-03-21", "40", 1, [1], 0),
    # the same staff member listed on a sale and again on the return
    ("twice", "2031-03-11", "5", 0, [2], 1),
    ("twice", "2031-03-12", "6", 0, [2], 1),
    ("twice", "2031-03-13", "7", 0, [2], 1),
    # anonymous sales (the retention policy removed the hash): no one's, yet the data's end
    (None, "2031-03-10", "1000", 0, [0], 0),
    (None, "2031-04-20", "1000", 1, [1], 1),
]


@pytest.fixture
def crafted(engine, demo):
    with write_session(engine) as session:
        staff = session.scalars(select(Staff.id).order_by(Staff.id).limit(3)).all()
        stores = session.scalars(
            select(OrgUnit.id).where(OrgUnit.level == UnitLevel.STORE).order_by(OrgUnit.id).limit(2)
        ).all()
        batch = ImportBatch(
            kind="sales", file_name="t.csv", file_sha256="0" * 64, actor="t", rows=0
        )
        session.add(batch)
        session.flush()
        for number, (customer, day, amount, store, served, owner) in enumerate(SALES):
            sale = Sale(
                source_id=f"T{number}",
                batch_id=batch.id,
                row_hash="0" * 16,
                customer=None if customer is None else customer.ljust(64, "x"),
                store_id=stores[store],
                sold_on=date.fromisoformat(day),
                amount=Decimal(amount),
                owner_staff_id=None if owner is None else staff[owner],
            )
            session.add(sale)
            session.flush()  # ids in the order above: ties on a day go to the last imported
            session.add_all(SaleStaff(sale_id=sale.id, staff_id=staff[s]) for s in served)
        session.commit()
    return engine, staff, stores


def pure(session, start, end, window, by, same):
    """The reference: the pure functions on the served customers' sales."""
    last = session.scalar(select(func.max(Sale.sold_on)))
    sales = sales_frame(session, start, end, end + timedelta(days=window))
    period = {"period_start": start, "period_end": end, "window_days": window, "data_end": last}
    if by == "store":
        return repurchase_by_store(sales, **period, same_store=same)
    return repurchase(sales, **period, attribution=by, same_staff=same)


def in_sql(session, start, end, window, by, same):
    last = session.scalar(select(func.max(Sale.sold_on)))
    pairs = repurchase_pairs(session, start, end, last, window, by=by, same_unit=same)
    name = "store_id" if by == "store" else "staff_id"
    return repurchase_from_pairs(pairs, window_days=window, data_end=last, name=name)


def same_table(got, expected):
    """Equal counts, rates and intervals; the repeat value to float rounding (it is summed
    in another order)."""
    got, expected = got.copy(), expected.copy()
    key = expected.columns[0]
    got[key], expected[key] = got[key].astype("int64"), expected[key].astype("int64")
    pd.testing.assert_frame_equal(
        got.drop(columns="repeat_value"), expected.drop(columns="repeat_value"), check_exact=True
    )
    pd.testing.assert_series_equal(got["repeat_value"], expected["repeat_value"], rtol=1e-12)


@pytest.mark.parametrize(("by", "same"), MODES)
def test_sql_equals_the_pure_function_on_edge_cases(crafted, by, same):
    engine, _, _ = crafted
    with read_session(engine) as session:
        expected = pure(session, START, END, WINDOW, by, same)
        got = in_sql(session, START, END, WINDOW, by, same)
    assert expected["customers"].sum() > 0
    same_table(got, expected)


def test_edge_cases_by_hand(crafted):
    """A few cells of the crafted tables checked by hand, so that both paths agreeing is
    not both being wrong."""
    engine, staff, _ = crafted
    with read_session(engine) as session:
        served = in_sql(session, START, END, WINDOW, "last_served", False).set_index("staff_id")
        own = in_sql(session, START, END, WINDOW, "owner", False).set_index("staff_id")
        mine = in_sql(session, START, END, WINDOW, "last_served", True).set_index("staff_id")
    s0, _, s2 = staff
    # s0 served back, edge, pair, tie, later, stores, before and pending. Returned: back
    # (26 days), edge (4/4 = t + 30), pair, later (t 3/2, back 3/25), stores; lost: before
    # (3/1; 2/20 is before t); pending (t + 30 after 4/20): pending, and tie (3/28), which
    # is already back on 4/10
    columns = ["customers", "returned", "lost", "pending", "pending_returned"]
    assert served.loc[s0, columns].tolist() == [8, 5, 1, 2, 1]
    # 250.25 + 30 + 40 + 15 (tie, pending, counted) + 50 (later) + 30 + 40 (stores)
    assert served.loc[s0, "repeat_value"] == pytest.approx(455.25)
    # s2: tie, refund (t 3/8, back with the −500 refund), open (3/30, pending, back), twice
    assert served.loc[s2, "repeat_value"] == pytest.approx(15 - 500 + 11)
    # same staff: no return of s0's customers was served by s0 within the window; s2's:
    # tie's and open's, not the unserved refund
    assert mine.loc[s0, "returned"] == 0
    assert mine.loc[s2, "repeat_value"] == pytest.approx(15 + 11)
    # owner: "tie" belongs to s2 (the last imported sale of 3/28); refund's last sale in the
    # period is the refund itself (3/18): lost; open pending and back
    assert own.loc[
        s2, ["customers", "returned", "lost", "pending", "pending_returned"]
    ].tolist() == [3, 0, 1, 2, 2]


@pytest.mark.parametrize(
    ("month", "window", "by", "same"),
    [
        ("2026-03", 90, "last_served", False),
        ("2026-07", 30, "last_served", True),
        ("2026-08", 60, "owner", False),
        ("2026-09", 120, "owner", True),
        ("2026-10", 90, "store", False),  # windows still open: pending customers
        ("2026-06", 30, "store", True),
    ],
)
def test_sql_equals_the_pure_function_on_the_demo(engine, demo, month, window, by, same):
    start, end = month_bounds(month)
    with read_session(engine) as session:
        expected = pure(session, start, end, window, by, same)
        got = in_sql(session, start, end, window, by, same)
    assert expected["customers"].sum() > 0
    same_table(got, expected)


def test_no_sales_in_the_period(engine, demo):
    with read_session(engine) as session:
        last = session.scalar(select(func.max(Sale.sold_on)))
        pairs = repurchase_pairs(session, date(2030, 1, 1), date(2030, 1, 31), last, 90)
        table = repurchase_from_pairs(pairs, window_days=90, data_end=last)
    assert pairs.empty and table.empty
    assert list(table.columns)[:2] == ["staff_id", "customers"]
