"""Performance pay against hand calculations (the arithmetic in the comments): curves, caps,
weights, per-role targets, gates, the pool in both modes and largest-remainder rounding; then
properties over random schemes, staff and pools."""

import math
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ee_app.analysis import pay as pay_module
from ee_app.analysis.pay import (
    FLAG_CSAT_FROM_STORE,
    FLAG_MISSING_VALUE,
    FLAG_NO_BONUS,
    FLAG_NO_TARGET,
    FLAG_NOT_ONBOARDED,
    FLAG_VISIT_FROM_STORE,
    Flag,
    calculate,
    curve_payout,
    input_columns,
)
from ee_app.analysis.rounding import natural_key
from ee_app.instruments.scheme import (
    MEASURES,
    ROLES,
    SERVICE_MEASURES,
    default_definition,
    validate,
)

NAN = math.nan
BONUS = {"beautician": 2000, "consultant": 3000, "doctor": 5000}
SALES_CURVE = [[0.8, 0.5], [1.0, 1.0], [1.2, 1.5]]


def _scheme(components, *, bonus=None, pool=None, mode=None, gates=None):
    definition = {
        "kind": "scheme",
        "key": "test",
        "version": 1,
        "name": {"en": "Test", "zh-CN": "测试"},
        "target_bonus": BONUS if bonus is None else bonus,
        "gates": gates or {"onboarding_required": True, "csat_min_n": 10, "visit_min_n": 1},
        "components": components,
    }
    if pool is not None:
        definition["pool"] = pool
    if mode is not None:
        definition["pool_mode"] = mode
    return validate(definition)


def _component(cid, measure, weight, target, curve=None):
    return {
        "id": cid,
        "measure": measure,
        "weight": weight,
        "target": target,
        "curve": curve or [[1.0, 1.0]],
    }


SALES = _component("sales", "sales_revenue", 1, 30000, SALES_CURVE)
# Sales alone would break the 30% service floor; CSAT .3 with an all-or-nothing curve at
# attainment 0 always pays 1 for any value of 0 or more, so it adds exactly .3 when present.
CSAT_ALWAYS = _component("csat", "csat_top2", 0.3, 1, [[0, 1]])
SALES_70 = {**SALES, "weight": 0.7}

PERSON = {
    "staff_id": 1,
    "employee_no": "E001",
    "name": "王芳",
    "store_code": "SH01",
    "store_name": "静安店",
    "role": "beautician",
    "sales_revenue": 30000.0,
    "csat_top2": 0.9,
    "csat_n": 20,
    "store_csat_top2": 0.8,
    "repurchase_rate": 0.3,
    "repurchase_value": 5000.0,
    "visit_score_store": 85.0,
    "visit_score_staff": 90.0,
    "visit_n_staff": 2,
    "assessment_passed": True,
    "onboarding_passed": True,
    "store_sales_revenue": 400000.0,
    "store_repurchase_rate": 0.35,
}


def _staff(*changes):
    rows = []
    for i, change in enumerate(changes, start=1):
        rows.append({**PERSON, "staff_id": i, "employee_no": f"E{i:03d}", **change})
    return pd.DataFrame(
        rows, columns=list(dict.fromkeys([*PERSON, *(k for c in changes for k in c)]))
    )


def _amounts(result):
    return [str(a) for a in result.lines["amount"]]


# Curves -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attainment", "payout"),
    [
        (0, 0),
        (-0.5, 0),  # a negative attainment (refunds above sales) pays nothing
        (0.79, 0),  # below the threshold
        (0.8, Fraction(1, 2)),  # at the threshold
        (0.9, Fraction(3, 4)),  # .5 + (1 − .5) × (.9 − .8)/(1 − .8) = .75
        (0.85, Fraction(5, 8)),  # .5 + .5 × .05/.2 = .625
        (1.0, 1),  # at target
        (1.1, Fraction(5, 4)),  # 1 + .5 × .1/.2 = 1.25
        (1.2, Fraction(3, 2)),  # the last point
        (1.5, Fraction(3, 2)),  # above the cap: the last payout
        (Decimal("1.19"), Fraction(295, 200)),  # 1 + .5 × .19/.2 = 1.475
        (Fraction(9, 10), Fraction(3, 4)),
    ],
)
def test_curve_payout(attainment, payout):
    assert curve_payout(SALES_CURVE, attainment) == payout


