"""Importing the CRM's satisfaction answers and the POS's sales: checked first, then one
transaction, idempotent by source id, undoable by batch.

A file is read and checked as a whole (:mod:`ee_app.imports.outcomes`); any problem refuses
it with every problem listed and writes nothing. The check covers everything the database
would refuse (NUL characters, lengths, the range of amounts), so a dry run that passes means
the import will too, on SQLite and PostgreSQL alike; and it refuses what would mislead
(dates in the future or before 2000, a file whose scale the scores leave unclear).

Rows whose source id was imported before with the same content are skipped, so importing a
file again adds nothing (and records no batch); a source id that comes back with different
values is a problem, not an overwrite (the hashes: :mod:`ee_app.services.outcome_hashes`).
Customer references are replaced by a keyed hash before anything is stored, and rows dated
before the retention policy's horizon
(:func:`ee_app.services.retention_policy.customer_horizon`) are stored without one. The
import history and undo: :mod:`ee_app.services.import_batches`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ee_app import clock
from ee_app.auth import Actor, Permission, require
from ee_app.config import Settings
from ee_app.db import bulk_insert
from ee_app.errors import N_, ImportRejected, Problem
from ee_app.imports.csat import parse_csat
from ee_app.imports.outcomes import Lookups, Parsed
from ee_app.imports.sales import parse_sales
from ee_app.imports.tabular import file_label, read_frame
from ee_app.models import CsatRecord, ImportBatch, Sale
from ee_app.services import audit
from ee_app.services.outcome_hashes import (
    CSAT_HASHED,
    SALE_HASHED,
    bare_row_hashes,
    hash_customers,
    row_hashes,
    text_cell,
)
from ee_app.services.roster import staff_ids, unit_index

__all__ = [
    "KINDS",
    "OutcomeImport",
    "import_csat",
    "import_sales",
]

KINDS = ("csat", "sales")
Progress = Callable[[float, str], None]
_CHUNK = 5_000


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


def _lookups(session: Session, today: date | None) -> Lookups:
    stores = unit_index(session).stores
    return Lookups(staff=staff_ids(session), stores=stores, today=today or clock.today())


def _drop_old_customers(
    session: Session,
    rows: pd.DataFrame,
    day: str,
    hashes: list[str],
    columns: Sequence[str],
    today: date | None,
) -> list[str]:
    """Remove the customer of rows older than the retention horizon (in place) and return the
    row hashes as stored (those rows' hashes are computed again without the customer; only
    they, not the whole file, pay for it)."""
    from ee_app.services.retention_policy import customer_horizon

    old = (rows[day] < customer_horizon(session, today or clock.today())).to_numpy(dtype=bool)
    if old.any():
        rows["customer"] = rows["customer"].astype(object).where(~old, None)
        positions = np.flatnonzero(old)
        hashes = list(hashes)
        for p, b in zip(
            positions.tolist(), bare_row_hashes(rows.iloc[positions], columns), strict=True
        ):
            hashes[p] = b
    return hashes


def _staff_lists(links: pd.DataFrame, count: int) -> list[str]:
    """Per sale (by position), its serving staff ids in numeric order joined by commas: the
    form the row hash takes them in. One pass over the sorted links, not a group per sale."""
    positions = links["position"].to_numpy(dtype=np.int64)
    staff = links["staff_id"].to_numpy(dtype=np.int64)
    order = np.lexsort((staff, positions))
    parts: list[list[str]] = [[] for _ in range(count)]
    for position, staff_id in zip(positions[order].tolist(), staff[order].tolist(), strict=True):
        parts[position].append(str(staff_id))
    return [",".join(p) for p in parts]


def _existing(session: Session, model, source_ids: list[str]) -> dict[str, tuple[str, int]]:  # type: ignore[no-untyped-def]
    """source id → (row hash, batch id) for the ids already in the database.

    The ids travel as one parameter (a JSON array on SQLite, an array on PostgreSQL) instead
    of chunks of ``IN (…)`` lists: a year of sales is a million ids, and compiling a statement
    with thousands of bound values cost more than the database's look-ups.
    """
    table = model.__tablename__
    if session.get_bind().dialect.name == "postgresql":
        query = text(
            f"SELECT source_id, row_hash, batch_id FROM {table} WHERE source_id = ANY(:ids)"  # noqa: S608 (our own table name)
        ).bindparams(ids=source_ids)
    else:
        query = text(
            f"SELECT source_id, row_hash, batch_id FROM {table} "  # noqa: S608 (our own table name)
            "WHERE source_id IN (SELECT value FROM json_each(:ids))"
        ).bindparams(ids=json.dumps(source_ids))
    return {
        source_id: (row_hash, batch_id) for source_id, row_hash, batch_id in session.execute(query)
    }


def _reject(parsed: Parsed, what: str) -> None:
    if parsed.problems:
        raise ImportRejected(
            N_("The {what} file was not imported: {count} problems. Nothing was changed."),
            parsed.problems,
            what=what,
            count=parsed.problem_count,
        )


def _split_known(
    session: Session,
    model,  # type: ignore[no-untyped-def]
    rows: pd.DataFrame,
    hashes: list[str],
    header: str,
    what: str,
    columns: Sequence[str],
) -> pd.Series:
    """Which rows are new; a problem for each source id already stored with other values. A
    stored row whose customer hash was removed matches the file's row without its customer
    (the bare hashes are computed for the rows already stored only)."""
    existing = _existing(session, model, rows["source_id"].tolist())
    if existing:
        known = np.flatnonzero(rows["source_id"].isin(list(existing)).to_numpy())
        hashes = list(hashes)
        source_ids = rows["source_id"].tolist()
        bare = bare_row_hashes(rows.iloc[known], columns)
        for p, b in zip(known.tolist(), bare, strict=True):
            if existing[source_ids[p]][0] == b:
                hashes[p] = b
    changed = [
        Problem(
            N_(
                "“{value}” was imported before (batch {batch}) with different values; undo that "
                "batch first to replace it"
            ),
            {"value": source_id, "batch": existing[source_id][1]},
            int(row),
            header,
        )
        for source_id, row_hash, row in zip(rows["source_id"], hashes, rows["row"], strict=True)
        if source_id in existing and existing[source_id][0] != row_hash
    ]
    if changed:
        raise ImportRejected(
            N_("The {what} file was not imported: {count} problems. Nothing was changed."),
            changed[:500],
            what=what,
            count=len(changed),
        )
    return ~rows["source_id"].isin(list(existing))


def _column(values: pd.Series, convert: Callable[[object], object]) -> list[object]:
    """A column as Python values for the driver, ``convert`` applied to each distinct value
    only (None for missing cells)."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    mapped = np.array([convert(u) for u in uniques] + [None], dtype=object)
    return mapped[codes].tolist()


