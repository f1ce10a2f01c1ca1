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
at the served customers' own sales (``tests/services/test_repurchase_sql.py`` compares both).
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Date, Float, String, bindparam, cast, select, text, type_coerce
from sqlalchemy.orm import Session

from ee_app.models import Sale, SaleStaff

__all__ = ["COLUMNS", "PAIR_COLUMNS", "has_sales", "repurchase_pairs", "sales_frame"]

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
        # in import order: the analysis takes the last of several sales on one day as the
        # customer's last (owner attribution), and so does repurchase_pairs
        .order_by(Sale.id)
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


# -- Repurchase in SQL (issue 20, second step) ---------------------------------------------
#
# Even the served customers' sales are ~170,000 rows of 32-character hashes for a month of
# the chain demo, and reading them was most of the table's time. The per-(unit, customer)
# work is a join the database does well: the last service per pair in the period, then the
# pair's customer's sales in (t, t + w] found on ``ix_sale_customer_date_amount``, which
# holds the amount too, so the look-up never reads the table (migration 0013). What leaves the
# database is at most two rows per unit (its customers whose window has closed, and those
# whose window is still open: how many, how many came back, the value of their repeat
# sales); the pending rule, the rate and its interval stay in
# :func:`ee_app.analysis.outcomes.repurchase_from_pairs`.
#
# The definitions are those of :func:`ee_app.analysis.outcomes.repurchase` (by staff member,
# ``last_served`` or ``owner``, optionally ``same_staff``) and ``repurchase_by_store``,
# applied to :func:`sales_frame` in sale-id order; ``tests/services/test_repurchase_sql.py``
# checks both on crafted edge cases and the demo's year, on SQLite and PostgreSQL.
#
# ``CROSS JOIN`` with the condition in WHERE is an inner join to PostgreSQL; to SQLite it
# fixes the order: the period's sales first, then their serving staff by key. Left to itself
# SQLite walked all 1.2 million serving-staff rows by staff member and looked each sale up
# (11 s instead of 1 s for a month of the chain demo).

#: Who a customer belongs to: each staff member who served them in the period (at their last
#: such service), the owner at their last sale in the period, or each store they bought at.
_SERVED = {
    "last_served": """
        SELECT ss.staff_id AS unit, s.customer AS customer, MAX(s.sold_on) AS t
        FROM sale s CROSS JOIN sale_staff ss
        WHERE ss.sale_id = s.id AND s.sold_on BETWEEN :start AND :end
          AND s.customer IS NOT NULL
        GROUP BY ss.staff_id, s.customer""",
    # The last sale in the period; on several that day the last imported (the highest id,
    # which is the input order the analysis takes the last of).
    "owner": """
        SELECT s.owner_staff_id AS unit, s.customer AS customer, s.sold_on AS t
        FROM sale s
        WHERE s.id IN (
            SELECT MAX(s2.id) FROM sale s2 JOIN (
                SELECT customer, MAX(sold_on) AS t FROM sale
                WHERE sold_on BETWEEN :start AND :end AND customer IS NOT NULL
                GROUP BY customer
            ) l ON s2.customer = l.customer AND s2.sold_on = l.t
            GROUP BY s2.customer
        ) AND s.owner_staff_id IS NOT NULL""",
    "store": """
        SELECT s.store_id AS unit, s.customer AS customer, MAX(s.sold_on) AS t
        FROM sale s
        WHERE s.sold_on BETWEEN :start AND :end AND s.customer IS NOT NULL
        GROUP BY s.store_id, s.customer""",
}

#: ``last_served`` on PostgreSQL: the serving-staff rows are read by key within the period's
#: sale ids. The bound is implied (a sale of the period has an id between the period's least
#: and greatest), but PostgreSQL could not see it and scanned all 1.29 M serving-staff rows
#: of the chain demo to join a month's 86,586 sales; bounded, it reads the month's 110,480 from
#: the key's index (the pairs in 0.2 s instead of 0.48 s). ``COUNT(*)`` keeps PostgreSQL from
#: answering MIN and MAX by walking the key from either end through the other months' sales,
#: and ``MATERIALIZED`` from folding the bounds into the join (as a subquery they took 0.26 s).
_SERVED_PG_LAST = """
        WITH b AS MATERIALIZED (
            SELECT MIN(id) AS lo, MAX(id) AS hi, COUNT(*) AS n FROM sale
            WHERE sold_on BETWEEN :start AND :end
        )
        SELECT ss.staff_id AS unit, s.customer AS customer, MAX(s.sold_on) AS t
        FROM b CROSS JOIN sale s CROSS JOIN sale_staff ss
        WHERE ss.sale_id = s.id AND s.sold_on BETWEEN :start AND :end
          AND s.customer IS NOT NULL AND ss.sale_id BETWEEN b.lo AND b.hi
        GROUP BY ss.staff_id, s.customer"""

