"""CSAT and repurchase outcomes against hand calculations and published values (sources in the
comments), and repurchase against a slow loop-by-loop reference on random data."""

import time
from collections import defaultdict
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from ee_app.analysis.csat import csat_by_staff, fit_beta_prior
from ee_app.analysis.intervals import wilson_ci
from ee_app.analysis.repurchase import repurchase, repurchase_by_store
from tests.analysis.test_engagement import NEWCOMBE


def _answers(staff, scores, *, scale=5, store="s1", role="beautician", touchpoint="treatment"):
    """One CSAT record per score for one staff member."""
    return pd.DataFrame(
        {
            "staff_id": staff,
            "store_id": store,
            "role": role,
            "touchpoint": touchpoint,
            "score": list(scores),
            "scale": scale,
        }
    )


def _staff_with(staff, top, n, store="s1"):
    """A staff member with ``top`` answers of 5 and ``n - top`` of 3 (1–5 scale)."""
    return _answers(staff, [5] * top + [3] * (n - top), store=store)


# --- CSAT -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "scales", "n", "top2", "mean5"),
    [
        # 1–5: top-2 = the 5, 4 and 5 → 3; mean (5 + 4 + 3 + 5) / 4 = 17/4 = 4.25
        ([5, 4, 3, 5], 5, 4, 3, 4.25),
        # 0–10: top-2 = 10 and 9 → 2; 1 + 4x/10 = 5, 4.6, 4.2, 2.2 → 16/4 = 4.0
        ([10, 9, 8, 3], 10, 4, 2, 4.0),
        # mixed: 5 (1–5) → 5; 10 → 5; 0 → 1; mean 11/3; top-2 the 5 and the 10 → 2
        ([5, 10, 0], [5, 10, 10], 3, 2, 11 / 3),
    ],
)
def test_csat_counts_by_hand(scores, scales, n, top2, mean5):
    row = csat_by_staff(_answers("a", scores, scale=scales), prior_by=None).iloc[0]
    assert (row["n"], row["top2"]) == (n, top2)
    assert row["mean5"] == pytest.approx(mean5)
    assert row["top2_rate"] == pytest.approx(top2 / n)


def test_csat_wilson_interval_matches_engagement_wilson_ci():
    row = csat_by_staff(_answers("a", [5, 4, 3, 5]), prior_by=None).iloc[0]
    # 3 of 4: p .75, z² = 3.8415; centre (.75 + .4802)/1.9604 = .6275,
    # half 1.96·√(.046875 + .0600)/1.9604 = .3268 → [.3006, .9544]
    assert (row["top2_low"], row["top2_high"]) == pytest.approx(wilson_ci(3, 4)[1:])
    assert (round(row["top2_low"], 4), round(row["top2_high"], 4)) == (0.3006, 0.9544)


@pytest.mark.parametrize(("successes", "n", "low", "high"), NEWCOMBE)  # the published cases
def test_csat_wilson_interval_matches_newcombe(successes, n, low, high):
    row = csat_by_staff(_staff_with("a", successes, n), prior_by=None).iloc[0]
    assert (round(row["top2_low"], 4), round(row["top2_high"], 4)) == (low, high)


@pytest.mark.parametrize(("min_n", "below"), [(10, True), (5, True), (4, False), (0, False)])
def test_csat_min_n_flag(min_n, below):
    row = csat_by_staff(_answers("a", [5, 4, 3, 5]), prior_by=None, min_n=min_n).iloc[0]
    assert bool(row["below_min"]) is below  # n = 4 < min_n


def test_csat_touchpoint_breakdown_keeps_store_and_role():
    records = pd.concat(
        [
            _answers("a", [5, 5, 2], touchpoint="treatment", role="consultant"),
            _answers("a", [4], touchpoint="reception", role="consultant"),
            _answers("b", [1, 2], touchpoint="reception", store="s2"),
        ]
    )
    table = csat_by_staff(records, by=("staff_id", "touchpoint"), prior_by=None)
    got = table[["staff_id", "touchpoint", "store_id", "role", "n", "top2"]].values.tolist()
    assert got == [
        ["a", "reception", "s1", "consultant", 1, 1],  # the 4
        ["a", "treatment", "s1", "consultant", 3, 2],  # 5, 5 of 5, 5, 2
        ["b", "reception", "s2", "beautician", 2, 0],
    ]


