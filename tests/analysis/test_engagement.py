"""Engagement statistics against independent references (sources in the comments)."""

import math

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats
from statsmodels.stats.proportion import proportion_confint

from ee_app.analysis.engagement import change_frame, scores, theme_scores
from ee_app.analysis.intervals import (
    change_ci,
    enps_ci,
    index_ci,
    mean_ci,
    scale_mean_ci,
    wilson_ci,
)
from ee_app.analysis.ranks import percentile_rank, percentile_ranks
from ee_app.analysis.reliability import cronbach_alpha
from ee_app.analysis.sums import SUM_COLUMNS, roll_up, sum_responses
from ee_app.instruments.pulse import CORE_SLOTS

#: Newcombe RG (1998), Two-sided confidence intervals for the single proportion, Statistics in
#: Medicine 17:857-872, Table I, method 3 (Wilson score, no correction): successes, n, low, high.
NEWCOMBE = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("successes", "n", "low", "high"), NEWCOMBE)
def test_wilson_interval_matches_newcombe(successes, n, low, high):
    _, lo, hi = wilson_ci(successes, n)
    assert (round(lo, 4), round(hi, 4)) == (low, high)


def test_cronbach_alpha_matches_pingouin_published_examples():
    # pingouin docs, reliability.cronbach_alpha: alpha 0.5917, CI [0.195, 0.84] on the long
    # "cronbach_alpha" data set; 0.7327, CI [0.435, 0.909] on "cronbach_wide_missing".
    long = pg.read_dataset("cronbach_alpha").pivot(index="Subj", columns="Items", values="Scores")
    alpha, low, high, n = cronbach_alpha(long)
    assert (round(alpha, 4), round(low, 3), round(high, 3)) == (0.5917, 0.195, 0.840)
    wide = pg.read_dataset("cronbach_wide_missing")
    alpha, low, high, n = cronbach_alpha(wide)
    reference, ci = pg.cronbach_alpha(wide)
    assert math.isclose(alpha, reference) and (round(low, 3), round(high, 3)) == tuple(ci)
    assert n == len(wide)


def test_mean_interval_matches_scipy():
    values = np.array([3, 4, 4, 5, 2, 4, 3, 5, 4, 4], dtype=float)
    mean, low, high = mean_ci(len(values), values.sum(), (values**2).sum())
    ref_low, ref_high = stats.t.interval(
        0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values)
    )
    assert (mean, low, high) == pytest.approx((values.mean(), ref_low, ref_high))


def test_change_interval_matches_welch_t_test():
    before = np.array([3.2, 3.8, 4.1, 2.9, 3.5, 3.9, 4.4, 3.0])
    after = np.array([3.9, 4.2, 4.5, 3.8, 4.6, 4.0])
    diff, low, high = change_ci(
        (len(before), before.sum(), (before**2).sum()), (len(after), after.sum(), (after**2).sum())
    )
    welch = stats.ttest_ind(after, before, equal_var=False).confidence_interval(0.95)
    assert (diff, low, high) == pytest.approx((after.mean() - before.mean(), welch.low, welch.high))


Z = stats.norm.ppf(0.975)


def _tango_reference(promoters, detractors, n, level=0.95):
    """Tango's (1998) score interval by brute force: the constrained maximum likelihood found
    numerically (scipy's bounded scalar minimiser, not the closed form of the app) and the
    ends found by Brent's method on n·(D − δ)² = z²·(p̃ + d̃ − δ²)."""
    z = stats.norm.ppf(0.5 + level / 2)
    passives = n - promoters - detractors
    observed = (promoters - detractors) / n

    def variance(delta):
        low, high = max(0.0, -delta) + 1e-12, (1 - delta) / 2 - 1e-12
        d = low
        if high > low:

            def minus_log_likelihood(d):
                return -(
                    promoters * math.log(max(d + delta, 1e-300))
                    + detractors * math.log(max(d, 1e-300))
                    + passives * math.log(max(1 - 2 * d - delta, 1e-300))
                )

            d = optimize.minimize_scalar(
                minus_log_likelihood,
                bounds=(low, high),
                method="bounded",
                options={"xatol": 1e-13},
            ).x
        return 2 * d + delta - delta * delta

    def excess(delta):
        return n * (observed - delta) ** 2 - z * z * variance(delta)

    low = -1.0 if observed == -1 else optimize.brentq(excess, -1 + 1e-12, observed)
    high = 1.0 if observed == 1 else optimize.brentq(excess, observed, 1 - 1e-12)
    return 100 * low, 100 * high


