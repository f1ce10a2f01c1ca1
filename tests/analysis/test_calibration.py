"""Calibration of pay before approval (ee_app.analysis.calibration): the per-role distributions
against an independent quantile routine, the share paid nothing and the three warning rules
against counts made by hand on crafted lines."""

from __future__ import annotations

import math
import statistics

import pandas as pd
import pytest

from ee_app.analysis.calibration import (
    ALL_BELOW,
    MEDIAN_HIGH,
    MEDIAN_LOW,
    MEDIAN_OFF,
    NOTHING,
    NOTHING_SHARE,
    PAYOUT,
    Finding,
    calibrate,
    lines_frame,
    summary,
)
from ee_app.i18n import translator
from ee_app.instruments.scheme import validate

SCHEME = validate(
    {
        "kind": "scheme",
        "key": "k",
        "version": 1,
        "name": {"en": "n", "zh-CN": "n"},
        "target_bonus": {"beautician": 2000, "front_desk": 1000, "store_manager": 4000},
        "components": [
            # threshold 80% of target
            {
                "id": "sales",
                "measure": "sales_revenue",
                "weight": 0.5,
                "target": 100,
                "curve": [[0.8, 0.5], [1.0, 1.0], [1.2, 1.5]],
            },
            # threshold 90% of target
            {
                "id": "csat",
                "measure": "csat_top2",
                "weight": 0.5,
                "target": 0.8,
                "curve": [[0.9, 0.5], [1.0, 1.0]],
            },
        ],
    }
)


def _lines(rows):
    """rows: (role, target bonus, amount, sales attainment, sales payout, csat att., payout)."""
    return pd.DataFrame(
        [
            {
                "employee_no": f"E{i}",
                "role": role,
                "target_bonus": bonus,
                "amount": amount,
                "sales_attainment": sa,
                "sales_payout": sp,
                "csat_attainment": ca,
                "csat_payout": cp,
            }
            for i, (role, bonus, amount, sa, sp, ca, cp) in enumerate(rows, start=1)
        ]
    )


NAN = math.nan
# Four store managers, all below 80% of the sales target: rule 1 on sales. Their CSAT: one of
# four below the 90% threshold (25% < 50%, no warning). Payouts 2000, 2000, 2200, 1600 of
# 4000: 0.5, 0.5, 0.55, 0.4, median (0.5 + 0.5) / 2 = 0.5 < 0.7: rule 3.
MANAGERS = [
    ("store_manager", 4000, 2000, 0.05, 0, 1.0, 1.0),
    ("store_manager", 4000, 2000, 0.00, 0, 1.0, 1.0),
    ("store_manager", 4000, 2200, 0.79, 0, 1.05, 1.0),
    ("store_manager", 4000, 1600, 0.30, 0, 0.85, 0.0),
]
# Three front desk: two without a sales value (no attainment: not "all below"), one below:
# all three paid nothing on sales, 3 of 3 = 100% ≥ 50%: rule 2. Payouts 1000, 900, 1100 of
# 1000: median 1.0, on target.
FRONT = [
    ("front_desk", 1000, 1000, NAN, 0, 1.0, 1.0),
    ("front_desk", 1000, 900, NAN, 0, 1.0, 1.0),
    ("front_desk", 1000, 1100, 0.1, 0, 1.0, 1.0),
]
# Four beauticians: sales paid nothing for 1 of 4 (25%), CSAT for 2 of 4 (50% = the share:
# rule 2); payouts 3000, 2800, 2400, 2000 of 2000 → 1.5, 1.4, 1.2, 1.0: median 1.3 is on the
# upper edge of the band (not above it): no rule 3. A fifth without a target bonus is left
# out of the payouts but counts in the share paid nothing (2 of 5, 40%: no rule 2).
BEAUTICIANS = [
    ("beautician", 2000, 3000, 1.2, 1.5, 0.5, 0.0),
    ("beautician", 2000, 2800, 1.1, 1.25, 0.8, 0.0),
    ("beautician", 2000, 2400, 1.0, 1.0, 1.0, 1.0),
    ("beautician", 2000, 2000, 0.7, 0.0, 1.0, 1.0),
    ("beautician", 0, 0, 1.0, 1.0, 1.0, 1.0),
]


def test_the_rules_constants_are_the_documented_ones():
    assert (NOTHING_SHARE, MEDIAN_LOW, MEDIAN_HIGH) == (0.5, 0.7, 1.3)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            MANAGERS,
            [
                (ALL_BELOW, {"role": "store_manager", "component": "sales", "n": 4}),
                (MEDIAN_OFF, {"role": "store_manager", "median": 0.5}),
            ],
        ),
        (FRONT, [(NOTHING, {"role": "front_desk", "component": "sales", "count": 3, "n": 3})]),
        (BEAUTICIANS, []),  # CSAT: 2 of 5 paid nothing, 40% < 50%
        (
            BEAUTICIANS[:4],  # CSAT: 2 of 4, 50%: rule 2; median payout 1.3, on the edge
            [(NOTHING, {"role": "beautician", "component": "csat", "count": 2, "n": 4})],
        ),
        ([("front_desk", 1000, 1000, 1.0, 1.0, 1.0, 1.0)], []),
    ],
    ids=["managers", "front-desk", "five-beauticians", "four-beauticians", "calibrated"],
)
def test_warnings_by_hand(rows, expected):
    warnings = calibrate(SCHEME, _lines(rows)).warnings
    assert len(warnings) == len(expected)
    for warning, (code, params) in zip(warnings, expected, strict=True):
        assert warning.code == code
        assert {k: warning.params[k] for k in params} == pytest.approx(params)


