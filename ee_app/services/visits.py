"""Mystery-shopper visits: scheduling, filling in, evidence, submission and review.

Who may touch a visit is decided here, whatever a page shows:

* HR and admins (``MANAGE_VISITS``) schedule visits, see every visit, review submitted ones
  (approve, or reject with a reason) and cancel those not yet approved.
* A shopper (``DO_VISITS``) sees and fills in only the visits assigned to them; any other
  visit is "not found", the same answer as for a visit that does not exist. A shopper sees no
  org data beyond the name of the store they are sent to, and records who served them as
  they saw it (a name badge); HR links that to the roster when reviewing.
* Managers (``VIEW_VISITS``) read approved visits of stores in their scope, through
  :mod:`ee_app.services.visit_results`.

Scores are computed once, on submission, from the template version the visit was scheduled
with (:func:`ee_app.instruments.checklist.score`) and stored with the visit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ee_app import clock
from ee_app.auth import Actor, Permission, can, require
from ee_app.errors import N_, ConfigError, Conflict, NotFound, Problem, ValidationError
from ee_app.imports.images import PHOTO_FORMATS, clean_photo
from ee_app.instruments.checklist import (
    MAX_COMMENT,
    Checklist,
    check_answers,
    default_definitions,
    definition_hash,
    percent,
    score,
    validate,
)
from ee_app.models import (
    AppUser,
    ChecklistVersion,
    OrgUnit,
    ShopVisit,
    Staff,
    StaffAssignment,
    UnitLevel,
    UserRole,
    VisitEvidence,
    VisitStatus,
    utcnow,
)
from ee_app.services import audit
from ee_app.services._tx import transactional

__all__ = [
    "EVIDENCE_TYPES",
    "MAX_EVIDENCE_BYTES",
    "OPEN_STATUSES",
    "EvidenceRow",
    "VisitRow",
    "add_evidence",
    "cancel_visit",
    "checklist_of",
    "ensure_default_checklists",
    "evidence_content",
    "get_visit",
    "list_templates",
    "list_visits",
    "remove_evidence",
    "review_visit",
    "save_draft",
    "schedule_visits",
    "shoppers",
    "stamp_scores",
    "store_staff",
    "submit_visit",
]

#: A photo or a scanned receipt: enough to see, small enough to keep in the database.
MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
MAX_EVIDENCE_PER_ITEM = 3
#: Accepted evidence, recognised by the file's first bytes rather than its name.
EVIDENCE_TYPES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"%PDF-": "application/pdf",
}
#: Visits a shopper may still change.
OPEN_STATUSES = (VisitStatus.DRAFT, VisitStatus.REJECTED)
MAX_WINDOW_DAYS = 92
_VISIT_GRANTS = frozenset({Permission.MANAGE_VISITS, Permission.DO_VISITS, Permission.VIEW_VISITS})


# Templates ------------------------------------------------------------------------------------


_CHECKED: dict[tuple[int, str], Checklist] = {}


def checklist_of(row: ChecklistVersion) -> Checklist:
    """The validated checklist of a stored version. Its content hash is checked the first
    time this process reads the version; after that the parsed checklist is reused (a list
    of visits reads the same few versions many times)."""
    key = (row.id, row.sha256)
    found = _CHECKED.get(key)
    if found is not None:
        return found
    if definition_hash(row.definition) != row.sha256:
        raise ConfigError(
            N_("Checklist template {key} v{version} has been altered in the database; restore it."),
            key=row.key,
            version=row.version,
        )
    checklist = validate(row.definition)
    if len(_CHECKED) > 256:
        _CHECKED.clear()
    _CHECKED[key] = checklist
    return checklist


def ensure_default_checklists(session: Session) -> None:
    """Version 1 of each shipped template, created when missing (no commit: callers commit)."""
    for key, definition in default_definitions().items():
        exists = session.scalar(
            select(ChecklistVersion.id).where(
                ChecklistVersion.key == key, ChecklistVersion.version == definition["version"]
            )
        )
        if exists is None:
            validate(definition)
            session.add(
                ChecklistVersion(
                    key=key,
                    version=definition["version"],
                    definition=definition,
                    sha256=definition_hash(definition),
                    created_by="ee-app",
                )
            )
    session.flush()


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


def _is_own(actor: Actor, visit: ShopVisit) -> bool:
    return actor.user_id is not None and visit.shopper_id == actor.user_id


def _readable(actor: Actor, visit: ShopVisit) -> bool:
    if can(actor, Permission.MANAGE_VISITS):
        return True
    if can(actor, Permission.DO_VISITS) and _is_own(actor, visit):
        return True
    return (
        can(actor, Permission.VIEW_VISITS)
        and visit.status is VisitStatus.APPROVED
        and actor.may_see_unit(visit.store_id)
    )


def _load(session: Session, actor: Actor, visit_id: int, *, lock: bool = False) -> ShopVisit:
    stmt = select(ShopVisit).where(ShopVisit.id == visit_id)
    if lock:
        stmt = stmt.with_for_update()
    visit = session.scalar(stmt)
    if visit is None or not _readable(actor, visit):
        raise NotFound(N_("No visit {visit} among the visits you may see."), visit=visit_id)
    return visit


def _row(session: Session, actor: Actor, visit: ShopVisit) -> VisitRow:
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
    return _row(session, actor, _load(session, actor, visit_id))


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
    return [_row(session, actor, v) for v in session.scalars(stmt)]


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


# Scheduling -----------------------------------------------------------------------------------


@transactional
def schedule_visits(
    session: Session,
    actor: Actor,
    *,
    template_id: int,
    store_ids: Sequence[int],
    shopper_id: int,
    window_start: date,
    window_end: date,
) -> list[int]:
    """One draft visit per store for the shopper, to be made between the two dates."""
    require(actor, Permission.MANAGE_VISITS)
    problems = []
    template = session.get(ChecklistVersion, template_id)
    if template is None:
        problems.append(Problem(N_("Choose a checklist template.")))
    else:
        checklist_of(template)
    shopper = session.get(AppUser, shopper_id)
    if shopper is None or shopper.role is not UserRole.SHOPPER or not shopper.active:
        problems.append(Problem(N_("Choose an active user with the mystery-shopper role.")))
    if window_end < window_start:
        problems.append(Problem(N_("The visit window ends before it starts.")))
    elif (window_end - window_start).days > MAX_WINDOW_DAYS:
        problems.append(Problem(N_("A visit window can span at most three months.")))
    stores = session.scalars(select(OrgUnit).where(OrgUnit.id.in_(list(store_ids)))).all()
    if not store_ids:
        problems.append(Problem(N_("Choose at least one store.")))
    elif len(stores) != len(set(store_ids)) or any(s.level is not UnitLevel.STORE for s in stores):
        problems.append(Problem(N_("Visits go to stores: choose stores only.")))
    if problems:
        raise ValidationError(N_("The visits were not scheduled."), problems)
    visits = [
        ShopVisit(
            template_id=template_id,
            store_id=store.id,
            shopper_id=shopper_id,
            window_start=window_start,
            window_end=window_end,
            created_by=actor.email,
        )
        for store in sorted(stores, key=lambda s: s.code)
    ]
    session.add_all(visits)
    session.flush()
    audit.record(
        session,
        actor,
        "visit.schedule",
        "shop_visit",
        ",".join(str(v.id) for v in visits),
        template=f"{template.key} v{template.version}",
        shopper=shopper.email,
        stores=len(visits),
    )
    return [v.id for v in visits]


@transactional
def cancel_visit(session: Session, actor: Actor, visit_id: int) -> None:
    """Withdraw a visit that has not been approved (an approved one stays: it is paid on)."""
    require(actor, Permission.MANAGE_VISITS)
    visit = _load(session, actor, visit_id, lock=True)
    if visit.status in (VisitStatus.APPROVED, VisitStatus.CANCELLED):
        raise Conflict(
            N_("Visit {visit} is {status} and cannot be cancelled."),
            visit=visit.id,
            status=visit.status.value,
        )
    visit.status = VisitStatus.CANCELLED
    audit.record(session, actor, "visit.cancel", "shop_visit", visit.id)


# Filling in -----------------------------------------------------------------------------------


def _own_open_visit(session: Session, actor: Actor, visit_id: int) -> ShopVisit:
    require(actor, Permission.DO_VISITS)
    visit = _load(session, actor, visit_id, lock=True)
    if not _is_own(actor, visit):
        raise NotFound(N_("No visit {visit} among the visits you may see."), visit=visit_id)
    if visit.status not in OPEN_STATUSES:
        raise Conflict(
            N_("Visit {visit} was submitted already and can no longer be changed."),
            visit=visit.id,
        )
    return visit


def _clean_answers(answers: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Only what a form sends: a value and a comment per item, empty entries dropped."""
    cleaned = {}
    for item_id, answer in answers.items():
        value = answer.get("value")
        comment = str(answer.get("comment") or "").strip()
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "") and not comment:
            continue
        cleaned[str(item_id)] = {"value": None if value == "" else value, "comment": comment}
    return cleaned


