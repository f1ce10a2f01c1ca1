"""The incentive-scheme validator, table-driven: every refusal with its message, the
service-quality floor at 25%, and the shipped scheme."""

import copy
import tomllib
from decimal import Decimal
from fractions import Fraction

import pytest

from ee_app.errors import ValidationError
from ee_app.instruments import scheme as scheme_module
from ee_app.instruments.scheme import (
    DEFAULT_FILE,
    MEASURES,
    ROLES,
    SERVICE_MEASURES,
    default_definition,
    definition_hash,
    validate,
)
from ee_app.models.org import StaffRole

ALL_ROLES = {"beautician": 2000, "consultant": 3000, "doctor": 5000}
# Sales 50%, CSAT 30%, onboarding 20%: service quality exactly 30%, the floor.
BASE = {
    "kind": "scheme",
    "key": "test",
    "version": 1,
    "name": {"en": "Test scheme", "zh-CN": "测试方案"},
    "target_bonus": dict(ALL_ROLES),
    "components": [
        {
            "id": "sales",
            "measure": "sales_revenue",
            "weight": 0.5,
            "target": {"beautician": 30000, "consultant": 80000, "doctor": 120000},
            "curve": [[0.8, 0.5], [1.0, 1.0], [1.2, 1.5]],
        },
        {
            "id": "csat",
            "measure": "csat_top2",
            "weight": 0.3,
            "target": 0.9,
            "curve": [[0.9, 0.5], [1.0, 1.0]],
        },
        {
            "id": "onboarding",
            "measure": "assessment_passed",
            "weight": 0.2,
            "target": 1,
            "curve": [[1.0, 1.0]],
        },
    ],
}


def _with(change):
    definition = copy.deepcopy(BASE)
    change(definition)
    return definition


def _problems(definition):
    with pytest.raises(ValidationError) as caught:
        validate(definition)
    return caught.value.problems


def _set(path, value):
    """A change that sets definition[path[0]][path[1]]… = value."""

    def change(definition):
        node = definition
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


def _delete(path):
    def change(definition):
        node = definition
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return change


def test_the_base_scheme_is_valid():
    scheme = validate(BASE)
    assert scheme.service_weight == Fraction(3, 10)  # csat .3 only
    assert scheme.pool is None and scheme.pool_mode == "cap"
    assert scheme.service_floor == Fraction(3, 10)
    assert scheme.gates.onboarding_required and scheme.gates.csat_min_n == 10
    assert scheme.gates.visit_min_n == 1
    sales = scheme.component("sales")
    assert sales.target is None and sales.target_for("doctor") == 120000
    assert sales.target_for("nurse") is None
    assert scheme.component("csat").target_for("nurse") == Fraction(9, 10)
    assert sales.curve[0] == (Fraction(4, 5), Fraction(1, 2))  # 0.8 is exactly 4/5
    assert scheme.bonus_for("consultant") == 3000 and scheme.bonus_for("nurse") is None


def test_the_floor_message_at_25_percent_service_weight():
    # sales .55 + csat .25 + onboarding .20 = 100%; service quality = csat = 25% < 30%
    definition = _with(_set(("components", 0, "weight"), 0.55))
    definition["components"][1]["weight"] = 0.25
    (problem,) = _problems(definition)
    assert problem.params == {"share": "25", "floor": "30"}
    assert str(problem) == (
        "Service quality (CSAT, repurchase, mystery shopper) weighs 25%; "
        "it must weigh at least 30%."
    )


def test_a_raised_floor_is_enforced_and_reported():
    # floor 40%: csat .3 is below it
    (problem,) = _problems(_with(_set(("service_floor",), 0.4)))
    assert problem.params == {"share": "30", "floor": "40"}


