"""Incentive schemes (激励方案): what performance pay (绩效工资) is paid for, and how much.

A scheme is a plain dict (TOML on disk, JSON in the database), checked by :func:`validate`
and identified by the SHA-256 of its canonical JSON, like the checklists. It gives each staff
role a monthly target bonus (paid in full at 100% attainment) and a list of weighted
components. Each component reads one measure (:data:`MEASURES`), divides it by a target (one
number, or one per role) to get the attainment (达成率), and turns the attainment into a
payout with a pay curve (计奖曲线) of (attainment, payout) points: nothing below the first
point (the threshold, 门槛), straight lines between points, and the last payout above the
last point (the cap, 封顶). :func:`ee_app.analysis.pay.calculate` does the arithmetic.

Two rules are the reason the scheme exists, and the validator enforces both:

* service quality — customer satisfaction, repurchase and the mystery shopper
  (:data:`SERVICE_MEASURES`) — weighs at least 30% of performance pay, against "push the sale,
  neglect the service" (重推销、轻服务). HR may raise ``service_floor``, never lower it;
* engagement survey results are never an input to pay: staff answer honestly only while their
  answers cannot cost them money, so no measure can name them.

Gates (前置条件) say who is paid and what is trusted: staff who have not passed the
onboarding assessment get nothing; a CSAT rate of few answers, or a staff mystery-shopper
score without visits, is replaced by the store's. An optional bonus pool (奖金池) scales the
amounts: ``pool_mode = "cap"`` scales down only when they would exceed it, ``"exact"``
scales them to exactly the pool. Numbers are kept exact (fractions of the decimals written),
so a weight of 0.1 is one tenth, not the nearest binary float.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import Any

from ee_app.errors import N_, Problem, ValidationError
from ee_app.instruments.pulse import Text

__all__ = [
    "DEFAULT_FILE",
    "MEASURES",
    "MISSING_RULES",
    "POOL_MODES",
    "ROLES",
    "SERVICE_FLOOR",
    "SERVICE_MEASURES",
    "STORE_MEASURES",
    "Component",
    "Gates",
    "Scheme",
    "default_definition",
    "definition_hash",
    "validate",
]

#: What a component can pay for: the measure, its unit.
MEASURES: dict[str, str] = {
    "sales_revenue": "CNY",  # the staff member's sales in the period
    "csat_top2": "share",  # shrunken CSAT top-2 rate, 0–1
    "repurchase_rate": "share",  # customers served who bought again in the window, 0–1
    "repurchase_value": "CNY",  # what those repeat purchases were worth
    "visit_score_store": "points",  # the store's mean mystery-shopper score, 0–100
    "visit_score_staff": "points",  # visits where the staff member was recorded as serving
    "assessment_passed": "0/1",  # 1 if the onboarding assessment is passed
    # The same at the level of the person's store, for roles paid on the store's results:
    "store_sales_revenue": "CNY",  # the store's revenue in the period
    "store_csat_top2": "share",  # top-2 share of the store's CSAT answers in the window
    "store_repurchase_rate": "share",  # the store's repurchase rate, same cohort as staff
}
#: A person's measure → the same measure at their store's level: what the ``"store"`` rule
#: for missing data puts in place of a missing value (a store measure is its own store value).
#: Sales are not here: a store's revenue is not comparable with a person's sales target.
STORE_MEASURES: dict[str, str] = {
    "csat_top2": "store_csat_top2",
    "repurchase_rate": "store_repurchase_rate",
    "visit_score_staff": "visit_score_store",
    "visit_score_store": "visit_score_store",
    "store_sales_revenue": "store_sales_revenue",
    "store_csat_top2": "store_csat_top2",
    "store_repurchase_rate": "store_repurchase_rate",
}
#: What a component pays a person with no value for its measure (``missing`` in the scheme):
#: ``"zero"`` pays 0 on it (the default, and the rule of schemes written before the choice),
#: ``"reweight"`` spreads its weight over the person's other components in proportion to
#: their weights, ``"store"`` uses the store's value of the measure (:data:`STORE_MEASURES`).
#: Every use is flagged on the person's line.
MISSING_RULES = ("zero", "reweight", "store")
#: The measures of service quality; together they must weigh at least the service floor.
SERVICE_MEASURES: frozenset[str] = frozenset(
    {"csat_top2", "repurchase_rate", "repurchase_value", "visit_score_store", "visit_score_staff"}
    | {"store_csat_top2", "store_repurchase_rate"}
)
#: The rule of the source articles: service quality is at least 30% of performance pay.
SERVICE_FLOOR = Fraction(3, 10)
POOL_MODES = ("cap", "exact")
#: The staff roles of ``ee_app.models.org.StaffRole`` (not imported: instruments stay pure).
ROLES = ("beautician", "consultant", "doctor", "nurse", "front_desk", "store_manager")
DEFAULT_FILE = Path(__file__).resolve().parent / "schemes" / "store-staff-v1.toml"

MAX_TEXT = 200
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
# A setting or a measure that names the engagement survey in any way is refused outright.
_ENGAGEMENT = re.compile(r"engag|pulse|survey|enps|q12|敬业|脉搏|调研|问卷", re.IGNORECASE)
_NEVER_PAY = N_("Engagement survey results are never an input to pay.")
_TOLERANCE = Fraction(1, 10**9)


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


@dataclass(frozen=True)
class Scheme:
    key: str
    version: int
    name: Text
    service_floor: Fraction
    pool: Decimal | None  # CNY, two decimals; None: no pool
    pool_mode: str
    target_bonus: tuple[tuple[str, Fraction], ...]  # (role, CNY per month at 100%)
    gates: Gates
    components: tuple[Component, ...]

    @property
    def service_weight(self) -> Fraction:
        """The share of the weight on service quality (:data:`SERVICE_MEASURES`)."""
        return sum((c.weight for c in self.components if c.service), Fraction(0))

    def service_weight_for(self, role: str) -> Fraction:
        """The share on service quality for ``role``, with the measures the role is paid on."""
        return sum(
            (c.weight for c in self.components if c.measure_for(role) in SERVICE_MEASURES),
            Fraction(0),
        )

    def bonus_for(self, role: str) -> Fraction | None:
        return dict(self.target_bonus).get(role)

    def component(self, component_id: str) -> Component | None:
        return next((c for c in self.components if c.id == component_id), None)


# Reading and checking a definition ------------------------------------------------------------


def _exact(value: Any) -> Fraction | None:
    """An exact number from a TOML int, float or decimal string ("0.5"); None if not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float | str):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return None
        return Fraction(number) if number.is_finite() else None
    return None


