"""The demo's customers, sales and satisfaction answers, as a step of
:data:`ee_app.services.demo.STEPS`.

A year of outcomes (:mod:`ee_app.demo.outcomes`) is written as importing the demo's own export
would write it: one import batch per kind, customers as keyed hashes, each row hashed over the
columns the importer hashes, so importing the demo's CSV files again finds nothing new.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ee_app.auth import Actor, system_actor
from ee_app.db import bulk_insert
from ee_app.demo.outcomes import generate_outcomes
from ee_app.models import ImportBatch, Sale
from ee_app.services import audit
from ee_app.services.demo_context import DemoContext
from ee_app.services.outcome_hashes import CSAT_HASHED, SALE_HASHED, customer_hasher, row_hashes

__all__ = ["load_outcomes"]


#: The table each kind of demo row goes to, with its columns in the order the importer writes
#: them: source id, batch, row hash, then the columns the row hash covers.
_TABLES = {
    "csat": ("csat_record", ("source_id", "batch_id", "row_hash", *CSAT_HASHED)),
    "sales": ("sale", ("source_id", "batch_id", "row_hash", *SALE_HASHED)),
}


_Hasher = Callable[[str | None], str | None]


def load_outcomes(session: Session, ctx: DemoContext) -> None:
    """A year of customers, sales and CSAT answers (:mod:`ee_app.demo.outcomes`), written as
    importing the demo's own export would write them: one import batch per kind, customers as
    keyed hashes (:func:`~ee_app.services.outcome_hashes.customer_hasher`), and each row's
    hash over the columns the importer hashes, so that importing the CSV files of
    :func:`~ee_app.demo.outcome_files.write_outcome_files` again adds nothing."""
    actor = ctx.actor or system_actor("demo")
    generated = generate_outcomes(ctx.chain, ctx.seed, ctx.today, ctx.size)
    hashed = customer_hasher(ctx.settings)
    with _index_cache(session):
        _demo_csat(session, ctx, actor, generated.csat, hashed)
        _demo_sales(session, ctx, actor, generated.sales, hashed)


#: SQLite's page cache while the demo writes its million sales, in KiB (the default is 2 MiB):
#: the indexes on customer and staff take random inserts, and with the pages they touch in
#: memory the chain's sales load in about half the time.
_SQLITE_CACHE_KIB = 512 * 1024


@contextmanager
def _index_cache(session: Session) -> Iterator[None]:
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{_SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def _demo_batch(session: Session, actor: Actor, kind: str, rows: Sequence[tuple]) -> int:
    """The import batch the demo's rows of ``kind`` point to; its "file hash" is a digest of
    the rows (there is no file)."""
    digest = hashlib.sha256()
    for source_id, row_hash, *_ in rows:
        digest.update(f"{source_id}\x1f{row_hash}\n".encode())
    batch = ImportBatch(
        kind=kind,
        file_name=f"demo-{kind}",
        file_sha256=digest.hexdigest(),
        actor=actor.email,
        rows=len(rows),
        inserted=len(rows),
        unchanged=0,
    )
    session.add(batch)
    session.flush()
    audit.record(
        session,
        actor,
        f"{kind}.import",
        "import_batch",
        batch.id,
        file=batch.file_name,
        inserted=len(rows),
        unchanged=0,
    )
    return batch.id


def _insert_batch(
    session: Session,
    actor: Actor,
    kind: str,
    source_ids: list[str],
    hashes: Sequence[str],
    columns: Sequence[list],
) -> int:
    """The demo's rows of ``kind`` (source id, row hash, then ``columns``) inserted under
    one batch; returns the batch's id."""
    rows = [
        (source_id, row_hash, *v)
        for source_id, row_hash, v in zip(
            source_ids, hashes, zip(*columns, strict=True), strict=True
        )
    ]
    batch_id = _demo_batch(session, actor, kind, rows)
    table, names = _TABLES[kind]
    bulk_insert(session, table, names, ((r[0], batch_id, *r[1:]) for r in rows))
    return batch_id


def _dates(values: pd.Series) -> list[str]:
    """ISO dates ("2026-03-05"): what the importer's dates become in a row hash and in the
    database."""
    return np.datetime_as_string(values.to_numpy(dtype="datetime64[D]"), unit="D").tolist()


def _hashed(hashed: _Hasher, customers: pd.Series) -> list[str | None]:
    """The keyed hash of each customer, each distinct customer hashed once."""
    codes, uniques = pd.factorize(customers.to_numpy(dtype=object))
    return np.array([hashed(c) for c in uniques] + [None], dtype=object)[codes].tolist()


def _staff_ids(ctx: DemoContext, employee_nos: pd.Series) -> list[int | None]:
    return [ctx.staff_ids[no] if isinstance(no, str) else None for no in employee_nos.tolist()]


def _demo_csat(
    session: Session, ctx: DemoContext, actor: Actor, csat: pd.DataFrame, hashed: _Hasher
) -> None:
    # The columns and order import_csat hashes: staff, store, date, score, scale, touchpoint,
    # customer.
    columns = (
        [ctx.staff_ids[no] for no in csat["employee_no"].tolist()],
        [ctx.unit_ids[code] for code in csat["store"].tolist()],
        _dates(csat["service_date"]),
        csat["score"].tolist(),
        csat["scale"].tolist(),
        csat["touchpoint"].tolist(),
        _hashed(hashed, csat["customer"]),
    )
    # row_hashes is _row_hash of each row, with each column's distinct values made
    # canonical once (the demo's answers are about 17,000 rows).
    hashes = row_hashes(pd.DataFrame(dict(enumerate(columns))), range(len(columns)))
    _insert_batch(session, actor, "csat", csat["source_id"].tolist(), hashes, columns)


def _demo_sales(
    session: Session, ctx: DemoContext, actor: Actor, sales: pd.DataFrame, hashed: _Hasher
) -> None:
    staff = _staff_ids(ctx, sales["staff"])
    assist = _staff_ids(ctx, sales["assist"])
    served = [[s] if a is None else sorted((s, a)) for s, a in zip(staff, assist, strict=True)]
    # The columns and order import_sales hashes: customer, store, date, amount, item,
    # category, owner, and the serving staff's ids in numeric order joined by commas.
    columns = (
        _hashed(hashed, sales["customer"]),
        [ctx.unit_ids[code] for code in sales["store"].tolist()],
        _dates(sales["sold_on"]),
        [float(a) for a in sales["amount"].tolist()],
        sales["item"].tolist(),
        sales["category"].tolist(),
        _staff_ids(ctx, sales["owner"]),
    )
    lists = [",".join(map(str, ids)) for ids in served]
    hashes = row_hashes(pd.DataFrame(dict(enumerate((*columns, lists)))), range(len(columns) + 1))
    batch_id = _insert_batch(session, actor, "sales", sales["source_id"].tolist(), hashes, columns)
    table = Sale.__table__  # Core: the ORM's per-row bookkeeping doubled this read
    ids = dict(
        session.connection()
        .execute(select(table.c.source_id, table.c.id).where(table.c.batch_id == batch_id))
        .all()
    )
    bulk_insert(
        session,
        "sale_staff",
        ["sale_id", "staff_id"],
        (
            (ids[source_id], staff_id)
            for source_id, staff_ids in zip(sales["source_id"].tolist(), served, strict=True)
            for staff_id in staff_ids
        ),
    )
