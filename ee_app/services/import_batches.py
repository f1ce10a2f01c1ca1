"""The import history and undo: every batch of imported rows listed, and undone as a whole.

They serve every kind of batch listed in :func:`batch_kinds`: the CRM's satisfaction answers
and the POS's sales (:mod:`ee_app.services.outcomes_import`), and the agencies'
mystery-shopper visits (:mod:`ee_app.services.visit_import`). Each reader sees the kinds
their permissions cover (:func:`visible_kinds`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ee_app.auth import Actor, Permission, can, require
from ee_app.errors import N_, Conflict, NotFound
from ee_app.models import CsatRecord, ImportBatch, Sale, SaleStaff, utcnow
from ee_app.services import audit
from ee_app.services.outcomes_import import KINDS

__all__ = ["BatchKind", "BatchRow", "batch_kinds", "import_history", "undo_batch", "visible_kinds"]


@dataclass(frozen=True)
class BatchRow:
    id: int
    kind: str
    file_name: str
    created_at: datetime
    actor: str
    rows: int
    inserted: int
    unchanged: int
    undone_at: datetime | None


@dataclass(frozen=True)
class BatchKind:
    """A kind of import batch: who may list and undo it, and how undoing removes its rows
    (``remove(session, batch)`` deletes them and returns how many, or raises an
    :class:`~ee_app.errors.EeError` to refuse; the caller commits or rolls back)."""

    permission: Permission
    remove: Callable[[Session, ImportBatch], int]


def _remove_csat(session: Session, batch: ImportBatch) -> int:
    return session.execute(delete(CsatRecord).where(CsatRecord.batch_id == batch.id)).rowcount


def _remove_sales(session: Session, batch: ImportBatch) -> int:
    sales = select(Sale.id).where(Sale.batch_id == batch.id)
    session.execute(delete(SaleStaff).where(SaleStaff.sale_id.in_(sales)))
    return session.execute(delete(Sale).where(Sale.batch_id == batch.id)).rowcount


def batch_kinds() -> dict[str, BatchKind]:
    """Every kind of batch the history lists and undo removes, by ``ImportBatch.kind``."""
    from ee_app.services import visit_import

    return {
        "csat": BatchKind(Permission.IMPORT_OUTCOMES, _remove_csat),
        "sales": BatchKind(Permission.IMPORT_OUTCOMES, _remove_sales),
        visit_import.KIND: BatchKind(Permission.MANAGE_VISITS, visit_import.remove_batch),
    }


def visible_kinds(actor: Actor) -> list[str]:
    """The kinds of batch ``actor`` may list and undo (possibly none)."""
    return [kind for kind, spec in batch_kinds().items() if can(actor, spec.permission)]


def import_history(
    session: Session, actor: Actor, limit: int = 100, kinds: Sequence[str] = KINDS
) -> list[BatchRow]:
    """Recent batches of ``kinds`` (by default CSAT and sales), newest first (undone ones
    included, marked). The actor needs the permission of every kind asked for."""
    known = batch_kinds()
    for kind in kinds:
        require(actor, known[kind].permission)
    stmt = (
        select(ImportBatch)
        .where(ImportBatch.kind.in_(list(kinds)))
        .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc())
        .limit(limit)
    )
    return [
        BatchRow(
            b.id,
            b.kind,
            b.file_name,
            b.created_at,
            b.actor,
            b.rows,
            b.inserted,
            b.unchanged,
            b.undone_at,
        )
        for b in session.scalars(stmt)
    ]


def undo_batch(session: Session, actor: Actor, batch_id: int) -> BatchRow:
    """Remove exactly the rows one batch added, in one transaction; the batch stays in the
    history, marked undone. The actor needs the permission of the batch's kind (see
    :func:`batch_kinds`); a kind may refuse (visits: once one of them is approved)."""
    batch = session.get(ImportBatch, batch_id)
    spec = batch_kinds().get(batch.kind) if batch is not None else None
    require(actor, spec.permission if spec else Permission.IMPORT_OUTCOMES)
    if batch is None or spec is None:
        raise NotFound(N_("No import batch {batch}."), batch=batch_id)
    if batch.undone_at is not None:
        raise Conflict(N_("Batch {batch} was undone already."), batch=batch_id)
    try:
        removed = spec.remove(session, batch)
        batch.undone_at = utcnow()
        audit.record(
            session, actor, f"{batch.kind}.undo", "import_batch", batch.id, removed=removed
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return BatchRow(
        batch.id,
        batch.kind,
        batch.file_name,
        batch.created_at,
        batch.actor,
        batch.rows,
        batch.inserted,
        batch.unchanged,
        batch.undone_at,
    )