def _percent(share: Fraction) -> str:
    """A share as a percentage of at most two decimals: 1/4 → "25", 1/3 → "33.33"."""
    text = f"{Decimal(share.numerator) * 100 / Decimal(share.denominator):.2f}"
    return text.rstrip("0").rstrip(".")


def _text(data: Any, where: str, problems: list[Problem]) -> Text:
    if not isinstance(data, Mapping):
        problems.append(
            Problem(N_("{where}: needs an English and a Chinese text."), {"where": where})
        )
        return Text("", "")
    problems.extend(_unknown_keys(data, frozenset({"en", "zh-CN"}), where))
    values = []
    for language in ("en", "zh-CN"):
        value = data.get(language)
        if not isinstance(value, str) or not value.strip():
            problems.append(
                Problem(
                    N_("{where}: the {language} text is missing."),
                    {"where": where, "language": language},
                )
            )
            value = ""
        elif len(value) > MAX_TEXT:
            problems.append(
                Problem(
                    N_("{where}: the {language} text is longer than {limit}."),
                    {"where": where, "language": language, "limit": MAX_TEXT},
                )
            )
        values.append(value.strip())
    return Text(*values)


def _unknown_keys(data: Mapping[str, Any], known: frozenset[str], where: str) -> list[Problem]:
    """A misspelt key must not silently drop a rule; one naming the survey is refused as such."""
    problems = []
    for key in sorted(set(data) - known, key=str):
        if _ENGAGEMENT.search(str(key)):
            problems.append(Problem(_NEVER_PAY, {"where": where, "key": str(key)}))
        else:
            problems.append(
                Problem(N_("{where}: unknown setting “{key}”."), {"where": where, "key": key})
            )
    return problems