@pytest.mark.parametrize(
    ("change", "message", "params"),
    [
        # weights .6 + .3 + .2 = 110%
        (
            _set(("components", 0, "weight"), 0.6),
            "The weights add up to {total}%; they must add up to 100%.",
            {"total": "110"},
        ),
        # .5 + .3 + .1 = 90%
        (
            _set(("components", 2, "weight"), 0.1),
            "The weights add up to {total}%; they must add up to 100%.",
            {"total": "90"},
        ),
        # 30% is the rule: a floor of 20% is refused
        (
            _set(("service_floor",), 0.2),
            "The service-quality floor must be at least {floor}% and at most 100%: "
            "HR may raise it, never lower it.",
            {"floor": "30"},
        ),
        (
            _set(("components", 1, "measure"), "nps"),
            "{where}: the measure must be one of {measures}.",
            {"where": "component csat", "measures": ", ".join(MEASURES)},
        ),
        (
            _set(("components", 1, "measure"), "engagement_index"),
            "Engagement survey results are never an input to pay.",
            {"where": "component csat", "key": "engagement_index"},
        ),
        (
            _set(("components", 1, "measure"), "pulse_favourable"),
            "Engagement survey results are never an input to pay.",
            {"where": "component csat", "key": "pulse_favourable"},
        ),
        # a top-level setting naming the survey is refused as such, not as a typo
        (
            _set(("engagement_weight",), 0.1),
            "Engagement survey results are never an input to pay.",
            {"where": "scheme", "key": "engagement_weight"},
        ),
        (
            _set(("components", 1, "survey"), "q12"),
            "Engagement survey results are never an input to pay.",
            {"where": "component csat", "key": "survey"},
        ),
        # attainments 1.0 then 0.9: not increasing
        (
            _set(("components", 1, "curve"), [[1.0, 1.0], [0.9, 0.5]]),
            "{where}: the curve's attainments must be 0 or more and strictly increasing.",
            {"where": "component csat"},
        ),
        # two points at the same attainment
        (
            _set(("components", 1, "curve"), [[1.0, 0.5], [1.0, 1.0]]),
            "{where}: the curve's attainments must be 0 or more and strictly increasing.",
            {"where": "component csat"},
        ),
        (
            _set(("components", 1, "curve"), [[0.9, -0.5], [1.0, 1.0]]),
            "{where}: a curve cannot pay a negative payout.",
            {"where": "component csat"},
        ),
        (
            _set(("components", 1, "curve"), [[0.9, 1.0], [1.0, 0.5]]),
            "{where}: the curve's payouts must not fall as attainment rises.",
            {"where": "component csat"},
        ),
        (
            _set(("components", 1, "curve"), []),
            "{where}: the curve needs (attainment, payout) points, e.g. [[1.0, 1.0]].",
            {"where": "component csat"},
        ),
        (
            _set(("components", 1, "curve"), [[1.0]]),
            "{where}: the curve needs (attainment, payout) points, e.g. [[1.0, 1.0]].",
            {"where": "component csat"},
        ),
        # doctor has a target bonus but no sales target
        (
            _delete(("components", 0, "target", "doctor")),
            "{where}: no target for {roles}, which have a target bonus.",
            {"where": "component sales", "roles": "doctor"},
        ),
        (
            _set(("components", 0, "target", "doctor"), 0),
            "{where}: the target for {role} must be a number above 0.",
            {"where": "component sales", "role": "doctor"},
        ),
        (
            _set(("components", 1, "target"), -0.9),
            "{where}: the target must be a number above 0, or one per role.",
            {"where": "component csat"},
        ),
        (
            _set(("components", 1, "target"), 0),
            "{where}: the target must be a number above 0, or one per role.",
            {"where": "component csat"},
        ),
        (
            _delete(("components", 1, "target")),
            "{where}: the target must be a number above 0, or one per role.",
            {"where": "component csat"},
        ),
        (
            _set(("components", 0, "target", "manager"), 1),
            "{where}: unknown staff role “{role}”; the roles are {roles}.",
            {"where": "component sales", "role": "manager", "roles": ", ".join(ROLES)},
        ),
        (
            _set(("target_bonus", "doctor"), -1),
            "{where}: the target bonus for {role} must be an amount of 0 or more.",
            {"where": "target_bonus", "role": "doctor"},
        ),
        (
            _set(("target_bonus",), {}),
            "{where}: give an amount per staff role.",
            {"where": "target_bonus"},
        ),
        # a misspelt setting must not silently drop a rule
        (
            _set(("pool_mod",), "exact"),
            "{where}: unknown setting “{key}”.",
            {"where": "scheme", "key": "pool_mod"},
        ),
        (
            _set(("gates",), {"onboarding": False}),
            "{where}: unknown setting “{key}”.",
            {"where": "gates", "key": "onboarding"},
        ),
        (
            _set(("components", 1, "cap"), 1.2),
            "{where}: unknown setting “{key}”.",
            {"where": "component csat", "key": "cap"},
        ),
        (
            _set(("components", 1, "id"), "sales"),
            "Component ids must be short, lower case and unique: “{id}”.",
            {"id": "sales"},
        ),
        (
            _set(("components", 1, "id"), "CSAT"),
            "Component ids must be short, lower case and unique: “{id}”.",
            {"id": "CSAT"},
        ),
        (_set(("pool",), -1), "The bonus pool must be an amount of 0 or more.", {}),
        (
            _set(("pool",), 100.001),
            "The bonus pool must be in yuan with at most two decimals.",
            {},
        ),
        (_set(("pool_mode",), "exact"), "A pool mode needs a pool: give the pool in yuan.", {}),
        (
            _set(("pool_mode",), "floor"),
            "The pool mode must be “cap” or “exact”.",
            {},
        ),
        (
            _set(("components", 1, "weight"), 0),
            "{where}: the weight must be a share above 0 and at most 1.",
            {"where": "component csat"},
        ),
        (
            _set(("gates",), {"csat_min_n": -1}),
            "gates: {setting} must be a whole number of 0 or more.",
            {"setting": "csat_min_n"},
        ),
        (
            _set(("gates",), {"onboarding_required": "yes"}),
            "gates: onboarding_required must be true or false.",
            {},
        ),
        (_set(("kind",), "checklist"), "The scheme's kind must be “scheme”.", {}),
        (_set(("key",), "Store Staff"), "The scheme needs a short lower-case key.", {}),
        (_set(("version",), 0), "The scheme needs a version number of 1 or more.", {}),
        (_set(("components",), []), "The scheme needs at least one component.", {}),
        (
            _delete(("name", "zh-CN")),
            "{where}: the {language} text is missing.",
            {"where": "name", "language": "zh-CN"},
        ),
    ],
)
def test_refusals(change, message, params):
    problems = _problems(_with(change))
    assert (message, params) in [(p.message, dict(p.params)) for p in problems]