def test_csat_store_and_role_are_the_most_frequent():
    records = pd.concat(
        [
            _answers("a", [5, 5, 5], store="s2"),
            _answers("a", [5], store="s1", role="nurse"),
            _answers("b", [5], store="s2"),  # tie 1–1: the smaller id, s1
            _answers("b", [5], store="s1"),
        ]
    )
    table = csat_by_staff(records, prior_by=None)
    assert table[["staff_id", "store_id", "role"]].values.tolist() == [
        ["a", "s2", "beautician"],  # 3 of 4 answers at s2 as a beautician
        ["b", "s1", "beautician"],
    ]


@pytest.mark.parametrize(
    ("records", "message"),
    [
        (_answers("a", [6]), "1–5"),
        (_answers("a", [11], scale=10), "0–10"),
        (_answers("a", [5], scale=7), "scale"),
        (_answers("a", [5]).drop(columns="role"), "role"),
        (_answers("a", [5]).assign(score=None), "numeric"),
    ],
)
def test_csat_bad_input(records, message):
    with pytest.raises(ValueError, match=message):
        csat_by_staff(records)


# --- beta prior and shrinkage -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "trials", "alpha", "beta"),
    [
        # Kleinman's moment estimator: ρ = (S/(μ(1−μ)) − (k − 1))/(N − Σn²/N − (k − 1)).
        # μ = 20/40 = .5; rates .3, .5, .7; S = 10·.2² + 20·0 + 10·.2² = .8; S/.25 = 3.2;
        # Σn²/N = 600/40 = 15; ρ = (3.2 − 2)/(40 − 15 − 2) = 1.2/23 = .0521739;
        # α + β = 1/ρ − 1 = 18.16667 → α = β = 9.08333
        ([3, 10, 7], [10, 20, 10], 9.08333, 9.08333),
        # everyone alike: rates .5, .5, .5 → S = 0 < (k − 1)·μ(1−μ), ρ < 0 → α + β = 1000
        ([5, 5, 5], [10, 10, 10], 500.0, 500.0),
        # far apart: μ = .5, S = 5, S/.25 = 20; ρ = (20 − 1)/(20 − 10 − 1) = 2.11 → 1/ρ − 1 < 2:
        # clipped to 2
        ([0, 10], [10, 10], 1.0, 1.0),
        # μ = 1: no variance at all → strength 1000, all on α
        ([10, 4], [10, 4], 1000.0, 0.0),
    ],
)
def test_fit_beta_prior_by_hand(successes, trials, alpha, beta):
    assert fit_beta_prior(np.array(successes), np.array(trials)) == pytest.approx(
        (alpha, beta), abs=1e-5
    )


def test_fit_beta_prior_max_strength():
    # the everyone-alike case takes max_strength itself: .5·50 = 25 each
    assert fit_beta_prior(np.array([5, 5]), np.array([10, 10]), max_strength=50) == (25.0, 25.0)


@pytest.mark.parametrize(
    ("successes", "trials", "max_strength", "message"),
    [
        ([1, 2], [3], 1000, "same length"),
        ([], [], 1000, "at least one"),
        ([0], [0], 1000, "at least one trial"),
        ([4], [3], 1000, "between 0"),
        ([1], [3], 1, "max_strength"),
    ],
)
def test_fit_beta_prior_bad_input(successes, trials, max_strength, message):
    with pytest.raises(ValueError, match=message):
        fit_beta_prior(np.array(successes), np.array(trials), max_strength=max_strength)


def _strength_before_issue_16(x: np.ndarray, n: np.ndarray) -> float:
    """The estimator the app used before issue 16 (noise k/N, spread over N), as a control."""
    total = n.sum()
    mu = x.sum() / total
    between = np.sum(n * (x / n - mu) ** 2) / total - mu * (1 - mu) * len(n) / total
    return 1000.0 if between <= 0 else float(np.clip(mu * (1 - mu) / between - 1, 2, 1000))


