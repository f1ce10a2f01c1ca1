"""Incentive schemes and monthly runs: gather each person's measures, compute, approve twice.

* **Inputs** (:func:`period_inputs`): for every staff member at work in the month, their
  sales revenue (a sale served by several people is split equally), shrunken CSAT top-2 and
  its n (and their store's) over the ``csat_months`` months ending with the pay month (3 by
  default, recorded on every input row: ``csat_months``), repurchase rate and repeat value
  (of the customers they served in the latest month whose 90-day windows have all ended by
  the pay month's end, e.g. December for April: :func:`repurchase_cohort`), mystery-shopper
  scores (their store's, and the visits they were recorded as serving), and
  whether they have passed the onboarding assessment; and the same measures at the level of
  their store, for roles paid on the store's results (issue 17): the store's revenue, the top-2
  share of its CSAT answers in the window, its repurchase rate (same cohort) and its
  mystery-shopper score. Engagement survey results are never read here.
* **Simulation** (:func:`simulate`): any scheme definition on a month's inputs, writing
  nothing, so HR sees the payout before saving.
* **Runs** (:func:`create_run`): a snapshot of the inputs, every line computed, hashes of
  inputs and outputs; a second person approves (:func:`approve_run`: never the one who
  created it); an approved run is locked, and a correction is a new run that names the one
  it corrects, which it supersedes when approved. Every step goes to the audit log.

HR and admins hold ``MANAGE_INCENTIVES``; nobody else reads pay.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session

from ee_app.analysis.pay import PayResult, calculate
from ee_app.analysis.rounding import natural_key
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, ConfigError, Conflict, NotFound, ValidationError
from ee_app.instruments.scheme import Scheme, default_definition, definition_hash, validate
from ee_app.models import (
    ChecklistVersion,
    IncentiveLine,
    IncentiveRun,
    IncentiveScheme,
    OrgUnit,
    RunStatus,
    Sale,
    SaleStaff,
    ShopVisit,
    Staff,
    StaffAssignment,
    VisitStatus,
    utcnow,
)
from ee_app.services import audit
from ee_app.services._tx import transactional
from ee_app.services.outcomes import (
    DEFAULT_CSAT_MONTHS,
    csat_table,
    month_bounds,
    repurchase_table,
    store_summary,
)
from ee_app.services.training import onboarding_passed

__all__ = [
    "INPUT_COLUMNS",
    "RunView",
    "approve_run",
    "create_run",
    "discard_run",
    "ensure_default_scheme",
    "list_runs",
    "list_schemes",
    "period_inputs",
    "repurchase_cohort",
    "run_csat_months",
    "run_view",
    "save_scheme",
    "scheme_of",
    "simulate",
]

INPUT_COLUMNS = (
    "staff_id",
    "employee_no",
    "name",
    "store_code",
    "store_name",
    "role",
    "sales_revenue",
    "csat_top2",
    "csat_n",
    "csat_months",
    "store_csat_top2",
    "repurchase_rate",
    "repurchase_value",
    "visit_score_store",
    "visit_score_staff",
    "visit_n_staff",
    "assessment_passed",
    "onboarding_passed",
    "store_sales_revenue",
    "store_repurchase_rate",
)
SERVICE_CHECKLIST = "service-process"


# Schemes --------------------------------------------------------------------------------------

_CHECKED: dict[tuple[int, str], Scheme] = {}


def scheme_of(row: IncentiveScheme) -> Scheme:
    key = (row.id, row.sha256)
    if key not in _CHECKED:
        if definition_hash(row.definition) != row.sha256:
            raise ConfigError(
                N_("Scheme {key} v{version} has been altered in the database; restore it."),
                key=row.key,
                version=row.version,
            )
        _CHECKED[key] = validate(row.definition)
    return _CHECKED[key]


def ensure_default_scheme(session: Session) -> None:
    """Version 1 of the shipped scheme, created when missing (no commit)."""
    definition = default_definition()
    exists = session.scalar(
        select(IncentiveScheme.id).where(
            IncentiveScheme.key == definition["key"],
            IncentiveScheme.version == definition["version"],
        )
    )
    if exists is None:
        validate(definition)
        session.add(
            IncentiveScheme(
                key=definition["key"],
                version=definition["version"],
                definition=json.loads(json.dumps(definition)),
                sha256=definition_hash(definition),
                created_by="ee-app",
            )
        )
        session.flush()


def list_schemes(session: Session, actor: Actor) -> list[IncentiveScheme]:
    require(actor, Permission.MANAGE_INCENTIVES)
    stmt = select(IncentiveScheme).order_by(IncentiveScheme.key, IncentiveScheme.version)
    return list(session.scalars(stmt))


@transactional
def save_scheme(session: Session, actor: Actor, definition: Mapping[str, Any]) -> IncentiveScheme:
    """Save a definition as the next version of its key (a version is never changed)."""
    require(actor, Permission.MANAGE_INCENTIVES)
    plain = json.loads(json.dumps(definition))
    latest = session.scalar(
        select(func.max(IncentiveScheme.version)).where(IncentiveScheme.key == plain.get("key"))
    )
    plain["version"] = (latest or 0) + 1
    validate(plain)
    row = IncentiveScheme(
        key=plain["key"],
        version=plain["version"],
        definition=plain,
        sha256=definition_hash(plain),
        created_by=actor.email,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "scheme.create",
        "incentive_scheme",
        row.id,
        key=row.key,
        version=row.version,
    )
    return row


# Inputs ---------------------------------------------------------------------------------------


def _staff(session: Session, start: date, end: date) -> pd.DataFrame:
    """Everyone at work at some point in the month, in their unit on its last day there."""
    unit = OrgUnit.__table__.alias("unit")
    store = OrgUnit.__table__.alias("store")
    from ee_app.services.org import store_id_of

    rows = session.execute(
        select(
            Staff.id,
            Staff.employee_no,
            Staff.name,
            store.c.id,
            store.c.code,
            store.c.name,
            StaffAssignment.role,
            StaffAssignment.valid_from,
        )
        .join(StaffAssignment, StaffAssignment.staff_id == Staff.id)
        .join(unit, unit.c.id == StaffAssignment.unit_id)
        .join(store, store.c.id == store_id_of(unit))
        .where(
            StaffAssignment.valid_from <= end,
            or_(StaffAssignment.valid_to.is_(None), StaffAssignment.valid_to > start),
            Staff.hire_date <= end,
            or_(Staff.leave_date.is_(None), Staff.leave_date >= start),
        )
        .order_by(Staff.id, StaffAssignment.valid_from)
    ).all()
    frame = pd.DataFrame(
        rows,
        columns=[
            "staff_id",
            "employee_no",
            "name",
            "store_id",
            "store_code",
            "store_name",
            "role",
            "since",
        ],
    )
    frame = frame.drop_duplicates("staff_id", keep="last").drop(columns="since")
    frame["role"] = [r.value if hasattr(r, "value") else str(r) for r in frame["role"]]
    return frame.reset_index(drop=True)


def _sales(session: Session, start: date, end: date) -> pd.DataFrame:
    """Revenue per staff member in the month; a sale served by several is split equally."""
    shares = (
        select(SaleStaff.sale_id, func.count().label("people"))
        .group_by(SaleStaff.sale_id)
        .subquery()
    )
    rows = session.execute(
        select(SaleStaff.staff_id, Sale.amount, shares.c.people)
        .join(Sale, Sale.id == SaleStaff.sale_id)
        .join(shares, shares.c.sale_id == Sale.id)
        .where(Sale.sold_on.between(start, end))
    ).all()
    frame = pd.DataFrame(rows, columns=["staff_id", "amount", "people"])
    if frame.empty:
        return pd.DataFrame(columns=["staff_id", "sales_revenue"])
    frame["share"] = frame["amount"].astype(float) / frame["people"].astype(float)
    return (
        frame.groupby("staff_id", as_index=False)["share"]
        .sum()
        .rename(columns={"share": "sales_revenue"})
    )


def _store_sales(session: Session, start: date, end: date) -> pd.DataFrame:
    """Each store's revenue in the month: every sale at the store, however many served it."""
    rows = session.execute(
        select(Sale.store_id, func.sum(Sale.amount))
        .where(Sale.sold_on.between(start, end))
        .group_by(Sale.store_id)
    ).all()
    frame = pd.DataFrame(rows, columns=["store_id", "store_sales_revenue"])
    frame["store_sales_revenue"] = frame["store_sales_revenue"].astype(float)
    return frame