def test_curve_payout_single_point_and_errors():
    assert curve_payout([[1.0, 1.0]], 0.99) == 0
    assert curve_payout([[1.0, 1.0]], 1) == 1
    assert curve_payout([[1.0, 1.0]], 7) == 1
    assert curve_payout([[0, 0.2], [1, 1]], 0) == Fraction(1, 5)  # threshold at 0
    with pytest.raises(ValueError):
        curve_payout([], 1)
    with pytest.raises(ValueError):
        curve_payout([[1, 1], [0.5, 2]], 1)
    with pytest.raises(ValueError):
        curve_payout(SALES_CURVE, NAN)


@pytest.mark.parametrize(
    ("sales", "amount"),
    [
        # beautician: target 30,000, bonus 2,000; sales weight .7, CSAT .3 always 1.
        # amount = 2000 × (.7 × payout + .3)
        (0.0, "600.00"),  # .7 × 0 + .3 = .3
        (23999.0, "600.00"),  # attainment .79997 < .8: payout 0
        (24000.0, "1300.00"),  # .8: .7 × .5 + .3 = .65
        (27000.0, "1650.00"),  # .9: .7 × .75 + .3 = .825
        (30000.0, "2000.00"),  # 1.0: .7 + .3 = 1
        (31000.0, "2116.67"),  # 1.0333…: payout 1 + .5 × (1/30)/.2 = 1.08333…;
        # .7 × 1.08333… + .3 = 1.058333…; × 2000 = 2116.666… → 2116.67
        (33000.0, "2350.00"),  # 1.1: .7 × 1.25 + .3 = 1.175
        (36000.0, "2700.00"),  # 1.2: .7 × 1.5 + .3 = 1.35
        (90000.0, "2700.00"),  # 3.0: capped at 1.5
    ],
)
def test_one_sales_line(sales, amount):
    scheme = _scheme([SALES_70, CSAT_ALWAYS])
    result = calculate(scheme, _staff({"sales_revenue": sales}))
    assert _amounts(result) == [amount]
    assert str(result.total) == amount and result.scale == 1 and result.n == 1


def test_weights_and_columns():
    # sales .5 (target 30,000), CSAT .3 (target .9, curve .9 → .5, 1.0 → 1.0, capped),
    # repurchase .2 (target .3, 1.0 → 1.0 only).
    # sales 27,000: attainment .9, payout .75, points .375
    # CSAT .855: attainment .95, payout .5 + .5 × .05/.1 = .75, points .225
    # repurchase .33: attainment 1.1 ≥ 1, payout 1, points .2
    # points .8; raw 2000 × .8 = 1600
    scheme = _scheme(
        [
            {**SALES, "weight": 0.5},
            _component("csat", "csat_top2", 0.3, 0.9, [[0.9, 0.5], [1.0, 1.0]]),
            _component("repurchase", "repurchase_rate", 0.2, 0.3),
        ]
    )
    result = calculate(
        scheme, _staff({"sales_revenue": 27000.0, "csat_top2": 0.855, "repurchase_rate": 0.33})
    )
    line = result.lines.iloc[0]
    assert list(result.lines.columns) == [
        *("staff_id", "employee_no", "name", "store_code", "store_name", "role"),
        "target_bonus",
        *("sales_value", "sales_target", "sales_attainment", "sales_payout", "sales_points"),
        *("csat_value", "csat_target", "csat_attainment", "csat_payout", "csat_points"),
        "repurchase_value",
        *("repurchase_target", "repurchase_attainment", "repurchase_payout"),
        "repurchase_points",
        *("points", "flags", "raw", "amount"),
    ]
    assert line.sales_attainment == pytest.approx(0.9) and line.sales_payout == 0.75
    assert line.sales_points == pytest.approx(0.375)
    assert line.csat_attainment == pytest.approx(0.95) and line.csat_payout == 0.75
    assert line.csat_points == pytest.approx(0.225)
    assert line.repurchase_payout == 1 and line.repurchase_points == pytest.approx(0.2)
    assert line.points == pytest.approx(0.8) and line.raw == pytest.approx(1600)
    assert line.amount == Decimal("1600.00") and line.amount.as_tuple().exponent == -2
    assert line["flags"] == () and line.target_bonus == 2000
    assert line["name"] == "王芳" and line.store_name == "静安店"