def _role_amounts(
    data: Any, where: str, problems: list[Problem], *, positive: bool
) -> dict[str, Fraction]:
    """A table of role → number (a target bonus, or a component's targets per role)."""
    if not isinstance(data, Mapping) or not data:
        problems.append(Problem(N_("{where}: give an amount per staff role."), {"where": where}))
        return {}
    found = {}
    for role, raw in data.items():
        if role not in ROLES:
            problems.append(
                Problem(
                    N_("{where}: unknown staff role “{role}”; the roles are {roles}."),
                    {"where": where, "role": role, "roles": ", ".join(ROLES)},
                )
            )
            continue
        number = _exact(raw)
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
            pair = tuple(_exact(v) for v in point) if isinstance(point, list | tuple) else ()
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


_SCHEME_KEYS = frozenset(
    {"kind", "key", "version", "name", "service_floor", "pool", "pool_mode"}
    | {"target_bonus", "gates", "components"}
)
_GATE_KEYS = frozenset({"onboarding_required", "csat_min_n", "visit_min_n"})
_COMPONENT_KEYS = frozenset({"id", "measure", "measures", "missing", "weight", "target", "curve"})


def _gates(data: Any, problems: list[Problem]) -> Gates:
    data = {} if data is None else data
    if not isinstance(data, Mapping):
        problems.append(Problem(N_("The gates must be a table of settings.")))
        return Gates()
    problems.extend(_unknown_keys(data, _GATE_KEYS, "gates"))
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


def _component(data: Any, bonus: Mapping[str, Fraction], problems: list[Problem]) -> Component:
    data = data if isinstance(data, Mapping) else {}
    component_id = str(data.get("id", ""))
    where = f"component {component_id or '?'}"
    problems.extend(_unknown_keys(data, _COMPONENT_KEYS, where))
    measure = str(data.get("measure", ""))
    if _ENGAGEMENT.search(component_id) or _ENGAGEMENT.search(measure):
        problems.append(Problem(_NEVER_PAY, {"where": where, "key": measure or component_id}))
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
    weight = _exact(data.get("weight"))
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
        role_targets = _role_amounts(raw_target, where, problems, positive=True)
        missing = [r for r in bonus if r not in raw_target]
        if missing:
            problems.append(
                Problem(
                    N_("{where}: no target for {roles}, which have a target bonus."),
                    {"where": where, "roles": ", ".join(missing)},
                )
            )
    else:
        target = _exact(raw_target)
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
            problems.append(
                Problem(
                    N_("{where}: unknown staff role “{role}”; the roles are {roles}."),
                    {"where": where, "role": role, "roles": ", ".join(ROLES)},
                )
            )
        elif _ENGAGEMENT.search(str(measure)):
            problems.append(Problem(_NEVER_PAY, {"where": where, "key": str(measure)}))
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