def _visits(session: Session, start: date, end: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = session.execute(
        select(ShopVisit.store_id, ShopVisit.staff_id, ShopVisit.score)
        .join(ChecklistVersion, ChecklistVersion.id == ShopVisit.template_id)
        .where(
            ShopVisit.status == VisitStatus.APPROVED,
            ChecklistVersion.key == SERVICE_CHECKLIST,
            ShopVisit.visited_on.between(start, end),
        )
    ).all()
    frame = pd.DataFrame(rows, columns=["store_id", "staff_id", "score"])
    frame["score"] = frame["score"].astype(float)
    stores = (
        frame.groupby("store_id", as_index=False)["score"]
        .mean()
        .rename(columns={"score": "visit_score_store"})
    )
    staff = (
        frame.dropna(subset=["staff_id"])
        .groupby("staff_id")
        .agg(visit_score_staff=("score", "mean"), visit_n_staff=("score", "size"))
        .reset_index()
    )
    staff["staff_id"] = staff["staff_id"].astype(int)
    return stores, staff


def repurchase_cohort(period: str, window_days: int = 90) -> str:
    """The month whose customers a pay month's repurchase counts: the latest month whose
    customers' windows have *all* ended by the pay month's last day, i.e. whose last day +
    ``window_days`` is on or before it (a customer last served on day t is decided once t + w
    has passed, as in :func:`ee_app.analysis.outcomes.repurchase`). Paying on the pay month's
    own customers would pay on returns that cannot be known yet.

    For 90 days: April 2026 → December 2025 (31 January + 90 days is 1 May, after 30 April;
    31 December + 90 is 31 March), September → June (30 June + 90 is 28 September). Raises
    ValidationError on a period that is not a month such as 2026-04 and ValueError when
    ``window_days`` is not a whole number of days ≥ 1.
    """
    if isinstance(window_days, bool) or not isinstance(window_days, int) or window_days < 1:
        raise ValueError("window_days must be a whole number of days, at least 1, e.g. 90.")
    _start, end = month_bounds(period)
    decided = date.fromordinal(end.toordinal() - window_days)  # the last day served decided
    year, month = decided.year, decided.month
    if date.fromordinal(decided.toordinal() + 1).month == month:
        # Only part of that month is decided: its later customers' windows are still open.
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return f"{year:04d}-{month:02d}"


def period_inputs(
    session: Session, actor: Actor, period: str, *, csat_months: int = DEFAULT_CSAT_MONTHS
) -> pd.DataFrame:
    """One row per staff member at work in the month, with every measure a scheme may use
    (:data:`INPUT_COLUMNS`). Missing measures are NaN (the scheme's gates decide).

    CSAT (a person's shrunken top-2 rate and its n, and their store's) rests on the answers
    of the ``csat_months`` whole months ending with the pay month (1, 3 or 6; issue 16: one
    month left nearly everyone below the scheme's minimum n and paid on the store's rate),
    and every row records the window in ``csat_months``."""
    require(actor, Permission.MANAGE_INCENTIVES)
    start, end = month_bounds(period)
    staff = _staff(session, start, end)
    if staff.empty:
        return pd.DataFrame(columns=list(INPUT_COLUMNS))
    csat = csat_table(session, actor, start, end, months=csat_months, prior_by="store", min_n=1)
    if len(csat):
        staff = staff.merge(
            csat[["staff_id", "shrunk", "n"]].rename(
                columns={"shrunk": "csat_top2", "n": "csat_n"}
            ),
            on="staff_id",
            how="left",
        )
    stores = store_summary(session, actor, start, end, csat_months=csat_months)
    if "top2_rate" in stores:
        # The store's CSAT: the top-2 share of all its answers in the window (hundreds of
        # answers, so it needs no shrinking); it also stands in for a person with few answers.
        staff = staff.merge(
            stores[["store_id", "top2_rate"]].rename(columns={"top2_rate": "store_csat_top2"}),
            on="store_id",
            how="left",
        )
    cohort_start, cohort_end = month_bounds(repurchase_cohort(period))
    cohort = store_summary(session, actor, cohort_start, cohort_end, csat_months=1)
    if "rate" in cohort:
        staff = staff.merge(
            cohort[["store_id", "rate"]].rename(columns={"rate": "store_repurchase_rate"}),
            on="store_id",
            how="left",
        )
    repurchase = repurchase_table(session, actor, cohort_start, cohort_end)
    if len(repurchase):
        staff = staff.merge(
            repurchase[["staff_id", "rate", "repeat_value"]].rename(
                columns={"rate": "repurchase_rate", "repeat_value": "repurchase_value"}
            ),
            on="staff_id",
            how="left",
        )
    staff = staff.merge(_sales(session, start, end), on="staff_id", how="left")
    staff = staff.merge(_store_sales(session, start, end), on="store_id", how="left")
    store_visits, staff_visits = _visits(session, start, end)
    staff = staff.merge(store_visits, on="store_id", how="left").merge(
        staff_visits, on="staff_id", how="left"
    )
    passed_by = datetime.combine(end, time(23, 59, 59), tzinfo=UTC)
    gate = onboarding_passed(session, staff["staff_id"].tolist())
    staff["onboarding_passed"] = [
        gate.get(s) is not None and gate[s] <= passed_by for s in staff["staff_id"]
    ]
    staff["assessment_passed"] = staff["onboarding_passed"]
    for column in INPUT_COLUMNS:
        if column not in staff:
            staff[column] = np.nan
    staff["sales_revenue"] = staff["sales_revenue"].fillna(0.0)
    staff["store_sales_revenue"] = staff["store_sales_revenue"].fillna(0.0)
    staff["csat_n"] = staff["csat_n"].fillna(0).astype(int)
    staff["csat_months"] = int(csat_months)
    staff["visit_n_staff"] = staff["visit_n_staff"].fillna(0).astype(int)
    order = sorted(range(len(staff)), key=lambda i: natural_key(staff["employee_no"].iloc[i]))
    return staff[list(INPUT_COLUMNS)].iloc[order].reset_index(drop=True)


def simulate(
    session: Session,
    actor: Actor,
    definition: Mapping[str, Any],
    period: str,
    *,
    csat_months: int = DEFAULT_CSAT_MONTHS,
) -> PayResult:
    """The pay a definition would give for the month; nothing is written."""
    require(actor, Permission.MANAGE_INCENTIVES)
    inputs = period_inputs(session, actor, period, csat_months=csat_months)
    return calculate(validate(definition), inputs)


def run_csat_months(run: IncentiveRun) -> int:
    """The CSAT window (months) a run's inputs were gathered with: recorded on each input
    row; runs from before the window existed read one month."""
    rows = run.inputs or []
    return int(rows[0].get("csat_months") or 1) if rows else 1


# Runs -----------------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else round(float(value), 6)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _digest(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


_LINE_KEYS = ("staff_id", "employee_no", "amount", "raw", "points")


def _outputs_digest(lines: list[dict[str, Any]]) -> str:
    """The hash of a run's lines, in staff order, whatever order they were read in."""
    ordered = sorted(lines, key=lambda line: line["staff_id"])
    return _digest([{k: _jsonable(line[k]) for k in (*_LINE_KEYS, "detail")} for line in ordered])


def _decimal(value: Any, places: str) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places))