@pytest.mark.parametrize(
    ("strength", "fewest", "most"),
    [
        (10, 10, 40),  # a store's staff over one month
        (40, 10, 40),
        # A strength of 150 (true rates within about ±.03) cannot be told from noise with a
        # month of answers (the median estimate is 189); a quarter's answers can.
        (150, 20, 80),
    ],
)
def test_fit_beta_prior_recovers_known_strengths_in_simulation(strength, fewest, most):
    """200 seeded data sets per true prior: 30 staff with ``fewest``–``most`` answers each,
    true rates from Beta(.8·s, .2·s). The estimate of α + β is skewed (1/ρ̂ − 1, clipped to
    [2, 1000]), so its median is what must sit near the truth: within 15%. The estimator
    before issue 16 misses 40 and 150 by more than that (upward: 65 and 990 for one month)."""
    rng = np.random.default_rng(20261116 + strength)
    found, before = [], []
    for _ in range(200):
        n = rng.integers(fewest, most + 1, 30)
        x = rng.binomial(n, rng.beta(0.8 * strength, 0.2 * strength, 30))
        alpha, beta = fit_beta_prior(x, n)
        found.append(alpha + beta)
        before.append(_strength_before_issue_16(x.astype(float), n.astype(float)))
    assert np.median(found) == pytest.approx(strength, rel=0.15)
    if strength >= 40:
        assert np.median(before) > 1.15 * strength


# Store s1: A 3/3, B 100/200, C 190/200, D 120/200, E 180/200.
STORE_S1 = [("A", 3, 3), ("B", 100, 200), ("C", 190, 200), ("D", 120, 200), ("E", 180, 200)]


def test_shrinkage_moves_small_samples_toward_the_store_and_large_ones_barely():
    records = pd.concat([_staff_with(s, x, n) for s, x, n in STORE_S1])
    table = csat_by_staff(records).set_index("staff_id")
    # μ = 593/803 = .738481, μ(1−μ) = .193127;
    # S = 3·.261519² + 200·(.238481² + .211519² + .138481² + .161519²)
    #   = .205177 + 200·.146878 = 29.58095; S/μ(1−μ) = 153.16840;
    # Σn²/N = (9 + 4·40000)/803 = 199.26401; ρ = (153.16840 − 4)/(803 − 199.26401 − 4)
    #   = 149.16840/599.73599 = .248723 → α + β = 1/ρ − 1 = 3.02053;
    # α = .738481·3.02053 = 2.23060, β = .261519·3.02053 = .78993
    assert table.loc["A", "prior_alpha"] == pytest.approx(2.23060, abs=1e-5)
    assert table.loc["A", "prior_beta"] == pytest.approx(0.78993, abs=1e-5)
    # A: (3 + 2.23060)/(3 + 3.02053) = 5.23060/6.02053 = .86879, pulled from 1.0 toward .738
    assert table.loc["A", "shrunk"] == pytest.approx(0.86879, abs=1e-5)
    # B: (100 + 2.23060)/(200 + 3.02053) = 102.23060/203.02053 = .50355, from .50: moves .004
    assert table.loc["B", "shrunk"] == pytest.approx(0.50355, abs=1e-5)
    # The share of the way to μ is (α + β)/(n + α + β): A 3.02053/6.02053 = .502 (half),
    # B 3.02053/203.02053 = .0149. (The estimator before issue 16 over-counted the noise and
    # found 4.42, so A moved .156; with the spread weighed by N − Σn²/N it moves .131.)
    mu = 593 / 803
    for staff, share in (("A", 0.50171), ("B", 0.01488)):
        rate, shrunk = table.loc[staff, ["top2_rate", "shrunk"]]
        assert (rate - shrunk) / (rate - mu) == pytest.approx(share, abs=1e-5)
    assert table.loc["A", "top2_rate"] - table.loc["A", "shrunk"] > 0.13
    assert abs(table.loc["B", "shrunk"] - table.loc["B", "top2_rate"]) < 0.01