# All n answers promoters: p̃ = (1 + δ)/2, d̃ = (1 − δ)/2 (no passives), so the score
# equation n(1 − δ)² = z²(1 − δ²) gives δ = (n − z²)/(n + z²) by hand: 0.1310 for n = 5
# (= 2 × Wilson's 0.5655 − 1 for 5 of 5), 0.6775 for n = 20.
@pytest.mark.parametrize(
    ("promoters", "detractors", "n", "score", "low", "high"),
    [
        (5, 0, 5, 100, 100 * (5 - Z * Z) / (5 + Z * Z), 100),
        (0, 5, 5, -100, -100, -100 * (5 - Z * Z) / (5 + Z * Z)),
        (20, 0, 20, 100, 100 * (20 - Z * Z) / (20 + Z * Z), 100),
        (0, 0, 5, 0, None, None),  # all passives
        (4, 4, 10, 0, None, None),
        (3, 1, 7, 100 * 2 / 7, None, None),
        (1, 8, 12, -700 / 12, None, None),
        (30, 2, 40, 70, None, None),
        (50, 20, 100, 30, None, None),
        (4, 1, 5, 60, None, None),  # Wald: 60 ± 70.1 = [-10.1, 130.1]
        (10, 0, 11, 1000 / 11, None, None),  # Wald: [73.9, 107.9]
    ],
)
def test_enps_interval_is_tangos_score_interval(promoters, detractors, n, score, low, high):
    reference = _tango_reference(promoters, detractors, n)  # good to about 1e-6
    got = enps_ci(promoters, detractors, n)
    assert got == pytest.approx((score, *reference), abs=1e-4)
    if low is not None:  # by hand
        assert got == pytest.approx((score, low, high), abs=1e-9)
    assert -100 <= got[1] <= got[0] <= got[2] <= 100 and got[2] > got[1]
    summed = pd.DataFrame(
        {"enps_n": [n], "enps_pro": [promoters], "enps_det": [detractors]}
    ).reindex(columns=list(SUM_COLUMNS), fill_value=0)
    row = scores(summed).iloc[0]  # the vectorised form agrees
    assert (row["enps"], row["enps_low"], row["enps_high"]) == pytest.approx(got, abs=1e-9)


def test_sums_reproduce_direct_computation():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.integers(1, 6, size=(40, 12)).astype(float), columns=list(CORE_SLOTS))
    frame = frame.mask(rng.random(frame.shape) < 0.1)  # skipped items
    frame["enps"] = rng.integers(0, 11, size=40)
    frame["unit"] = rng.integers(0, 3, size=40)
    summed = sum_responses(frame, ["unit"])
    scored = scores(summed)
    for position, unit in enumerate(summed["unit"]):
        group = frame[frame["unit"] == unit]
        answers = group[list(CORE_SLOTS)].stack().dropna()
        assert scored["index"].iloc[position] == pytest.approx(answers.mean())
        assert scored["favourable"].iloc[position] == pytest.approx((answers >= 4).mean())
        expected_enps = 100 * ((group["enps"] >= 9).mean() - (group["enps"] <= 6).mean())
        assert scored["enps"].iloc[position] == pytest.approx(expected_enps)
    themes = theme_scores(summed, "unit")
    first = themes[(themes["unit"] == summed["unit"].iloc[0]) & (themes["slot"] == "a03")].iloc[0]
    group = frame[frame["unit"] == summed["unit"].iloc[0]]["a03"].dropna()
    assert (first["n"], first["mean"]) == (len(group), pytest.approx(group.mean()))


def test_roll_up_adds_each_unit_to_its_ancestors():
    sums = sum_responses(
        pd.DataFrame({"unit": [3, 3, 4], "a01": [5, 4, 1], "enps": [9, 9, 0]}), ["unit"]
    )
    tree = {3: [1, 2, 3], 4: [1, 2, 4]}  # 1 brand, 2 store, 3 and 4 teams
    rolled = roll_up(sums, "unit", tree).set_index("unit")
    assert rolled.loc[1, "n"] == 3 and rolled.loc[2, "a01_sum"] == 10
    assert rolled.loc[3, "n"] == 2 and rolled.loc[4, "enps_det"] == 1