def _line_dicts(result: PayResult) -> list[dict[str, Any]]:
    identity = {
        "staff_id",
        "employee_no",
        "name",
        "store_code",
        "store_name",
        "role",
        "target_bonus",
        "points",
        "raw",
        "amount",
    }
    out = []
    for row in result.lines.to_dict("records"):
        detail = {k: _jsonable(v) for k, v in row.items() if k not in identity}
        out.append(
            {
                "staff_id": int(row["staff_id"]),
                "employee_no": str(row["employee_no"]),
                "name": str(row["name"]),
                "store_code": str(row["store_code"]),
                "store_name": str(row["store_name"]),
                "role": str(row["role"]),
                # At the columns' scales, so the hash reads the same after a round trip.
                "target_bonus": _decimal(row["target_bonus"], "0.01"),
                "points": _decimal(row["points"], "0.000001"),
                "raw": _decimal(row["raw"], "0.0001"),
                "amount": _decimal(row["amount"], "0.01"),
                "detail": detail,
            }
        )
    return out


@transactional
def create_run(
    session: Session,
    actor: Actor,
    scheme_id: int,
    period: str,
    *,
    corrects: int | None = None,
    note: str = "",
    csat_months: int | None = None,
) -> IncentiveRun:
    """Compute a month under a scheme version and keep it as a draft run for approval.

    ``csat_months`` is the CSAT window (:func:`period_inputs`); left out, a correction keeps
    the window of the run it corrects and a new run takes the default (3)."""
    require(actor, Permission.MANAGE_INCENTIVES)
    row = session.get(IncentiveScheme, scheme_id)
    if row is None:
        raise NotFound(N_("No such incentive scheme."))
    scheme = scheme_of(row)
    month_bounds(period)
    if corrects is not None:
        old = session.get(IncentiveRun, corrects)
        if old is None or old.status is not RunStatus.APPROVED or old.period != period:
            raise ValidationError(N_("A correction names an approved run of the same month."))
        if csat_months is None:
            csat_months = run_csat_months(old)
    if csat_months is None:
        csat_months = DEFAULT_CSAT_MONTHS
    inputs = period_inputs(session, actor, period, csat_months=csat_months)
    if inputs.empty:
        raise ValidationError(N_("Nobody was at work in {period}."), period=period)
    result = calculate(scheme, inputs)
    snapshot = [{k: _jsonable(v) for k, v in r.items()} for r in inputs.to_dict("records")]
    lines = _line_dicts(result)
    run = IncentiveRun(
        scheme_id=scheme_id,
        period=period,
        status=RunStatus.DRAFT,
        corrects_id=corrects,
        note=note.strip()[:1000],
        inputs=snapshot,
        inputs_sha256=_digest(snapshot),
        outputs_sha256=_outputs_digest(lines),
        lines=len(lines),
        total_raw=_decimal(result.total_raw, "0.01"),
        scale=_decimal(result.scale, "0.00000001"),
        total=_decimal(result.total, "0.01"),
        created_by=actor.email,
    )
    session.add(run)
    session.flush()
    session.execute(insert(IncentiveLine.__table__), [{"run_id": run.id, **line} for line in lines])
    audit.record(
        session,
        actor,
        "incentives.run",
        "incentive_run",
        run.id,
        scheme=f"{row.key} v{row.version}",
        period=period,
        lines=len(lines),
        corrects=corrects,
        csat_months=csat_months,
    )
    return run