PAIR_COLUMNS = ["unit", "t", "customers", "returned", "repeat_value"]


def repurchase_pairs(
    session: Session,
    start: date,
    end: date,
    last: date,
    window_days: int,
    *,
    by: str = "last_served",
    same_unit: bool = False,
) -> pd.DataFrame:
    """Per unit (staff member or store), the customers whose last service by the unit in
    [``start``, ``end``] was on a day t, in two groups: those whose window (t, t + w] has
    closed by ``last`` and those whose has not; per group the latest ``t``, ``customers``,
    ``returned``: those of them with a sale in (t, t + ``window_days``], ``repeat_value``: the
    amounts of those sales. ``by`` is ``last_served``, ``owner`` or ``store``; sales after
    ``last`` (the end of the data) are ignored. The input of
    :func:`ee_app.analysis.outcomes.repurchase_from_pairs`."""
    if by not in _SERVED:
        raise ValueError(f"by must be one of {', '.join(_SERVED)}.")
    window = int(window_days)
    dialect = session.get_bind().dialect.name
    # t + w: SQLite keeps dates as ISO text, which compares as dates do
    until = f"date(p.t, '+{window} days')" if dialect == "sqlite" else f"p.t + {window}"
    on = f"r.customer = p.customer AND r.sold_on > p.t AND r.sold_on <= {until}"
    returns, hit = f"LEFT JOIN sale r ON {on} AND r.sold_on <= :last", "r.id"
    if dialect != "sqlite":
        # Implied by the pair's own bounds (start <= t < sold_on <= t + w <= end + w), but
        # PostgreSQL cannot see it: it hashed all the sales ever made (1 M for the chain demo)
        # to join a month's pairs; bounded, it hashes those of the period and the window only
        # (a third; docs/benchmarks.md, issue 20 part F). SQLite looks each pair up in the
        # customer index and would be steered off it by a range on the date.
        returns += " AND r.sold_on > :start AND r.sold_on <= :until"
    # SQLite looks each pair's customer up in the sale index in the order the pairs come;
    # sorted by customer, consecutive look-ups land on the same index pages (22% less CPU
    # for a month of the chain demo, the same rows and the same sums).
    pairs = "(SELECT unit, customer, t FROM p ORDER BY customer) p" if dialect == "sqlite" else "p"
    served = _SERVED_PG_LAST if by == "last_served" and dialect != "sqlite" else _SERVED[by]
    if same_unit and by == "store":
        # in the count, not the join: SQLite would look the sales up by store and date
        hit = "CASE WHEN r.store_id = p.unit THEN r.id END"
    elif same_unit:
        # only the sales the staff member served (once each: sale_staff's key is the pair)
        returns += " LEFT JOIN sale_staff rs ON rs.sale_id = r.id AND rs.staff_id = p.unit"
        hit = "rs.sale_id"
    statement = f"""
        WITH p AS ({served}),
        pair AS (
            SELECT p.unit AS unit, p.t AS t, COUNT({hit}) AS n,
                   SUM(CASE WHEN {hit} IS NOT NULL THEN CAST(r.amount AS FLOAT) END) AS value
            FROM {pairs} {returns}
            GROUP BY p.unit, p.customer, p.t
        )
        SELECT unit, MAX(t), COUNT(*), SUM(CASE WHEN n > 0 THEN 1 ELSE 0 END),
               SUM(COALESCE(value, 0))
        FROM pair GROUP BY unit, CASE WHEN t > :decided THEN 1 ELSE 0 END"""  # noqa: S608
    # Only fixed fragments and the whole number of days are formatted in. Customers are
    # grouped per unit by whether their window is still open (t + w after the end of the
    # data): each group's latest t is on the same side, so the analysis decides pending, lost
    # and returned as it would customer by customer, on ~2 rows per unit.
    decided = last - timedelta(days=window)
    params = {"start": start, "end": min(end, last), "last": last, "decided": decided}
    if dialect != "sqlite":
        params["until"] = min(end, last) + timedelta(days=window)
    # dates through the Date type (ISO text on SQLite, date on PostgreSQL)
    query = text(statement).bindparams(*(bindparam(k, type_=Date) for k in params))
    result = session.connection().execute(query, params)
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(PAIR_COLUMNS)
    frame = pd.DataFrame(
        {name: pd.Series(values) for name, values in zip(PAIR_COLUMNS, columns, strict=True)}
    )
    frame["t"] = pd.to_datetime(frame["t"], format="ISO8601")
    frame["repeat_value"] = frame["repeat_value"].astype(float)
    return frame.astype({"unit": "int64", "customers": "int64", "returned": "int64"})
