"""Importing the roster: one transaction, all or nothing, and idempotent.

A clean file inserts new staff, updates changed names, dates and contacts (e-mail, mobile,
WeCom user id: only the columns the file has; an empty cell empties the contact), and moves
people whose unit or role changed (closing their open assignment on the effective date and
opening a new one, so earlier results stay with the unit they were earned in). Importing the
same file again finds nothing to change and writes nothing, not even a batch record.

New hires get the assessments HR's automatic-assignment rules name for their role, in the
same transaction (:mod:`ee_app.services.training_auto_assign`); ``assessments_assigned``
says how many (a dry run says how many would be).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from sqlalchemy import Column, Row, insert, select, update
from sqlalchemy.orm import Session

from ee_app import clock
from ee_app.auth import Actor, Permission, require
from ee_app.config import Settings
from ee_app.db import bulk_insert
from ee_app.errors import N_, ImportRejected, Problem
from ee_app.imports.cells import employee_number
from ee_app.imports.columns import normalise_header
from ee_app.imports.roster import Roster, UnitIndex, read_roster, table_frame
from ee_app.imports.roster_cells import CONTACT_FIELDS
from ee_app.imports.tabular import file_label, problems_limit, read_table
from ee_app.models import (
    ImportBatch,
    OrgUnit,
    Staff,
    StaffAssignment,
    StaffRole,
    UnitLevel,
    utcnow,
)
from ee_app.services import audit
from ee_app.services.training_auto_assign import assign_new_hires

__all__ = [
    "RosterResult",
    "by_employee_number",
    "import_roster",
    "staff_contacts",
    "staff_ids",
    "unit_index",
]

Progress = Callable[[float, str], None]
T = TypeVar("T")


@dataclass
class RosterResult:
    rows: int
    inserted: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    dry_run: bool = False
    batch_id: int | None = None
    warnings: list[Problem] = field(default_factory=list)
    #: Assessments given to the new hires by HR's automatic-assignment rules.
    assessments_assigned: int = 0
    #: staff id → role of the people this import inserted (still working on the effective day).
    new_hires: dict[int, StaffRole] = field(default_factory=dict, repr=False)

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated or self.moved)


def unit_index(session: Session) -> UnitIndex:
    """Stores by code (and by name where unique); teams of each store by code and name."""
    units = session.execute(
        select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.level, OrgUnit.parent_id).where(
            OrgUnit.active
        )
    ).all()
    stores: dict[str, int] = {}
    names: dict[str, set[int]] = defaultdict(set)
    teams: dict[int, dict[str, int]] = defaultdict(dict)
    for uid, code, name, level, parent in units:
        if level == UnitLevel.STORE:
            stores[normalise_header(code)] = uid
            names[normalise_header(name)].add(uid)
        elif level == UnitLevel.TEAM and parent is not None:
            teams[parent][normalise_header(code)] = uid
            teams[parent].setdefault(normalise_header(name), uid)
    ambiguous = frozenset(n for n, ids in names.items() if len(ids) > 1 and n not in stores)
    for name, ids in names.items():
        if len(ids) == 1:
            stores.setdefault(name, next(iter(ids)))
    return UnitIndex(stores=stores, teams=dict(teams), ambiguous_stores=ambiguous)


def by_employee_number(pairs: Iterable[tuple[str, T]]) -> dict[str, T]:
    """(stored employee number, value) pairs keyed by the number as imports read it
    (:func:`~ee_app.imports.cells.employee_number`): ``Ｅ１０００４`` in a file finds the
    person stored as ``E10004``, and a number stored full-width before imports normalised
    them is found by ``E10004`` too (where both are stored, the one stored as written wins)."""
    found: dict[str, T] = {}
    for number, value in pairs:
        key = employee_number(number)
        if key == number or key not in found:
            found[key] = value
    return found


def staff_contacts(session: Session, actor: Actor) -> dict[int, tuple[str | None, ...]]:
    """Staff id → (e-mail, mobile, WeCom user id), for the re-importable staff list. Only
    those who import the roster (HR) read contacts; managers' downloads have none."""
    require(actor, Permission.IMPORT_ROSTER)
    return {
        sid: (email, mobile, wecom)
        for sid, email, mobile, wecom in session.execute(
            select(Staff.id, Staff.email, Staff.mobile, Staff.wecom_userid)
        )
    }