def test_warnings_come_per_role_in_role_order_and_read_in_both_languages():
    cal = calibrate(SCHEME, _lines(FRONT + BEAUTICIANS[:4] + MANAGERS))
    assert [(w.params["role"], w.code) for w in cal.warnings] == [
        ("beautician", NOTHING),
        ("front_desk", NOTHING),
        ("store_manager", ALL_BELOW),
        ("store_manager", MEDIAN_OFF),
    ]
    english = [w.render() for w in cal.warnings]
    assert english == [
        "Beautician: 50% paid nothing on CSAT top-2 (shrunken) (2 of 4).",
        "Front desk: 100% paid nothing on Sales revenue (3 of 3).",
        "Store manager: all 4 are below the threshold of Sales revenue.",
        "Store manager: the median payout is 50% of the target bonus (outside 70%–130%).",
    ]
    chinese = [w.render(translator("zh-CN")) for w in cal.warnings]
    assert chinese[2].startswith("店长") and "销售" in chinese[2]
    for text in chinese:
        assert "_" not in text and "None" not in text and "nan" not in text


def test_beauticians_share_counts_everyone_in_the_role():
    # 2 of 5 beauticians (the one without a target bonus counts here: paid on CSAT 1.0) is
    # 40%, below 50%; dropping that line makes it 2 of 4 = 50%: a warning.
    five = calibrate(SCHEME, _lines(BEAUTICIANS)).nothing.set_index(["role", "component"])
    assert five.loc[("beautician", "csat"), ["count", "n"]].tolist() == [2, 5]
    assert five.loc[("beautician", "csat"), "share"] == pytest.approx(0.4)
    four = calibrate(SCHEME, _lines(BEAUTICIANS[:4])).warnings
    assert [(w.code, w.params["count"], w.params["n"]) for w in four] == [(NOTHING, 2, 4)]


def test_distributions_match_an_independent_quantile_routine():
    cal = calibrate(SCHEME, _lines(MANAGERS + FRONT + BEAUTICIANS))
    table = cal.distribution.set_index(["role", "quantity"])
    # statistics.quantiles(method="inclusive") is Hyndman & Fan type 7, as numpy's default.
    cases = {
        ("store_manager", PAYOUT): [0.5, 0.5, 0.55, 0.4],
        ("store_manager", "sales"): [0.05, 0.0, 0.79, 0.30],
        ("front_desk", "sales"): [0.1],  # two without a value are not counted
        ("beautician", PAYOUT): [1.5, 1.4, 1.2, 1.0],  # the one without a target bonus left out
        ("beautician", "csat"): [0.5, 0.8, 1.0, 1.0, 1.0],
    }
    for key, values in cases.items():
        row = table.loc[key]
        assert row["n"] == len(values)
        assert row["min"] == pytest.approx(min(values)) and row["max"] == pytest.approx(max(values))
        if len(values) > 1:
            q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
        else:
            q1 = median = q3 = values[0]
        assert [row["q1"], row["median"], row["q3"]] == pytest.approx([q1, median, q3]), key
    assert table.loc[("store_manager", PAYOUT), "median"] == pytest.approx(0.5)
    # one point per staff member with a target bonus, for the chart
    assert len(cal.payouts) == len(MANAGERS + FRONT + BEAUTICIANS) - 1


def test_summary_of_nothing_and_a_stored_run_round_trip():
    assert summary([NAN])["n"] == 0 and math.isnan(summary([])["q1"])
    stored = [
        {
            "employee_no": f"E{i}",
            "role": "store_manager",
            "target_bonus": "4000.00",
            "amount": f"{amount:.2f}",
            "detail": {
                "sales_attainment": sa,
                "sales_payout": sp,
                "csat_attainment": ca,
                "csat_payout": cp,
                "flags": [],
            },
        }
        for i, (_, _b, amount, sa, sp, ca, cp) in enumerate(MANAGERS, start=1)
    ]
    from_store = calibrate(SCHEME, lines_frame(stored)).warnings
    assert from_store == calibrate(SCHEME, _lines(MANAGERS)).warnings
    finding = from_store[0]
    assert Finding.from_plain(finding.plain()) == finding


def test_an_empty_calculation_has_no_warnings():
    cal = calibrate(SCHEME, _lines([]).reindex(columns=_lines(FRONT).columns))
    assert cal.warnings == () and cal.distribution.empty and cal.payouts.empty


def test_a_component_left_out_by_reweighting_is_not_paid_nothing():
    """Two of three front-desk lines have no CSAT and the scheme's rule spreads its weight over
    their other components (flagged, payout 0): they are not "paid nothing" on CSAT. Counted
    by hand: of the one left, 0 paid nothing; without the flags 2 of 3 (67%) would warn."""
    from ee_app.analysis.pay import FLAG_REWEIGHTED

    rows = [
        ("front_desk", 1000, 1000, 1.0, 1.0, NAN, 0.0),
        ("front_desk", 1000, 1000, 1.0, 1.0, NAN, 0.0),
        ("front_desk", 1000, 1000, 1.0, 1.0, 1.0, 1.0),
    ]
    left_out = (FLAG_REWEIGHTED, {"component": "csat"})
    lines = _lines(rows).assign(flags=[(left_out,), [list(left_out)], ()])  # as run or stored
    cal = calibrate(SCHEME, lines)
    nothing = cal.nothing.set_index(["role", "component"]).loc[("front_desk", "csat")]
    assert (nothing["count"], nothing["n"]) == (0, 1) and cal.warnings == ()
    plain = calibrate(SCHEME, _lines(rows)).warnings
    assert [(w.code, w.params["count"], w.params["n"]) for w in plain] == [(NOTHING, 2, 3)]