def _pool(definition: Mapping[str, Any], problems: list[Problem]) -> tuple[Decimal | None, str]:
    mode = definition.get("pool_mode", "cap")
    if mode not in POOL_MODES:
        problems.append(Problem(N_("The pool mode must be “cap” or “exact”.")))
        mode = "cap"
    raw = definition.get("pool")
    if raw is None:
        if "pool_mode" in definition:
            problems.append(Problem(N_("A pool mode needs a pool: give the pool in yuan.")))
        return None, mode
    number = _exact(raw)
    if number is None or number < 0:
        problems.append(Problem(N_("The bonus pool must be an amount of 0 or more.")))
        return None, mode
    if (number * 100).denominator != 1:
        problems.append(Problem(N_("The bonus pool must be in yuan with at most two decimals.")))
        return None, mode
    return Decimal(number.numerator * 100 // number.denominator).scaleb(-2), mode


def validate(definition: Mapping[str, Any]) -> Scheme:
    """Check a definition and return the scheme; raise ValidationError listing every fault.

    >>> s = default_definition()
    >>> scheme = validate(s)
    >>> [c.id for c in scheme.components], str(scheme.service_weight)
    (['sales', 'csat', 'repurchase', 'mystery-shopper', 'onboarding'], '1/2')
    >>> s["components"][1]["weight"], s["components"][0]["weight"] = 0.05, 0.60
    >>> validate(s).service_weight  # csat .05 + repurchase .15 + mystery shopper .10: 30%
    Fraction(3, 10)
    >>> s["components"][2]["weight"], s["components"][0]["weight"] = 0.10, 0.65
    >>> try:
    ...     validate(s)
    ... except ValidationError as error:
    ...     print(error.problems[0])
    Service quality (CSAT, repurchase, mystery shopper) weighs 25%; it must weigh at least 30%.
    """
    problems: list[Problem] = _unknown_keys(definition, _SCHEME_KEYS, "scheme")
    if definition.get("kind") != "scheme":
        problems.append(Problem(N_("The scheme's kind must be “scheme”.")))
    key = str(definition.get("key", ""))
    if not _ID.match(key):
        problems.append(Problem(N_("The scheme needs a short lower-case key.")))
    version = definition.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        problems.append(Problem(N_("The scheme needs a version number of 1 or more.")))
        version = 0
    floor = _exact(definition.get("service_floor", "0.30"))
    if floor is None or not SERVICE_FLOOR <= floor <= 1:
        problems.append(
            Problem(
                N_(
                    "The service-quality floor must be at least {floor}% and at most 100%: "
                    "HR may raise it, never lower it."
                ),
                {"floor": _percent(SERVICE_FLOOR)},
            )
        )
        floor = SERVICE_FLOOR
    pool, pool_mode = _pool(definition, problems)
    bonus = _role_amounts(definition.get("target_bonus"), "target_bonus", problems, positive=False)
    gates = _gates(definition.get("gates"), problems)

    components, seen = [], set()
    raw_components = definition.get("components")
    if not isinstance(raw_components, list) or not raw_components:
        problems.append(Problem(N_("The scheme needs at least one component.")))
        raw_components = []
    for data in raw_components:
        component = _component(data, bonus, problems)
        if not _ID.match(component.id) or component.id in seen:
            problems.append(
                Problem(
                    N_("Component ids must be short, lower case and unique: “{id}”."),
                    {"id": component.id},
                )
            )
        seen.add(component.id)
        components.append(component)
    if components and all(c.weight for c in components):
        total = sum((c.weight for c in components), Fraction(0))
        if abs(total - 1) > _TOLERANCE:
            problems.append(
                Problem(
                    N_("The weights add up to {total}%; they must add up to 100%."),
                    {"total": _percent(total)},
                )
            )
        service = sum((c.weight for c in components if c.service), Fraction(0))
        if service < floor - _TOLERANCE:
            problems.append(
                Problem(
                    N_(
                        "Service quality (CSAT, repurchase, mystery shopper) weighs {share}%; "
                        "it must weigh at least {floor}%."
                    ),
                    {"share": _percent(service), "floor": _percent(floor)},
                )
            )
        # A role paid on other measures must keep the floor too.
        for role in dict.fromkeys(r for c in components for r, _ in c.role_measures):
            share = sum(
                (c.weight for c in components if c.measure_for(role) in SERVICE_MEASURES),
                Fraction(0),
            )
            if share < floor - _TOLERANCE:
                problems.append(
                    Problem(
                        N_(
                            "For {role}, service quality (CSAT, repurchase, mystery shopper) "
                            "weighs {share}%; it must weigh at least {floor}%."
                        ),
                        {"role": role, "share": _percent(share), "floor": _percent(floor)},
                    )
                )
    scheme = Scheme(
        key=key,
        version=version,
        name=_text(definition.get("name"), "name", problems),
        service_floor=floor,
        pool=pool,
        pool_mode=pool_mode,
        target_bonus=tuple(sorted(bonus.items())),
        gates=gates,
        components=tuple(components),
    )
    if problems:
        raise ValidationError(N_("The incentive scheme is not valid."), problems)
    return scheme


def default_definition() -> dict[str, Any]:
    """The shipped scheme for store staff, version 1 (``schemes/store-staff-v1.toml``)."""
    with DEFAULT_FILE.open("rb") as handle:
        definition = tomllib.load(handle)
    if (definition.get("key"), definition.get("version")) != ("store-staff", 1):
        raise ValueError("store-staff-v1.toml must hold key = 'store-staff' and version = 1.")
    return definition


def definition_hash(definition: Mapping[str, Any]) -> str:
    """The SHA-256 of the definition's canonical JSON: the identity of a scheme version."""
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