@pytest.mark.parametrize(
    ("peers", "value", "expected"),
    [
        (list(range(11)), 10, 100.0),  # best of 11: better than all 10 others (was 95.5)
        (list(range(11)), 0, 0.0),  # worst of 11
        ([3.2], 3.2, math.nan),  # one unit at its level: nothing to compare with (was 50)
        ([3.2, 3.2], 3.2, 50.0),  # a tie with the one other unit counts half
        ([1, 2, 3, 4], 3, 200 / 3),  # better than 2 of the other 3
        ([1, 3, 3, 4], 3, 100 * (1 + 0.5) / 3),  # 1 below, 1 other equal
        ([1, 2, math.nan, 4], 4, 100.0),  # hidden units do not count
        ([1, 2], math.nan, math.nan),
    ],
)
def test_percentile_is_the_share_of_the_other_units_below(peers, value, expected):
    got = percentile_rank(peers, value)
    assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected)
    ranks = percentile_ranks(peers, [value])
    assert (math.isnan(ranks[0]) and math.isnan(expected)) or ranks[0] == pytest.approx(expected)


def test_percentile_of_a_value_that_is_not_among_its_peers_counts_them_all():
    # 2.5 against 1, 2, 3: better than 2 of the 3 (it is none of them).
    assert percentile_ranks([1, 2, 3], [2.5])[0] == pytest.approx(200 / 3)


def _skipping_answers(seed: int, people: int, skip: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        rng.integers(1, 6, size=(people, 12)).astype(float), columns=list(CORE_SLOTS)
    )
    frame = frame.mask(rng.random(frame.shape) < skip)
    frame.iloc[0, 1:] = np.nan  # one person answered a single theme
    frame["unit"] = 1
    return frame


def _wilson_on_scale(mean, variance, groups, level=0.95):
    """The bounded interval by an independent route: statsmodels' Wilson interval of the
    share of the scale y = (mean − 1)/4 at the effective sample size n* = y(1 − y)/v · (z/t)²
    (Korn & Graubard 1998), v the variance of y's estimate, t with groups − 1 df."""
    y, v = (mean - 1) / 4, variance / 16
    z, t = stats.norm.ppf(0.5 + level / 2), stats.t.ppf(0.5 + level / 2, groups - 1)
    effective = y * (1 - y) / v * (z / t) ** 2
    low, high = proportion_confint(y * effective, effective, alpha=1 - level, method="wilson")
    return 1 + 4 * low, 1 + 4 * high


@pytest.mark.parametrize(("seed", "people", "skip"), [(3, 12, 0.2), (4, 40, 0.1), (5, 6, 0.4)])
def test_index_interval_matches_cluster_robust_regression(seed, people, skip):
    # The variance: the mean of all answers as an intercept-only OLS with standard errors
    # clustered by respondent (statsmodels, cov_type="cluster" without its small-sample
    # factor), times the n/(n - 1) of the linearisation variance (Cochran 1977, §6.4). The
    # interval: that variance, on the share of the scale, through statsmodels' Wilson.
    frame = _skipping_answers(seed, people, skip)
    long = frame[list(CORE_SLOTS)].stack().dropna().reset_index()
    long.columns = ["person", "slot", "answer"]
    fit = sm.OLS(long["answer"].to_numpy(), np.ones(len(long))).fit(
        cov_type="cluster", cov_kwds={"groups": long["person"].to_numpy(), "use_correction": False}
    )
    groups = long["person"].nunique()
    variance = fit.bse[0] ** 2 * groups / (groups - 1)
    row = sum_responses(frame, ["unit"]).iloc[0]
    index, low, high = index_ci(
        row["idx_n"],
        sum(row[f"{s}_n"] for s in CORE_SLOTS),
        sum(row[f"{s}_sum"] for s in CORE_SLOTS),
        row["idx_yy"],
        row["idx_ym"],
        row["idx_mm"],
    )
    assert index == pytest.approx(fit.params[0])
    assert (low, high) == pytest.approx(_wilson_on_scale(fit.params[0], variance, groups))
    scored = scores(sum_responses(frame, ["unit"])).iloc[0]
    assert (scored["index"], scored["index_low"], scored["index_high"]) == pytest.approx(
        (index, low, high)
    )


def test_index_without_skips_uses_the_variance_of_own_means():
    # Nobody skips: the pooled mean is the mean of the respondents' own means, and the
    # variance of the index is scipy's squared standard error of those means.
    frame = _skipping_answers(6, 15, 0.0).iloc[1:]
    own = frame[list(CORE_SLOTS)].mean(axis=1)
    low, high = _wilson_on_scale(own.mean(), stats.sem(own) ** 2, len(own))
    scored = scores(sum_responses(frame, ["unit"])).iloc[0]
    assert (scored["index"], scored["index_low"], scored["index_high"]) == pytest.approx(
        (own.mean(), low, high)
    )