def test_per_role_targets_and_bonuses():
    # Sales 60,000 for each; weight .7, CSAT .3 always 1.
    # beautician: 60,000/30,000 = 2 → capped 1.5; (.7 × 1.5 + .3) × 2000 = 2700
    # consultant: 60,000/80,000 = .75 < .8 → 0;   (.3) × 3000 = 900
    # doctor:     60,000/50,000 = 1.2 → 1.5;        (.7 × 1.5 + .3) × 5000 = 6750
    targets = {"beautician": 30000, "consultant": 80000, "doctor": 50000}
    scheme = _scheme([{**SALES_70, "target": targets}, CSAT_ALWAYS])
    staff = _staff(
        {"role": "beautician", "sales_revenue": 60000.0},
        {"role": "consultant", "sales_revenue": 60000.0},
        {"role": "doctor", "sales_revenue": 60000.0},
    )
    result = calculate(scheme, staff)
    assert _amounts(result) == ["2700.00", "900.00", "6750.00"]
    assert result.lines["sales_target"].tolist() == [30000, 80000, 50000]
    assert result.lines["target_bonus"].tolist() == [2000, 3000, 5000]
    assert str(result.total) == "10350.00"


def test_a_role_without_a_target_bonus_or_a_target():
    # nurse: no target bonus → 0, flagged; no per-role sales target → the component pays 0
    scheme = _scheme([{**SALES_70, "target": {**BONUS}}, CSAT_ALWAYS])
    result = calculate(scheme, _staff({"role": "nurse"}))
    line = result.lines.iloc[0]
    assert line.amount == Decimal("0.00") and line.target_bonus == 0
    assert line["flags"] == (
        Flag(FLAG_NO_BONUS, {"role": "nurse"}),
        Flag(FLAG_NO_TARGET, {"component": "sales", "role": "nurse"}),
    )
    assert math.isnan(line.sales_target) and math.isnan(line.sales_attainment)


@pytest.mark.parametrize(
    ("override", "amount"),
    [
        (NAN, "2000.00"),  # NaN: the role's 2,000
        (2500.0, "2500.00"),  # a person's own target bonus
        (0.0, "0.00"),
    ],
)
def test_a_personal_target_bonus(override, amount):
    scheme = _scheme([SALES_70, CSAT_ALWAYS])
    result = calculate(scheme, _staff({"target_bonus": override}))
    assert _amounts(result) == [amount]  # everything at 100%: the target bonus


# Gates --------------------------------------------------------------------------------------


def test_onboarding_not_passed_pays_nothing():
    scheme = _scheme([SALES_70, CSAT_ALWAYS])
    staff = _staff({"onboarding_passed": False}, {"onboarding_passed": None}, {})
    result = calculate(scheme, staff)
    assert _amounts(result) == ["0.00", "0.00", "2000.00"]
    assert result.lines["flags"].tolist()[:2] == [(Flag(FLAG_NOT_ONBOARDED, {}),)] * 2
    assert result.lines["points"].tolist() == [1, 1, 1]  # shown, but not paid
    # without the gate, everyone is paid
    ungated = _scheme([SALES_70, CSAT_ALWAYS], gates={"onboarding_required": False})
    assert _amounts(calculate(ungated, staff)) == ["2000.00"] * 3
    assert "onboarding_passed" not in input_columns(ungated)