def _own_run(session: Session, actor: Actor, run_id: int) -> IncentiveRun:
    require(actor, Permission.MANAGE_INCENTIVES)
    run = session.get(IncentiveRun, run_id, with_for_update=True)
    if run is None:
        raise NotFound(N_("No incentive run {run}."), run=run_id)
    return run


@transactional
def approve_run(
    session: Session, actor: Actor, run_id: int, *, acknowledge: bool = False
) -> IncentiveRun:
    """The second pair of eyes: someone other than its author approves a draft run, which
    is then locked (a correction supersedes the run it corrects).

    A run whose calibration has warnings (:mod:`ee_app.services.calibration`) is approved
    only with ``acknowledge``; the acknowledgement (who, when, the warnings) is kept with
    the run and in the audit entry, else WarningsNotAcknowledged (a Conflict) is raised."""
    from ee_app.services.calibration import acknowledgement

    run = _own_run(session, actor, run_id)
    if run.status is not RunStatus.DRAFT:
        raise Conflict(
            N_("Run {run} is {status}: only a draft can be approved."),
            run=run.id,
            status=run.status.value,
        )
    # Four eyes need two named people. Every app user's address has an "@" (users.add_user
    # refuses others); the shell's own actor (ee-app without --as, system_actor) is a label
    # such as "cli" that anyone at the shell is, the preparer included.
    if "@" not in actor.email:
        raise Conflict(
            N_(
                "Approving run {run} needs a named approver, someone other than who prepared "
                "it: ee-app incentives approve {run} --as EMAIL."
            ),
            run=run.id,
        )
    if "@" not in run.created_by:
        raise Conflict(
            N_(
                "Run {run} was prepared without a name (from the command line without --as), "
                "so nobody can tell a second person approves it: prepare the month again as "
                "yourself, with --as EMAIL."
            ),
            run=run.id,
        )
    if run.created_by.strip().casefold() == actor.email.strip().casefold():
        raise Conflict(
            N_("Run {run} was prepared by you; a second person must approve it (four eyes)."),
            run=run.id,
        )
    lines = _verify(session, run)
    scheme = scheme_of(session.get(IncentiveScheme, run.scheme_id))
    acknowledged = acknowledgement(scheme, lines, actor, run.id, acknowledge=acknowledge)
    run.calibration = acknowledged
    run.status = RunStatus.APPROVED
    run.approved_by = actor.email
    run.approved_at = utcnow()
    if run.corrects_id is not None:
        old = session.get(IncentiveRun, run.corrects_id)
        if old is not None and old.status is RunStatus.APPROVED:
            old.status = RunStatus.SUPERSEDED
    audit.record(
        session,
        actor,
        "incentives.approve",
        "incentive_run",
        run.id,
        total=str(run.total),
        **({"calibration_warnings": acknowledged["texts"]} if acknowledged else {}),
    )
    return run


