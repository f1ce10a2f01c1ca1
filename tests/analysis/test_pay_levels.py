"""Measures at the level a role is paid on, and the rule for a component without data
(issue 17): every number below is worked by hand in the comments."""

import math
from decimal import Decimal

import pandas as pd
import pytest

from ee_app.analysis.pay import (
    FLAG_MISSING_VALUE,
    FLAG_REWEIGHTED,
    FLAG_STORE_VALUE,
    calculate,
    input_columns,
)
from ee_app.errors import ValidationError
from ee_app.instruments.scheme import validate

NAN = math.nan
LINE = [[0, 0], [2, 2]]  # payout = attainment up to 2: the arithmetic reads off directly


def definition(rule=None, visit_rule="reweight"):
    repurchase = {
        "id": "repurchase",
        "measure": "repurchase_rate",
        "weight": 0.3,
        "target": 0.4,
        "curve": LINE,
    }
    if rule is not None:
        repurchase["missing"] = rule
    return {
        "kind": "scheme",
        "key": "levels",
        "version": 1,
        "name": {"en": "Levels", "zh-CN": "层级"},
        "target_bonus": {"beautician": 1000, "store_manager": 2000, "front_desk": 1000},
        "gates": {"onboarding_required": False},
        "components": [
            {
                "id": "sales",
                "measure": "sales_revenue",
                "measures": {
                    "store_manager": "store_sales_revenue",
                    "front_desk": "store_csat_top2",
                },
                "weight": 0.5,
                "target": {"beautician": 100, "store_manager": 1000, "front_desk": 0.8},
                "curve": LINE,
            },
            repurchase,
            {
                "id": "visit",
                "measure": "visit_score_store",
                "missing": visit_rule,
                "weight": 0.2,
                "target": 80,
                "curve": LINE,
            },
        ],
    }


STAFF = pd.DataFrame(
    {
        "staff_id": [1, 2, 3],
        "employee_no": ["E1", "E2", "E3"],
        "name": ["A", "B", "C"],
        "store_code": ["S1", "S2", "S3"],
        "store_name": ["S1", "S2", "S3"],
        "role": ["beautician", "store_manager", "front_desk"],
        "sales_revenue": [120.0, 50.0, 0.0],  # B's own 50 is not what a store manager is paid on
        "store_sales_revenue": [9999.0, 1500.0, 9999.0],
        "store_csat_top2": [0.1, 0.1, 0.6],
        "repurchase_rate": [0.2, NAN, NAN],
        "store_repurchase_rate": [0.9, 0.5, NAN],  # C's store has no repurchase either
        "visit_score_store": [80.0, NAN, 100.0],
    }
)

# A (beautician, all own data): .5 × 120/100 + .3 × .2/.4 + .2 × 80/80 = .6 + .15 + .2 = .95.
# B (store manager): sales on the store's 1500/1000 = 1.5 → .75; no visit score, the visit
#   component re-weights: the points are divided by the weight kept.
#   zero:     repurchase 0, kept .8 → (.75 + 0)/.8 = .9375            → 2000 × .9375 = 1875
#   store:    the store's .5/.4 = 1.25 → .375; (.75 + .375)/.8 = 1.40625          → 2812.50
#   reweight: repurchase left out too, kept .5 → .75/.5 = 1.5                     → 3000
# C (front desk): sales on the store's CSAT .6/.8 = .75 → .375; visit 100/80 → .25.
#   zero and store (the store has no value either: 0): .375 + 0 + .25 = .625     → 625
#   reweight: kept .7 → .625/.7 = .892857…                                        → 892.86
CASES = [
    (None, [0.95, 0.9375, 0.625], ["950.00", "1875.00", "625.00"]),
    ("zero", [0.95, 0.9375, 0.625], ["950.00", "1875.00", "625.00"]),
    ("store", [0.95, 1.40625, 0.625], ["950.00", "2812.50", "625.00"]),
    ("reweight", [0.95, 1.5, 0.625 / 0.7], ["950.00", "3000.00", "892.86"]),
]


@pytest.mark.parametrize(("rule", "points", "amounts"), CASES)
def test_each_rule_for_missing_data_by_hand(rule, points, amounts):
    result = calculate(validate(definition(rule)), STAFF)
    assert result.lines["points"].tolist() == pytest.approx(points)
    assert [str(a) for a in result.lines["amount"]] == amounts
    # the component points add up to the line's points, re-weighting included
    parts = result.lines[["sales_points", "repurchase_points", "visit_points"]].sum(axis=1)
    assert parts.tolist() == pytest.approx(points)


@pytest.mark.parametrize(
    ("rule", "b_flags", "c_flags"),
    [
        ("zero", {FLAG_MISSING_VALUE, FLAG_REWEIGHTED}, {FLAG_MISSING_VALUE}),
        ("store", {FLAG_STORE_VALUE, FLAG_REWEIGHTED}, {FLAG_MISSING_VALUE}),
        ("reweight", {FLAG_REWEIGHTED}, {FLAG_REWEIGHTED}),
    ],
)
def test_every_use_of_a_rule_is_flagged(rule, b_flags, c_flags):
    flags = calculate(validate(definition(rule)), STAFF).lines["flags"]
    assert flags[0] == ()  # A has every value
    assert {f.message for f in flags[1]} == b_flags
    assert {f.message for f in flags[2]} == c_flags
    assert all(f.params["component"] in {"repurchase", "visit"} for f in flags[1] + flags[2])


