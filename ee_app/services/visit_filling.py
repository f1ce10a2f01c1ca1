"""Filling in a mystery-shopper visit: the shopper saves a draft and submits it.

Only the shopper the visit is assigned to may change it, and only while it is a draft or was
rejected (:func:`ee_app.services.visits.own_open_visit`). Scores are computed once, on
submission, from the template version the visit was scheduled with (:func:`stamp_scores`,
:func:`ee_app.instruments.checklist.score`) and stored with the visit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from ee_app import clock
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, Conflict, NotFound, Problem, ValidationError
from ee_app.instruments.checklist import MAX_COMMENT, Checklist, check_answers, percent, score
from ee_app.models import ChecklistVersion, ShopVisit, VisitStatus, utcnow
from ee_app.services import audit
from ee_app.services._tx import transactional
from ee_app.services.visits import (
    OPEN_STATUSES,
    VisitRow,
    checklist_of,
    is_own_visit,
    load_visit,
    visit_row,
)

__all__ = ["own_open_visit", "save_draft", "stamp_scores", "submit_visit"]


def own_open_visit(session: Session, actor: Actor, visit_id: int) -> ShopVisit:
    """The shopper's own visit, locked, while it may still be changed (draft or rejected)."""
    require(actor, Permission.DO_VISITS)
    visit = load_visit(session, actor, visit_id, lock=True)
    if not is_own_visit(actor, visit):
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
    visit = own_open_visit(session, actor, visit_id)
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
    visit = own_open_visit(session, actor, visit_id)
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
    return visit_row(session, actor, visit)
