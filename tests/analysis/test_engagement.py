"""Engagement statistics against independent references (sources in the comments)."""

import math

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.api as sm
from scipy import stats

from ee_app.analysis.engagement import (
    change_ci,
    change_frame,
    cronbach_alpha,
    enps_ci,
    index_ci,
    mean_ci,
    percentile_rank,
    roll_up,
    scores,
    sum_responses,
    theme_scores,
    wilson_ci,
)
from ee_app.instruments.pulse import CORE_SLOTS


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # Newcombe RG (1998), Two-sided confidence intervals for the single proportion,
        # Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score, no correction).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
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


def test_enps_by_hand():
    # 10 answers: 9,10,10,9 promoters; 7,8 passives; 0,3,6,6 detractors → 40% - 40% = 0.
    score, low, high = enps_ci(4, 4, 10)
    # Var of the +1/0/-1 scores: (0.4 + 0.4 - 0²) / 10 = 0.08 → half = 1.96 × 0.2828.
    assert score == 0 and high == pytest.approx(100 * 1.959964 * math.sqrt(0.08), rel=1e-5)
    assert low == -high


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


def test_percentile_rank():
    assert percentile_rank([1, 2, 3, 4], 4) == 87.5
    assert math.isnan(percentile_rank([], 1.0))


def _skipping_answers(seed: int, people: int, skip: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        rng.integers(1, 6, size=(people, 12)).astype(float), columns=list(CORE_SLOTS)
    )
    frame = frame.mask(rng.random(frame.shape) < skip)
    frame.iloc[0, 1:] = np.nan  # one person answered a single theme
    frame["unit"] = 1
    return frame


@pytest.mark.parametrize(("seed", "people", "skip"), [(3, 12, 0.2), (4, 40, 0.1), (5, 6, 0.4)])
def test_index_interval_matches_cluster_robust_regression(seed, people, skip):
    # Reference: the mean of all answers as an intercept-only OLS with standard errors
    # clustered by respondent (statsmodels, cov_type="cluster" without its small-sample
    # factor), times the n/(n - 1) of the linearisation variance (Cochran 1977, §6.4).
    frame = _skipping_answers(seed, people, skip)
    long = frame[list(CORE_SLOTS)].stack().dropna().reset_index()
    long.columns = ["person", "slot", "answer"]
    fit = sm.OLS(long["answer"].to_numpy(), np.ones(len(long))).fit(
        cov_type="cluster", cov_kwds={"groups": long["person"].to_numpy(), "use_correction": False}
    )
    groups = long["person"].nunique()
    half = stats.t.ppf(0.975, groups - 1) * fit.bse[0] * math.sqrt(groups / (groups - 1))
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
    assert (low, high) == pytest.approx((fit.params[0] - half, fit.params[0] + half))
    scored = scores(sum_responses(frame, ["unit"])).iloc[0]
    assert (scored["index"], scored["index_low"]) == pytest.approx((index, low))


def test_index_without_skips_is_the_t_interval_of_own_means():
    # Nobody skips: the pooled mean is the mean of the respondents' own means, and the
    # interval is scipy's t interval of those means.
    frame = _skipping_answers(6, 15, 0.0).iloc[1:]
    own = frame[list(CORE_SLOTS)].mean(axis=1)
    low, high = stats.t.interval(0.95, len(own) - 1, loc=own.mean(), scale=stats.sem(own))
    scored = scores(sum_responses(frame, ["unit"])).iloc[0]
    assert (scored["index"], scored["index_low"], scored["index_high"]) == pytest.approx(
        (own.mean(), low, high)
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