def test_the_measure_and_value_of_each_role():
    lines = calculate(validate(definition("store")), STAFF).lines
    # the value column holds what each person was paid on
    assert lines["sales_value"].tolist() == [120.0, 1500.0, 0.6]
    assert lines["sales_attainment"].tolist() == pytest.approx([1.2, 1.5, 0.75])
    assert lines["repurchase_value"].tolist()[:2] == [0.2, 0.5]
    assert math.isnan(lines["repurchase_value"][2])


def test_a_person_with_no_data_on_any_reweighted_component_gets_nothing():
    only = definition("reweight")
    only["components"] = [
        {**c, "missing": "reweight"} for c in only["components"] if c["id"] != "sales"
    ]
    only["components"][0]["weight"], only["components"][1]["weight"] = 0.5, 0.5
    staff = STAFF.assign(repurchase_rate=NAN, visit_score_store=NAN)
    lines = calculate(validate(only), staff).lines
    assert lines["points"].tolist() == [0.0, 0.0, 0.0]
    assert [str(a) for a in lines["amount"]] == ["0.00"] * 3


def test_the_store_rule_needs_only_the_store_columns_it_can_use():
    assert "store_repurchase_rate" in input_columns(validate(definition("store")))
    assert "store_repurchase_rate" not in input_columns(validate(definition("zero")))
    assert {"store_sales_revenue", "store_csat_top2"} <= set(input_columns(validate(definition())))


def test_a_scheme_without_the_new_settings_pays_as_before():
    # Written before issue 17: no "measures", no "missing". Every role is paid on the one
    # measure, a missing value pays 0 with the old flag, and no store column is needed.
    old = definition()
    for component in old["components"]:
        component.pop("measures", None)
        component.pop("missing", None)
    old["components"][0]["target"] = 100
    scheme = validate(old)
    assert all(c.missing == "zero" and c.role_measures == () for c in scheme.components)
    staff = STAFF.drop(columns=["store_sales_revenue", "store_csat_top2", "store_repurchase_rate"])
    lines = calculate(scheme, staff).lines
    # A .95 as above; B: sales 50/100 → .25, repurchase 0, visit 0 → .25 × 2000 = 500;
    # C: sales 0, repurchase 0, visit .25 → 250
    assert [str(a) for a in lines["amount"]] == ["950.00", "500.00", "250.00"]
    assert {f.message for f in lines["flags"][1]} == {FLAG_MISSING_VALUE}
    assert Decimal(str(lines["points"][1])) == Decimal("0.25")


def _problems(changed):
    with pytest.raises(ValidationError) as caught:
        validate(changed)
    return [str(p) for p in caught.value.problems]


def test_the_validator_refuses_bad_levels_and_rules():
    bad_rule = definition("skip")
    assert any("rule for missing data" in p for p in _problems(bad_rule))
    store_sales = definition()
    store_sales["components"][0]["missing"] = "store"
    assert any("sales_revenue has no store value" in p for p in _problems(store_sales))
    unknown = definition()
    unknown["components"][0]["measures"] = {"store_manager": "store_profit", "chef": "csat_top2"}
    problems = _problems(unknown)
    assert any("the measure must be one of" in p for p in problems)
    assert any("unknown staff role “chef”" in p for p in problems)
    survey = definition()
    survey["components"][0]["measures"] = {"store_manager": "engagement_index"}
    assert any("never an input to pay" in p for p in _problems(survey))


def test_the_service_floor_holds_for_every_role():
    # A store manager paid on the store's revenue for repurchase too: service .2 (visit) < .3
    thin = definition("zero")
    thin["components"][1]["measures"] = {"store_manager": "store_sales_revenue"}
    thin["components"][1]["target"] = 0.4
    problems = _problems(thin)
    assert any("For store_manager, service quality" in p and "weighs 20%" in p for p in problems)
    # the front desk's sales part on the store's CSAT raises its service share: .5 + .3 + .2
    scheme = validate(definition())
    assert float(scheme.service_weight_for("front_desk")) == 1.0
    assert float(scheme.service_weight_for("beautician")) == 0.5


def test_the_worked_example_of_docs_incentives():
    # docs/incentives.md, "Measures and levels": a store manager under the shipped scheme.
    from ee_app.instruments.scheme import default_definition

    row = {
        "staff_id": 1,
        "employee_no": "E1",
        "name": "店长",
        "store_code": "S1",
        "store_name": "S1",
        "role": "store_manager",
        "sales_revenue": 5000.0,  # their own sales: not what a store manager is paid on
        "store_sales_revenue": 380000.0,
        "csat_top2": NAN,
        "csat_n": 1,
        "store_csat_top2": 0.74,
        "repurchase_rate": NAN,
        "store_repurchase_rate": 0.35,
        "visit_score_store": NAN,  # no visit this month: re-weighted
        "assessment_passed": True,
        "onboarding_passed": True,
    }
    lines = calculate(validate(default_definition()), pd.DataFrame([row])).lines
    # (.40 × .925 + .25 + .15 + .10) / .90 = .87/.90 = .96667; 4000 × that = 3866.67
    assert lines["sales_payout"][0] == pytest.approx(0.925)
    assert lines["points"][0] == pytest.approx(0.87 / 0.9)
    assert str(lines["amount"][0]) == "3866.67"
