"""Who gains, who loses (issue 17): small crafted line sets compared by hand."""

from decimal import Decimal

import pandas as pd
import pytest

from ee_app.analysis.pay_compare import change_bins, compare_lines, group_totals, top_movers


def lines(rows):
    """(staff_id, employee_no, store, role, amount) → a line frame."""
    return pd.DataFrame(
        [
            {
                "staff_id": s,
                "employee_no": e,
                "name": f"N{s}",
                "store_name": st,
                "role": r,
                "amount": a,
            }
            for s, e, st, r, a in rows
        ]
    )


BEFORE = lines(
    [
        (1, "E1", "S1", "nurse", Decimal("1000.00")),
        (2, "E2", "S1", "doctor", Decimal("2000.00")),
        (3, "E3", "S2", "nurse", Decimal("800.10")),
        (4, "E4", "S2", "front_desk", Decimal("300.00")),
    ]
)


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # Nothing changed: everyone "same", change 0 (the 188-at-zero case of issue 17).
        (
            BEFORE,
            {"E1": (0.0, "same"), "E2": (0.0, "same"), "E3": (0.0, "same"), "E4": (0.0, "same")},
        ),
        # By hand: 1100 − 1000 = +100; 1999.99 − 2000 = −0.01; 800.10 − 800.10 = 0;
        # E4 left (only in the baseline), E10 joined (only in the draft).
        (
            lines(
                [
                    (1, "E1", "S1", "nurse", Decimal("1100.00")),
                    (2, "E2", "S1", "doctor", Decimal("1999.99")),
                    (3, "E3", "S2", "nurse", 800.1),
                    (10, "E10", "S2", "nurse", 50),
                ]
            ),
            {
                "E1": (100.0, "gains"),
                "E2": (-0.01, "loses"),
                "E3": (0.0, "same"),
                "E4": (None, "left"),
                "E10": (None, "joined"),
            },
        ),
    ],
)
def test_compare_lines_by_hand(after, expected):
    got = compare_lines(after, BEFORE).set_index("employee_no")
    assert list(got.index) == sorted(expected, key=lambda e: int(e[1:]))  # E2 before E10
    for employee, (change, status) in expected.items():
        assert got.loc[employee, "status"] == status
        if change is None:
            assert pd.isna(got.loc[employee, "change"])
        else:
            assert got.loc[employee, "change"] == pytest.approx(change, abs=1e-9)


def test_group_totals_by_hand():
    # E1 moves from S1 to S2 and gains 100; E4 leaves; E10 joins S1 with 50.
    after = lines(
        [
            (1, "E1", "S2", "nurse", Decimal("1100.00")),
            (2, "E2", "S1", "doctor", Decimal("2000.00")),
            (3, "E3", "S2", "nurse", Decimal("800.10")),
            (10, "E10", "S1", "nurse", Decimal("50.00")),
        ]
    )
    stores = group_totals(after, BEFORE, "store_name").set_index("store_name")
    # S1 before: 1000 + 2000 = 3000 (2 staff); after: 2000 + 50 = 2050 (2 staff).
    # S2 before: 800.10 + 300 = 1100.10 (2); after: 1100 + 800.10 = 1900.10 (2).
    assert stores.loc["S1"].tolist() == [2, 2, 3000.0, 2050.0, -950.0]
    assert stores.loc["S2"].tolist() == [2, 2, 1100.1, 1900.1, 800.0]
    roles = group_totals(after, BEFORE, "role").set_index("role")
    # nurse before 1000 + 800.10 = 1800.10; after 1100 + 800.10 + 50 = 1950.10.
    assert roles.loc["nurse"].tolist() == [2, 3, 1800.1, 1950.1, 150.0]
    assert roles.loc["front_desk"].tolist() == [1, 0, 300.0, 0.0, -300.0]
    # Each column adds up to its set's total: 4100.10 before, 3950.10 after.
    assert stores["before"].sum() == pytest.approx(4100.10)
    assert roles["after"].sum() == pytest.approx(3950.10)


@pytest.mark.parametrize(
    ("changes", "status", "n", "up", "down"),
    [
        (
            [30.0, -5.0, 30.0, 0.0, -50.0],
            ["gains", "loses", "gains", "same", "loses"],
            10,
            ["E1", "E3"],
            ["E5", "E2"],
        ),
        (
            [30.0, -5.0, 30.0, 0.0, -50.0],
            ["gains", "loses", "gains", "same", "loses"],
            1,
            ["E1"],
            ["E5"],
        ),
        ([0.0, 0.0], ["same", "same"], 10, [], []),
    ],
)
def test_top_movers(changes, status, n, up, down):
    comparison = pd.DataFrame(
        {
            "employee_no": [f"E{i + 1}" for i in range(len(changes))],
            "change": changes,
            "status": status,
        }
    )
    gains, losses = top_movers(comparison, n)
    assert list(gains["employee_no"]) == up and list(losses["employee_no"]) == down


@pytest.mark.parametrize(
    ("changes", "bins", "expected"),
    [
        # Largest |change| 120 over 5 bars: 24 → width 50. −50 lands in [−50, 0), 50 in (0, 50].
        (
            [0.0, -50.0, 50.0, 50.01, 120.0],
            5,
            [
                (-50.0, 0.0, 1, "loses"),
                (0.0, 0.0, 1, "same"),
                (0.0, 50.0, 1, "gains"),
                (50.0, 100.0, 1, "gains"),
                (100.0, 150.0, 1, "gains"),
            ],
        ),
        # All unchanged: one grey bar (never a red one).
        ([0.0] * 188, 12, [(0.0, 0.0, 188, "same")]),
        # A fen: width 0.01 (the smallest).
        ([-0.01, 0.01], 12, [(-0.01, 0.0, 1, "loses"), (0.0, 0.01, 1, "gains")]),
        # Largest 700 in 12 bars: 58.3 → width 100; −700 in [−700, −600).
        ([-700.0, -1.0], 12, [(-700.0, -600.0, 1, "loses"), (-100.0, 0.0, 1, "loses")]),
        ([], 12, []),
    ],
)
def test_change_bins(changes, bins, expected):
    got = change_bins(pd.Series(changes, dtype=float), bins)
    assert [tuple(r) for r in got.itertuples(index=False)] == expected


@pytest.mark.parametrize(
    "bad",
    [
        lines([(1, "E1", "S1", "nurse", 1.001)]),  # not whole fen
        lines([(1, "E1", "S1", "nurse", 1), (1, "E1", "S1", "nurse", 2)]),  # twice
        pd.DataFrame({"staff_id": [1]}),  # columns missing
    ],
)
def test_bad_lines_are_refused(bad):
    with pytest.raises(ValueError):
        compare_lines(bad, BEFORE)
