"""The repurchase tables' reader before issue 20: every sale of the window, with typed columns.

Kept apart from :mod:`ee_app.services.sales_read` on purpose, columns spelled out: it is the
reference the fast read must equal (``tests/services/test_sales_read.py``) and the baseline it
is timed against (``bench/outcomes.py``)."""

import pandas as pd
from sqlalchemy import select

from ee_app.models import Sale, SaleStaff


def read_everything(session, start, until):
    """Every sale from ``start`` to ``until`` with a customer, one row per serving staff
    member, as the repurchase analysis reads them."""
    rows = session.execute(
        select(
            Sale.id,
            Sale.customer,
            Sale.sold_on,
            Sale.amount,
            Sale.store_id,
            SaleStaff.staff_id,
            Sale.owner_staff_id,
        )
        .outerjoin(SaleStaff, SaleStaff.sale_id == Sale.id)
        .where(Sale.sold_on.between(start, until), Sale.customer.is_not(None))
    ).all()
    frame = pd.DataFrame(
        rows, columns=["tx_id", "customer", "date", "amount", "store_id", "staff_id", "owner_id"]
    )
    frame["amount"] = frame["amount"].astype(float)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame
