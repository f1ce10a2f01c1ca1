"""Issue 20: the repurchase tables read only the period's customers' sales, with dates and
amounts converted column-wise. On the demo's year of sales they equal what reading every sale
of the window with typed columns (the reader before issue 20) gives, for every attribution,
window and month, per staff member and per store, on SQLite and PostgreSQL."""

from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select

from ee_app.analysis.repurchase import repurchase, repurchase_by_store
from ee_app.db import read_session
from ee_app.models import Sale
from ee_app.services.outcomes import month_bounds
from ee_app.services.sales_read import has_sales, sales_frame
from tests.sales_before import read_everything

CASES = [
    # month, window, attribution, same_staff
    ("2026-03", 90, "last_served", False),
    ("2026-07", 30, "last_served", True),
    ("2026-08", 60, "owner", False),
    ("2026-09", 120, "owner", True),
    ("2026-10", 90, "last_served", False),  # windows still open: pending customers
]


@pytest.mark.parametrize(("month", "window", "attribution", "same_staff"), CASES)
def test_the_fast_read_gives_the_same_tables(engine, demo, month, window, attribution, same_staff):
    start, end = month_bounds(month)
    until = end + timedelta(days=window)
    with read_session(engine) as session:
        last = session.scalar(select(func.max(Sale.sold_on)))
        old, new = read_everything(session, start, until), sales_frame(session, start, end, until)
    assert 0 < len(new) < len(old), "the demo's month should leave some sales out"
    period = {"period_start": start, "period_end": end, "window_days": window, "data_end": last}
    staff = {"attribution": attribution, "same_staff": same_staff}
    expected, got = repurchase(old, **period, **staff), repurchase(new, **period, **staff)
    assert expected["customers"].sum() > 0
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    for same_store in (False, True):
        expected = repurchase_by_store(old, **period, same_store=same_store)
        got = repurchase_by_store(new, **period, same_store=same_store)
        pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_has_sales(engine, demo):
    with read_session(engine) as session:
        assert has_sales(session, date(2026, 7, 1), date(2026, 7, 31))
        assert not has_sales(session, date(2030, 1, 1), date(2030, 3, 31))
        assert sales_frame(session, date(2030, 1, 1), date(2030, 1, 31), date(2030, 3, 31)).empty