def _details(
    visit: ShopVisit, visited_on: date | None, served_by_note: str, notes: str
) -> list[Problem]:
    problems = []
    if visited_on is not None and not visit.window_start <= visited_on <= visit.window_end:
        problems.append(
            Problem(
                N_("The visit date must lie in the window, {start} to {end}."),
                {"start": visit.window_start, "end": visit.window_end},
            )
        )
    if visited_on is not None and visited_on > clock.today():
        problems.append(Problem(N_("The visit date lies in the future.")))
    if len(served_by_note) > 200:
        problems.append(Problem(N_("Who served you: at most 200 characters.")))
    if len(notes) > MAX_COMMENT * 4:
        problems.append(Problem(N_("The notes are too long (at most 4000 characters).")))
    return problems


def _apply(
    visit: ShopVisit,
    answers: Mapping[str, Mapping[str, Any]],
    visited_on: date | None,
    served_by_note: str,
    notes: str,
) -> None:
    visit.answers = _clean_answers(answers)
    visit.visited_on = visited_on
    visit.served_by_note = served_by_note.strip()
    visit.notes = notes.strip()


@transactional
def save_draft(
    session: Session,
    actor: Actor,
    visit_id: int,
    answers: Mapping[str, Mapping[str, Any]],
    *,
    visited_on: date | None = None,
    served_by_note: str = "",
    notes: str = "",
) -> None:
    """Keep what the shopper has filled in so far; nothing is required yet, but what is
    there must be a valid answer."""
    visit = _own_open_visit(session, actor, visit_id)
    checklist = checklist_of(session.get(ChecklistVersion, visit.template_id))
    cleaned = _clean_answers(answers)
    problems = check_answers(checklist, cleaned, complete=False)
    problems += _details(visit, visited_on, served_by_note, notes)
    if problems:
        raise ValidationError(N_("The draft was not saved."), problems)
    _apply(visit, cleaned, visited_on, served_by_note, notes)
    # A visit sent back and being corrected has no score until it is submitted again.
    visit.raw_score = visit.score = visit.passed = visit.critical_failed = None
    visit.section_scores = {}
    audit.record(session, actor, "visit.save", "shop_visit", visit.id)