@transactional
def discard_run(session: Session, actor: Actor, run_id: int) -> None:
    run = _own_run(session, actor, run_id)
    if run.status is not RunStatus.DRAFT:
        raise Conflict(
            N_("Run {run} is {status}: only a draft can be discarded."),
            run=run.id,
            status=run.status.value,
        )
    run.status = RunStatus.DISCARDED
    audit.record(session, actor, "incentives.discard", "incentive_run", run.id)


def _lines(session: Session, run_id: int) -> list[dict[str, Any]]:
    rows = sorted(
        session.scalars(select(IncentiveLine).where(IncentiveLine.run_id == run_id)),
        key=lambda r: natural_key(r.employee_no),
    )
    return [
        {
            "staff_id": r.staff_id,
            "employee_no": r.employee_no,
            "name": r.name,
            "store_code": r.store_code,
            "store_name": r.store_name,
            "role": r.role,
            "target_bonus": r.target_bonus,
            "points": r.points,
            "raw": r.raw,
            "amount": r.amount,
            "detail": dict(r.detail or {}),
        }
        for r in rows
    ]


def _verify(session: Session, run: IncentiveRun) -> list[dict[str, Any]]:
    """The run's lines, after checking that inputs and lines are what was hashed."""
    lines = _lines(session, run.id)
    if _digest(run.inputs) != run.inputs_sha256 or _outputs_digest(lines) != run.outputs_sha256:
        raise ConfigError(
            N_("Run {run} has been altered in the database: its hash no longer matches."),
            run=run.id,
        )
    return lines


@dataclass(frozen=True)
class RunView:
    run: IncentiveRun
    scheme: Scheme
    scheme_row: IncentiveScheme
    lines: list[dict[str, Any]]


def run_view(session: Session, actor: Actor, run_id: int) -> RunView:
    """A run with its lines, verified against its hashes (for the page and the workbook)."""
    require(actor, Permission.MANAGE_INCENTIVES)
    run = session.get(IncentiveRun, run_id)
    if run is None:
        raise NotFound(N_("No incentive run {run}."), run=run_id)
    row = session.get(IncentiveScheme, run.scheme_id)
    return RunView(run, scheme_of(row), row, _verify(session, run))


def list_runs(session: Session, actor: Actor) -> list[IncentiveRun]:
    require(actor, Permission.MANAGE_INCENTIVES)
    return list(session.scalars(select(IncentiveRun).order_by(IncentiveRun.id.desc())))
