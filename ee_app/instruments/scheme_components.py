"""A scheme's components and gates: what each part of the pay reads, and how it is read.

A component turns one measure into pay: it divides the measure by a target (one, or one per
role) and reads the payout off a pay curve; the gates say who is paid and when the store's
value replaces a person's own. :mod:`ee_app.instruments.scheme` puts them together and checks
the weights.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from typing import Any

from ee_app.errors import N_, Problem
from ee_app.instruments.fields import exact
from ee_app.instruments.scheme_measures import (
    MEASURES,
    MISSING_RULES,
    NEVER_PAY,
    ROLES,
    SERVICE_MEASURES,
    STORE_MEASURES,
    names_survey,
    refuse_unknown,
)

__all__ = ["Component", "Gates", "read_component", "read_gates", "role_amounts"]


@dataclass(frozen=True)
class Gates:
    """Who is paid (``onboarding_required``) and when the store's value replaces a staff
    member's own (fewer than ``csat_min_n`` CSAT answers, fewer than ``visit_min_n`` visits)."""

    onboarding_required: bool = True
    csat_min_n: int = 10
    visit_min_n: int = 1


@dataclass(frozen=True)
class Component:
    """One weighted part of the pay: a measure, a target and a pay curve.

    ``target`` is the one target of every role, or None when the targets are per role
    (``role_targets``: (role, target) pairs); use :meth:`target_for`. ``curve`` holds
    (attainment, payout) points, strictly increasing in attainment. ``role_measures``:
    (role, measure) pairs for roles paid on another measure than ``measure``, e.g. the store's
    revenue for a store manager (:meth:`measure_for`); ``missing``: the rule for a person
    without a value (:data:`MISSING_RULES`).
    """

    id: str
    measure: str
    weight: Fraction
    target: Fraction | None
    role_targets: tuple[tuple[str, Fraction], ...]
    curve: tuple[tuple[Fraction, Fraction], ...]
    role_measures: tuple[tuple[str, str], ...] = ()
    missing: str = "zero"

    @property
    def service(self) -> bool:
        return self.measure in SERVICE_MEASURES

    def measure_for(self, role: str) -> str:
        """The measure a person of ``role`` is paid on by this component."""
        return dict(self.role_measures).get(role, self.measure)

    @property
    def measures(self) -> tuple[str, ...]:
        """Every measure the component reads, the default first."""
        return tuple(dict.fromkeys((self.measure, *(m for _, m in self.role_measures))))

    def target_for(self, role: str) -> Fraction | None:
        if self.target is not None:
            return self.target
        return dict(self.role_targets).get(role)


def _unknown_role(where: str, role: Any) -> Problem:
    return Problem(
        N_("{where}: unknown staff role “{role}”; the roles are {roles}."),
        {"where": where, "role": role, "roles": ", ".join(ROLES)},
    )


def role_amounts(
    data: Any, where: str, problems: list[Problem], *, positive: bool
) -> dict[str, Fraction]:
    """A table of role → number (a target bonus, or a component's targets per role)."""
    if not isinstance(data, Mapping) or not data:
        problems.append(Problem(N_("{where}: give an amount per staff role."), {"where": where}))
        return {}
    found = {}
    for role, raw in data.items():
        if role not in ROLES:
            problems.append(_unknown_role(where, role))
            continue
        number = exact(raw)
        if number is None or number < 0 or (positive and number == 0):
            message = (
                N_("{where}: the target for {role} must be a number above 0.")
                if positive
                else N_("{where}: the target bonus for {role} must be an amount of 0 or more.")
            )
            problems.append(Problem(message, {"where": where, "role": role}))
            continue
        found[role] = number
    return found


def _curve(data: Any, where: str, problems: list[Problem]) -> tuple[tuple[Fraction, Fraction], ...]:
    points = []
    if isinstance(data, list) and data:
        for point in data:
            pair = tuple(exact(v) for v in point) if isinstance(point, list | tuple) else ()
            if len(pair) != 2 or None in pair:
                points = []
                break
            points.append(pair)
    if not points:
        problems.append(
            Problem(
                N_("{where}: the curve needs (attainment, payout) points, e.g. [[1.0, 1.0]]."),
                {"where": where},
            )
        )
        return ()
    attainments = [a for a, _ in points]
    payouts = [p for _, p in points]
    if attainments[0] < 0 or any(b <= a for a, b in pairwise(attainments)):
        problems.append(
            Problem(
                N_("{where}: the curve's attainments must be 0 or more and strictly increasing."),
                {"where": where},
            )
        )
    if any(p < 0 for p in payouts):
        problems.append(
            Problem(N_("{where}: a curve cannot pay a negative payout."), {"where": where})
        )
    elif any(b < a for a, b in pairwise(payouts)):
        # A falling payout would pay less for better work.
        problems.append(
            Problem(
                N_("{where}: the curve's payouts must not fall as attainment rises."),
                {"where": where},
            )
        )
    return tuple(points)