def _write_sales(
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


def _none_progress(_fraction: float, _label: str) -> None:
    pass


def import_csat(
    session: Session,
    actor: Actor,
    data: bytes,
    filename: str,
    settings: Settings,
    *,
    dry_run: bool = False,
    mapping: Mapping[str, str] | None = None,
    scale: int | None = None,
    progress: Progress = _none_progress,
    today: date | None = None,
) -> OutcomeImport:
    """Import satisfaction answers (see the module docstring for the rules). ``today`` is the
    day dates are checked against (default: the server's): no answer may be dated more than a
    day after it."""
    require(actor, Permission.IMPORT_OUTCOMES)
    progress(0.05, N_("Reading the file"))
    frame = read_frame(data, filename)
    progress(0.3, N_("Checking every row"))
    parsed = parse_csat(frame, _lookups(session, today), mapping, scale)
    _reject(parsed, "satisfaction")
    rows = parsed.rows
    rows["customer"] = pd.Series(
        hash_customers(settings, rows["customer"].tolist()), index=rows.index, dtype=object
    )
    values = list(CSAT_HASHED)
    hashes = _drop_old_customers(
        session, rows, "service_date", row_hashes(rows, values), values, today
    )
    progress(0.5, N_("Comparing with what was imported before"))
    header = parsed.headers["source_id"]
    new = _split_known(session, CsatRecord, rows, hashes, header, "satisfaction", values).to_numpy()
    result = OutcomeImport(
        "csat",
        len(rows),
        int(new.sum()),
        int((~new).sum()),
        dry_run,
        detected_scale=parsed.detected_scale,
        first_date=min(rows["service_date"]),
        last_date=max(rows["service_date"]),
    )
    if dry_run or not result.new:
        session.rollback()
        progress(1.0, N_("Done"))
        return result
    try:
        progress(0.7, N_("Saving"))
        batch = _new_batch(session, actor, "csat", filename, data, result.rows, result.new)
        positions = np.flatnonzero(new)
        fresh = rows.iloc[positions]
        columns = [
            fresh["source_id"].tolist(),
            [batch.id] * len(fresh),
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
        audit.record(
            session,
            actor,
            "csat.import",
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


def import_sales(
    session: Session,
    actor: Actor,
    data: bytes,
    filename: str,
    settings: Settings,
    *,
    dry_run: bool = False,
    mapping: Mapping[str, str] | None = None,
    progress: Progress = _none_progress,
    today: date | None = None,
) -> OutcomeImport:
    """Import sales with the staff who served them (see the module docstring for the rules).
    ``today`` is the day dates are checked against (default: the server's): no sale may be
    dated more than a day after it."""
    require(actor, Permission.IMPORT_OUTCOMES)
    progress(0.05, N_("Reading the file"))
    frame = read_frame(data, filename)
    progress(0.3, N_("Checking every row"))
    parsed = parse_sales(frame, _lookups(session, today), mapping)
    _reject(parsed, "sales")
    rows, links = parsed.rows, parsed.links
    rows["customer"] = hash_customers(settings, rows["customer"].tolist())
    rows["staff"] = _staff_lists(links, len(rows))
    values = list(SALE_HASHED)
    hashed_columns = [*values, "staff"]
    hashes = _drop_old_customers(
        session, rows, "sold_on", row_hashes(rows, hashed_columns), hashed_columns, today
    )
    progress(0.5, N_("Comparing with what was imported before"))
    header = parsed.headers["source_id"]
    new = _split_known(session, Sale, rows, hashes, header, "sales", hashed_columns).to_numpy()
    result = OutcomeImport(
        "sales",
        len(rows),
        int(new.sum()),
        int((~new).sum()),
        dry_run,
        first_date=min(rows["sold_on"]),
        last_date=max(rows["sold_on"]),
    )
    if dry_run or not result.new:
        session.rollback()
        progress(1.0, N_("Done"))
        return result
    try:
        progress(0.65, N_("Saving"))
        batch = _new_batch(session, actor, "sales", filename, data, result.rows, result.new)
        _write_sales(session, batch.id, rows, links, hashes, new, progress)
        audit.record(
            session,
            actor,
            "sales.import",
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