def test_noise_term_does_not_pin_the_prior_at_the_cap_when_few_answers_are_common():
    # Two of six staff (a third) have 2 and 3 answers, four have 200, rates .70 to .90.
    staff = [("P", 2, 2), ("Q", 2, 3), ("R", 140, 200), ("S", 160, 200)]
    staff += [("T", 160, 200), ("U", 180, 200)]
    x = np.array([x for _, x, _ in staff])
    n = np.array([n for _, _, n in staff])
    # μ = 644/805 = .8, μ(1−μ) = .16; S = 2·.2² + 3·(2/3 − .8)² + 200·(.1² + 0 + 0 + .1²)
    #   = .08 + .053333 + 4 = 4.133333; S/μ(1−μ) = 25.83333;
    # an early noise term μ(1−μ)·mean(1/n) = .16·(1/2 + 1/3 + 4/200)/6 = .022756 exceeded
    #   S/N = .0051346: σ² ≤ 0, the prior took the cap 1000 (α = 800) and swamped R;
    # Kleinman: Σn²/N = (4 + 9 + 4·40000)/805 = 198.77391;
    #   ρ = (25.83333 − 5)/(805 − 198.77391 − 5) = 20.83333/601.22609 = .0346514;
    #   α + β = 1/ρ − 1 = 27.85885; α = .8·27.85885 = 22.28708, β = .2·27.85885 = 5.57177.
    mu = x.sum() / n.sum()
    observed = np.sum(n * (x / n - mu) ** 2) / n.sum()
    assert observed < mu * (1 - mu) * np.mean(1 / n)  # the early term really did hit the cap
    assert fit_beta_prior(x, n) == pytest.approx((22.28708, 5.57177), abs=1e-5)
    records = pd.concat([_staff_with(s, top, total) for s, top, total in staff])
    table = csat_by_staff(records).set_index("staff_id")  # one store, 6 staff, 805 answers
    assert table.loc["R", ["prior_alpha", "prior_beta"]].sum() == pytest.approx(27.85885, abs=1e-5)
    # R: (140 + 22.28708)/(200 + 27.85885) = 162.28708/227.85885 = .71223: near its own .70,
    # not .78333; P (2 of 2): (2 + 22.28708)/(2 + 27.85885) = 24.28708/29.85885 = .81340
    assert table.loc["R", "shrunk"] == pytest.approx(0.71223, abs=1e-5)
    assert table.loc["P", "shrunk"] == pytest.approx(0.81340, abs=1e-5)


@pytest.mark.parametrize(
    ("small_store", "why"),
    [
        ([("F", 10, 20), ("G", 15, 20)], "2 staff < 3"),
        ([("F", 3, 3), ("G", 1, 3), ("H", 2, 3)], "9 answers < 30"),
    ],
)
def test_small_prior_groups_use_the_chain_wide_prior(small_store, why):
    records = pd.concat(
        [_staff_with(s, x, n) for s, x, n in STORE_S1]
        + [_staff_with(s, x, n, store="s2") for s, x, n in small_store]
    )
    table = csat_by_staff(records).set_index("staff_id")
    everyone = [(x, n) for _, x, n in STORE_S1 + small_store]
    chain = fit_beta_prior(*map(np.array, zip(*everyone, strict=True)))
    small = [s for s, _, _ in small_store]
    assert table.loc[small, "prior_alpha"].tolist() == pytest.approx([chain[0]] * len(small)), why
    assert table.loc[small, "prior_beta"].tolist() == pytest.approx([chain[1]] * len(small)), why
    # s1 keeps its own prior (2.23060, .78993, as above)
    assert table.loc["A", "prior_alpha"] == pytest.approx(2.23060, abs=1e-5)
    # shrunk = (x + α)/(n + α + β) with the chain prior for s2
    first, x, n = small_store[0]
    assert table.loc[first, "shrunk"] == pytest.approx((x + chain[0]) / (n + sum(chain)))


def test_no_prior_group_uses_one_chain_wide_prior():
    records = pd.concat(
        [_staff_with(s, x, n) for s, x, n in STORE_S1] + [_staff_with("F", 10, 20, store="s2")]
    )
    table = csat_by_staff(records, prior_by=None)
    chain = fit_beta_prior(np.array([3, 100, 190, 120, 180, 10]), np.array([3, *[200] * 4, 20]))
    assert table["prior_alpha"].tolist() == pytest.approx([chain[0]] * 6)
    assert table["prior_beta"].tolist() == pytest.approx([chain[1]] * 6)


# --- repurchase -------------------------------------------------------------------------------

PERIOD = {"period_start": date(2025, 1, 1), "period_end": date(2025, 1, 31), "window_days": 30}


def _sale(tx, customer, day, amount, store, staff, owner):
    """Rows of one transaction: one per staff member (one with no staff if none)."""
    return [
        (tx, customer, pd.Timestamp(day), amount, store, member, owner)
        for member in (staff or [None])
    ]


