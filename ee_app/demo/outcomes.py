"""The demo's customers, sales and satisfaction answers (CSAT), as plain data (no database).

:func:`generate_outcomes` simulates a year of visits to the demo chain's stores, ending today,
following the model of :data:`~ee_app.demo.outcome_params.OUTCOMES`: each visit is a sale
with one or two serving staff members of the store (at work there that day, as
:class:`~ee_app.demo.rota.Rota` knows), about half the customers answer the satisfaction
survey (回访) that follows, which asks about the staff who served them (and sometimes the
front desk), and whether a customer comes back within 90 days, and whether an answer is
top-2, rise with the store's engagement that month (the function the pulse-survey demo draws
from) and with the serving staff's own effects. Everything is deterministic from the seed.

:func:`~ee_app.demo.outcome_files.write_outcome_files` writes the same data as a clinic's POS
and CRM export it. The generator knows the raw phone numbers and the probabilities behind
each row; :mod:`ee_app.services.demo` stores only what an import would, with customers as
keyed hashes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType

import numpy as np
import pandas as pd

from ee_app.demo.chain import DemoChain
from ee_app.demo.outcome_params import OUTCOMES, OutcomeParams
from ee_app.demo.params import (
    CSAT_LOGIT_PER_ENGAGEMENT_SD,
    ENGAGEMENT,
    REPURCHASE_LOGIT_PER_ENGAGEMENT_SD,
    seeded_normal,
    store_engagement,
)
from ee_app.demo.rota import Rota
from ee_app.models import StaffRole, UnitLevel

__all__ = ["DemoOutcomes", "generate_outcomes", "staff_effects"]


@dataclass(frozen=True)
class DemoOutcomes:
    """A year of the demo chain's sales and CSAT answers, oldest first.

    ``sales``: one row per sale: ``source_id`` (D-T000001, …), ``customer`` (a mobile number),
    ``store`` (code), ``sold_on`` (a date), ``amount`` (CNY), ``item``, ``category``,
    ``staff`` (employee number of the first serving staff member), ``assist`` (the second, or
    None), ``owner`` (the customer's designated owner, or None).

    ``csat``: one row per answer: ``source_id`` (D-C000001, …), ``employee_no`` (the staff
    member it is about: one who served the visit, or the front desk on duty), ``store``,
    ``service_date``, ``score``, ``scale`` (5 or 10), ``touchpoint`` (a
    :class:`~ee_app.models.Touchpoint` value), ``customer``. A visit's 回访 gives one row per
    staff member it asks about.

    For checking the generator, never stored: ``engagement`` (the store's engagement that
    month in SD units, as in :mod:`ee_app.demo.params`), ``p_return`` (the probability that
    the customer comes back within the window after this sale), ``sale`` (the ``source_id``
    of the sale an answer follows) and ``p_top2`` (that the answer is top-2).
    """

    sales: pd.DataFrame
    csat: pd.DataFrame
    scales: Mapping[str, int]  # store code → the CSAT scale its CRM uses (5 or 10)


def staff_effects(
    seed: int, employee_nos: Sequence[str], params: OutcomeParams = OUTCOMES
) -> tuple[np.ndarray, np.ndarray]:
    """Each staff member's effect on the log-odds of a top-2 CSAT answer and of a return
    within the window, fixed by the seed and the employee number alone.

    >>> csat, repurchase = staff_effects(7, ["E10001", "E10002"])
    >>> bool(csat[0] == staff_effects(7, ["E10001"])[0][0])
    True
    """
    csat = [seeded_normal(seed, "csat-staff", no) for no in employee_nos]
    repurchase = [seeded_normal(seed, "repurchase-staff", no) for no in employee_nos]
    return (
        params.staff_csat_sd * np.asarray(csat, dtype=float),
        params.staff_repurchase_sd * np.asarray(repurchase, dtype=float),
    )


def generate_outcomes(
    chain: DemoChain,
    seed: int,
    today: date,
    size: str = "small",
    params: OutcomeParams = OUTCOMES,
) -> DemoOutcomes:
    """A year of sales and CSAT answers for ``chain``, ending on ``today`` (see the module
    docstring and :class:`~ee_app.demo.outcome_params.OutcomeParams` for the model)."""
    if size not in params.customers_per_store or size not in params.csat_response:
        raise ValueError(f"size must be one of {sorted(params.customers_per_store)}, not {size!r}")
    rng = np.random.default_rng(_stream(seed, "outcomes", size))
    codes = [u.code for u in chain.stores()]
    stores = {code: i for i, code in enumerate(codes)}
    origin = today - timedelta(days=params.days - 1 + params.burn_in_days)
    first_day, last_day = params.burn_in_days, params.burn_in_days + params.days - 1
    roster = Rota(chain, stores, origin)
    employee_nos = np.array([s.employee_no for s in chain.staff], dtype=object)
    csat_effect, repurchase_effect = staff_effects(seed, employee_nos.tolist(), params)

    # The store's engagement in SD units, per store and month (the months before today's).
    days = np.datetime64(origin, "D") + np.arange(last_day + 1)
    month = days.astype("datetime64[M]").astype(np.int64)
    months_ago = (np.datetime64(today, "M").astype(np.int64) - month).astype(np.int64)
    by_month = [store_engagement(seed, codes, m) for m in range(int(months_ago.max()) + 1)]
    engagement = np.array([[e[code] for e in by_month] for code in codes]) / ENGAGEMENT.store_sd

    # A closed base of customers per store, in proportion to the store's headcount today.
    headcount = np.bincount(
        [stores[roster_store] for roster_store in _current_stores(chain)], minlength=len(codes)
    )
    base = params.customers_per_store[size] * headcount / headcount.mean()
    home = np.repeat(np.arange(len(codes)), np.rint(base).astype(int))
    phones = _phones(rng, len(home), params.phone_prefixes)

    categories = list(params.categories.values())
    category_p = np.array([c.share for c in categories])
    window = params.repurchase_window_days
    low, high = params.return_gap_days
    lapsed_p = 1.0 / params.lapsed_extra_days()
    visits: list[tuple[np.ndarray, ...]] = []
    day = rng.integers(0, params.burn_in_days, len(home))
    active = np.arange(len(home))
    while active.size:
        when, store = day[active], home[active]
        z = engagement[store, months_ago[when]]
        logit = params.repurchase_logit + REPURCHASE_LOGIT_PER_ENGAGEMENT_SD * z
        inside = np.flatnonzero(when >= first_day)
        if inside.size:
            kind, first, second = _serve(
                rng, roster, categories, category_p, store[inside], when[inside]
            )
            effect = repurchase_effect[roster.staff[first]]
            both = second >= 0
            effect[both] = (effect[both] + repurchase_effect[roster.staff[second[both]]]) / 2
            effect[first < 0] = 0.0
            logit[inside] += effect
        p = 1.0 / (1.0 + np.exp(-logit))
        back = rng.random(active.size) < p
        gap = np.where(
            back,
            rng.integers(low, high + 1, active.size),
            window + rng.geometric(lapsed_p, active.size),
        )
        if inside.size:
            visits.append((active[inside], when[inside], kind, first, second, p[inside], z[inside]))
        day[active] = when + gap
        active = active[day[active] <= last_day]

    customer, when, kind, first, second, p_return, z = (
        np.concatenate(c) for c in zip(*visits, strict=True)
    )
    keep = first >= 0  # a store with nobody at work that day sells nothing
    order = np.lexsort((customer[keep], home[customer[keep]], when[keep]))
    customer, when, kind, first, second, p_return, z = (
        a[keep][order] for a in (customer, when, kind, first, second, p_return, z)
    )
    store = home[customer]
    n = len(customer)

    items = np.empty(n, dtype=object)
    amount = np.empty(n, dtype=float)
    factors = np.array(list(params.discounts))
    factor_p = np.array(list(params.discounts.values()))
    for k, category in enumerate(categories):
        mine = np.flatnonzero(kind == k)
        names = np.array(list(category.items), dtype=object)
        prices = np.array(list(category.items.values()), dtype=float)
        pick = rng.integers(0, len(names), mine.size)
        factor = rng.choice(factors, mine.size, p=factor_p) if category.discounted else 1.0
        items[mine] = names[pick]
        amount[mine] = np.rint(prices[pick] * factor)
    category_names = np.array(list(params.categories), dtype=object)

    # Designated owners: a consultant or beautician at the store on the customer's first
    # visit in the data, shown on the customer's sales while they work there.
    owner_of = np.full(len(home), -1, dtype=np.int64)
    _, first_visit = np.unique(customer, return_index=True)
    chosen = first_visit[rng.random(first_visit.size) < params.owner_share]
    owner_of[customer[chosen]] = roster.pick(
        rng, (StaffRole.CONSULTANT, StaffRole.BEAUTICIAN), store[chosen], when[chosen]
    )
    owner = owner_of[customer]
    shown = roster.at_work(owner, when)

    staff_no = employee_nos[roster.staff[first]]
    assist = np.where(second >= 0, employee_nos[roster.staff[np.maximum(second, 0)]], None)
    owner_no = np.where(shown, employee_nos[roster.staff[np.maximum(owner, 0)]], None)
    dates = np.datetime64(origin, "D") + when
    store_codes = np.array(codes, dtype=object)
    sales = pd.DataFrame(
        {
            "source_id": [f"D-T{i:06d}" for i in range(1, n + 1)],
            "customer": phones[customer],
            "store": store_codes[store],
            "sold_on": dates,
            "amount": amount,
            "item": items,
            "category": category_names[kind],
            "staff": staff_no,
            "assist": assist,
            "owner": owner_no,
            "engagement": z,
            "p_return": p_return,
        }
    )

    scales = _scales(seed, codes, params.ten_point_share)
    visit, about, touchpoint = _asked(rng, roster, params, size, store, when, first, second)
    served = roster.staff[about]
    answered = visit  # the visit (sale) each answer follows
    logit = params.csat_logit + CSAT_LOGIT_PER_ENGAGEMENT_SD * z[answered] + csat_effect[served]
    p_top2 = 1.0 / (1.0 + np.exp(-logit))
    top2 = rng.random(answered.size) < p_top2
    scale = np.array([scales[c] for c in codes])[store[answered]]
    score = np.zeros(answered.size, dtype=np.int64)
    for points, table in ((5, params.scores_5), (10, params.scores_10)):
        for is_top, weights in table.items():
            mine = np.flatnonzero((scale == points) & (top2 == is_top))
            values = np.array(list(weights))
            score[mine] = rng.choice(values, mine.size, p=np.array(list(weights.values())))
    csat = pd.DataFrame(
        {
            "source_id": [f"D-C{i:06d}" for i in range(1, answered.size + 1)],
            "employee_no": employee_nos[served],
            "store": store_codes[store[answered]],
            "service_date": dates[answered],
            "score": score,
            "scale": scale.astype(np.int64),
            "touchpoint": touchpoint,
            "customer": phones[customer[answered]],
            "sale": sales["source_id"].to_numpy(dtype=object)[answered],
            "engagement": z[answered],
            "p_top2": p_top2,
        }
    )
    return DemoOutcomes(sales, csat, MappingProxyType(scales))


def _asked(
    rng: np.random.Generator,
    roster: Rota,
    params: OutcomeParams,
    size: str,
    store: np.ndarray,
    day: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The answers the visits' 回访 forms give: for each, the visit (its index), the period of
    the staff member it is about and its touchpoint (a :class:`Touchpoint` value), in the
    order of the visits (served staff first, then the front desk)."""
    answered = np.flatnonzero(rng.random(store.size) < params.csat_response[size])
    asked = np.array([params.csat_asked[role] for role in roster.roles])
    visits, periods, kinds = [], [], []
    for served in (first[answered], second[answered]):
        mine = served >= 0
        mine[mine] = rng.random(int(mine.sum())) < asked[roster.role[served[mine]]]
        visits.append(answered[mine])
        periods.append(served[mine])
        kinds.append(np.zeros(int(mine.sum()), dtype=np.int8))
    desk = answered[rng.random(answered.size) < params.csat_asked[StaffRole.FRONT_DESK]]
    on_duty = roster.pick(rng, (StaffRole.FRONT_DESK,), store[desk], day[desk])
    visits.append(desk[on_duty >= 0])
    periods.append(on_duty[on_duty >= 0])
    kinds.append(np.ones(int((on_duty >= 0).sum()), dtype=np.int8))
    visit, period, kind = (np.concatenate(a) for a in (visits, periods, kinds))
    order = np.lexsort((kind, visit))
    visit, period, kind = visit[order], period[order], kind[order]
    touchpoint = np.empty(visit.size, dtype=object)
    for k, table in enumerate((params.touchpoints, params.front_desk_touchpoints)):
        mine = np.flatnonzero(kind == k)
        values = np.array([t.value for t in table], dtype=object)
        touchpoint[mine] = rng.choice(values, mine.size, p=np.array(list(table.values())))
    return visit, period, touchpoint


def _serve(
    rng: np.random.Generator,
    roster: Rota,
    categories: list,  # type: ignore[type-arg]
    category_p: np.ndarray,
    store: np.ndarray,
    day: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Category, first and second serving staff (periods; −1 for none) of each visit."""
    kind = rng.choice(len(categories), store.size, p=category_p)
    first = np.full(store.size, -1, dtype=np.int64)
    second = np.full(store.size, -1, dtype=np.int64)
    anyone = tuple(r for r in StaffRole if r is not StaffRole.FRONT_DESK)
    for k, category in enumerate(categories):
        mine = np.flatnonzero(kind == k)
        if not mine.size:
            continue
        chosen = roster.pick(rng, category.serves, store[mine], day[mine])
        for fallback in (anyone, tuple(StaffRole)):  # nobody of those roles at work that day
            missing = chosen < 0
            if missing.any():
                chosen[missing] = roster.pick(
                    rng, fallback, store[mine][missing], day[mine][missing]
                )
        first[mine] = chosen
        helped = mine[(rng.random(mine.size) < category.assist_share) & (chosen >= 0)]
        if helped.size:
            second[helped] = roster.pick(
                rng, category.assists, store[helped], day[helped], roster.staff[first[helped]]
            )
    return kind, first, second


def _current_stores(chain: DemoChain) -> list[str]:
    """The store of each staff member's latest assignment (leavers included)."""
    parent = {u.code: u.parent_code for u in chain.units if u.level is UnitLevel.TEAM}
    return [parent.get(p.periods[-1][0]) or p.periods[-1][0] for p in chain.staff]


def _scales(seed: int, codes: Sequence[str], ten_point_share: float) -> dict[str, int]:
    """The scale each store's CRM asks on: 0–10 for a share of stores (at least one)."""
    count = max(1, round(ten_point_share * len(codes)))
    ranked = sorted(codes, key=lambda code: seeded_normal(seed, "csat-scale", code))
    ten = set(ranked[:count])
    return {code: 10 if code in ten else 5 for code in codes}


def _phones(rng: np.random.Generator, count: int, prefixes: Sequence[str]) -> np.ndarray:
    """``count`` distinct mobile numbers: one of ``prefixes`` and nine random digits."""
    heads = np.array([int(p) for p in prefixes], dtype=np.int64) * 10**9
    numbers = heads[rng.integers(0, len(heads), count)] + rng.integers(0, 10**9, count)
    while True:
        order = np.argsort(numbers, kind="stable")
        repeated = order[1:][numbers[order][1:] == numbers[order][:-1]]
        if not repeated.size:
            break
        numbers[repeated] = heads[rng.integers(0, len(heads), repeated.size)] + rng.integers(
            0, 10**9, repeated.size
        )
    return numbers.astype(str).astype(object)


def _stream(seed: int, *key: object) -> int:
    """A 64-bit seed for numpy's generator, fixed by ``seed`` and ``key``."""
    text = ":".join(str(part) for part in (seed, "rng", *key))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
