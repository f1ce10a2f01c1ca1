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

import json
from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import text
from sqlalchemy.orm import Session

from ee_app import clock
from ee_app.auth import Actor, Permission, require
from ee_app.config import Settings
from ee_app.errors import N_, ImportRejected, Problem
from ee_app.imports.csat import parse_csat
from ee_app.imports.outcomes import Lookups, Parsed
from ee_app.imports.sales import parse_sales
from ee_app.imports.tabular import read_frame
from ee_app.models import CsatRecord, Sale
from ee_app.services.outcome_hashes import (
    CSAT_HASHED,
    SALE_HASHED,
    bare_row_hashes,
    hash_customers,
    row_hashes,
)
from ee_app.services.outcome_writes import OutcomeImport, Progress, save, write_csat, write_sales
from ee_app.services.roster import staff_ids, unit_index

__all__ = [
    "KINDS",
    "OutcomeImport",
    "import_csat",
    "import_sales",
]

KINDS = ("csat", "sales")


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


def _read(actor: Actor, data: bytes, filename: str, progress: Progress) -> pd.DataFrame:
    require(actor, Permission.IMPORT_OUTCOMES)
    progress(0.05, N_("Reading the file"))
    frame = read_frame(data, filename)
    progress(0.3, N_("Checking every row"))
    return frame


def _compare(  # type: ignore[no-untyped-def]
    session: Session,
    model,
    parsed: Parsed,
    day: str,
    columns: list[str],
    what: str,
    today: date | None,
    progress: Progress,
) -> tuple[list[str], np.ndarray]:
    """The checked rows' hashes as they will be stored (old customers dropped) and which rows
    are new, by source id against what ``model`` holds."""
    rows = parsed.rows
    hashes = _drop_old_customers(session, rows, day, row_hashes(rows, columns), columns, today)
    progress(0.5, N_("Comparing with what was imported before"))
    header = parsed.headers["source_id"]
    new = _split_known(session, model, rows, hashes, header, what, columns).to_numpy()
    return hashes, new


def _result(
    kind: str, rows: pd.DataFrame, new: np.ndarray, day: str, dry_run: bool
) -> OutcomeImport:
    return OutcomeImport(
        kind,
        len(rows),
        int(new.sum()),
        int((~new).sum()),
        dry_run,
        first_date=min(rows[day]),
        last_date=max(rows[day]),
    )


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
    frame = _read(actor, data, filename, progress)
    parsed = parse_csat(frame, _lookups(session, today), mapping, scale)
    _reject(parsed, "satisfaction")
    rows = parsed.rows
    rows["customer"] = pd.Series(
        hash_customers(settings, rows["customer"].tolist()), index=rows.index, dtype=object
    )
    values = list(CSAT_HASHED)
    hashes, new = _compare(
        session, CsatRecord, parsed, "service_date", values, "satisfaction", today, progress
    )
    result = _result("csat", rows, new, "service_date", dry_run)
    result.detected_scale = parsed.detected_scale
    return save(
        session,
        actor,
        result,
        filename,
        data,
        lambda batch_id: write_csat(session, batch_id, rows, hashes, new, values),
        progress,
        saving_at=0.7,
    )


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
    frame = _read(actor, data, filename, progress)
    parsed = parse_sales(frame, _lookups(session, today), mapping)
    _reject(parsed, "sales")
    rows, links = parsed.rows, parsed.links
    rows["customer"] = hash_customers(settings, rows["customer"].tolist())
    rows["staff"] = _staff_lists(links, len(rows))
    hashed_columns = [*SALE_HASHED, "staff"]
    hashes, new = _compare(
        session, Sale, parsed, "sold_on", hashed_columns, "sales", today, progress
    )
    result = _result("sales", rows, new, "sold_on", dry_run)
    return save(
        session,
        actor,
        result,
        filename,
        data,
        lambda batch_id: write_sales(session, batch_id, rows, links, hashes, new, progress),
        progress,
        saving_at=0.65,
    )