def stamp_scores(visit: ShopVisit, checklist: Checklist) -> None:
    """Compute the visit's scores from its answers and store them on it."""
    result = score(checklist, visit.answers)
    visit.raw_score = percent(result.raw)
    visit.score = percent(result.final)
    visit.passed = result.passed
    visit.critical_failed = bool(result.critical_failures)
    visit.section_scores = {
        s.id: None if s.share is None else float(percent(s.share)) for s in result.sections
    }


@transactional
def submit_visit(
    session: Session,
    actor: Actor,
    visit_id: int,
    answers: Mapping[str, Mapping[str, Any]],
    *,
    visited_on: date | None,
    served_by_note: str = "",
    notes: str = "",
) -> VisitRow:
    """Submit for review: every scored item answered, comments where a "no" needs one, the
    visit date in the window. Scores are computed now and kept with the visit."""
    visit = _own_open_visit(session, actor, visit_id)
    checklist = checklist_of(session.get(ChecklistVersion, visit.template_id))
    cleaned = _clean_answers(answers)
    problems = check_answers(checklist, cleaned, complete=True)
    if visited_on is None:
        problems.append(Problem(N_("Say on which day you made the visit.")))
    problems += _details(visit, visited_on, served_by_note, notes)
    if problems:
        raise ValidationError(N_("The visit was not submitted."), problems)
    _apply(visit, cleaned, visited_on, served_by_note, notes)
    stamp_scores(visit, checklist)
    # Claim the submission atomically: a second tab or a double tap finds it gone.
    claimed = session.execute(
        update(ShopVisit)
        .where(ShopVisit.id == visit.id, ShopVisit.status.in_(list(OPEN_STATUSES)))
        .values(status=VisitStatus.SUBMITTED, submitted_at=utcnow(), review_reason="")
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise Conflict(N_("Visit {visit} was submitted already."), visit=visit.id)
    session.flush()
    session.refresh(visit)
    audit.record(session, actor, "visit.submit", "shop_visit", visit.id)
    return _row(session, actor, visit)


def _evidence_type(data: bytes) -> str | None:
    return next((mime for magic, mime in EVIDENCE_TYPES.items() if data.startswith(magic)), None)


@transactional
def add_evidence(
    session: Session, actor: Actor, visit_id: int, item_id: str, file_name: str, data: bytes
) -> EvidenceRow:
    """Attach a photo (JPEG, PNG) or a PDF receipt to an item that accepts evidence.

    A photo is decoded under a pixel limit and kept as a clean re-encoded copy, without its
    metadata (:func:`ee_app.imports.images.clean_photo`); a PDF is kept as it came. The
    stored ``sha256`` is that of the file as sent, so sending it again keeps one."""
    visit = _own_open_visit(session, actor, visit_id)
    checklist = checklist_of(session.get(ChecklistVersion, visit.template_id))
    item = checklist.item(item_id)
    if item is None or not item.evidence:
        raise ValidationError(N_("This item takes no evidence."))
    if len(data) > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            N_("“{file}” is {size} MB; evidence can be at most {limit} MB."),
            file=file_name,
            size=round(len(data) / 2**20, 1),
            limit=MAX_EVIDENCE_BYTES // 2**20,
        )
    mime = _evidence_type(data)
    if mime is None:
        raise ValidationError(N_("“{file}” is not a JPEG or PNG photo or a PDF."), file=file_name)
    # The digest of the file as sent: the page offers the same upload again on every rerun,
    # and it is recognised before the photo is decoded again.
    digest = hashlib.sha256(data).hexdigest()
    existing = session.scalars(
        select(VisitEvidence).where(
            VisitEvidence.visit_id == visit.id, VisitEvidence.item_id == item_id
        )
    ).all()
    same = next((e for e in existing if e.sha256 == digest), None)
    if same is not None:  # the same photo uploaded again: keep one
        return EvidenceRow(same.id, same.item_id, same.file_name, same.mime, same.size)
    if len(existing) >= MAX_EVIDENCE_PER_ITEM:
        raise ValidationError(N_("At most {limit} files per item."), limit=MAX_EVIDENCE_PER_ITEM)
    if mime in PHOTO_FORMATS:
        data = clean_photo(data, mime, file_name).data
    row = VisitEvidence(
        visit_id=visit.id,
        item_id=item_id,
        file_name=file_name[-255:],
        mime=mime,
        size=len(data),
        sha256=digest,
        content=data,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "visit.evidence", "shop_visit", visit.id, item=item_id)
    return EvidenceRow(row.id, row.item_id, row.file_name, row.mime, row.size)