CSAT_90 = _component("csat", "csat_top2", 0.3, 0.9, [[0.9, 0.5], [1.0, 1.0]])


@pytest.mark.parametrize(
    ("csat", "n", "store", "value", "flagged", "amount"),
    [
        # sales at target (.7 × 1); CSAT target .9: .3 × payout; bonus 2,000
        (0.9, 10, 0.81, 0.9, False, "2000.00"),  # 10 answers: her own .9 → 1
        (0.9, 9, 0.81, 0.81, True, "1700.00"),  # 9 < 10: the store's .81 → .9 → .5; .85
        (0.9, NAN, 0.855, 0.855, True, "1850.00"),  # no count: store .855 → .95 → .75; .925
        (0.5, 3, 0.95, 0.95, True, "2000.00"),  # the store's rate can be better than hers
        (0.9, 0, NAN, NAN, True, "1400.00"),  # no store rate either: CSAT pays 0; .7
    ],
)
def test_csat_below_min_n_uses_the_store(csat, n, store, value, flagged, amount):
    scheme = _scheme([SALES_70, CSAT_90])
    result = calculate(scheme, _staff({"csat_top2": csat, "csat_n": n, "store_csat_top2": store}))
    line = result.lines.iloc[0]
    assert _amounts(result) == [amount]
    assert line.csat_value == pytest.approx(value, nan_ok=True)
    assert (Flag(FLAG_CSAT_FROM_STORE, {"n": 10}) in line["flags"]) is flagged
    if math.isnan(value):
        assert Flag(FLAG_MISSING_VALUE, {"component": "csat"}) in line["flags"]


VISIT_STAFF = _component("visits", "visit_score_staff", 0.3, 80, [[0.9, 0.5], [1.0, 1.0]])


@pytest.mark.parametrize(
    ("own", "n", "store", "value", "flags", "amount"),
    [
        # sales .7 × 1; visits target 80, .3 × payout; bonus 2,000
        (90.0, 1, 70.0, 90.0, (), "2000.00"),  # her own 90 ≥ 80 → 1
        # no visit served by her: the store's 76; 76/80 = .95 → .5 + .5 × .05/.1 = .75;
        # .7 + .3 × .75 = .925 → 1850
        (NAN, 0, 76.0, 76.0, ("store",), "1850.00"),
        (NAN, 0, NAN, NAN, ("store", "missing"), "1400.00"),  # nothing at all: .7
        (NAN, 2, 80.0, NAN, ("missing",), "1400.00"),  # 2 visits but no score: pays 0
    ],
)
def test_missing_visit_score(own, n, store, value, flags, amount):
    scheme = _scheme([SALES_70, VISIT_STAFF])
    result = calculate(
        scheme, _staff({"visit_score_staff": own, "visit_n_staff": n, "visit_score_store": store})
    )
    line = result.lines.iloc[0]
    assert _amounts(result) == [amount]
    assert line.visits_value == pytest.approx(value, nan_ok=True)
    expected = {
        "store": Flag(FLAG_VISIT_FROM_STORE, {"n": 1}),
        "missing": Flag(FLAG_MISSING_VALUE, {"component": "visits"}),
    }
    assert line["flags"] == tuple(expected[f] for f in flags)


def test_missing_sales_pays_zero_with_a_flag():
    scheme = _scheme([SALES_70, CSAT_ALWAYS])
    result = calculate(scheme, _staff({"sales_revenue": NAN}))
    line = result.lines.iloc[0]
    assert line.amount == Decimal("600.00")  # .3 × 2000
    assert line["flags"] == (Flag(FLAG_MISSING_VALUE, {"component": "sales"}),)
    assert line.sales_payout == 0 and math.isnan(line.sales_attainment)
    assert line["flags"][0].render() == "sales: no value, so it pays 0."


