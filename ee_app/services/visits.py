"""Mystery-shopper visits: the checklist templates, and reading visits as each role may.

Who may touch a visit is decided here and in the modules of each step, whatever a page shows:

* HR and admins (``MANAGE_VISITS``) schedule visits, see every visit, review submitted ones
  (approve, or reject with a reason) and cancel those not yet approved
  (:mod:`ee_app.services.visit_management`).
* A shopper (``DO_VISITS``) sees and fills in only the visits assigned to them
  (:mod:`ee_app.services.visit_filling`, :mod:`ee_app.services.visit_evidence`); any other
  visit is "not found", the same answer as for a visit that does not exist
  (:func:`load_visit`). A shopper sees no org data beyond the name of the store they are sent
  to, and records who served them as they saw it (a name badge); HR links that to the roster
  when reviewing.
* Managers (``VIEW_VISITS``) read approved visits of stores in their scope, through
  :mod:`ee_app.services.visit_results`.

Scores are computed once, on submission, from the template version the visit was scheduled
with (:func:`ee_app.instruments.checklist.score`) and stored with the visit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ee_app.auth import Actor, Permission, can, require
from ee_app.errors import N_, NotFound
from ee_app.instruments.checklist import Checklist, default_definitions, validate
from ee_app.models import (
    AppUser,
    ChecklistVersion,
    OrgUnit,
    ShopVisit,
    Staff,
    StaffAssignment,
    UserRole,
    VisitEvidence,
    VisitStatus,
)
from ee_app.services.versions import add_shipped, checked_version

__all__ = [
    "OPEN_STATUSES",
    "EvidenceRow",
    "VisitRow",
    "checklist_of",
    "ensure_default_checklists",
    "get_visit",
    "is_own_visit",
    "list_templates",
    "list_visits",
    "load_visit",
    "shoppers",
    "store_staff",
    "visit_row",
]

#: Visits a shopper may still change.
OPEN_STATUSES = (VisitStatus.DRAFT, VisitStatus.REJECTED)
MAX_WINDOW_DAYS = 92
_VISIT_GRANTS = frozenset({Permission.MANAGE_VISITS, Permission.DO_VISITS, Permission.VIEW_VISITS})


# Templates ------------------------------------------------------------------------------------


_CHECKED: dict[tuple[int, str], Checklist] = {}
_ALTERED = N_("Checklist template {key} v{version} has been altered in the database; restore it.")


def checklist_of(row: ChecklistVersion) -> Checklist:
    """The validated checklist of a stored version, its content hash checked the first time
    this process reads the version (see :func:`~ee_app.services.versions.checked_version`)."""
    return checked_version(_CHECKED, row, validate, _ALTERED)


def ensure_default_checklists(session: Session) -> None:
    """Version 1 of each shipped template, created when missing (no commit: callers commit)."""
    add_shipped(session, ChecklistVersion, default_definitions(), validate)


def list_templates(session: Session, actor: Actor) -> list[ChecklistVersion]:
    """Every template version, by key and version (HR chooses one to schedule)."""
    require(actor, Permission.MANAGE_VISITS)
    stmt = select(ChecklistVersion).order_by(ChecklistVersion.key, ChecklistVersion.version)
    return list(session.scalars(stmt))


# Reading visits -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceRow:
    id: int
    item_id: str
    file_name: str
    mime: str
    size: int


@dataclass(frozen=True)
class VisitRow:
    """A visit as its reader may see it. ``shopper`` is empty for shoppers and managers
    (HR alone sees who shopped); ``staff_*`` is empty for shoppers."""

    id: int
    status: VisitStatus
    store_id: int
    store_code: str
    store_name: str
    template_id: int
    template_key: str
    template_version: int
    checklist: Checklist
    window_start: date
    window_end: date
    visited_on: date | None
    answers: Mapping[str, Any]
    served_by_note: str
    notes: str
    staff_id: int | None
    staff_name: str
    staff_no: str
    shopper: str
    raw_score: Any
    score: Any
    passed: bool | None
    critical_failed: bool | None
    section_scores: Mapping[str, Any]
    review_reason: str
    evidence: tuple[EvidenceRow, ...]

    @property
    def editable(self) -> bool:
        return self.status in OPEN_STATUSES


def is_own_visit(actor: Actor, visit: ShopVisit) -> bool:
    """Whether ``actor`` is the shopper the visit is assigned to."""
    return actor.user_id is not None and visit.shopper_id == actor.user_id


def _readable(actor: Actor, visit: ShopVisit) -> bool:
    if can(actor, Permission.MANAGE_VISITS):
        return True
    if can(actor, Permission.DO_VISITS) and is_own_visit(actor, visit):
        return True
    return (
        can(actor, Permission.VIEW_VISITS)
        and visit.status is VisitStatus.APPROVED
        and actor.may_see_unit(visit.store_id)
    )


def load_visit(session: Session, actor: Actor, visit_id: int, *, lock: bool = False) -> ShopVisit:
    """The visit if ``actor`` may read it, else NotFound: the same answer as for a visit that
    does not exist, so a shopper learns nothing about others' visits."""
    stmt = select(ShopVisit).where(ShopVisit.id == visit_id)
    if lock:
        stmt = stmt.with_for_update()
    visit = session.scalar(stmt)
    if visit is None or not _readable(actor, visit):
        raise NotFound(N_("No visit {visit} among the visits you may see."), visit=visit_id)
    return visit


