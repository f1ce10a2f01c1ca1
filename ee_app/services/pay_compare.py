"""Who gains, who loses: a draft scheme on a month against a baseline HR chooses.

A baseline (:func:`baselines`) is either

* an **approved run** of the month before or of the month itself: its lines as they were
  paid, read through :func:`~ee_app.services.incentive_runs.run_view` (so a run altered in the
  database refuses to compare), or
* a **scheme version** computed on the same month's inputs as the draft.

:func:`compare` computes the draft (nothing is written) and compares it with the baseline
through :mod:`ee_app.analysis.pay_compare`. The first baseline offered is the approved run
of the previous month when there is one (what people were paid last month), then this
month's approved run, then the saved versions, newest first.

Pay is read only by holders of ``MANAGE_INCENTIVES``; names of the movers are kept only for
an actor who may also see every staff member (``VIEW_ORG`` across the chain, i.e. HR and
admins), and blanked otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ee_app.analysis.pay import calculate
from ee_app.analysis.pay_compare import change_bins, compare_lines, group_totals, top_movers
from ee_app.auth import Actor, Permission, can, require
from ee_app.errors import N_, NotFound, ValidationError
from ee_app.instruments.scheme import validate
from ee_app.models import IncentiveRun, IncentiveScheme, RunStatus
from ee_app.services.incentive_inputs import period_inputs
from ee_app.services.incentive_runs import run_csat_months, run_view
from ee_app.services.incentives import scheme_of
from ee_app.services.outcomes import DEFAULT_CSAT_MONTHS, month_bounds

__all__ = ["Baseline", "Comparison", "baselines", "compare", "previous_month"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Baseline:
    """What a draft is compared with: ``kind`` "run" (an approved run, ``id`` the run's) or
    "scheme" (a scheme version, ``id`` the scheme row's); ``period`` the run's month (the
    draft's month for a scheme); ``name`` the scheme's name per language and ``version``."""

    kind: str
    id: int
    period: str
    name: Mapping[str, str]
    version: int


@dataclass(frozen=True)
class Comparison:
    """A draft against a baseline: ``people`` (:func:`~ee_app.analysis.pay_compare.
    compare_lines`), ``by_role`` and ``by_store`` (:func:`~ee_app.analysis.pay_compare.
    group_totals`), ``gains`` and ``losses`` (the top movers), ``bins`` (the histogram of
    changes), the totals before and after (CNY), whether names were kept and the CSAT window
    (months) of the draft's inputs."""

    baseline: Baseline
    period: str
    people: pd.DataFrame
    by_role: pd.DataFrame
    by_store: pd.DataFrame
    gains: pd.DataFrame
    losses: pd.DataFrame
    bins: pd.DataFrame
    total_before: float
    total_after: float
    names: bool
    csat_months: int = DEFAULT_CSAT_MONTHS

    @property
    def counts(self) -> dict[str, int]:
        """How many people gain, lose, keep the same pay, are new or are gone."""
        status = self.people["status"]
        return {s: int((status == s).sum()) for s in ("gains", "loses", "same", "joined", "left")}

    @property
    def unchanged(self) -> bool:
        """True when nobody's pay changes: nothing to show but that."""
        counts = self.counts
        return counts["same"] == len(self.people)


def previous_month(period: str) -> str:
    """The month before a period: "2026-01" → "2025-12"."""
    start, _end = month_bounds(period)
    year, month = (start.year - 1, 12) if start.month == 1 else (start.year, start.month - 1)
    return f"{year:04d}-{month:02d}"


def baselines(session: Session, actor: Actor, period: str) -> list[Baseline]:
    """What a draft for ``period`` can be compared with, the suggested one first: the
    approved runs of the previous month, those of the month itself, then every scheme
    version, newest first."""
    require(actor, Permission.MANAGE_INCENTIVES)
    before = previous_month(period)
    runs = session.execute(
        select(IncentiveRun, IncentiveScheme)
        .join(IncentiveScheme, IncentiveScheme.id == IncentiveRun.scheme_id)
        .where(IncentiveRun.status == RunStatus.APPROVED, IncentiveRun.period.in_([before, period]))
        .order_by(IncentiveRun.id.desc())
    ).all()
    options = [
        Baseline("run", run.id, run.period, scheme_of(row).name, row.version)
        for month in (before, period)
        for run, row in runs
        if run.period == month
    ]
    schemes = session.scalars(
        select(IncentiveScheme).order_by(IncentiveScheme.key, IncentiveScheme.version.desc())
    )
    options += [
        Baseline("scheme", row.id, period, scheme_of(row).name, row.version) for row in schemes
    ]
    return options


def _frame(lines: list[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(lines)
    if frame.empty:
        return pd.DataFrame(
            columns=["staff_id", "employee_no", "name", "store_name", "role", "amount"]
        )
    return frame


def compare(
    session: Session,
    actor: Actor,
    definition: Mapping[str, Any],
    period: str,
    baseline: Baseline,
    *,
    csat_months: int | None = None,
    movers: int = 10,
    progress: Progress | None = None,
) -> Comparison:
    """The draft ``definition`` on ``period`` against ``baseline``; nothing is written.

    ``csat_months`` is the CSAT window of the draft's inputs; left out, it is the window of
    the baseline run when that run is of the same month (so the same data are compared and
    only the scheme differs), else the default (3). ``progress`` is told each step as a
    message id (``N_``) for a page to show."""
    require(actor, Permission.MANAGE_INCENTIVES)
    say = progress or (lambda _message: None)
    scheme = validate(definition)
    run = None
    if baseline.kind == "run":
        run = session.get(IncentiveRun, baseline.id)
        if run is None or run.status is not RunStatus.APPROVED:
            raise NotFound(N_("No approved incentive run {run}."), run=baseline.id)
    elif baseline.kind != "scheme":
        raise ValueError('a baseline is a "run" or a "scheme".')
    if csat_months is None:
        same_month = run is not None and run.period == period
        csat_months = run_csat_months(run) if same_month else DEFAULT_CSAT_MONTHS
    say(N_("Gathering the month's inputs"))
    inputs = period_inputs(session, actor, period, csat_months=csat_months)
    if inputs.empty:
        raise ValidationError(N_("Nobody was at work in {period}."), period=period)
    say(N_("Computing the draft"))
    after = _frame(calculate(scheme, inputs).lines)
    say(N_("Reading the baseline"))
    if run is not None:
        before = _frame(run_view(session, actor, run.id).lines)
    else:
        row = session.get(IncentiveScheme, baseline.id)
        if row is None:
            raise NotFound(N_("No such incentive scheme."))
        before = _frame(calculate(scheme_of(row), inputs).lines)
    say(N_("Comparing"))
    names = can(actor, Permission.VIEW_ORG) and actor.sees_all
    if not names:
        after = after.assign(name="")
        before = before.assign(name="")
    people = compare_lines(after, before)
    gains, losses = top_movers(people, movers)
    return Comparison(
        baseline=baseline,
        period=period,
        people=people,
        by_role=group_totals(after, before, "role"),
        by_store=group_totals(after, before, "store_name"),
        gains=gains,
        losses=losses,
        bins=change_bins(people["change"]),
        total_before=round(float(people["before"].sum()), 2),
        total_after=round(float(people["after"].sum()), 2),
        names=names,
        csat_months=int(csat_months),
    )