def _u(n):
    """Wilson's upper bound for 0 of n (Newcombe 1998, table I: 0.1611 for n = 20)."""
    return Z * Z / (n + Z * Z)


# Means on the 1–5 scale at the edges. All answers alike: the bounded-outcome rule, by hand,
# [m − (m − 1)·u, m + (5 − m)·u] with u = z²/(n + z²) (0.4345 for n = 5, 0.1611 for n = 20).
# Otherwise statsmodels' Wilson at the effective sample size (_wilson_on_scale).
@pytest.mark.parametrize(
    ("answers", "low", "high"),
    [
        ([5] * 5, 5 - 4 * _u(5), 5.0),  # mean 5.0, n = 5 (a t interval: [5, 5])
        ([1] * 5, 1.0, 1 + 4 * _u(5)),
        ([3] * 5, 3 - 2 * _u(5), 3 + 2 * _u(5)),  # all answers equal, mid-scale
        ([4] * 20, 4 - 3 * _u(20), 4 + 1 * _u(20)),
        ([5, 5, 5, 5, 4], None, None),  # t interval [4.24, 5.36]: above 5
        ([2, 3, 4, 5], None, None),  # t interval [1.45, 5.55]
        ([1, 1, 2], None, None),  # t interval [-0.10, 2.77]: below 1
        ([3, 4, 4, 5, 2, 4, 3, 5, 4, 4], None, None),
    ],
)
def test_means_on_the_scale_stay_inside_it(answers, low, high):
    values = np.asarray(answers, float)
    n = len(values)
    if low is None:
        low, high = _wilson_on_scale(values.mean(), values.var(ddof=1) / n, n)
    mean, got_low, got_high = scale_mean_ci(n, values.sum(), (values**2).sum())
    assert (mean, got_low, got_high) == pytest.approx((values.mean(), low, high))
    assert 1 <= got_low <= mean <= got_high <= 5 and got_high > got_low
    # The same through the themes' and the index's vectorised paths.
    frame = pd.DataFrame({"unit": 1, "a01": values})
    summed = sum_responses(frame, ["unit"])
    theme = theme_scores(summed, "unit").query("slot == 'a01'").iloc[0]
    assert (theme["mean_low"], theme["mean_high"]) == pytest.approx((low, high))
    row = scores(summed).iloc[0]  # one answer each: the index is the mean of the answers
    assert (row["index_low"], row["index_high"]) == pytest.approx((low, high))


def test_index_when_every_respondent_has_the_same_average():
    # 6 people answering 2 and 4 alternately (own average 3): no spread between
    # respondents, so the rule on the 6 respondents: 3 ± 2·z²/(6 + z²).
    frame = pd.DataFrame([[2.0, 4.0] * 6] * 6, columns=list(CORE_SLOTS)).assign(unit=1)
    row = scores(sum_responses(frame, ["unit"])).iloc[0]
    assert (row["index"], row["index_low"], row["index_high"]) == pytest.approx(
        (3.0, 3 - 2 * _u(6), 3 + 2 * _u(6))
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ([1, 1, 3], [3, 5, 5]),  # Welch: 2.67 [0.27, 5.07]; ends at 4
        ([3, 5, 5], [1, 1, 3]),
        ([2, 3, 4, 5], [1, 2, 4, 5, 5]),
    ],
)
def test_change_interval_is_welch_ending_at_the_widest_possible_change(before, after):
    a, b = np.asarray(before, float), np.asarray(after, float)
    welch = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    expected = (b.mean() - a.mean(), max(welch.low, -4.0), min(welch.high, 4.0))
    got = change_ci((len(a), a.sum(), (a**2).sum()), (len(b), b.sum(), (b**2).sum()))
    assert got == pytest.approx(expected)
    sums = [sum_responses(pd.DataFrame({"unit": 1, "a01": v}), ["unit"]) for v in (a, b)]
    changed = change_frame(*sums).iloc[0]
    assert (changed["change"], changed["change_low"], changed["change_high"]) == pytest.approx(
        expected
    )


