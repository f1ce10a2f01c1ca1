"""Personal data over time: what the retention policy removes, and removing it.

:func:`plan` lists what a run would remove today under the policy
(:mod:`ee_app.services.retention_policy`); :func:`run` removes exactly that in one
transaction (or, as a dry run, only lists it); :func:`erase_person` gives one person the same
treatment now, on request, whether or not they have left.

Anonymising a person (:func:`_anonymise`):

* the name becomes :data:`ANONYMISED_NAME`, e-mail, mobile and WeCom id are emptied, and
  ``anonymised_at`` is set; the **employee number stays**: it is the key of past payroll
  lines (inside the hash that proves an approved run unaltered), of the CRM/POS files a clinic
  re-imports, and of the clinic's own payroll system; without the name and contacts it names
  no one inside the app;
* survey and assessment links get random hashes (the links stop working) while ``responded``
  flags stay, so past response rates and participation do not change; the person's links to
  confidential-wave answers (``survey_response_link``) are deleted, the answers themselves stay
  in the anonymous aggregates;
* assessment attempts lose their answers and drawn questions; their mark (``correct``,
  ``score``, ``passed``) and times stay, since past pay and training records rest on them
  (item analysis of old quiz versions then rests on the remaining people's answers);
* the name is replaced in past payroll lines and in the input snapshots of pay runs (the
  snapshot's hash is computed again, audited: the amounts are unchanged), and the shopper's
  "served by" note of visits to the person is emptied.

Past results stay as aggregates: ``survey_result``, responses and comments carry no person and
are not touched.

Evidence files of visits dated before the horizon are deleted, and sales and CSAT answers
dated before it lose their customer hash; their row hash is computed again without the
customer, so nothing left in the row can confirm who the customer was, and a re-import of the
old file finds the rows unchanged (:mod:`ee_app.services.outcomes_import`).

The audit log records counts and the employee number of an erased person, never a name.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, NotFound, ValidationError
from ee_app.models import (
    CsatRecord,
    IncentiveLine,
    IncentiveRun,
    QuizAssignment,
    QuizAttempt,
    Sale,
    SaleStaff,
    ShopVisit,
    Staff,
    SurveyInvitation,
    SurveyResponseLink,
    VisitEvidence,
    utcnow,
)
from ee_app.services import audit
from ee_app.services._tx import transactional
from ee_app.services.outcome_hashes import CSAT_HASHED, SALE_HASHED, bare_row_hashes
from ee_app.services.retention_policy import Policy, get_policy

__all__ = [
    "ANONYMISED_NAME",
    "Leaver",
    "Plan",
    "erase_person",
    "plan",
    "run",
]

#: What an anonymised person's name becomes: the mask Chinese documents use for a name.
ANONYMISED_NAME = "×××"
_CHUNK = 2_000  # ids per IN (...) list
_ROWS = 50_000  # sales or CSAT answers read and rewritten at a time


@dataclass(frozen=True)
class Leaver:
    staff_id: int
    employee_no: str
    name: str
    leave_date: date


@dataclass
class Plan:
    """What a run removes on ``today``: counts and the people, nothing else."""

    today: date
    policy: Policy
    left_before: date
    data_before: date
    people: list[Leaver] = field(default_factory=list)
    evidence_files: int = 0
    evidence_bytes: int = 0
    evidence_first: date | None = None
    evidence_last: date | None = None
    sales: int = 0
    csat: int = 0
    done: bool = False  # True once a (non-dry) run removed it

    @property
    def empty(self) -> bool:
        return not (self.people or self.evidence_files or self.sales or self.csat)

    def counts(self) -> dict[str, int]:
        return {
            "people": len(self.people),
            "evidence_files": self.evidence_files,
            "evidence_bytes": self.evidence_bytes,
            "sales": self.sales,
            "csat": self.csat,
        }


def _visit_day():  # type: ignore[no-untyped-def]
    return func.coalesce(ShopVisit.visited_on, ShopVisit.window_end)


def _old_evidence(before: date):  # type: ignore[no-untyped-def]
    return (
        select(VisitEvidence.id)
        .join(ShopVisit, ShopVisit.id == VisitEvidence.visit_id)
        .where(_visit_day() < before)
    )


def plan(session: Session, today: date, *, actor: Actor | None = None) -> Plan:
    """What the policy removes on ``today``; reads only. With ``actor``, checks that they may
    manage personal data."""
    if actor is not None:
        require(actor, Permission.MANAGE_PERSONAL_DATA)
    policy = get_policy(session)
    result = Plan(today, policy, policy.left_before(today), policy.data_before(today))
    result.people = [
        Leaver(*row)
        for row in session.execute(
            select(Staff.id, Staff.employee_no, Staff.name, Staff.leave_date)
            .where(Staff.leave_date < result.left_before, Staff.anonymised_at.is_(None))
            .order_by(Staff.leave_date, Staff.employee_no)
        )
    ]
    files, size, first, last = session.execute(
        select(
            func.count(VisitEvidence.id),
            func.coalesce(func.sum(VisitEvidence.size), 0),
            func.min(_visit_day()),
            func.max(_visit_day()),
        )
        .join(ShopVisit, ShopVisit.id == VisitEvidence.visit_id)
        .where(_visit_day() < result.data_before)
    ).one()
    result.evidence_files, result.evidence_bytes = int(files), int(size)
    result.evidence_first, result.evidence_last = first, last
    result.sales = session.scalar(
        select(func.count())
        .select_from(Sale)
        .where(Sale.sold_on < result.data_before, Sale.customer.is_not(None))
    )
    result.csat = session.scalar(
        select(func.count())
        .select_from(CsatRecord)
        .where(CsatRecord.service_date < result.data_before, CsatRecord.customer.is_not(None))
    )
    return result


@transactional
def run(session: Session, actor: Actor, today: date, dry_run: bool = False) -> Plan:
    """Remove what :func:`plan` lists, in one transaction, and audit the counts. A dry run
    returns the plan and writes nothing (not even an audit entry)."""
    require(actor, Permission.MANAGE_PERSONAL_DATA)
    result = plan(session, today)
    if dry_run:
        session.rollback()
        return result
    _anonymise(session, [p.staff_id for p in result.people])
    if result.evidence_files:
        session.execute(
            delete(VisitEvidence).where(VisitEvidence.id.in_(_old_evidence(result.data_before)))
        )
    _forget_customers(session, result.data_before)
    # A confidential wave that was open when someone was erased makes their answer's link
    # when it closes (the sealed answer carries it): remove such links on every run.
    late = session.execute(
        delete(SurveyResponseLink).where(
            SurveyResponseLink.staff_id.in_(
                select(Staff.id).where(Staff.anonymised_at.is_not(None))
            )
        )
    ).rowcount
    if not result.empty or late:
        audit.record(
            session,
            actor,
            "retention.run",
            "app_setting",
            "retention",
            left_months=result.policy.left_months,
            data_months=result.policy.data_months,
            **result.counts(),
            **({"late_links": late} if late else {}),
        )
    result.done = True
    return result


@transactional
def erase_person(session: Session, actor: Actor, employee_no: str, reason: str) -> Leaver:
    """Anonymise one person now, on request (PIPL art. 47), whether or not they have left.
    Returns who it was (as they were before); a second erasure of the same person refuses."""
    require(actor, Permission.MANAGE_PERSONAL_DATA)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(N_("Say why the person's data is erased (e.g. their request)."))
    staff = session.scalar(select(Staff).where(Staff.employee_no == (employee_no or "").strip()))
    if staff is None:
        raise NotFound(N_("No staff member with employee number “{number}”."), number=employee_no)
    if staff.anonymised_at is not None:
        raise ValidationError(
            N_("The data of employee number “{number}” was already erased."), number=employee_no
        )
    who = Leaver(staff.id, staff.employee_no, staff.name, staff.leave_date)  # type: ignore[arg-type]
    _anonymise(session, [staff.id])
    audit.record(
        session,
        actor,
        "retention.erase",
        "staff",
        staff.id,
        employee_no=staff.employee_no,
        reason=reason[:500],
    )
    return who


def _random_hash() -> str:
    """A value no link hashes to: the link it replaces stops working."""
    return secrets.token_hex(32)


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _anonymise(session: Session, staff_ids: Sequence[int]) -> None:
    """Remove the identity of ``staff_ids`` everywhere it is kept (see the module docstring)."""
    if not staff_ids:
        return
    now = utcnow()
    for ids in _chunks(list(staff_ids)):
        session.execute(
            update(Staff)
            .where(Staff.id.in_(ids))
            .values(
                name=ANONYMISED_NAME, email=None, mobile=None, wecom_userid=None, anonymised_at=now
            )
        )
        invitations = session.scalars(
            select(SurveyInvitation.id).where(SurveyInvitation.staff_id.in_(ids))
        ).all()
        if invitations:
            session.execute(
                update(SurveyInvitation),
                [{"id": i, "token_hash": _random_hash()} for i in invitations],
            )
        session.execute(delete(SurveyResponseLink).where(SurveyResponseLink.staff_id.in_(ids)))
        assignments = session.scalars(
            select(QuizAssignment.id).where(QuizAssignment.staff_id.in_(ids))
        ).all()
        if assignments:
            session.execute(
                update(QuizAssignment),
                [{"id": i, "token_hash": _random_hash(), "active": False} for i in assignments],
            )
            session.execute(
                update(QuizAttempt)
                .where(QuizAttempt.assignment_id.in_(assignments))
                .values(questions=[], answers={})
            )
        session.execute(
            update(IncentiveLine)
            .where(IncentiveLine.staff_id.in_(ids))
            .values(name=ANONYMISED_NAME)
        )
        session.execute(
            update(ShopVisit).where(ShopVisit.staff_id.in_(ids)).values(served_by_note="")
        )
    _reseal_pay_inputs(session, set(staff_ids))


def _reseal_pay_inputs(session: Session, staff_ids: set[int]) -> None:
    """Replace the names in pay runs' input snapshots and hash the snapshot again: the
    amounts, lines and their hash are unchanged, the name is gone."""
    from ee_app.services.incentive_runs import _digest

    run_ids = session.scalars(
        select(IncentiveLine.run_id).where(IncentiveLine.staff_id.in_(list(staff_ids))).distinct()
    ).all()
    for run in session.scalars(select(IncentiveRun).where(IncentiveRun.id.in_(run_ids))):
        changed = False
        snapshot: list[Any] = []
        for row in run.inputs or []:
            if isinstance(row, dict) and row.get("staff_id") in staff_ids and "name" in row:
                row = {**row, "name": ANONYMISED_NAME}
                changed = True
            snapshot.append(row)
        if changed and _digest(run.inputs) == run.inputs_sha256:
            run.inputs = snapshot
            run.inputs_sha256 = _digest(snapshot)


def _forget_customers(session: Session, before: date) -> None:
    """NULL the customer hash of sales and CSAT answers dated before ``before`` and give each
    row the hash it would have had without a customer; :data:`_ROWS` rows at a time (the
    first run on years of history may touch millions)."""
    while _forget_csat(session, before):
        pass
    while _forget_sales(session, before):
        pass


def _with_customers(
    session: Session,
    model: type[CsatRecord] | type[Sale],
    dated: Any,
    hashed: Sequence[str],
    before: date,
) -> pd.DataFrame:
    """The next :data:`_ROWS` rows of ``model`` dated before ``before`` that still hold a
    customer hash: their id and the columns their row hash covers."""
    rows = session.execute(
        select(model.id, *(getattr(model, c) for c in hashed))
        .where(dated < before, model.customer.is_not(None))
        .order_by(model.id)
        .limit(_ROWS)
    ).all()
    return pd.DataFrame(rows, columns=["id", *hashed])


def _forget(
    session: Session, model: type[CsatRecord] | type[Sale], ids: list[int], hashes: Sequence[str]
) -> int:
    """Write the rows without their customer, under the hash they have without one."""
    session.execute(
        update(model),
        [{"id": i, "customer": None, "row_hash": h} for i, h in zip(ids, hashes, strict=True)],
    )
    return len(ids)


def _forget_csat(session: Session, before: date) -> int:
    frame = _with_customers(session, CsatRecord, CsatRecord.service_date, CSAT_HASHED, before)
    if frame.empty:
        return 0
    frame["touchpoint"] = [getattr(t, "value", t) for t in frame["touchpoint"]]
    ids = [int(i) for i in frame["id"]]
    return _forget(session, CsatRecord, ids, bare_row_hashes(frame, CSAT_HASHED))


def _forget_sales(session: Session, before: date) -> int:
    frame = _with_customers(session, Sale, Sale.sold_on, SALE_HASHED, before)
    if frame.empty:
        return 0
    frame["amount"] = [float(a) for a in frame["amount"]]
    served: dict[int, list[int]] = defaultdict(list)
    ids = [int(i) for i in frame["id"]]
    for chunk in _chunks(ids):
        for sale_id, staff_id in session.execute(
            select(SaleStaff.sale_id, SaleStaff.staff_id).where(SaleStaff.sale_id.in_(chunk))
        ):
            served[sale_id].append(staff_id)
    # The form the import hashes them in: the serving staff's ids in numeric order.
    frame["staff"] = [",".join(map(str, sorted(served[i]))) for i in ids]
    return _forget(session, Sale, ids, bare_row_hashes(frame, [*SALE_HASHED, "staff"]))
