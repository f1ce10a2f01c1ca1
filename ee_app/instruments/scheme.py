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

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from ee_app.errors import N_, Problem, ValidationError
from ee_app.instruments.fields import (
    Text,
    bilingual,
    definition_hash,
    exact,
    key_and_version,
    shipped_definitions,
    unique_id,
)
from ee_app.instruments.scheme_components import (
    Component,
    Gates,
    read_component,
    read_gates,
    role_amounts,
)
from ee_app.instruments.scheme_measures import (
    MEASURES,
    MISSING_RULES,
    ROLES,
    SERVICE_FLOOR,
    SERVICE_MEASURES,
    STORE_MEASURES,
    refuse_unknown,
)

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

POOL_MODES = ("cap", "exact")
DEFAULT_FILE = Path(__file__).resolve().parent / "schemes" / "store-staff-v1.toml"

MAX_TEXT = 200
_TOLERANCE = Fraction(1, 10**9)


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


def _percent(share: Fraction) -> str:
    """A share as a percentage of at most two decimals: 1/4 → "25", 1/3 → "33.33"."""
    text = f"{Decimal(share.numerator) * 100 / Decimal(share.denominator):.2f}"
    return text.rstrip("0").rstrip(".")


def _text(data: Any, where: str, problems: list[Problem]) -> Text:
    if isinstance(data, Mapping):
        problems.extend(refuse_unknown(data, frozenset({"en", "zh-CN"}), where))
    return bilingual(data, where, problems, MAX_TEXT)


_SCHEME_KEYS = frozenset(
    {"kind", "key", "version", "name", "service_floor", "pool", "pool_mode"}
    | {"target_bonus", "gates", "components"}
)


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
    number = exact(raw)
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
    problems: list[Problem] = refuse_unknown(definition, _SCHEME_KEYS, "scheme")
    key, version = key_and_version(
        definition,
        "scheme",
        problems,
        (
            N_("The scheme's kind must be “scheme”."),
            N_("The scheme needs a short lower-case key."),
            N_("The scheme needs a version number of 1 or more."),
        ),
    )
    floor = exact(definition.get("service_floor", "0.30"))
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
    bonus = role_amounts(definition.get("target_bonus"), "target_bonus", problems, positive=False)
    gates = read_gates(definition.get("gates"), problems)

    components, seen = [], set()
    raw_components = definition.get("components")
    if not isinstance(raw_components, list) or not raw_components:
        problems.append(Problem(N_("The scheme needs at least one component.")))
        raw_components = []
    for data in raw_components:
        component = read_component(data, bonus, problems)
        unique_id(
            component.id,
            seen,
            N_("Component ids must be short, lower case and unique: “{id}”."),
            problems,
        )
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
    return shipped_definitions(DEFAULT_FILE.parent, ["store-staff"])["store-staff"]