# The pool -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pool", "mode", "scale", "amounts", "total"),
    [
        # raw: 2000 (E001 at target), 1300 (E002 at .8 of sales), 600 (E003 no sales) = 3900
        (None, None, 1, ["2000.00", "1300.00", "600.00"], "3900.00"),
        (5000, "cap", 1, ["2000.00", "1300.00", "600.00"], "3900.00"),  # under the cap
        (3900, "cap", 1, ["2000.00", "1300.00", "600.00"], "3900.00"),  # exactly at it
        # 3900 > 3000: scale 3000/3900 = .769230…; 2000 × … = 1538.4615, 1300 × … = 1000,
        # 600 × … = 461.5385; floors 1538.46 + 1000.00 + 461.53 = 2999.99; the missing fen
        # goes to the larger remainder (.85 of a fen against .15): E003
        (3000, "cap", 3000 / 3900, ["1538.46", "1000.00", "461.54"], "3000.00"),
        # exact: scaled up to the pool, 7800/3900 = 2
        (7800, "exact", 2, ["4000.00", "2600.00", "1200.00"], "7800.00"),
        (3000, "exact", 3000 / 3900, ["1538.46", "1000.00", "461.54"], "3000.00"),
        (0, "exact", 0, ["0.00", "0.00", "0.00"], "0.00"),
    ],
)
def test_pool_scaling(pool, mode, scale, amounts, total):
    scheme = _scheme([SALES_70, CSAT_ALWAYS], pool=pool, mode=mode)
    staff = _staff({}, {"sales_revenue": 24000.0}, {"sales_revenue": 0.0})
    result = calculate(scheme, staff)
    assert result.scale == pytest.approx(scale)
    assert _amounts(result) == amounts
    assert str(result.total) == total and str(result.total_raw) == "3900.00"


def test_an_exact_pool_with_nothing_owed_pays_nothing():
    # no one passed onboarding: total raw 0, nothing to scale; scale stays 1
    scheme = _scheme([SALES_70, CSAT_ALWAYS], pool=1000, mode="exact")
    result = calculate(scheme, _staff({"onboarding_passed": False}))
    assert result.scale == 1 and str(result.total) == "0.00"


# Rounding -----------------------------------------------------------------------------------


@pytest.mark.parametrize("order", [(1, 2, 3), (3, 1, 2), (2, 3, 1)])
def test_three_thirds_of_100_sum_to_100(order):
    # three identical lines, a pool of 100.00 in exact mode: 100/3 = 33.333… each; floors
    # 33.33 × 3 = 99.99; the missing fen goes to the smallest employee number, E001,
    # whatever the order of the rows
    scheme = _scheme([SALES_70, CSAT_ALWAYS], pool=100, mode="exact")
    staff = _staff({}, {}, {}).set_index("staff_id").loc[list(order)].reset_index()
    result = calculate(scheme, staff)
    amounts = dict(zip(result.lines["employee_no"], result.lines["amount"], strict=True))
    assert amounts == {
        "E001": Decimal("33.34"),
        "E002": Decimal("33.33"),
        "E003": Decimal("33.33"),
    }
    assert sum(amounts.values()) == Decimal("100.00") == result.total


def test_the_scaled_total_is_rounded_half_up():
    # two lines of a personal target bonus of 0.125 (at 100%): raw .125 each, total .25;
    # floors .12 + .12 = .24, one fen missing, both remainders .5: E001 gets it
    scheme = _scheme([SALES_70, CSAT_ALWAYS])
    result = calculate(scheme, _staff({"target_bonus": 0.125}, {"target_bonus": 0.125}))
    assert _amounts(result) == ["0.13", "0.12"] and str(result.total) == "0.25"
    # three lines of .005: total .015 → .02 (half up); two fen to E001 and E002
    result = calculate(scheme, _staff(*[{"target_bonus": 0.005}] * 3))
    assert _amounts(result) == ["0.01", "0.01", "0.00"] and str(result.total) == "0.02"


# Inputs -------------------------------------------------------------------------------------


