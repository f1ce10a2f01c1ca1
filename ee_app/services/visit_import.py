"""Importing the visits an agency delivers as Excel or CSV (see :mod:`ee_app.imports.visits`
for the file), with the rules of every import:

* the whole file is checked first; any problem refuses it, lists every problem (row, column,
  reason) and writes nothing;
* a dry run stops after the check and says what an import would add;
* an import is one transaction, recorded as an :class:`~ee_app.models.ImportBatch` of kind
  ``visits`` whose counts are visits (not rows);
* idempotent by the agency's visit id: a visit imported before with the same content is
  skipped (importing a file again adds nothing and records no batch), one with different
  content is refused: undo its batch first;
* a batch can be undone as a whole (:func:`ee_app.services.import_batches.undo_batch`), which
  deletes exactly its visits, unless one of them has been approved: approved visits count in
  results and are paid on, so such a batch stays (:func:`remove_batch`).

Imported visits wait for HR's review like a shopper's submission (status ``submitted``, source
``import``), with their scores computed as a submission's are.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ee_app import clock
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, Conflict, ImportRejected, Problem
from ee_app.imports.cells import employee_number
from ee_app.imports.tabular import file_label, read_table
from ee_app.imports.visit_records import Period, Template, VisitLookups, VisitRecord
from ee_app.imports.visits import parse_visits
from ee_app.models import (
    ChecklistVersion,
    ImportBatch,
    ShopVisit,
    Staff,
    StaffAssignment,
    VisitEvidence,
    VisitSource,
    VisitStatus,
    utcnow,
)
from ee_app.services import audit
from ee_app.services.roster import unit_index
from ee_app.services.visit_filling import stamp_scores
from ee_app.services.visits import checklist_of

__all__ = ["KIND", "MAX_PROBLEMS", "VisitImport", "import_visits", "remove_batch"]

#: ``ImportBatch.kind`` of a visits file.
KIND = "visits"
MAX_PROBLEMS = 500
_CHUNK = 5_000
Progress = Callable[[float, str], None]


@dataclass
class VisitImport:
    """What a visits file held (``rows`` of the file, ``visits`` in them) and what became of
    it: ``new`` visits added, ``unchanged`` ones imported before and skipped."""

    rows: int
    visits: int
    new: int = 0
    unchanged: int = 0
    batch_id: int | None = None
    dry_run: bool = False
    warnings: list[Problem] = field(default_factory=list)
    first_date: date | None = None
    last_date: date | None = None


def _templates(session: Session) -> dict[str, dict[int, Template]]:
    found: dict[str, dict[int, Template]] = defaultdict(dict)
    for row in session.scalars(select(ChecklistVersion)):
        found[row.key][row.version] = Template(row.id, checklist_of(row))
    return dict(found)


def _periods(session: Session, team_store: Mapping[int, int]) -> dict[str, list[Period]]:
    """Employee number (as imports read it: full-width is ASCII) → the periods the person
    worked at each store (a team counts as its store), within their hire and leave dates
    (the leave date is their last day)."""
    found: dict[str, list[Period]] = defaultdict(list)
    rows = session.execute(
        select(
            Staff.employee_no,
            Staff.id,
            Staff.hire_date,
            Staff.leave_date,
            StaffAssignment.unit_id,
            StaffAssignment.valid_from,
            StaffAssignment.valid_to,
        ).join(StaffAssignment, StaffAssignment.staff_id == Staff.id)
    )
    for number, staff_id, hired, left, unit_id, start, end in rows:
        if left is not None and left < date.max:  # 9999-12-31: no end (and no day after it)
            end = min(end, left + timedelta(days=1)) if end else left + timedelta(days=1)
        found[employee_number(number)].append(
            Period(staff_id, team_store.get(unit_id, unit_id), max(start, hired), end)
        )
    return dict(found)


def _lookups(session: Session, today: date) -> VisitLookups:
    units = unit_index(session)
    team_store = {team: store for store, teams in units.teams.items() for team in teams.values()}
    return VisitLookups(units, _templates(session), _periods(session, team_store), today)


def _content(
    template_id: int,
    store_id: int,
    visited_on: date | None,
    answers: Mapping[str, Any],
    agency: str,
    served_by: str | None,
) -> str:
    """The agency's content of a visit, as one comparable text."""
    return json.dumps(
        [template_id, store_id, str(visited_on), answers, agency, served_by],
        sort_keys=True,
        ensure_ascii=False,
    )