def _evidence_row(session: Session, actor: Actor, evidence_id: int) -> VisitEvidence:
    """The file, if the actor may see its visit; one answer for "no such file" and "not
    yours", so probing ids tells nothing."""
    row = session.get(VisitEvidence, evidence_id)
    try:
        if row is not None:
            _load(session, actor, row.visit_id)
            return row
    except NotFound:
        pass
    raise NotFound(N_("No such file."))


@transactional
def remove_evidence(session: Session, actor: Actor, evidence_id: int) -> None:
    row = _evidence_row(session, actor, evidence_id)
    _own_open_visit(session, actor, row.visit_id)
    session.delete(row)
    audit.record(session, actor, "visit.evidence_remove", "shop_visit", row.visit_id)


def evidence_content(session: Session, actor: Actor, evidence_id: int) -> tuple[str, str, bytes]:
    """(file name, MIME type, bytes) of an evidence file of a visit the actor may see."""
    row = _evidence_row(session, actor, evidence_id)
    return row.file_name, row.mime, row.content


# Review ---------------------------------------------------------------------------------------


@transactional
def review_visit(
    session: Session,
    actor: Actor,
    visit_id: int,
    *,
    approve: bool,
    reason: str = "",
    staff_id: int | None = None,
) -> VisitRow:
    """Approve a submitted visit (it then counts in results) or reject it with a reason (the
    shopper sees the reason and may correct and resubmit). ``staff_id`` records who served,
    one of the people who worked at the store on the visit day (None keeps what was
    recorded)."""
    require(actor, Permission.MANAGE_VISITS)
    visit = _load(session, actor, visit_id, lock=True)
    if visit.status is not VisitStatus.SUBMITTED:
        raise Conflict(
            N_("Visit {visit} is {status}: only a submitted visit can be reviewed."),
            visit=visit.id,
            status=visit.status.value,
        )
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError(N_("Say why the visit is rejected: the shopper will read it."))
    if len(reason) > 500:
        raise ValidationError(N_("The reason can be at most 500 characters."))
    if staff_id is not None:
        day = visit.visited_on or visit.window_end
        if staff_id not in {s.id for s in store_staff(session, actor, visit.store_id, day)}:
            raise ValidationError(
                N_("That staff member did not work at this store on {day}."), day=day
            )
    if staff_id is not None:
        visit.staff_id = staff_id
    visit.status = VisitStatus.APPROVED if approve else VisitStatus.REJECTED
    visit.review_reason = reason
    visit.reviewed_at = utcnow()
    visit.reviewed_by = actor.email
    session.flush()
    audit.record(
        session,
        actor,
        "visit.approve" if approve else "visit.reject",
        "shop_visit",
        visit.id,
    )
    return _row(session, actor, visit)