def test_input_errors():
    scheme = _scheme([SALES_70, CSAT_ALWAYS])
    with pytest.raises(ValueError, match="store_csat_top2"):
        calculate(scheme, _staff({}).drop(columns="store_csat_top2"))
    with pytest.raises(ValueError, match="one row per staff member"):
        calculate(scheme, pd.concat([_staff({}), _staff({})]))
    with pytest.raises(ValueError, match="sales_revenue must be numeric"):
        calculate(scheme, _staff({"sales_revenue": "a lot"}))
    with pytest.raises(ValueError, match="finite"):
        calculate(scheme, _staff({"sales_revenue": math.inf}))
    with pytest.raises(ValueError, match="target_bonus"):
        calculate(scheme, _staff({"target_bonus": -1.0}))


def test_no_staff():
    scheme = _scheme([SALES_70, CSAT_ALWAYS], pool=1000, mode="exact")
    result = calculate(scheme, _staff())
    assert result.n == 0 and result.total == 0 and result.scale == 1
    assert "amount" in result.lines.columns and result.lines.empty


def test_the_shipped_scheme():
    # Every person exactly at target on every measure their role is paid on (issue 17: a
    # store manager on the store's revenue, CSAT and repurchase, front desk on the store's
    # CSAT in place of sales), the store's mystery-shopper score at its target: 100% each.
    scheme = validate(default_definition())
    rows = []
    for role in ROLES:
        row = {"role": role}
        for component in scheme.components:
            if component.measure_for(role) != "assessment_passed":
                row[component.measure_for(role)] = float(component.target_for(role))
        rows.append(row)
    result = calculate(scheme, _staff(*rows))
    assert result.lines["points"].tolist() == pytest.approx([1.0] * len(ROLES))
    bonuses = [scheme.bonus_for(role) for role in ROLES]
    assert result.lines["amount"].tolist() == [
        Decimal(b.numerator / b.denominator).quantize(Decimal("0.01")) for b in bonuses
    ]
    assert result.total == sum(result.lines["amount"])


def test_the_public_surface():
    assert all(hasattr(pay_module, name) for name in pay_module.__all__)
    assert {"calculate", "curve_payout", "Flag", "PayResult"} <= set(pay_module.__all__)


@pytest.mark.parametrize(
    ("employee_nos", "staff_ids", "gets_the_fen"),
    [
        # As text "E10" < "E2": the old tie-break gave the fen to E10.
        (["E10", "E2", "E3"], [1, 2, 3], "E2"),
        (["E100", "E10", "E9"], [1, 2, 3], "E9"),
        # Full-width digits (typed with a Chinese input method) are the same numbers: Ｅ２ is
        # E2 (as text it sorted after every ASCII id).
        (["E10", "Ｅ２", "E3"], [1, 2, 3], "Ｅ２"),
        # Mixed prefixes: prefix first, then the number (A9 < A10 < B2).
        (["A10", "B2", "A9"], [1, 2, 3], "A9"),
        # Plain numbers before prefixed ones, and by value (20 < 100).
        (["100", "E1", "20"], [1, 2, 3], "20"),
        # Case does not split a run: e2 < E10.
        (["E10", "e2", "E11"], [1, 2, 3], "e2"),
        # The same employee number: the staff id decides, as a number (2 < 10).
        (["E1", "E1", "E1"], [10, 2, 30], 2),
    ],
)
def test_the_fen_ties_go_to_the_smaller_employee_number_in_natural_order(
    employee_nos, staff_ids, gets_the_fen
):
    # Three equal lines of 100/3 in a pool of 100.00 (exact): one fen is missing and goes to
    # the first in natural order, whatever the order of the rows.
    scheme = _scheme([SALES_70, CSAT_ALWAYS], pool=100, mode="exact")
    for order in ((0, 1, 2), (2, 1, 0), (1, 2, 0)):
        staff = _staff(*({"employee_no": employee_nos[i], "staff_id": staff_ids[i]} for i in order))
        result = calculate(scheme, staff)
        key = "staff_id" if isinstance(gets_the_fen, int) else "employee_no"
        amounts = dict(zip(result.lines[key], result.lines["amount"], strict=True))
        assert amounts.pop(gets_the_fen) == Decimal("33.34")
        assert set(amounts.values()) == {Decimal("33.33")}
        assert result.total == Decimal("100.00")