# The data end on 20 Feb (the last date). Window 30 days, period January 2025.
SALES = pd.DataFrame(
    [
        row
        for sale in [
            _sale("t0", "c2", "2024-12-20", 10.0, "A", ["s3"], "s1"),  # before the period
            _sale("t1", "c1", "2025-01-10", 100.0, "A", ["s1"], "s1"),
            _sale("t2", "c1", "2025-02-05", 200.0, "A", ["s1"], "s1"),  # day 26: returned
            _sale("t3", "c1", "2025-02-20", 50.0, "A", ["s1"], "s1"),  # day 41: outside
            _sale("t4", "c2", "2025-01-05", 100.0, "A", ["s1"], "s1"),
            _sale("t5", "c2", "2025-02-05", 70.0, "A", ["s2"], "s1"),  # day 31: just outside
            _sale("t6", "c3", "2025-01-20", 60.0, "A", ["s2"], "s2"),
            _sale("t7", "c3", "2025-01-20", 40.0, "A", [], "s2"),  # same day: no return
            _sale("t8", "c4", "2025-01-30", 90.0, "B", ["s2"], None),  # to 1 Mar > 20 Feb
            _sale("t9", "c5", "2025-01-15", 100.0, "A", ["s1"], "s1"),
            _sale("t10", "c5", "2025-02-01", 80.0, "B", ["s3"], "s1"),  # back to s3 at B
            _sale("t17", "c6", "2025-01-03", 50.0, "A", ["s1"], "s1"),
            _sale("t11", "c6", "2025-01-12", 150.0, "A", ["s1"], "s3"),  # owner now s3
            _sale("t12", "c6", "2025-02-03", 110.0, "A", ["s1"], "s3"),
            _sale("t13", "c7", "2025-01-08", 300.0, "B", ["s1", "s3"], "s3"),  # two staff
            _sale("t14", "c7", "2025-02-02", 120.0, "B", ["s1", "s3"], "s3"),
            _sale("t15", "c8", "2025-01-06", 20.0, "A", ["s2"], "s2"),
            _sale("t16", "c8", "2025-02-05", 30.0, "A", [], "s2"),  # day 30 exactly: returned
        ]
        for row in sale
    ],
    columns=["tx_id", "customer", "date", "amount", "store_id", "staff_id", "owner_id"],
)
COUNTS = ["customers", "returned", "lost", "pending", "repeat_value"]


@pytest.mark.parametrize(
    ("attribution", "same_staff", "expected"),
    [
        # last served, any return. s1 served c1 (t 10 Jan, back 5 Feb: 200; 20 Feb is day 41),
        # c2 (5 Jan; 5 Feb is day 31: lost), c5 (back 1 Feb to s3: 80), c6 (t 12 Jan, back
        # 3 Feb: 110), c7 (back 2 Feb: 120) → 5 customers, 4 returned, 510.
        # s2: c3 (the same-day t7 is no return; lost), c4 (window to 1 Mar: pending), c8 (back
        # on day 30: 30). s3: c7 only (t0 precedes, t10 follows the period) → returned, 120.
        (
            "last_served",
            False,
            {"s1": (5, 4, 1, 0, 510), "s2": (3, 1, 1, 1, 30), "s3": (1, 1, 0, 0, 120)},
        ),
        # same staff: s1 loses c5 (back to s3) → 3 returned, 200 + 110 + 120 = 430; s2's c8
        # came back to nobody → lost. t14 served by s1 and s3 counts 120 for each.
        (
            "last_served",
            True,
            {"s1": (5, 3, 2, 0, 430), "s2": (3, 0, 2, 1, 0), "s3": (1, 1, 0, 0, 120)},
        ),
        # owner at the last January transaction: s1 owns c1, c2, c5 (200 + 80); s2 owns c3, c8
        # (30); s3 owns c6 (owner changed on 12 Jan; 110) and c7 (120); c4 has no owner.
        (
            "owner",
            False,
            {"s1": (3, 2, 1, 0, 280), "s2": (2, 1, 1, 0, 30), "s3": (2, 2, 0, 0, 230)},
        ),
        # owner, same staff: c5 came back to s3 not s1; c6 came back to s1, not its owner s3.
        (
            "owner",
            True,
            {"s1": (3, 1, 2, 0, 200), "s2": (2, 0, 2, 0, 0), "s3": (2, 1, 1, 0, 120)},
        ),
    ],
)
def test_repurchase_by_hand(attribution, same_staff, expected):
    table = repurchase(SALES, **PERIOD, attribution=attribution, same_staff=same_staff)
    got = {row[0]: tuple(row[1:]) for row in table[["staff_id", *COUNTS]].values.tolist()}
    assert got == expected
    for row in table.itertuples():
        decided = row.returned + row.lost
        assert row.rate == pytest.approx(row.returned / decided)
        assert (row.rate_low, row.rate_high) == pytest.approx(wilson_ci(row.returned, decided)[1:])


