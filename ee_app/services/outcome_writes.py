"""Writing a checked outcome file: its new rows through the driver's bulk path, under one
new import batch, audited, in one transaction (:mod:`ee_app.services.outcomes_import` checks
the file and decides which rows are new; this module only writes them)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ee_app.auth import Actor
from ee_app.db import bulk_insert
from ee_app.errors import N_, Problem
from ee_app.imports.tabular import file_label
from ee_app.models import ImportBatch, Sale
from ee_app.services import audit
from ee_app.services.outcome_hashes import SALE_HASHED, text_cell

__all__ = ["OutcomeImport", "Progress", "save", "write_csat", "write_sales"]

Progress = Callable[[float, str], None]


@dataclass
class OutcomeImport:
    kind: str
    rows: int
    new: int = 0
    unchanged: int = 0
    dry_run: bool = False
    batch_id: int | None = None
    detected_scale: int | None = None
    first_date: date | None = None
    last_date: date | None = None
    warnings: list[Problem] = field(default_factory=list)


def _column(values: pd.Series, convert: Callable[[object], object]) -> list[object]:
    """A column as Python values for the driver, ``convert`` applied to each distinct value
    only (None for missing cells)."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    mapped = np.array([convert(u) for u in uniques] + [None], dtype=object)
    return mapped[codes].tolist()


def write_sales(
    session: Session,
    batch_id: int,
    rows: pd.DataFrame,
    links: pd.DataFrame,
    hashes: list[str],
    new: np.ndarray,
    progress: Progress,
) -> None:
    """Write the new sales and who served each with the driver's bulk path, column by column
    (a Python call per distinct value, not per cell), then the serving-staff links matched to
    the sales' new ids in one vectorised look-up."""
    positions = np.flatnonzero(new)
    fresh = rows.iloc[positions]
    count = len(fresh)
    columns = [
        fresh["source_id"].tolist(),
        [batch_id] * count,
        np.asarray(hashes, dtype=object)[positions].tolist(),
        fresh["customer"].tolist(),
        _column(fresh["store_id"], int),
        fresh["sold_on"].tolist(),
        _column(fresh["amount"], float),
        fresh["item"].tolist(),
        fresh["category"].tolist(),
        _column(fresh["owner_staff_id"], int),
    ]
    bulk_insert(
        session,
        "sale",
        ["source_id", "batch_id", "row_hash", *SALE_HASHED],
        zip(*columns, strict=True),
    )
    progress(0.85, N_("Saving who served each sale"))
    new_ids = dict(  # .all(): a Result has keys(), so dict() would take it for a mapping
        session.execute(select(Sale.source_id, Sale.id).where(Sale.batch_id == batch_id)).all()
    )
    sale_of = np.full(len(rows), -1, dtype=np.int64)
    sale_of[positions] = [new_ids[source_id] for source_id in fresh["source_id"].tolist()]
    at = links["position"].to_numpy(dtype=np.int64)
    ids = sale_of[at]
    keep = ids >= 0
    bulk_insert(
        session,
        "sale_staff",
        ["sale_id", "staff_id"],
        zip(
            ids[keep].tolist(),
            links["staff_id"].to_numpy(dtype=np.int64)[keep].tolist(),
            strict=True,
        ),
    )


def _new_batch(
    session: Session, actor: Actor, kind: str, filename: str, data: bytes, rows: int, new: int
) -> ImportBatch:
    batch = ImportBatch(
        kind=kind,
        file_name=file_label(filename),
        file_sha256=hashlib.sha256(data).hexdigest(),
        actor=actor.email,
        rows=rows,
        inserted=new,
        unchanged=rows - new,
    )
    session.add(batch)
    session.flush()
    return batch


def write_csat(
    session: Session,
    batch_id: int,
    rows: pd.DataFrame,
    hashes: list[str],
    new: np.ndarray,
    values: list[str],
) -> None:
    positions = np.flatnonzero(new)
    fresh = rows.iloc[positions]
    columns = [
        fresh["source_id"].tolist(),
        [batch_id] * len(fresh),
        np.asarray(hashes, dtype=object)[positions].tolist(),
        *(_column(fresh[c], int) for c in ("staff_id", "store_id")),
        fresh["service_date"].tolist(),
        *(_column(fresh[c], int) for c in ("score", "scale")),
        fresh["touchpoint"].tolist(),
        _column(fresh["customer"], text_cell),
    ]
    bulk_insert(
        session,
        "csat_record",
        ["source_id", "batch_id", "row_hash", *values],
        zip(*columns, strict=True),
    )


def save(
    session: Session,
    actor: Actor,
    result: OutcomeImport,
    filename: str,
    data: bytes,
    write: Callable[[int], None],
    progress: Progress,
    *,
    saving_at: float,
) -> OutcomeImport:
    """The checked file's new rows written by ``write`` under one new batch, audited, in one
    transaction; a dry run or a file with nothing new writes nothing (and records no batch)."""
    if result.dry_run or not result.new:
        session.rollback()
        progress(1.0, N_("Done"))
        return result
    try:
        progress(saving_at, N_("Saving"))
        batch = _new_batch(session, actor, result.kind, filename, data, result.rows, result.new)
        write(batch.id)
        audit.record(
            session,
            actor,
            f"{result.kind}.import",
            "import_batch",
            batch.id,
            file=file_label(filename),
            inserted=result.new,
            unchanged=result.unchanged,
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    result.batch_id = batch.id
    progress(1.0, N_("Done"))
    return result
