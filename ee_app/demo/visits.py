"""The demo's mystery-shopper visits, as plain data (no database).

:func:`generate_visits` follows :data:`~ee_app.demo.params.VISITS`: approved monthly visits
to every store for the past months, answered item by item with a probability of "yes" that
rises with the store's engagement in that month, so an analysis of engagement against
mystery-shopper scores has a known relation to find. It also leaves work in progress for the
demo shoppers: visits scheduled this month (one half filled in) and one submitted, waiting
for HR's review. Deterministic from the seed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ee_app.demo.chain import DemoChain
from ee_app.demo.params import (
    ENGAGEMENT,
    VISIT_LOGIT_PER_ENGAGEMENT_SD,
    VISITS,
    VisitParams,
    seeded_normal,
    store_engagement,
)
from ee_app.instruments.checklist import NA, Checklist, ChecklistItem
from ee_app.models import StaffRole, UserRole, VisitStatus

__all__ = ["COMMENTS", "DemoVisit", "generate_visits", "month_start"]

SERVICE, CONSULTATION = "service-process", "consultation-compliance"
#: Who serves a mystery shopper, by template.
SERVING_ROLES = {
    SERVICE: (StaffRole.BEAUTICIAN, StaffRole.FRONT_DESK),
    CONSULTATION: (StaffRole.CONSULTANT, StaffRole.DOCTOR),
}
#: What a shopper writes under a "no" (the demo picks one).
COMMENTS = (
    "当时没有做到，等了一会儿也没有人提起。",
    "员工很忙，这一步被跳过了。",
    "我主动问了才说明。",
    "没有看到，也没有人告诉我。",
    "只口头带过，没有书面材料。",
)


@dataclass(frozen=True)
class DemoVisit:
    store: str  # store code
    template: str  # template key
    window_start: date
    window_end: date
    visited_on: date | None
    status: VisitStatus
    shopper: str  # e-mail of a demo shopper
    answers: Mapping[str, Mapping[str, Any]]
    staff: str | None  # employee number of who served, when recorded
    served_by_note: str


def month_start(today: date, months_ago: int) -> date:
    year, month = today.year, today.month - months_ago
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)


def _month_end(start: date) -> date:
    following = month_start(start + timedelta(days=32), 0)
    return following - timedelta(days=1)


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _answer(item: ChecklistItem, p_yes: float, critical_p: float, rng: random.Random) -> Any:
    if item.na and rng.random() < VISITS.na_share:
        return NA
    if item.type == "yes_no":
        return "yes" if rng.random() < (critical_p if item.critical else p_yes) else "no"
    if item.type == "scale":
        return 1 + sum(rng.random() < p_yes for _ in range(4))
    if item.type == "choice":
        best = max(item.options, key=lambda o: o.credit)
        if rng.random() < p_yes:
            return best.id
        return rng.choice([o for o in item.options if o is not best]).id
    return None


def _answers(
    checklist: Checklist, p_yes: float, critical_p: float, rng: random.Random, share: float = 1.0
) -> dict[str, dict[str, Any]]:
    """Answers to the first ``share`` of the items (a draft leaves the rest open)."""
    items = [i for i in checklist.items if i.type != "text"]
    answers = {}
    for item in items[: math.ceil(len(items) * share)]:
        value = _answer(item, p_yes, critical_p, rng)
        comment = rng.choice(COMMENTS) if value == "no" else ""
        if value == NA and item.critical:
            comment = "本次服务不涉及此项。"
        answers[item.id] = {"value": value, "comment": comment}
    return answers


def _at_work(chain: DemoChain, store: str, day: date) -> dict[StaffRole, list[tuple[str, str]]]:
    """(employee number, name) by role of the staff at the store (or its teams) on ``day``."""
    found: dict[StaffRole, list[tuple[str, str]]] = {}
    for person in chain.staff:
        if person.leave_date is not None and person.leave_date < day:
            continue
        for unit, role, start, end in person.periods:
            here = unit == store or unit.startswith(f"{store}-")
            if here and start <= day and (end is None or end > day):
                found.setdefault(role, []).append((person.employee_no, person.name))
    return found


def _server(
    chain: DemoChain, store: str, template: str, day: date, rng: random.Random
) -> tuple[str | None, str]:
    staff = _at_work(chain, store, day)
    candidates = [p for role in SERVING_ROLES[template] for p in staff.get(role, [])]
    if not candidates:
        return None, ""
    employee_no, name = rng.choice(sorted(candidates))
    note = f"{name}（工牌）"
    if rng.random() >= VISITS.staff_recorded_share:
        return None, note
    return employee_no, note


def generate_visits(
    chain: DemoChain,
    seed: int,
    today: date,
    checklists: Mapping[str, Checklist],
    params: VisitParams = VISITS,
) -> list[DemoVisit]:
    """Every demo visit, oldest first (see the module docstring)."""
    rng = random.Random(f"{seed}:visits")
    stores = [u.code for u in chain.stores()]
    shoppers = [u.email for u in chain.users if u.role is UserRole.SHOPPER]
    visits: list[DemoVisit] = []
    for months_ago in range(params.months, 0, -1):
        start = month_start(today, months_ago)
        end = _month_end(start)
        z = store_engagement(seed, stores, months_ago)
        templates = [SERVICE]
        if months_ago % params.consultation_every == 0:
            templates.append(CONSULTATION)
        for store in stores:
            effect = params.store_sd * seeded_normal(seed, "visit-store", store)
            shift = VISIT_LOGIT_PER_ENGAGEMENT_SD * z[store] / ENGAGEMENT.store_sd + effect
            p_yes = _logistic(params.yes_logit + shift)
            critical_p = _logistic(params.critical_yes_logit + shift)
            for template in templates:
                day = start + timedelta(days=rng.randrange((end - start).days + 1))
                staff, note = _server(chain, store, template, day, rng)
                visits.append(
                    DemoVisit(
                        store=store,
                        template=template,
                        window_start=start,
                        window_end=end,
                        visited_on=day,
                        status=VisitStatus.APPROVED,
                        shopper=shoppers[stores.index(store) % len(shoppers)],
                        answers=_answers(checklists[template], p_yes, critical_p, rng),
                        staff=staff,
                        served_by_note=note,
                    )
                )
    visits += _this_month(chain, today, checklists, stores, shoppers, rng)
    return visits


def _this_month(
    chain: DemoChain,
    today: date,
    checklists: Mapping[str, Checklist],
    stores: list[str],
    shoppers: list[str],
    rng: random.Random,
) -> list[DemoVisit]:
    """Work in progress: the first shopper has two visits to make this month (one half filled
    in) and one submitted for review; the second shopper has one to make."""
    start = month_start(today, 0)
    end = _month_end(start)
    first, second = shoppers[0], shoppers[-1]
    p_yes = _logistic(VISITS.yes_logit)
    critical_p = _logistic(VISITS.critical_yes_logit)
    submitted_day = max(start, today - timedelta(days=1))
    plan = [
        (stores[0], SERVICE, first, VisitStatus.DRAFT, 0.0, None),
        (stores[1 % len(stores)], CONSULTATION, first, VisitStatus.DRAFT, 0.5, None),
        (stores[2 % len(stores)], SERVICE, first, VisitStatus.SUBMITTED, 1.0, submitted_day),
        (stores[3 % len(stores)], SERVICE, second, VisitStatus.DRAFT, 0.0, None),
    ]
    visits = []
    for store, template, shopper, status, share, day in plan:
        answers = _answers(checklists[template], p_yes, critical_p, rng, share) if share else {}
        # Who served is left for HR to record when reviewing; the shopper notes the badge.
        note = "" if day is None else _server(chain, store, template, day, rng)[1]
        visits.append(
            DemoVisit(store, template, start, end, day, status, shopper, answers, None, note)
        )
    return visits