def test_repurchase_rate_and_interval_by_hand():
    table = repurchase(SALES, **PERIOD).set_index("staff_id")
    # s1: 4 of 5; Wilson: centre (.8 + .3841)/1.7683 = .6696, half 1.96·√(.032 + .0369)/1.7683
    # = .2909 → [.3755, .9638]
    assert table.loc["s1", "rate"] == 0.8
    assert (round(table.loc["s1", "rate_low"], 4), round(table.loc["s1", "rate_high"], 4)) == (
        0.3755,
        0.9638,
    )


@pytest.mark.parametrize(
    ("changes", "staff", "expected"),
    [
        # (customers, returned, lost, pending, pending_returned, repeat_value)
        # a 31-day window takes in c2's 5 Feb purchase (day 31): s1 gains c2 and its 70
        ({"window_days": 31}, "s1", (5, 5, 0, 0, 0, 580)),
        # data to 31 Mar: c4's window (to 1 Mar) has closed without a return → lost
        ({"data_end": date(2025, 3, 31)}, "s2", (3, 1, 2, 0, 0, 30)),
        # data to 4 Feb: later rows are ignored. c2's window (5 Jan + 30 = 4 Feb) has closed
        # and its 5 Feb return lies past the data → lost. Every other window is still open →
        # pending: c1 (to 9 Feb, not back yet), and c5 (to 14 Feb), c6 (to 11 Feb) and c7 (to
        # 7 Feb), already back on 1, 3 and 2 Feb → pending_returned 3, not returned. 0 returned
        # of 1 decided; customers 0 + 1 + 4 = 5. The repeat value still sums the purchases in
        # the windows so far: 80 + 110 + 120 = 310.
        ({"data_end": date(2025, 2, 4)}, "s1", (5, 0, 1, 4, 3, 310)),
    ],
)
def test_repurchase_window_and_data_end(changes, staff, expected):
    table = repurchase(SALES, **{**PERIOD, **changes}).set_index("staff_id")
    columns = [*COUNTS[:4], "pending_returned", "repeat_value"]
    assert tuple(table.loc[staff, columns]) == expected


def test_repurchase_already_back_in_an_open_window_is_pending_and_leaves_the_rate():
    # Data to 15 Feb, window 30 days, s1 serves three customers in January:
    # c1 on 5 Jan, back 3 Feb (day 29), window to 4 Feb (closed) → returned;
    # c2 on 6 Jan, never back, window to 5 Feb (closed) → lost;
    # c3 on 28 Jan, back 10 Feb (day 13), window to 27 Feb > 15 Feb → pending, already back.
    sales = pd.DataFrame(
        [
            row
            for sale in [
                _sale("t1", "c1", "2025-01-05", 100.0, "A", ["s1"], None),
                _sale("t2", "c1", "2025-02-03", 40.0, "A", ["s1"], None),
                _sale("t3", "c2", "2025-01-06", 100.0, "A", ["s1"], None),
                _sale("t4", "c3", "2025-01-28", 100.0, "A", ["s1"], None),
                _sale("t5", "c3", "2025-02-10", 60.0, "A", ["s1"], None),
            ]
            for row in sale
        ],
        columns=SALES.columns,
    )
    options = {**PERIOD, "data_end": date(2025, 2, 15)}
    row = repurchase(sales, **options).set_index("staff_id").loc["s1"]
    columns = [*COUNTS[:4], "pending_returned"]
    assert tuple(row[columns]) == (3, 1, 1, 1, 1)  # c3 pending, not returned: 1 + 1 + 1 = 3
    # rate 1/(1 + 1) = .5, not 2/3 as it was when c3 counted as returned; Wilson(1, 2)
    assert row["rate"] == 0.5
    assert (row["rate_low"], row["rate_high"]) == pytest.approx(wilson_ci(1, 2)[1:])
    # without c3 at all the rate and its interval are the same: c3 does not enter the rate
    alone = repurchase(sales[sales["customer"] != "c3"], **options).set_index("staff_id")
    rate = ["rate", "rate_low", "rate_high"]
    assert alone.loc["s1", rate].tolist() == pytest.approx(row[rate].tolist())
    # the repeat value still takes c3's 60 in: 40 + 60 = 100
    assert row["repeat_value"] == 100.0
    # once the data reach 27 Feb, c3's window has closed: returned, 2 of 3
    later = repurchase(sales, **{**PERIOD, "data_end": date(2025, 2, 27)}).set_index("staff_id")
    assert tuple(later.loc["s1", columns]) == (3, 2, 1, 0, 0)
    assert later.loc["s1", "rate"] == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("same_store", "expected"),
    [
        # A served c1 (200), c2 (lost), c3 (lost), c5 (back at B: 80), c6 (110), c8 (30);
        # B served c4 (pending) and c7 (120, t14 once although two staff served it).
        (False, {"A": (6, 4, 2, 0, 420), "B": (2, 1, 0, 1, 120)}),
        # same store: c5 came back to B, not A → A 3 returned, 200 + 110 + 30 = 340
        (True, {"A": (6, 3, 3, 0, 340), "B": (2, 1, 0, 1, 120)}),
    ],
)
def test_repurchase_by_store_by_hand(same_store, expected):
    table = repurchase_by_store(SALES.drop(columns="staff_id"), **PERIOD, same_store=same_store)
    got = {row[0]: tuple(row[1:]) for row in table[["store_id", *COUNTS]].values.tolist()}
    assert got == expected