def test_index_change_without_skips_is_welch():
    first = _skipping_answers(7, 10, 0.0).iloc[1:]
    second = _skipping_answers(8, 14, 0.0).iloc[1:]
    changed = change_frame(sum_responses(first, ["unit"]), sum_responses(second, ["unit"])).iloc[0]
    a, b = (f[list(CORE_SLOTS)].mean(axis=1) for f in (first, second))
    welch = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert (changed["change"], changed["change_low"], changed["change_high"]) == pytest.approx(
        (b.mean() - a.mean(), welch.low, welch.high)
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: wilson_ci(6, 5), "more than n"),
        (lambda: wilson_ci(-1, 5), "0 or more"),
        (lambda: wilson_ci(2.5, 5), "whole number"),
        (lambda: wilson_ci(2, 4.5), "whole number"),
        (lambda: wilson_ci(2, -3), "0 or more"),
        (lambda: wilson_ci(math.nan, 5), "whole number"),
        (lambda: wilson_ci("2", 5), "whole number"),
        (lambda: wilson_ci(True, 5), "whole number"),
        (lambda: enps_ci(8, 5, 10), "cannot be more than n"),
        (lambda: enps_ci(11, 0, 10), "cannot be more than n"),
        (lambda: enps_ci(-1, 2, 10), "0 or more"),
        (lambda: enps_ci(1.5, 2, 10), "whole number"),
        (lambda: enps_ci(1, 2, math.inf), "whole number"),
        (lambda: mean_ci(2.5, 10.0, 40.0), "whole number"),
        (lambda: scale_mean_ci(-2, 10.0, 40.0), "0 or more"),
        (lambda: index_ci(4.5, 4, 14, 54, 14, 4), "whole number"),
        (lambda: change_ci((3, 9.0, 27.0), (-3, 9.0, 27.0)), "0 or more"),
    ],
)
def test_impossible_counts_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_whole_counts_given_as_floats_are_accepted():
    # Sums come back from the database as floats: 8.0 of 10.0 is a count.
    assert wilson_ci(8.0, 10.0) == wilson_ci(8, 10)
    assert enps_ci(np.int64(4), 4.0, 10) == enps_ci(4, 4, 10)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("enps_det", 9, "Promoters \\+ detractors"),
        ("a01_fav", 4, "more than its answers"),
        ("a02_n", -1, "whole numbers"),
        ("enps_n", 2.5, "whole numbers"),
    ],
)
def test_scores_refuse_impossible_sums(column, value, message):
    frame = pd.DataFrame({"unit": [1] * 3, "a01": [4, 5, 3], "a02": [2, 3, 4], "enps": [10, 9, 3]})
    summed = sum_responses(frame, ["unit"]).astype({column: float})
    summed.loc[0, column] = value
    with pytest.raises(ValueError, match=message):
        scores(summed)


def _assert_inside(scored: pd.DataFrame, themes: pd.DataFrame) -> None:
    for name, low, high in (("index", 1, 5), ("favourable", 0, 1), ("enps", -100, 100)):
        rows = scored[scored[f"{name}_low"].notna()]
        assert (rows[f"{name}_low"] >= low).all() and (rows[f"{name}_high"] <= high).all()
        assert (rows[f"{name}_low"] <= rows[name] + 1e-12).all()
        assert (rows[name] <= rows[f"{name}_high"] + 1e-12).all()
        assert (rows[f"{name}_high"] > rows[f"{name}_low"]).all()  # always some width
    rows = themes[themes["mean_low"].notna()]
    assert (rows["mean_low"] >= 1).all() and (rows["mean_high"] <= 5).all()
    assert (
        (rows["mean_low"] <= rows["mean"] + 1e-12) & (rows["mean"] <= rows["mean_high"] + 1e-12)
    ).all()
    assert (rows["mean_high"] > rows["mean_low"]).all()


def _answers(rng: np.random.Generator, units: int) -> pd.DataFrame:
    """Small units (2 to 12 people) that lean to one end of the scale, some all alike."""
    pieces = []
    for unit in range(units):
        people = int(rng.integers(2, 13))
        lean = rng.choice([1, 3, 5])
        spread = rng.choice([0, 0.5, 1.5])
        answers = np.clip(np.rint(rng.normal(lean, spread, size=(people, 12))), 1, 5)
        frame = pd.DataFrame(answers, columns=list(CORE_SLOTS))
        frame = frame.mask(rng.random(frame.shape) < rng.choice([0, 0.2]))
        frame["enps"] = np.clip(np.rint(rng.normal(2 * lean, 2 * spread, size=people)), 0, 10)
        frame["unit"] = unit
        pieces.append(frame)
    return pd.concat(pieces, ignore_index=True)