def _compare(
    session: Session, visits: Sequence[VisitRecord], header: str
) -> tuple[set[str], list[Problem]]:
    """The visit ids imported before with the same content, and a problem for each imported
    before with other content. Who served is left out of the comparison once HR has reviewed
    a visit: HR's choice of who served is theirs, not the agency's."""
    wanted = {v.source_id: v for v in visits}
    ids = list(wanted)
    same: set[str] = set()
    changed: list[Problem] = []
    for start in range(0, len(ids), _CHUNK):
        stmt = (
            select(ShopVisit, Staff.employee_no)
            .outerjoin(Staff, Staff.id == ShopVisit.staff_id)
            .where(ShopVisit.source_id.in_(ids[start : start + _CHUNK]))
        )
        for stored, employee_no in session.execute(stmt):
            record = wanted[stored.source_id]
            reviewed = stored.reviewed_at is not None
            before = _content(
                stored.template_id,
                stored.store_id,
                stored.visited_on,
                stored.answers,
                stored.agency,
                None if reviewed else (stored.served_by_note or employee_no or ""),
            )
            now = _content(
                record.template.id,
                record.store_id,
                record.visited_on,
                record.answers,
                record.agency,
                None if reviewed else record.served_by,
            )
            if before == now:
                same.add(record.source_id)
            else:
                changed.append(
                    Problem(
                        N_(
                            "visit “{value}” was imported before (batch {batch}) with different "
                            "content; undo that batch first to replace it"
                        ),
                        {"value": record.source_id, "batch": stored.batch_id or "–"},
                        record.row,
                        header,
                    )
                )
    return same, changed


def _refuse(problems: list[Problem]) -> ImportRejected:
    return ImportRejected(
        N_("The visits file was not imported: {count} problems. Nothing was changed."),
        problems[:MAX_PROBLEMS],
        count=len(problems),
    )


def _none_progress(_fraction: float, _label: str) -> None:
    pass


def import_visits(
    session: Session,
    actor: Actor,
    data: bytes,
    file_name: str,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> VisitImport:
    """Check an agency's visits file and, unless it is a dry run, add its new visits in one
    transaction (see the module docstring for the rules)."""
    require(actor, Permission.MANAGE_VISITS)
    progress = progress or _none_progress
    progress(0.05, N_("Reading the file"))
    table = read_table(data, file_name)
    progress(0.3, N_("Checking every row"))
    parsed = parse_visits(table, _lookups(session, clock.today()))
    if parsed.problems:
        session.rollback()
        raise _refuse(parsed.problems)
    progress(0.5, N_("Comparing with what was imported before"))
    same, changed = _compare(session, parsed.visits, parsed.headers["visit_id"])
    if changed:
        session.rollback()
        raise _refuse(sorted(changed, key=lambda p: p.row or 0))
    fresh = [v for v in parsed.visits if v.source_id not in same]
    days = [v.visited_on for v in parsed.visits]
    result = VisitImport(
        rows=parsed.rows,
        visits=len(parsed.visits),
        new=len(fresh),
        unchanged=len(same),
        dry_run=dry_run,
        warnings=parsed.warnings,
        first_date=min(days),
        last_date=max(days),
    )
    if dry_run or not fresh:
        session.rollback()
        progress(1.0, N_("Done"))
        return result
    try:
        progress(0.7, N_("Saving"))
        batch = ImportBatch(
            kind=KIND,
            file_name=file_label(file_name),
            file_sha256=hashlib.sha256(data).hexdigest(),
            actor=actor.email,
            rows=result.visits,
            inserted=result.new,
            unchanged=result.unchanged,
        )
        session.add(batch)
        session.flush()
        now = utcnow()
        for record in fresh:
            visit = ShopVisit(
                template_id=record.template.id,
                store_id=record.store_id,
                shopper_id=None,
                agency=record.agency,
                window_start=record.visited_on,
                window_end=record.visited_on,
                visited_on=record.visited_on,
                status=VisitStatus.SUBMITTED,
                source=VisitSource.IMPORT,
                source_id=record.source_id,
                batch_id=batch.id,
                answers=record.answers,
                served_by_note=record.served_by_note,
                staff_id=record.staff_id,
                created_by=actor.email,
                submitted_at=now,
            )
            stamp_scores(visit, record.template.checklist)
            session.add(visit)
        session.flush()
        audit.record(
            session,
            actor,
            f"{KIND}.import",
            "import_batch",
            batch.id,
            rows=result.rows,
            visits=result.visits,
            inserted=result.new,
            unchanged=result.unchanged,
        )
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(
            N_(
                "Another import added some of these visits at the same time; nothing was "
                "changed. Import the file again."
            )
        ) from exc
    except BaseException:
        session.rollback()
        raise
    result.batch_id = batch.id
    progress(1.0, N_("Done"))
    return result


def remove_batch(session: Session, batch: ImportBatch) -> int:
    """Delete the visits of one batch (and any evidence on them); refuse with
    :class:`~ee_app.errors.Conflict` if any of them has been approved, since approved visits
    count in results and are paid on. The caller holds the transaction and the permission
    check (:func:`ee_app.services.import_batches.undo_batch`)."""
    rows = session.execute(
        select(ShopVisit.id, ShopVisit.status)
        .where(ShopVisit.batch_id == batch.id)
        .with_for_update()
    ).all()
    approved = sum(1 for _, status in rows if status is VisitStatus.APPROVED)
    if approved:
        raise Conflict(
            N_(
                "Batch {batch} cannot be undone: {count} of its visits have been approved, and "
                "approved visits count in results and are paid on."
            ),
            batch=batch.id,
            count=approved,
        )
    ids = [visit_id for visit_id, _ in rows]
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        session.execute(delete(VisitEvidence).where(VisitEvidence.visit_id.in_(chunk)))
        session.execute(delete(ShopVisit).where(ShopVisit.id.in_(chunk)))
    return len(ids)