def test_repurchase_accepts_dates_and_duplicate_staff_rows():
    sales = SALES.assign(date=SALES["date"].dt.date)
    doubled = pd.concat([sales, sales[sales["tx_id"] == "t2"]])  # s1 listed twice on t2
    table = repurchase(doubled, **PERIOD, same_staff=True).set_index("staff_id")
    assert tuple(table.loc["s1", COUNTS]) == (5, 3, 2, 0, 430)


def _with_amount(sales, row, amount):
    """The sales with one row's amount changed: its transaction then disagrees with itself."""
    changed = sales.copy()
    changed.loc[row, "amount"] = amount
    return changed


@pytest.mark.parametrize(
    ("sales", "options", "message"),
    [
        (SALES.drop(columns="owner_id"), {"attribution": "owner"}, "owner_id"),
        (SALES, {"attribution": "first_served"}, "attribution"),
        (SALES, {"window_days": 0}, "window_days"),
        (SALES, {"period_start": date(2025, 2, 1)}, "period_start"),
        (_with_amount(SALES, row=SALES.index[SALES["tx_id"] == "t13"][1], amount=1.0), {}, "t13"),
        (SALES.assign(customer=None), {}, "customer"),
        (SALES.assign(date="not a date"), {}, "date"),
    ],
)
def test_repurchase_bad_input(sales, options, message):
    with pytest.raises(ValueError, match=message):
        repurchase(sales, **{**PERIOD, **options})


# --- random data against a slow reference ----------------------------------------------------