def test_no_interval_leaves_its_scale_on_a_seeded_sweep():
    rng = np.random.default_rng(16)
    frame = _answers(rng, 400)
    summed = sum_responses(frame, ["unit"])
    scored, themes = scores(summed), theme_scores(summed, "unit")
    _assert_inside(scored, themes)
    # The t and Wald intervals of the same units do leave it: the sweep has edges to test.
    wald = 100 * (
        scored["enps"] / 100
        + 1.96
        * np.sqrt(
            (scored["promoters"] + scored["detractors"] - (scored["enps"] / 100) ** 2)
            / scored["enps_n"]
        )
    )
    assert (wald > 100).any()


@settings(max_examples=60, deadline=None)
@given(
    answers=st.lists(
        st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=12, max_size=12),
        min_size=2,
        max_size=9,
    ),
    enps=st.lists(st.one_of(st.none(), st.integers(0, 10)), min_size=9, max_size=9),
)
def test_no_interval_leaves_its_scale_hypothesis(answers, enps):
    frame = pd.DataFrame(answers, columns=list(CORE_SLOTS), dtype=float)
    frame["enps"] = [math.nan if v is None else v for v in enps[: len(frame)]]
    frame["unit"] = np.arange(len(frame)) % 2  # two units and their total
    summed = pd.concat(
        [sum_responses(frame, ["unit"]), sum_responses(frame.assign(unit=2), ["unit"])]
    ).reset_index(drop=True)
    _assert_inside(scores(summed), theme_scores(summed, "unit"))


@pytest.mark.parametrize(
    "dof",
    [
        np.array([1.0, 5.0, 5.0, 12.0, 1.0, 5.0]),  # repeated counts, as in a wave's theme cells
        np.array([np.nan, 3.0, np.nan, 1.0]),  # NaN counts give NaN, as before
        np.array([[2.0, 3.0], [3.0, 2.0]]),  # the shape is kept
        np.array([7.0]),
        np.array([], dtype=float),
        np.arange(1.0, 400.0) % 37 + 1,
    ],
)
def test_t_quantiles_once_per_distinct_dof_are_the_same_bits(dof):
    """Issue 20: the scale intervals' t quantiles, computed once per distinct degrees of
    freedom, are scipy's to the last bit (published numbers must not move)."""
    from ee_app.analysis.intervals import _t_quantiles

    found = _t_quantiles(0.975, dof)
    expected = stats.t.ppf(0.975, dof)
    assert found.shape == expected.shape
    assert np.array_equal(found, expected, equal_nan=True)
    assert found.tobytes() == expected.tobytes()


@pytest.mark.parametrize(
    ("hidden", "rows"),
    [
        ({}, [1, 2, 3]),  # nothing hidden
        ({"index": [False, True, False]}, [1, 2, 3]),  # one index hidden
        ({"n": [True, False, False], "enps": [False, True, True]}, [1, 2, 3]),  # a whole row
        ({"n": [False]}, [2]),  # one row, as a trend of one wave
    ],
)
def test_published_index_interval_is_published_scores_to_the_bit(hidden, rows):
    """Issue 20: the trend publishes only the index and its interval; they must be exactly
    the columns published_scores gives (the same bits, blank in the same places)."""
    from ee_app.analysis.publication import published_index_interval, published_scores

    rng = np.random.default_rng(20)
    answers = pd.DataFrame(
        {"unit": np.repeat(rows, 9), "enps": rng.integers(0, 11, 9 * len(rows))}
        | {s: rng.integers(1, 6, 9 * len(rows)) for s in ("a01", "a02", "a03")}
    )
    answers.loc[::4, "a02"] = None  # skipped questions
    sums = sum_responses(answers, ["unit"])
    flags = {metric: np.array(values) for metric, values in hidden.items()}
    columns = ["n", "index", "index_low", "index_high"]
    found = published_index_interval(sums, flags)
    expected = published_scores(sums, flags)[columns]
    assert list(found.columns) == columns
    assert found.index.equals(expected.index)
    for column in columns:
        assert found[column].to_numpy().tobytes() == expected[column].to_numpy().tobytes()


def test_the_stored_result_columns_are_the_sums_computed():
    """A closed wave's result rows (models) store exactly what sum_responses computes
    (analysis). Both keep their own list: the models must not import the analysis, which
    would load numpy and pandas into the light survey page."""
    from ee_app.models.results import RESULT_SUMS

    assert RESULT_SUMS == SUM_COLUMNS