@pytest.mark.parametrize(
    ("ids", "ordered"),
    [
        (["E10", "E2", "E1"], ["E1", "E2", "E10"]),
        (["Ｅ１０", "E9", "Ｅ１"], ["Ｅ１", "E9", "Ｅ１０"]),
        (["SH01-12", "SH01-3", "SH02-1"], ["SH01-3", "SH01-12", "SH02-1"]),
        (["B1", "a2", "A10"], ["a2", "A10", "B1"]),
        (["E1", "1", "E"], ["1", "E", "E1"]),
        # Reading the same: NFKC text, then the original, so the order is total.
        (["Ｅ２", "E02", "E2"], ["E02", "E2", "Ｅ２"]),
        ([10, 9, 100, 2], [2, 9, 10, 100]),
        (["E2", None, "E1"], ["E1", "E2", None]),
    ],
)
def test_natural_key_orders_ids_as_people_read_them(ids, ordered):
    assert sorted(ids, key=natural_key) == ordered
    assert sorted(reversed(ids), key=natural_key) == ordered


# Properties ---------------------------------------------------------------------------------

_RANGES = {
    "sales_revenue": (0, 300000),
    "csat_top2": (0, 1),
    "repurchase_rate": (0, 1),
    "repurchase_value": (0, 50000),
    "visit_score_store": (0, 100),
    "visit_score_staff": (0, 100),
    "assessment_passed": (0, 1),
    "store_sales_revenue": (0, 3000000),
    "store_csat_top2": (0, 1),
    "store_repurchase_rate": (0, 1),
}


def _split(draw, total, parts):
    """``parts`` positive whole numbers adding up to ``total``."""
    if parts == 1:
        return [total]
    cuts = sorted(draw(st.sets(st.integers(1, total - 1), min_size=parts - 1, max_size=parts - 1)))
    bounds = [0, *cuts, total]
    return [b - a for a, b in pairwise(bounds)]


def _target(draw, measure):
    high = _RANGES[measure][1]
    number = st.floats(max(high / 100, 0.01), high, allow_nan=False).map(lambda x: round(x, 2))
    if draw(st.booleans()):
        return draw(number)
    return {role: draw(number) for role in ROLES}


@st.composite
def schemes(draw):
    measures = draw(st.lists(st.sampled_from(list(MEASURES)), min_size=1, max_size=5))
    if not any(m in SERVICE_MEASURES for m in measures):
        measures[0] = draw(st.sampled_from(sorted(SERVICE_MEASURES)))
    service = [i for i, m in enumerate(measures) if m in SERVICE_MEASURES]
    other = [i for i, m in enumerate(measures) if m not in SERVICE_MEASURES]
    # weights in hundredths: service quality gets at least 30 of the 100
    service_total = draw(st.integers(max(30, len(service)), 100 - len(other))) if other else 100
    weights = dict(zip(service, _split(draw, service_total, len(service)), strict=True))
    if other:
        weights |= dict(zip(other, _split(draw, 100 - service_total, len(other)), strict=True))
    components = []
    for i, measure in enumerate(measures):
        size = draw(st.integers(1, 4))
        attainments = sorted(draw(st.sets(st.integers(0, 200), min_size=size, max_size=size)))
        payouts = sorted(draw(st.lists(st.integers(0, 200), min_size=size, max_size=size)))
        components.append(
            {
                "id": f"c{i}",
                "measure": measure,
                "weight": str(Decimal(weights[i]).scaleb(-2)),
                "target": _target(draw, measure),
                "curve": [[a / 100, p / 100] for a, p in zip(attainments, payouts, strict=True)],
            }
        )
    definition = {
        "kind": "scheme",
        "key": "random",
        "version": 1,
        "name": {"en": "Random", "zh-CN": "随机"},
        "target_bonus": {role: draw(st.integers(0, 10000)) for role in ROLES},
        "gates": {
            "onboarding_required": draw(st.booleans()),
            "csat_min_n": draw(st.integers(0, 15)),
            "visit_min_n": draw(st.integers(0, 3)),
        },
        "components": components,
    }
    if draw(st.booleans()):
        definition["pool"] = draw(st.integers(0, 10**8)) / 100
        definition["pool_mode"] = draw(st.sampled_from(["cap", "exact"]))
    return validate(definition)


