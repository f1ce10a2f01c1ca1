"""HR's side of mystery-shopper visits: schedule them, cancel them, review submitted ones.

HR and admins (``MANAGE_VISITS``) schedule visits to stores for shoppers, cancel those not yet
approved, and review submitted ones: approve, or reject with a reason (the shopper then
corrects it). When reviewing, HR links who served the shopper to the roster.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, Conflict, Problem, ValidationError
from ee_app.models import (
    AppUser,
    ChecklistVersion,
    OrgUnit,
    ShopVisit,
    UnitLevel,
    UserRole,
    VisitStatus,
    utcnow,
)
from ee_app.services import audit
from ee_app.services._tx import transactional
from ee_app.services.visits import (
    MAX_WINDOW_DAYS,
    VisitRow,
    checklist_of,
    load_visit,
    store_staff,
    visit_row,
)

__all__ = ["cancel_visit", "review_visit", "schedule_visits"]


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
    visit = load_visit(session, actor, visit_id, lock=True)
    if visit.status in (VisitStatus.APPROVED, VisitStatus.CANCELLED):
        raise Conflict(
            N_("Visit {visit} is {status} and cannot be cancelled."),
            visit=visit.id,
            status=visit.status.value,
        )
    visit.status = VisitStatus.CANCELLED
    audit.record(session, actor, "visit.cancel", "shop_visit", visit.id)


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
    visit = load_visit(session, actor, visit_id, lock=True)
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
    return visit_row(session, actor, visit)
