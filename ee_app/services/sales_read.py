"""The sales a repurchase computation needs, read the fast way (issue 20).

Repurchase looks at the customers served in a period and at what *they* bought up to the
end of the window after it. Reading every sale of the period and the window (about 400,000
rows with their serving staff for a month of the chain demo) through the ORM's typed columns
made the repurchase table 61× DuckDB; a profile put most of the time in turning each row's
date and ``Numeric`` amount into ``date`` and ``Decimal`` objects, only for pandas to turn
them back into numbers. So:

* only the sales of customers who bought in the period are read (a customer who did not buy
  in the period is nobody's customer there, and their sales cannot be anybody's return);
* the date comes as the driver gives it (ISO text on SQLite, ``date`` on PostgreSQL) and the
  amount as a float computed by the database, and pandas converts whole columns at once;
* the rows are the driver's plain tuples, turned into columns in one step (pandas probing
  each SQLAlchemy ``Row`` for attributes it lacks took as long as the query itself).

The numbers are those of reading everything with typed columns: the analysis only ever looks
at the served customers' own sales (``tests/services/test_sales_read.py`` compares both).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Float, String, cast, select, type_coerce
from sqlalchemy.orm import Session

from ee_app.models import Sale, SaleStaff

__all__ = ["COLUMNS", "has_sales", "sales_frame"]

COLUMNS = ["tx_id", "customer", "date", "amount", "store_id", "staff_id", "owner_id"]


def sales_frame(session: Session, start: date, end: date, until: date) -> pd.DataFrame:
    """One row per (sale, staff member who served it; none for an unserved sale) dated in
    [``start``, ``until``], of the customers with a sale in [``start``, ``end``]."""
    customers = select(Sale.customer).where(
        Sale.sold_on.between(start, end), Sale.customer.is_not(None)
    )
    statement = (
        select(
            Sale.id,
            Sale.customer,
            type_coerce(Sale.sold_on, String),
            cast(Sale.amount, Float),
            Sale.store_id,
            SaleStaff.staff_id,
            Sale.owner_staff_id,
        )
        .outerjoin(SaleStaff, SaleStaff.sale_id == Sale.id)
        # A sale whose customer hash the retention policy removed belongs to no customer:
        # it can neither be a customer's visit nor their return (NULLs never group as one).
        .where(Sale.sold_on.between(start, until), Sale.customer.in_(customers))
    )
    result = session.connection().execute(statement)
    # The driver's own tuples: pandas probes each SQLAlchemy row for attributes it lacks,
    # which cost more than the query (every column's type is converted by pandas below).
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(COLUMNS)
    pairs = zip(COLUMNS, columns, strict=True)
    frame = pd.DataFrame({name: pd.Series(values) for name, values in pairs})
    frame["amount"] = frame["amount"].astype(float)
    frame["date"] = pd.to_datetime(frame["date"], format="ISO8601")
    return frame


def has_sales(session: Session, start: date, until: date) -> bool:
    """Whether any sale with a customer is dated in [``start``, ``until``]: an empty
    :func:`sales_frame` with such sales still means a table (of nobody), as before issue 20."""
    found = select(Sale.id).where(Sale.sold_on.between(start, until), Sale.customer.is_not(None))
    return session.execute(found.limit(1)).first() is not None
