"""Action plans: after a wave, a manager picks up to three themes to work on for a unit,
records actions with an owner and a due date, and marks progress; the follow-up wave (the next
closed wave of the same mode that asked the plan's unit again) shows the change on exactly
those themes, with an interval, under the same disclosure rules."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ee_app import clock
from ee_app.analysis.intervals import change_ci, mean_ci
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, NotFound, Problem, ValidationError
from ee_app.instruments.pulse import CORE_SLOTS, THEMES
from ee_app.models import ActionItem, ActionPlan, ActionStatus, OrgUnit, SurveyWave, WaveStatus
from ee_app.services import audit
from ee_app.services._tx import transactional

__all__ = [
    "MAX_THEMES",
    "ActionRow",
    "PlanRow",
    "add_action",
    "create_plan",
    "list_plans",
    "plan_effects",
    "set_action_status",
]

MAX_THEMES = 3
SLOT_OF = dict(zip(THEMES, CORE_SLOTS, strict=True))


@dataclass(frozen=True)
class ActionRow:
    id: int
    theme: str
    description: str
    owner: str
    due_on: date
    status: ActionStatus

    @property
    def overdue(self) -> bool:
        return self.status is not ActionStatus.DONE and self.due_on < clock.today()


@dataclass(frozen=True)
class PlanRow:
    id: int
    unit_code: str
    unit_name: str
    wave_code: str
    themes: tuple[str, ...]
    note: str
    created_by: str
    actions: tuple[ActionRow, ...]

    @property
    def progress(self) -> float:
        if not self.actions:
            return 0.0
        return sum(a.status is ActionStatus.DONE for a in self.actions) / len(self.actions)


def _unit_in_scope(session: Session, actor: Actor, unit_code: str) -> OrgUnit:
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
    if unit is None or not actor.may_see_unit(unit.id):
        raise NotFound(N_("No unit with code “{code}” in your scope."), code=unit_code)
    return unit


def _plan(session: Session, actor: Actor, plan_id: int) -> ActionPlan:
    plan = session.get(ActionPlan, plan_id)
    if plan is None or not actor.may_see_unit(plan.unit_id):
        raise NotFound(N_("No such action plan in your scope."))
    return plan


def _row(plan: ActionPlan, units: dict[int, OrgUnit], waves: dict[int, str]) -> PlanRow:
    unit = units[plan.unit_id]
    return PlanRow(
        plan.id,
        unit.code,
        unit.name,
        waves[plan.wave_id],
        tuple(plan.themes),
        plan.note,
        plan.created_by,
        tuple(
            ActionRow(i.id, i.theme, i.description, i.owner, i.due_on, i.status) for i in plan.items
        ),
    )


@transactional
def create_plan(
    session: Session,
    actor: Actor,
    unit_code: str,
    wave_code: str,
    themes: list[str],
    note: str = "",
) -> PlanRow:
    """A plan for one unit after one closed wave, on one to three themes."""
    require(actor, Permission.MANAGE_ACTIONS)
    unit = _unit_in_scope(session, actor, unit_code)
    from ee_app.services.wave_access import visible_waves

    wave = session.scalar(select(SurveyWave).where(SurveyWave.code == wave_code))
    if wave is None or not visible_waves(session, actor, [wave]):
        raise NotFound(N_("No survey wave “{wave}”."), wave=wave_code)
    if wave.status is not WaveStatus.CLOSED:
        raise ValidationError(N_("Plans start from a closed wave's results."))
    problems = []
    unique = list(dict.fromkeys(themes))
    if not 1 <= len(unique) <= MAX_THEMES:
        problems.append(Problem(N_("Choose one to three themes."), {}))
    unknown = [t for t in unique if t not in THEMES]
    if unknown:
        problems.append(Problem(N_("Unknown themes: {themes}"), {"themes": ", ".join(unknown)}))
    if problems:
        raise ValidationError(N_("The plan was not created."), problems)
    plan = ActionPlan(
        unit_id=unit.id,
        wave_id=wave.id,
        themes=unique,
        note=note.strip()[:2000],
        created_by=actor.email,
    )
    session.add(plan)
    session.flush()
    audit.record(
        session,
        actor,
        "plan.create",
        "action_plan",
        plan.id,
        unit=unit.code,
        wave=wave.code,
        themes=unique,
    )
    return _row(plan, {unit.id: unit}, {wave.id: wave.code})


@transactional
def add_action(
    session: Session,
    actor: Actor,
    plan_id: int,
    *,
    theme: str,
    description: str,
    owner: str,
    due_on: date,
) -> ActionRow:
    require(actor, Permission.MANAGE_ACTIONS)
    plan = _plan(session, actor, plan_id)
    description, owner = description.strip(), owner.strip()
    if theme not in plan.themes:
        raise ValidationError(N_("An action belongs to one of the plan's themes."))
    if not description or not owner:
        raise ValidationError(N_("An action needs a description and an owner."))
    item = ActionItem(
        plan_id=plan.id,
        theme=theme,
        description=description[:2000],
        owner=owner[:100],
        due_on=due_on,
    )
    session.add(item)
    session.flush()
    audit.record(session, actor, "plan.action.add", "action_item", item.id, plan=plan.id)
    return ActionRow(item.id, item.theme, item.description, item.owner, item.due_on, item.status)


@transactional
def set_action_status(session: Session, actor: Actor, item_id: int, status: ActionStatus) -> None:
    require(actor, Permission.MANAGE_ACTIONS)
    item = session.get(ActionItem, item_id)
    if item is None:
        raise NotFound(N_("No such action in your scope."))
    _plan(session, actor, item.plan_id)
    item.status = status
    audit.record(session, actor, "plan.action.status", "action_item", item.id, status=status.value)


def list_plans(session: Session, actor: Actor, unit_code: str | None = None) -> list[PlanRow]:
    """Plans of the units in scope (or of one unit), newest first."""
    require(actor, Permission.VIEW_RESULTS)
    stmt = (
        select(ActionPlan)
        .options(selectinload(ActionPlan.items))
        .order_by(ActionPlan.created_at.desc(), ActionPlan.id.desc())
    )
    if unit_code is not None:
        stmt = stmt.where(ActionPlan.unit_id == _unit_in_scope(session, actor, unit_code).id)
    plans = [p for p in session.scalars(stmt) if actor.may_see_unit(p.unit_id)]
    units = {
        u.id: u
        for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_({p.unit_id for p in plans})))
    }
    waves = {
        wave_id: code
        for wave_id, code in session.execute(
            select(SurveyWave.id, SurveyWave.code).where(
                SurveyWave.id.in_({p.wave_id for p in plans})
            )
        )
    }
    return [_row(p, units, waves) for p in plans]


def plan_effects(session: Session, actor: Actor, plan_id: int) -> pd.DataFrame:
    """For each theme of the plan: the mean in the plan's wave and in its follow-up wave, and
    the change with its interval; blank where either is hidden for anonymity, and the
    follow-up's side blank (``reason`` "changed") where the unit's respondents changed by
    fewer than k people between the two waves.

    The follow-up is the first closed wave of the same mode (anonymous or confidential) opened
    after the plan's wave whose audience covered the plan's whole unit: a pilot or a spot
    check elsewhere is skipped. Where later waves closed but none covered the unit,
    ``after_wave`` is blank and ``reason`` is "not_covered"."""
    from ee_app.services.respondents import comparable_cells
    from ee_app.services.results_previous import covering_waves  # as the page reads them
    from ee_app.services.results_rows import unit_data

    require(actor, Permission.VIEW_RESULTS)
    plan = _plan(session, actor, plan_id)
    base = session.get(SurveyWave, plan.wave_id)
    path = session.scalar(select(OrgUnit.path).where(OrgUnit.id == plan.unit_id)) or ""
    later = covering_waves(session, base, later=True)
    following = next((c.wave for c in later if c.covers(path)), None)
    records = []
    before = unit_data(session, base, [plan.unit_id])
    after = unit_data(session, following, [plan.unit_id]) if following is not None else None
    cell = (plan.unit_id, "", "")
    changed_too_little = following is not None and cell not in comparable_cells(
        session, base, following, [cell]
    )
    if changed_too_little:  # the rule across waves: no side-by-side figures to subtract
        after = None
    for theme in plan.themes:
        slot = SLOT_OF[theme]
        record = {
            "theme": theme,
            "before_wave": base.code,
            "after_wave": following.code if following else None,
            "reason": "changed"
            if changed_too_little
            else ("not_covered" if following is None and later else ""),
        }
        sums_before = _theme_sums(before, plan.unit_id, slot)
        sums_after = _theme_sums(after, plan.unit_id, slot) if after is not None else None
        record["before_n"], record["before_mean"] = _mean(sums_before)
        record["after_n"], record["after_mean"] = _mean(sums_after)
        if sums_before and sums_after:
            record["change"], record["change_low"], record["change_high"] = change_ci(
                sums_before, sums_after
            )
        else:
            record["change"] = record["change_low"] = record["change_high"] = math.nan
        records.append(record)
    return pd.DataFrame.from_records(records)


def _theme_sums(data, unit_id: int, slot: str) -> tuple[float, float, float] | None:  # type: ignore[no-untyped-def]
    if unit_id not in data.units.index or unit_id in data.hidden[slot]:
        return None
    row = data.units.loc[unit_id]
    return (float(row[f"{slot}_n"]), float(row[f"{slot}_sum"]), float(row[f"{slot}_sumsq"]))


def _mean(sums: tuple[float, float, float] | None) -> tuple[float, float]:
    if sums is None:
        return (math.nan, math.nan)
    return (sums[0], mean_ci(*sums)[0])