def staff_ids(session: Session) -> dict[str, int]:
    """Employee number (normalised, see :func:`by_employee_number`) → staff id, for everyone
    on the roster."""
    return by_employee_number(session.execute(select(Staff.employee_no, Staff.id)))


def _no_progress(_fraction: float, _label: str) -> None:
    pass


def import_roster(
    session: Session,
    actor: Actor,
    data: bytes,
    filename: str,
    *,
    dry_run: bool = False,
    effective: date | None = None,
    mapping: Mapping[str, str] | None = None,
    progress: Progress = _no_progress,
    settings: Settings | None = None,
) -> RosterResult:
    """Validate the whole file, then apply it in one transaction (or only count, if dry run).

    Raises :class:`ImportRejected` listing every problem (row, column, reason) if any row is
    wrong; the database is then exactly as before.
    """
    require(actor, Permission.IMPORT_ROSTER)
    effective = effective or clock.today()
    progress(0.05, N_("Reading the file"))
    table = read_table(data, filename)
    progress(0.25, N_("Checking every row"))
    rows, problems = read_roster(table_frame(table), unit_index(session), mapping)
    if problems:
        raise ImportRejected(
            N_("The roster was not imported: {count} problems. Nothing was changed."),
            problems_limit(problems),
            count=len(problems),
        )
    try:
        progress(0.5, N_("Comparing with the current roster"))
        result = _apply(session, rows, effective)
        result.dry_run = dry_run
        result.assessments_assigned = assign_new_hires(session, actor, result.new_hires, settings)
        if dry_run or not result.changed:
            session.rollback()
            progress(1.0, N_("Done"))
            return result
        progress(0.9, N_("Saving"))
        batch = ImportBatch(
            kind="roster",
            file_name=file_label(filename),
            file_sha256=hashlib.sha256(data).hexdigest(),
            actor=actor.email,
            rows=result.rows,
            inserted=result.inserted,
            updated=result.updated + result.moved,
            unchanged=result.unchanged,
        )
        session.add(batch)
        session.flush()
        result.batch_id = batch.id
        audit.record(
            session,
            actor,
            "roster.import",
            "import_batch",
            batch.id,
            file=file_label(filename),
            inserted=result.inserted,
            updated=result.updated,
            moved=result.moved,
            **({"assigned": result.assessments_assigned} if result.assessments_assigned else {}),
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    progress(1.0, N_("Done"))
    return result


def _driver_values(session: Session, column: Column, values: list) -> list:
    """``values`` as the database driver takes them for ``column``, converted the way SQLAlchemy
    would (on SQLite a date is stored as text): once per distinct value, not per cell."""
    dialect = session.get_bind().dialect
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return values
    converted: dict[object, object] = {}
    return [converted[v] if v in converted else converted.setdefault(v, process(v)) for v in values]


def _insert_new(
    session: Session, rows: Roster, new: list[int], effective: date, result: RosterResult
) -> None:
    """Insert the new staff with the driver's bulk path (see :func:`~ee_app.db.bulk_insert`),
    column by column, and their first assignment periods."""
    staff = Staff.__table__.c
    pick = (lambda values: values) if len(new) == len(rows) else (lambda v: [v[i] for i in new])
    numbers = pick(rows.employee_no)
    count = len(numbers)
    columns = {
        "employee_no": numbers,
        "name": pick(rows.name),
        "hire_date": _driver_values(session, staff.hire_date, pick(rows.hire_date)),
        "leave_date": _driver_values(session, staff.leave_date, pick(rows.leave_date)),
        "updated_at": _driver_values(session, staff.updated_at, [utcnow()]) * count,
        **{
            f: pick(rows.contacts[f]) if f in rows.contacts else [None] * count
            for f in CONTACT_FIELDS
        },
    }
    bulk_insert(session, "staff", list(columns), zip(*columns.values(), strict=True))
    # The numbers were stored as the file has them: the ids are found by them as they are.
    ids_of = dict(session.execute(select(Staff.employee_no, Staff.id)).all())
    ids = [ids_of[n] for n in numbers]
    roles = pick(rows.role)
    hire, leave = pick(rows.hire_date), pick(rows.leave_date)
    result.inserted = count
    result.new_hires = {
        i: role
        for i, role, left in zip(ids, roles, leave, strict=True)
        if left is None or left > effective
    }
    periods = StaffAssignment.__table__.c
    bulk_insert(
        session,
        "staff_assignment",
        ["staff_id", "unit_id", "role", "valid_from"],
        zip(
            ids,
            pick(rows.unit_id),
            _driver_values(session, periods.role, roles),
            _driver_values(session, periods.valid_from, [min(h, effective) for h in hire]),
            strict=True,
        ),
    )


def _apply(session: Session, rows: Roster, effective: date) -> RosterResult:
    """Write the differences between ``rows`` and the database: new staff in bulk through the
    driver, changes to people already stored with bulk statements."""
    result = RosterResult(rows=len(rows))
    existing = by_employee_number(
        (s.employee_no, s)
        for s in session.execute(
            select(
                Staff.id,
                Staff.employee_no,
                Staff.name,
                Staff.hire_date,
                Staff.leave_date,
                Staff.anonymised_at,
                Staff.email,
                Staff.mobile,
                Staff.wecom_userid,
            )
        )
    )
    new = [i for i, number in enumerate(rows.employee_no) if number not in existing]
    if len(new) < len(rows):
        _apply_known(session, rows, existing, set(new), effective, result)
    if new:
        _insert_new(session, rows, new, effective, result)
    return result


def _apply_known(
    session: Session,
    rows: Roster,
    existing: Mapping[str, Row],
    new: set[int],
    effective: date,
    result: RosterResult,
) -> None:
    """Update the names, dates and contacts of staff already stored, and move those whose
    unit or role changed (closing the open period on the effective date)."""
    open_periods = {
        a.staff_id: a
        for a in session.execute(
            select(
                StaffAssignment.id,
                StaffAssignment.staff_id,
                StaffAssignment.unit_id,
                StaffAssignment.role,
                StaffAssignment.valid_from,
            ).where(StaffAssignment.valid_to.is_(None))
        )
    }
    staff_updates: list[dict[str, object]] = []
    period_updates: list[dict[str, object]] = []  # close, or correct in place
    new_periods: list[dict[str, object]] = []

    for i in range(len(rows)):
        if i in new:
            continue
        row = rows.record(i)
        current = existing[row.employee_no]
        if current.anonymised_at is not None:
            # Anonymised under the retention policy or on request: an old roster file must
            # not bring the name back (nor move the person).
            result.unchanged += 1
            continue
        details = (row.name, row.hire_date, row.leave_date, *(v for _, v in row.contacts))
        stored = (
            current.name,
            current.hire_date,
            current.leave_date,
            *(getattr(current, f) or None for f, _ in row.contacts),
        )
        details_changed = stored != details
        if details_changed:
            staff_updates.append(
                {
                    "id": current.id,
                    "name": row.name,
                    "hire_date": row.hire_date,
                    "leave_date": row.leave_date,
                    **dict(row.contacts),
                }
            )
        period = open_periods.get(current.id)
        if period is not None and (period.unit_id, period.role) == (row.unit_id, row.role):
            if details_changed:
                result.updated += 1
            else:
                result.unchanged += 1
            continue
        result.moved += 1
        if period is not None and period.valid_from >= effective:
            # The open period starts on the effective date: correct it rather than split it.
            period_updates.append({"id": period.id, "unit_id": row.unit_id, "role": row.role})
            continue
        if period is not None:
            period_updates.append({"id": period.id, "valid_to": effective})
        new_periods.append(
            {
                "staff_id": current.id,
                "unit_id": row.unit_id,
                "role": row.role,
                "valid_from": effective,
            }
        )

    if staff_updates:
        session.execute(update(Staff), staff_updates)
    closing = [u for u in period_updates if "valid_to" in u]
    correcting = [u for u in period_updates if "valid_to" not in u]
    for group in (closing, correcting):
        if group:
            session.execute(update(StaffAssignment), group)
    if new_periods:
        session.execute(insert(StaffAssignment.__table__), new_periods)