_GATE_KEYS = frozenset({"onboarding_required", "csat_min_n", "visit_min_n"})
_COMPONENT_KEYS = frozenset({"id", "measure", "measures", "missing", "weight", "target", "curve"})


def read_gates(data: Any, problems: list[Problem]) -> Gates:
    """The scheme's gates, their defaults where a setting is left out."""
    data = {} if data is None else data
    if not isinstance(data, Mapping):
        problems.append(Problem(N_("The gates must be a table of settings.")))
        return Gates()
    problems.extend(refuse_unknown(data, _GATE_KEYS, "gates"))
    defaults = Gates()
    required = data.get("onboarding_required", defaults.onboarding_required)
    if not isinstance(required, bool):
        problems.append(Problem(N_("gates: onboarding_required must be true or false.")))
        required = True
    counts = {}
    for name in ("csat_min_n", "visit_min_n"):
        value = data.get(name, getattr(defaults, name))
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.append(
                Problem(
                    N_("gates: {setting} must be a whole number of 0 or more."), {"setting": name}
                )
            )
            value = getattr(defaults, name)
        counts[name] = value
    return Gates(required, **counts)


def read_component(data: Any, bonus: Mapping[str, Fraction], problems: list[Problem]) -> Component:
    """The component ``data``; ``bonus`` (role → target bonus) says which roles need a target."""
    data = data if isinstance(data, Mapping) else {}
    component_id = str(data.get("id", ""))
    where = f"component {component_id or '?'}"
    problems.extend(refuse_unknown(data, _COMPONENT_KEYS, where))
    measure = str(data.get("measure", ""))
    if names_survey(component_id) or names_survey(measure):
        problems.append(Problem(NEVER_PAY, {"where": where, "key": measure or component_id}))
    elif measure not in MEASURES:
        problems.append(
            Problem(
                N_("{where}: the measure must be one of {measures}."),
                {"where": where, "measures": ", ".join(MEASURES)},
            )
        )
    role_measures = _role_measures(data.get("measures"), where, problems)
    rule = data.get("missing", "zero")
    if rule not in MISSING_RULES:
        problems.append(
            Problem(
                N_(
                    "{where}: the rule for missing data must be “zero” (pay 0), “reweight” "
                    "(spread the weight over the other components) or “store” (use the "
                    "store's value)."
                ),
                {"where": where},
            )
        )
        rule = "zero"
    elif rule == "store":
        without = [
            m
            for m in dict.fromkeys((measure, *role_measures.values()))
            if m in MEASURES and m not in STORE_MEASURES
        ]
        if without:
            problems.append(
                Problem(
                    N_("{where}: {measures} has no store value, so “store” cannot fill it in."),
                    {"where": where, "measures": ", ".join(without)},
                )
            )
    weight = exact(data.get("weight"))
    if weight is None or not 0 < weight <= 1:
        problems.append(
            Problem(
                N_("{where}: the weight must be a share above 0 and at most 1."), {"where": where}
            )
        )
        weight = Fraction(0)
    raw_target = data.get("target")
    target, role_targets = None, {}
    if isinstance(raw_target, Mapping):
        role_targets = role_amounts(raw_target, where, problems, positive=True)
        missing = [r for r in bonus if r not in raw_target]
        if missing:
            problems.append(
                Problem(
                    N_("{where}: no target for {roles}, which have a target bonus."),
                    {"where": where, "roles": ", ".join(missing)},
                )
            )
    else:
        target = exact(raw_target)
        if target is None or target <= 0:
            problems.append(
                Problem(
                    N_("{where}: the target must be a number above 0, or one per role."),
                    {"where": where},
                )
            )
            target = Fraction(1)
    return Component(
        id=component_id,
        measure=measure,
        weight=weight,
        target=target,
        role_targets=tuple(sorted(role_targets.items())),
        curve=_curve(data.get("curve"), where, problems),
        role_measures=tuple(sorted(role_measures.items())),
        missing=rule,
    )


def _role_measures(data: Any, where: str, problems: list[Problem]) -> dict[str, str]:
    """A component's table of role → measure, for roles paid on another measure."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        problems.append(
            Problem(N_("{where}: “measures” must name a measure per staff role."), {"where": where})
        )
        return {}
    found = {}
    for role, measure in data.items():
        if role not in ROLES:
            problems.append(_unknown_role(where, role))
        elif names_survey(str(measure)):
            problems.append(Problem(NEVER_PAY, {"where": where, "key": str(measure)}))
        elif measure not in MEASURES:
            problems.append(
                Problem(
                    N_("{where}: the measure must be one of {measures}."),
                    {"where": where, "measures": ", ".join(MEASURES)},
                )
            )
        else:
            found[role] = measure
    return found