def visit_row(session: Session, actor: Actor, visit: ShopVisit) -> VisitRow:
    """The visit as ``actor`` may see it (a shopper sees no org data beyond the store)."""
    store = session.get(OrgUnit, visit.store_id)
    template = session.get(ChecklistVersion, visit.template_id)
    office = can(actor, Permission.MANAGE_VISITS)
    staff = session.get(Staff, visit.staff_id) if visit.staff_id else None
    if staff is not None and not (office or can(actor, Permission.VIEW_VISITS)):
        staff = None
    shopper = ""
    if office:
        user = session.get(AppUser, visit.shopper_id) if visit.shopper_id else None
        shopper = (user.name or user.email) if user else visit.agency
    evidence = session.execute(
        select(
            VisitEvidence.id,
            VisitEvidence.item_id,
            VisitEvidence.file_name,
            VisitEvidence.mime,
            VisitEvidence.size,
        )
        .where(VisitEvidence.visit_id == visit.id)
        .order_by(VisitEvidence.id)
    ).all()
    return VisitRow(
        id=visit.id,
        status=visit.status,
        store_id=visit.store_id,
        store_code=store.code if store else "",
        store_name=store.name if store else "",
        template_id=visit.template_id,
        template_key=template.key,
        template_version=template.version,
        checklist=checklist_of(template),
        window_start=visit.window_start,
        window_end=visit.window_end,
        visited_on=visit.visited_on,
        answers=dict(visit.answers or {}),
        served_by_note=visit.served_by_note,
        notes=visit.notes,
        staff_id=staff.id if staff else None,
        staff_name=staff.name if staff else "",
        staff_no=staff.employee_no if staff else "",
        shopper=shopper,
        raw_score=visit.raw_score,
        score=visit.score,
        passed=visit.passed,
        critical_failed=visit.critical_failed,
        section_scores=dict(visit.section_scores or {}),
        review_reason=visit.review_reason,
        evidence=tuple(EvidenceRow(*e) for e in evidence),
    )


def get_visit(session: Session, actor: Actor, visit_id: int) -> VisitRow:
    """One visit, if the actor may see it (see the module docstring); else NotFound."""
    if not actor.grants & _VISIT_GRANTS:
        require(actor, Permission.VIEW_VISITS)
    return visit_row(session, actor, load_visit(session, actor, visit_id))


def list_visits(
    session: Session,
    actor: Actor,
    *,
    statuses: Sequence[VisitStatus] | None = None,
    mine: bool = False,
    limit: int = 500,
) -> list[VisitRow]:
    """Visits the actor may see, newest window first. ``mine`` (or a shopper's role) limits
    them to the actor's own assignments; managers get approved visits in scope only."""
    office = can(actor, Permission.MANAGE_VISITS)
    if mine or not (office or can(actor, Permission.VIEW_VISITS)):
        require(actor, Permission.DO_VISITS)
        stmt = select(ShopVisit).where(
            ShopVisit.shopper_id == (actor.user_id or -1),
            ShopVisit.status != VisitStatus.CANCELLED,
        )
    elif office:
        stmt = select(ShopVisit)
    else:
        stmt = select(ShopVisit).where(ShopVisit.status == VisitStatus.APPROVED)
        if actor.scope is not None:
            stmt = stmt.where(ShopVisit.store_id.in_(actor.scope))
    if statuses:
        stmt = stmt.where(ShopVisit.status.in_(list(statuses)))
    stmt = stmt.order_by(ShopVisit.window_start.desc(), ShopVisit.id.desc()).limit(limit)
    return [visit_row(session, actor, v) for v in session.scalars(stmt)]


def shoppers(session: Session, actor: Actor) -> list[AppUser]:
    """Active users with the shopper role, to assign visits to."""
    require(actor, Permission.MANAGE_VISITS)
    stmt = select(AppUser).where(AppUser.role == UserRole.SHOPPER, AppUser.active)
    return list(session.scalars(stmt.order_by(AppUser.name, AppUser.email)))


def store_staff(session: Session, actor: Actor, store_id: int, on: date) -> list[Staff]:
    """Who worked at the store (or one of its teams) on ``on``: the people HR may record as
    having served the shopper."""
    require(actor, Permission.MANAGE_VISITS)
    units = [store_id, *session.scalars(select(OrgUnit.id).where(OrgUnit.parent_id == store_id))]
    stmt = (
        select(Staff)
        .join(StaffAssignment, StaffAssignment.staff_id == Staff.id)
        .where(
            StaffAssignment.unit_id.in_(units),
            StaffAssignment.valid_from <= on,
            or_(StaffAssignment.valid_to.is_(None), StaffAssignment.valid_to > on),
            Staff.hire_date <= on,
            or_(Staff.leave_date.is_(None), Staff.leave_date >= on),
        )
        .order_by(Staff.employee_no)
    )
    return list(session.scalars(stmt).unique())