def test_every_fault_is_listed_at_once():
    definition = _with(_set(("pool",), -5))
    definition["components"][1]["measure"] = "enps"
    definition["components"][2]["curve"] = [[1.0, -1.0]]
    messages = {p.message for p in _problems(definition)}
    assert messages == {
        "The bonus pool must be an amount of 0 or more.",
        "Engagement survey results are never an input to pay.",
        "{where}: a curve cannot pay a negative payout.",
        # with CSAT's 30% gone to the refused measure, service quality weighs 0%
        "Service quality (CSAT, repurchase, mystery shopper) weighs {share}%; "
        "it must weigh at least {floor}%.",
    }


@pytest.mark.parametrize(
    ("weights", "valid"),
    [
        # 1/3 each, written to nine decimals: off 100% by 1e-9, within the tolerance
        ((0.333333333, 0.333333333, 0.333333333), True),
        ((0.3333, 0.3333, 0.3334), True),
        ((0.33, 0.33, 0.33), False),  # 99%
    ],
)
def test_weights_sum_to_one_within_1e9(weights, valid):
    definition = copy.deepcopy(BASE)
    for component, weight in zip(definition["components"], weights, strict=True):
        component["weight"] = weight
    if valid:
        validate(definition)
    else:
        assert "The weights add up to {total}%; they must add up to 100%." in {
            p.message for p in _problems(definition)
        }


def test_a_raised_floor_that_is_met_and_a_pool():
    definition = _with(_set(("service_floor",), 0.3))
    definition["pool"] = 500000.5
    definition["pool_mode"] = "exact"
    scheme = validate(definition)
    assert scheme.pool == Decimal("500000.50") and scheme.pool_mode == "exact"


def test_the_shipped_scheme_validates_with_at_least_30_percent_service_quality():
    definition = default_definition()
    scheme = validate(definition)
    assert scheme.key == "store-staff" and scheme.version == 1
    assert scheme.name.en and scheme.name.zh
    # csat .25 + repurchase .15 + mystery shopper .10 = .50
    assert scheme.service_weight == Fraction(1, 2) >= Fraction(3, 10)
    assert {c.measure for c in scheme.components} & SERVICE_MEASURES
    assert sum(c.weight for c in scheme.components) == 1
    assert set(dict(scheme.target_bonus)) == set(ROLES)
    for component in scheme.components:
        assert all(component.target_for(role) for role in ROLES)
    with DEFAULT_FILE.open("rb") as handle:
        assert tomllib.load(handle) == definition


def test_the_definition_hash_is_canonical():
    reordered = dict(reversed(list(BASE.items())))
    assert definition_hash(reordered) == definition_hash(BASE)
    assert definition_hash(_with(_set(("version",), 2))) != definition_hash(BASE)
    assert len(definition_hash(BASE)) == 64


def test_the_public_surface():
    assert set(scheme_module.__all__) == {
        *("DEFAULT_FILE", "MEASURES", "POOL_MODES", "ROLES", "SERVICE_FLOOR", "SERVICE_MEASURES"),
        *("MISSING_RULES", "STORE_MEASURES"),
        *("Component", "Gates", "Scheme", "default_definition", "definition_hash", "validate"),
    }
    assert all(hasattr(scheme_module, name) for name in scheme_module.__all__)
    assert set(ROLES) == {role.value for role in StaffRole}  # the roles of the staff records
    assert set(MEASURES) > SERVICE_MEASURES
    assert "sales_revenue" not in SERVICE_MEASURES
    assert "assessment_passed" not in SERVICE_MEASURES