def random_sales(transactions: int, seed: int = 0) -> pd.DataFrame:
    """Random sales of a chain: 0–2 staff per transaction (a staff member can be listed twice),
    a year of dates, 20 stores, 200 staff, owners missing on a fifth of them."""
    rng = np.random.default_rng(seed)
    customers = max(transactions // 4, 1)
    tx = pd.DataFrame(
        {
            "tx_id": np.arange(transactions),
            "customer": rng.integers(0, customers, transactions),
            "date": pd.Timestamp("2025-01-01")
            + pd.to_timedelta(rng.integers(0, 365, transactions), unit="D"),
            "amount": rng.integers(50, 2000, transactions).astype(float),
            "store_id": rng.integers(0, 20, transactions),
            "owner_id": pd.Series(rng.integers(0, 200, transactions)).where(
                rng.random(transactions) > 0.2
            ),
        }
    )
    staffed = rng.choice([0, 1, 2], size=transactions, p=[0.1, 0.6, 0.3])
    rows = tx.loc[np.repeat(np.arange(transactions), np.maximum(staffed, 1))].reset_index(drop=True)
    staff = rng.integers(0, 200, len(rows)).astype(float)
    staff[np.repeat(staffed, np.maximum(staffed, 1)) == 0] = np.nan
    return rows.assign(staff_id=staff)


def _reference(sales, start, end, window, unit, same, data_end=None):
    """Loop by loop: {unit: [customers, returned, lost, pending, value, pending_returned]}."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    last = sales["date"].max() if data_end is None else pd.Timestamp(data_end)
    sales = sales[sales["date"] <= last]
    tx = sales.drop_duplicates("tx_id").set_index("tx_id")
    served_by = sales.dropna(subset=["staff_id"]).groupby("tx_id")["staff_id"].agg(set)
    served = {}
    if unit == "staff":
        for row in sales.dropna(subset=["staff_id"]).itertuples():
            if start <= row.date <= end:
                key = (row.staff_id, row.customer)
                served[key] = max(served.get(key, row.date), row.date)
    elif unit == "store":
        for row in tx.itertuples():
            if start <= row.date <= end:
                key = (row.store_id, row.customer)
                served[key] = max(served.get(key, row.date), row.date)
    else:  # owner: the last transaction in the period, ties by order of appearance
        latest = {}
        for row in tx.itertuples():
            if start <= row.date <= end and row.date >= latest.get(row.customer, (row.date,))[0]:
                latest[row.customer] = (row.date, row.owner_id)
        served = {(o, c): d for c, (d, o) in latest.items() if not pd.isna(o)}
    history = defaultdict(list)
    for row in tx.itertuples():
        history[row.customer].append(row)
    result = defaultdict(lambda: [0, 0, 0, 0, 0.0, 0])
    for (who, customer), t in served.items():
        later = [
            r
            for r in history[customer]
            if t < r.date <= t + timedelta(days=window)
            and (
                not same
                or (r.store_id == who if unit == "store" else who in served_by.get(r.Index, ()))
            )
        ]
        counts = result[who]
        counts[0] += 1
        if t + timedelta(days=window) > last:  # window still open: pending, back or not
            counts[3] += 1
            counts[5] += bool(later)
        elif later:
            counts[1] += 1
        else:
            counts[2] += 1
        counts[4] += sum(r.amount for r in later)
    return dict(result)


@pytest.mark.parametrize(
    ("unit", "same", "data_end"),
    [
        ("staff", False, None),
        ("staff", True, None),
        ("staff", False, date(2025, 6, 30)),
        ("owner", False, None),
        ("owner", True, date(2025, 11, 30)),
        ("store", False, None),
        ("store", True, date(2025, 6, 30)),
    ],
)
def test_repurchase_matches_slow_reference(unit, same, data_end):
    sales = random_sales(2_000, seed=3)
    options = {"period_start": date(2025, 3, 1), "period_end": date(2025, 5, 31)}
    options |= {"window_days": 60, "data_end": data_end}
    if unit == "store":
        table = repurchase_by_store(sales, **options, same_store=same)
        key = "store_id"
    else:
        attribution = "owner" if unit == "owner" else "last_served"
        table = repurchase(sales, **options, attribution=attribution, same_staff=same)
        key = "staff_id"
    expected = _reference(
        sales, options["period_start"], options["period_end"], 60, unit, same, data_end
    )
    got = {row[0]: row[1:] for row in table[[key, *COUNTS, "pending_returned"]].values.tolist()}
    assert got.keys() == expected.keys()
    for who, counts in expected.items():
        assert got[who][:4] == counts[:4], who
        assert got[who][4] == pytest.approx(counts[4]), who
        assert got[who][5] == counts[5], who
    # with data to 30 Jun the windows of customers served after 1 May are open, and some of
    # them are already back: the pending rule is exercised, not vacuous
    if data_end == date(2025, 6, 30):
        assert sum(counts[5] for counts in expected.values()) > 0


def test_repurchase_is_fast_and_every_customer_is_counted_once():
    sales = random_sales(155_000, seed=1)  # about 200,000 rows: 1.3 rows per transaction
    assert len(sales) > 190_000
    period = {"period_start": date(2025, 4, 1), "period_end": date(2025, 9, 30)}
    began = time.perf_counter()
    table = repurchase(sales, **period, window_days=90)
    owner = repurchase(sales, **period, window_days=90, attribution="owner", same_staff=True)
    stores = repurchase_by_store(sales, **period, window_days=90)
    elapsed = time.perf_counter() - began
    assert elapsed < 5, f"three repurchase tables on 200,000 rows took {elapsed:.1f} s"
    for frame in (table, owner, stores):
        assert (frame["returned"] + frame["lost"] + frame["pending"] == frame["customers"]).all()
        assert (frame["pending_returned"] <= frame["pending"]).all()
        assert frame["rate"].between(frame["rate_low"], frame["rate_high"]).all()
    # one served customer per (store, customer) pair with a sale in the period
    inside = sales[sales["date"].between("2025-04-01", "2025-09-30")]
    assert stores["customers"].sum() == len(inside.drop_duplicates(["store_id", "customer"]))