def _value(measure):
    low, high = _RANGES[measure]
    if measure == "assessment_passed":
        return st.sampled_from([True, False, None])
    return st.one_of(st.just(NAN), st.floats(low, high, allow_nan=False))


@st.composite
def staff_tables(draw, min_size=0):
    n = draw(st.integers(min_size, 12))
    rows = []
    for i in range(n):
        row = {
            "staff_id": i + 1,
            "employee_no": f"E{draw(st.integers(0, 999)):03d}-{i}",
            "name": f"员工{i}",
            "store_code": "S1",
            "store_name": "门店",
            "role": draw(st.sampled_from(ROLES)),
            "csat_n": draw(st.integers(0, 30)),
            "store_csat_top2": draw(_value("csat_top2")),
            "visit_n_staff": draw(st.integers(0, 4)),
            "onboarding_passed": draw(st.booleans()),
            "target_bonus": draw(st.one_of(st.just(NAN), st.integers(0, 8000).map(float))),
        }
        for measure in MEASURES:
            row[measure] = draw(_value(measure))
        rows.append(row)
    columns = [*PERSON, "target_bonus"]
    return pd.DataFrame(rows, columns=columns).astype({"assessment_passed": "boolean"})


PROPERTY = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@PROPERTY
@given(schemes(), staff_tables())
def test_amounts_add_up_exactly_and_stay_within_a_fen(scheme, staff):
    result = calculate(scheme, staff)
    lines = result.lines
    amounts = list(lines["amount"])
    assert sum(amounts, Decimal(0)) == result.total
    assert all(a >= 0 and a.as_tuple().exponent == -2 for a in amounts)
    scaled = [raw * result.scale for raw in lines["raw"]]
    # the exact difference is below a fen; the float raw and scale carry ~1e-12 of error
    assert all(abs(float(a) - s) < 0.01 + 1e-6 for a, s in zip(amounts, scaled, strict=True))
    assert abs(float(result.total) - sum(scaled)) <= 0.005 + 1e-6
    assert result.n == len(staff)
    if scheme.pool is not None and result.total_raw > 0:
        if scheme.pool_mode == "exact":
            assert result.total == scheme.pool
        else:
            assert result.total <= scheme.pool and result.scale <= 1
    if scheme.pool is None:
        assert result.scale == 1


_GATE_PARTNER = {"csat_top2": "store_csat_top2", "visit_score_staff": "visit_score_store"}


@PROPERTY
@given(schemes(), staff_tables(min_size=1), st.data())
def test_raising_a_measure_never_lowers_the_raw_amount(scheme, staff, data):
    i = data.draw(st.integers(0, len(staff) - 1))
    measure = data.draw(st.sampled_from([*MEASURES, *_GATE_PARTNER.values()]))
    before = calculate(scheme, staff).lines["raw"]
    raised = staff.copy()
    if measure == "assessment_passed":
        raised.loc[i, measure] = True
    else:
        old = raised.loc[i, measure]
        low, high = _RANGES.get(measure, (0, 1) if "csat" in measure else (0, 100))
        new = data.draw(st.floats(low, high * 2, allow_nan=False))
        assume(math.isnan(old) or new >= old)  # from missing to any value counts as a rise
        raised.loc[i, measure] = new
    after = calculate(scheme, raised).lines["raw"]
    assert after[i] >= before[i]
    others = [j for j in range(len(staff)) if j != i]
    assert after[others].tolist() == before[others].tolist()
