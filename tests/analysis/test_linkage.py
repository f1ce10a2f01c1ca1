"""Engagement–outcome linkage against published values, hand calculations, pingouin 0.7 and
scipy (sources in the comments). pingouin's ``CI95`` columns are rounded to two decimals by
its global options, so intervals are compared to them at two decimals and to a hand Fisher-z
computation at full precision."""

import importlib
import math
import warnings

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import integrate, optimize, special, stats

from ee_app.analysis import linkage
from ee_app.analysis.linkage import drivers, fit_band, partial, unit_correlation
from ee_app.analysis.reliability import icc_from_scores, icc_from_sums
from ee_app.analysis.repeated_measures import lagged_pairs, repeated_measures
from ee_app.analysis.winsorized import _winsorize, winsorized_correlation

# Anscombe FJ (1973), Graphs in statistical analysis, The American Statistician 27:17-21.
# All four sets: r = 0.816, y = 3.00 + 0.500·x.
ANSCOMBE_X = [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5]
ANSCOMBE = {
    "I": (ANSCOMBE_X, [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68]),
    "II": (ANSCOMBE_X, [9.14, 8.14, 8.74, 8.77, 9.26, 8.10, 6.13, 3.10, 9.13, 7.26, 4.74]),
    "III": (ANSCOMBE_X, [7.46, 6.77, 12.74, 7.11, 7.81, 8.84, 6.08, 5.39, 8.15, 6.42, 5.73]),
    "IV": (
        [8, 8, 8, 8, 8, 8, 8, 19, 8, 8, 8],
        [6.58, 5.76, 7.71, 8.84, 8.47, 7.04, 5.25, 12.50, 5.56, 7.91, 6.89],
    ),
}

# pingouin 0.7 calls pandas methods with inplace=True inside rm_corr (via ancova) and
# intraclass_corr; pandas 3.1 warns about it. Only the reference calls in these tests need it.
PINGOUIN_PANDAS_WARNING = "ignore::pandas.errors.Pandas4Warning"


def frame_of(name):
    x, y = ANSCOMBE[name]
    return pd.DataFrame({"x": x, "y": y})


def fisher(r, n, level=0.95, spread=1.0):
    z = stats.norm.ppf(0.5 + level / 2) * spread / math.sqrt(n - 3)
    return math.tanh(math.atanh(r) - z), math.tanh(math.atanh(r) + z)


def ci95(table):
    """pingouin's CI95 cell as a tuple of floats."""
    return tuple(float(v) for v in table["CI95"].iloc[0])


# --- unit_correlation -----------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ANSCOMBE))
def test_anscombe_quartet_correlations_match_the_published_value_and_pingouin(name):
    result = unit_correlation(frame_of(name), "x", "y")
    x, y = ANSCOMBE[name]
    # Anscombe (1973): r = 0.816 for every set (0.8165 for IV, within the published rounding).
    assert result["n"] == 11 and result["r"] == pytest.approx(0.816, abs=1e-3)
    pearson = pg.corr(x, y)
    assert result["r"] == pytest.approx(pearson["r"].iloc[0], rel=1e-12)
    assert result["r_p"] == pytest.approx(pearson["p_val"].iloc[0], rel=1e-9)
    assert (round(result["r_low"], 2), round(result["r_high"], 2)) == ci95(pearson)
    spearman = stats.spearmanr(x, y)
    assert result["rho"] == pytest.approx(spearman.statistic, rel=1e-12)
    assert result["rho_p"] == pytest.approx(spearman.pvalue, rel=1e-9)
    assert result["rho"] == pytest.approx(pg.corr(x, y, method="spearman")["r"].iloc[0])


def test_anscombe_i_matches_r_cor_test_and_spearman_by_hand():
    result = unit_correlation(frame_of("I"), "x", "y")
    # R: cor.test(anscombe$x1, anscombe$y1) -> t = 4.2415, df = 9, p-value = 0.00217,
    # 95 percent confidence interval 0.4243912 0.9506933, cor 0.8164205.
    assert round(result["r"], 7) == 0.8164205
    assert (round(result["r_low"], 7), round(result["r_high"], 7)) == (0.4243912, 0.9506933)
    assert round(result["r_p"], 5) == 0.00217
    # Spearman by hand. Ranks of x: 7 5 10 6 8 11 3 1 9 4 2; of y1: 7 4 6 9 8 10 5 1 11 2 3;
    # d = 0 1 4 -3 0 1 -2 0 -2 2 -1, Σd² = 40, ρ = 1 − 6·40 / (11·120) = 9/11.
    assert result["rho"] == pytest.approx(9 / 11, rel=1e-12)
    # Bonett & Wright (2000), Psychometrika 65:23-28: SE(z) = √((1 + ρ²/2) / (n − 3)).
    expected = fisher(9 / 11, 11, spread=math.sqrt(1 + (9 / 11) ** 2 / 2))
    assert (result["rho_low"], result["rho_high"]) == pytest.approx(expected, rel=1e-12)
    # It is wider than pingouin's plain 1/√(n − 3) interval for ρ, [0.43, 0.95].
    plain = ci95(pg.corr(*ANSCOMBE["I"], method="spearman"))
    assert result["rho_low"] < plain[0] and result["rho_high"] > plain[1]


def test_interval_follows_level():
    wide = unit_correlation(frame_of("I"), "x", "y", level=0.99)
    narrow = unit_correlation(frame_of("I"), "x", "y", level=0.80)
    assert (wide["r_low"], wide["r_high"]) == pytest.approx(fisher(wide["r"], 11, 0.99))
    assert wide["r_low"] < narrow["r_low"] < narrow["r"] < narrow["r_high"] < wide["r_high"]


def test_detectable_r_matches_pingouin_published_power_example():
    # pingouin docs, power_corr: power_corr(n=20, power=0.80, alpha=0.05) -> r: 0.5822. The
    # algorithm is R's pwr::pwr.r.test (Champely), Fisher's z with the bias term r/(2(n−1)).
    frame = pd.DataFrame({"x": range(20), "y": [v % 7 for v in range(20)]})
    assert round(unit_correlation(frame, "x", "y")["detectable_r"], 4) == 0.5822


@pytest.mark.parametrize(
    ("n", "power", "alpha"),
    [(5, 0.8, 0.05), (12, 0.8, 0.05), (20, 0.9, 0.01), (50, 0.8, 0.05), (400, 0.8, 0.10)],
)
def test_detectable_r_equals_pingouin_power_corr(n, power, alpha):
    rng = np.random.default_rng(n)
    frame = pd.DataFrame({"x": rng.normal(size=n), "y": rng.normal(size=n)})
    result = unit_correlation(frame, "x", "y", power=power, alpha=alpha)
    reference = pg.power_corr(n=n, power=power, alpha=alpha)
    assert result["detectable_r"] == pytest.approx(reference, rel=1e-8)
    # And r = detectable_r has the asked power by pingouin's power formula.
    assert pg.power_corr(r=result["detectable_r"], n=n, alpha=alpha) == pytest.approx(power)


def exact_power(rho, n, alpha=0.05):
    """Two-sided power of the t test of r = 0 when (x, y) is bivariate normal with ρ: the
    exact density of r (Fisher 1915; Hotelling 1953, eq. 30), as G*Power's exact test."""
    log_ratio = special.gammaln(n - 1) - special.gammaln(n - 0.5)

    def density(r):
        return (
            (n - 2)
            * math.exp(log_ratio)
            * (1 - rho**2) ** ((n - 1) / 2)
            * (1 - r**2) ** ((n - 4) / 2)
            / (math.sqrt(2 * math.pi) * (1 - rho * r) ** (n - 1.5))
            * special.hyp2f1(0.5, 0.5, n - 0.5, (1 + rho * r) / 2)
        )

    t = stats.t.ppf(1 - alpha / 2, n - 2)
    critical = math.sqrt(t * t / (t * t + n - 2))
    return integrate.quad(density, critical, 1)[0] + integrate.quad(density, -1, -critical)[0]


def test_detectable_r_approximation_is_slightly_conservative_against_the_exact_power():
    # At n = 20 the approximate detectable r (0.5822) has an exact power of 0.805, and the
    # exact 80% point is r = 0.5793: the approximation asks for a little more than needed.
    assert exact_power(0.5, 20, 0.05) == pytest.approx(pg.power_corr(r=0.5, n=20), abs=0.01)
    assert round(exact_power(0.5822, 20), 3) == 0.805
    exact = optimize.brentq(lambda r: exact_power(r, 20) - 0.8, 0.3, 0.9)
    assert round(exact, 4) == 0.5793


@pytest.mark.parametrize(
    ("x", "y", "n"),
    [
        ([], [], 0),
        ([1.0], [2.0], 1),
        ([1.0, 2.0], [2.0, 1.0], 2),
        ([1.0, 2.0, None, 4.0], [2.0, None, 3.0, 1.0], 2),  # two complete rows
    ],
)
def test_fewer_than_three_units_give_nan_without_warnings(x, y, n):
    frame = pd.DataFrame({"x": pd.array(x, dtype="Float64"), "y": pd.array(y, dtype="Float64")})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = unit_correlation(frame, "x", "y")
        assert fit_band(frame, "x", "y").empty
    assert result["n"] == n and result["enough"] is False
    assert all(math.isnan(result[key]) for key in result if key not in ("n", "enough"))


def test_three_units_have_r_and_p_but_no_interval_or_power():
    # Fisher's z needs n > 3 (SE = 1/√(n − 3)); pingouin's power_corr needs n ≥ 5.
    result = unit_correlation(pd.DataFrame({"x": [1, 2, 3], "y": [1, 3, 2]}), "x", "y")
    # r = 0.5, t = 0.5·√(1/0.75) = 0.577 on 1 df: p = 2/3 (pingouin and scipy: 0.666667).
    assert (result["r"], round(result["r_p"], 6)) == (pytest.approx(0.5), 0.666667)
    assert math.isnan(result["r_low"]) and math.isnan(result["detectable_r"])
    assert result["enough"] is False


@pytest.mark.parametrize(("x", "y"), [([2, 2, 2, 2, 2], [1, 2, 3, 4, 5]), ([1, 2, 3, 4], [3] * 4)])
def test_a_constant_variable_has_no_correlation(x, y):
    result = unit_correlation(pd.DataFrame({"x": x, "y": y}), "x", "y", min_units=3)
    assert math.isnan(result["r"]) and math.isnan(result["rho"]) and math.isnan(result["r_p"])
    assert result["enough"] is True  # enough units; the relation itself is undefined


def test_enough_counts_complete_rows():
    frame = pd.DataFrame({"x": [1.0, 2, 3, 4, np.nan], "y": [2.0, 1, 4, 3, 5]})
    assert unit_correlation(frame, "x", "y", min_units=4)["enough"] is True
    assert unit_correlation(frame, "x", "y", min_units=5)["enough"] is False


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"x": "missing"}, "lack the column"),
        ({"x": "store"}, "must be numeric"),
        ({"level": 1.0}, "level"),
        ({"power": 0}, "power"),
        ({"min_units": 0}, "min_units"),
    ],
)
def test_bad_input_raises_value_error(kwargs, message):
    frame = pd.DataFrame({"store": ["a", "b", "c"], "x": [1, 2, 3], "y": [3, 1, 2]})
    arguments = {"x": "x", "y": "y", **kwargs}
    x, y = arguments.pop("x"), arguments.pop("y")
    with pytest.raises(ValueError, match=message):
        unit_correlation(frame, x, y, **arguments)


def test_infinite_values_raise():
    with pytest.raises(ValueError, match="infinite"):
        unit_correlation(pd.DataFrame({"x": [1, 2, np.inf], "y": [1, 2, 3]}), "x", "y")


# --- fit_band ---------------------------------------------------------------------------------


def test_fit_band_matches_the_published_line_and_the_t_band():
    band = fit_band(frame_of("I"), "x", "y", points=11)
    x = np.array(ANSCOMBE["I"][0], dtype=float)
    y = np.array(ANSCOMBE["I"][1])
    # R lm(y1 ~ x1): intercept 3.0001, slope 0.5001, residual standard error 1.237 on 9 df.
    line = stats.linregress(x, y)
    assert round(line.intercept, 4) == 3.0001 and round(line.slope, 4) == 0.5001
    assert band["x"].tolist() == pytest.approx(np.linspace(4, 14, 11))
    assert band["fit"].to_numpy() == pytest.approx(line.intercept + line.slope * band["x"])
    s = math.sqrt(np.sum((y - line.intercept - line.slope * x) ** 2) / 9)
    assert round(s, 3) == 1.237
    # Half-width at x0 = t(9) · s · √(1/n + (x0 − x̄)²/Sxx); Sxx = 110, x̄ = 9.
    half = stats.t.ppf(0.975, 9) * s * np.sqrt(1 / 11 + (band["x"] - 9) ** 2 / 110)
    assert (band["high"] - band["fit"]).to_numpy() == pytest.approx(half.to_numpy())
    assert (band["fit"] - band["low"]).to_numpy() == pytest.approx(half.to_numpy())


def test_fit_at_mean_x_is_mean_y_and_the_band_is_narrowest_there():
    rng = np.random.default_rng(7)
    x = np.linspace(2.5, 4.5, 30)
    frame = pd.DataFrame({"x": x, "y": 0.3 + 0.15 * x + rng.normal(0, 0.05, 30)})
    band = fit_band(frame, "x", "y", points=41)  # x̄ = 3.5 is the middle grid point
    middle = band.iloc[20]
    assert middle["x"] == pytest.approx(x.mean())
    assert middle["fit"] == pytest.approx(frame["y"].mean())
    width = (band["high"] - band["low"]).to_numpy()
    assert int(np.argmin(width)) == 20
    assert (np.diff(width[:21]) < 0).all() and (np.diff(width[20:]) > 0).all()
    assert list(band.columns) == ["x", "fit", "low", "high"]


def test_fit_band_is_empty_for_a_constant_x():
    band = fit_band(frame_of("IV").iloc[:7], "x", "y")  # the first 7 x's are all 8
    assert band.empty and list(band.columns) == ["x", "fit", "low", "high"]


# --- repeated_measures ------------------------------------------------------------------------


@pytest.mark.filterwarnings(PINGOUIN_PANDAS_WARNING)
def test_repeated_measures_matches_rmcorr_published_example_and_pingouin():
    data = pg.read_dataset("rm_corr")
    result = repeated_measures(data, "pH", "PacO2", "Subject")
    # Bakdash & Marusich (2017), Repeated measures correlation, Front. Psychol. 8:456, on
    # Bland & Altman's (1995) data: r_rm = -0.507, df = 38, 95% CI [-0.71, -0.23], p = 0.0008;
    # pingouin docs, rm_corr: r -0.50677, dof 38, pval 0.000847, CI95 [-0.71, -0.23].
    assert (round(result["r"], 3), result["dof"]) == (-0.507, 38)
    assert (round(result["r_low"], 2), round(result["r_high"], 2)) == (-0.71, -0.23)
    assert round(result["p"], 4) == 0.0008
    reference = pg.rm_corr(data, x="pH", y="PacO2", subject="Subject")
    assert result["r"] == pytest.approx(reference["r"].iloc[0], rel=1e-10)
    assert result["p"] == pytest.approx(reference["pval"].iloc[0], rel=1e-8)
    assert (round(result["r_low"], 2), round(result["r_high"], 2)) == ci95(reference)
    assert (result["r_low"], result["r_high"]) == pytest.approx(fisher(result["r"], 40))
    assert (result["subjects"], result["observations"]) == (8, 47)


@pytest.mark.filterwarnings(PINGOUIN_PANDAS_WARNING)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_repeated_measures_equals_pingouin_on_unbalanced_waves(seed):
    rng = np.random.default_rng(seed)
    rows = []
    for unit in range(12):
        level = rng.normal(3.5, 0.4)
        for wave in range(int(rng.integers(1, 5))):  # some units have a single wave
            engagement = level + rng.normal(0, 0.2)
            rows.append(
                (f"u{unit}", wave, engagement, 0.5 + 0.1 * engagement + rng.normal(0, 0.03))
            )
    data = pd.DataFrame(rows, columns=["unit", "wave", "index", "csat"])
    result = repeated_measures(data, "index", "csat", "unit")
    reference = pg.rm_corr(data, x="index", y="csat", subject="unit")
    assert result["r"] == pytest.approx(reference["r"].iloc[0], rel=1e-9)
    assert result["dof"] == reference["dof"].iloc[0]
    assert result["p"] == pytest.approx(reference["pval"].iloc[0], rel=1e-7)
    counts = data["unit"].value_counts()
    assert result["subjects"] == (counts >= 2).sum()
    assert result["observations"] == counts[counts >= 2].sum()


@pytest.mark.parametrize(
    "units",
    [
        ["a", "a", "b", "b", "c"],  # c has one observation: two subjects with two
        ["a", "a", "a", "b", "b"],
    ],
)
def test_repeated_measures_needs_three_subjects_with_two_observations(units):
    frame = pd.DataFrame({"unit": units, "x": [1.0, 2, 3, 4, 5], "y": [2.0, 1, 4, 3, 5]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = repeated_measures(frame, "x", "y", "unit")
    assert math.isnan(result["r"]) and math.isnan(result["p"]) and math.isnan(result["dof"])
    assert result["subjects"] == 2


def test_repeated_measures_is_nan_when_x_never_varies_within_a_unit():
    frame = pd.DataFrame(
        {"unit": list("aabbcc"), "x": [1.0, 1, 2, 2, 3, 3], "y": [1.0, 2, 2, 3, 3, 5]}
    )
    result = repeated_measures(frame, "x", "y", "unit")
    assert math.isnan(result["r"]) and result["dof"] == 2


# --- lagged_pairs -----------------------------------------------------------------------------


def test_lagged_pairs_pair_each_period_with_the_units_next_one():
    frame = pd.DataFrame(
        {
            "store": ["s2", "s1", "s1", "s2", "s1", "s3"],
            "wave": ["2024-03", "2024-03", "2024-01", "2024-01", "2024-02", "2024-01"],
            "index": [3.9, 4.1, 3.5, 3.0, 3.8, 4.4],
            "repurchase": [0.41, 0.52, 0.40, 0.33, 0.47, 0.60],
        }
    )
    pairs = lagged_pairs(frame, "store", "wave", "index", "repurchase")
    # s1: 01 → 02 → 03; s2: 01 → 03 (no row for 02: a wave that did not cover it); s3: one
    # wave only.
    assert pairs.to_dict("records") == [
        {"unit": "s1", "period": "2024-01", "x": 3.5, "y_next": 0.47, "next_period": "2024-02"},
        {"unit": "s1", "period": "2024-02", "x": 3.8, "y_next": 0.52, "next_period": "2024-03"},
        {"unit": "s2", "period": "2024-01", "x": 3.0, "y_next": 0.41, "next_period": "2024-03"},
    ]
    assert list(pairs.columns) == ["unit", "period", "x", "y_next", "next_period"]


def test_lagged_pairs_keep_missing_values_and_reject_duplicates():
    frame = pd.DataFrame(
        {"u": [1, 1, 1], "t": [1, 2, 3], "x": [1.0, None, 3.0], "y": [1.0, None, 2]}
    )
    pairs = lagged_pairs(frame, "u", "t", "x", "y")
    assert pairs["next_period"].tolist() == [2, 3]
    assert math.isnan(pairs["y_next"].iloc[0]) and math.isnan(pairs["x"].iloc[1])
    with pytest.raises(ValueError, match="one row per unit and period"):
        lagged_pairs(pd.concat([frame, frame.iloc[:1]]), "u", "t", "x", "y")


def test_a_period_the_unit_was_hidden_in_breaks_the_chain():
    """Issue 16: a store hidden in the wave before was paired with an older wave. Given a
    row for the hidden wave (nothing in it), the store is paired with that wave only, which
    leaves nothing to correlate: the lag is always one of the store's own waves."""
    frame = pd.DataFrame(
        {
            "u": ["a", "a", "a", "b", "b", "b"],
            "t": [1, 2, 3, 1, 2, 3],
            "x": [3.0, 3.5, 4.0, 4.2, np.nan, 4.4],  # b hidden in wave 2
            "y": [0.7, 0.8, 0.9, 0.85, np.nan, 0.88],
        }
    )
    pairs = lagged_pairs(frame, "u", "t", "x", "y")
    assert list(zip(pairs["unit"], pairs["period"], pairs["next_period"], strict=True)) == [
        ("a", 1, 2),
        ("a", 2, 3),
        ("b", 1, 2),
        ("b", 2, 3),
    ]
    usable = pairs.dropna(subset=["x", "y_next"])
    assert list(zip(usable["unit"], usable["period"], strict=True)) == [("a", 1), ("a", 2)]
    # Without the row of the hidden wave, b's wave 1 would meet its wave 3's outcome.
    bridged = lagged_pairs(frame.dropna(), "u", "t", "x", "y")
    steps = zip(bridged["unit"], bridged["period"], bridged["next_period"], strict=True)
    assert ("b", 1, 3) in set(steps)


def test_lagged_pairs_feed_unit_correlation():
    frame = pd.DataFrame(
        {
            "u": np.repeat(np.arange(8), 2),
            "t": np.tile([1, 2], 8),
            "x": np.arange(16, dtype=float),
            "y": np.arange(16, dtype=float) ** 1.5,
        }
    )
    pairs = lagged_pairs(frame, "u", "t", "x", "y")
    assert len(pairs) == 8
    assert unit_correlation(pairs, "x", "y_next")["rho"] == pytest.approx(1.0)


# --- partial ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("covariates", "published"),
    [
        # pingouin docs, partial_corr example 1: covar="cv1" -> n 30, r 0.568, CI95 [0.25, 0.77].
        (["cv1"], 0.568),
        # pingouin docs, pcorr example: the x-y cell of df.pcorr() (all three others) is 0.493.
        (["cv1", "cv2", "cv3"], 0.493),
    ],
)
def test_partial_matches_pingouin_published_examples(covariates, published):
    data = pg.read_dataset("partial_corr")
    result = partial(data, "x", "y", covariates)
    assert result["n"] == 30 and round(result["r"], 3) == published
    reference = pg.partial_corr(data, x="x", y="y", covar=covariates)
    assert result["r"] == pytest.approx(reference["r"].iloc[0], rel=1e-10)
    assert result["p"] == pytest.approx(reference["p_val"].iloc[0], rel=1e-8)
    assert (round(result["r_low"], 2), round(result["r_high"], 2)) == ci95(reference)
    # Fisher interval with n − k: SE = 1/√(n − k − 3).
    expected = fisher(result["r"], 30 - len(covariates))
    assert (result["r_low"], result["r_high"]) == pytest.approx(expected)


def test_partial_with_one_covariate_is_the_textbook_formula():
    data = pg.read_dataset("partial_corr")
    r = data[["x", "y", "cv1"]].corr()
    rxy, rxz, ryz = r.loc["x", "y"], r.loc["x", "cv1"], r.loc["y", "cv1"]
    # r_xy·z = (r_xy − r_xz·r_yz) / √((1 − r_xz²)(1 − r_yz²))
    expected = (rxy - rxz * ryz) / math.sqrt((1 - rxz**2) * (1 - ryz**2))
    assert partial(data, "x", "y", "cv1")["r"] == pytest.approx(expected, rel=1e-12)


def test_partial_counts_independent_covariates_only():
    data = pg.read_dataset("partial_corr")
    data["cv1_twice"] = 2 * data["cv1"]
    data["constant"] = 1.0
    once = partial(data, "x", "y", ["cv1"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert partial(data, "x", "y", ["cv1", "cv1_twice", "constant"]) == pytest.approx(once)


def test_partial_is_nan_below_covariates_plus_three_rows():
    data = pg.read_dataset("partial_corr").iloc[:5]
    result = partial(data, "x", "y", ["cv1", "cv2", "cv3"])
    assert result["n"] == 5 and math.isnan(result["r"]) and math.isnan(result["p"])
    exact = partial(data.iloc[:4], "x", "y", ["cv1"])  # n = k + 3: r and p, no interval
    assert not math.isnan(exact["p"]) and math.isnan(exact["r_low"])


# --- drivers ----------------------------------------------------------------------------------


def benjamini_hochberg(p):
    """By hand: sort ascending, p_(i)·m/i, running minimum from the largest, capped at 1."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    order = np.argsort(p)
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1)
    return adjusted


def test_benjamini_hochberg_by_hand_and_pingouin():
    p = [0.01, 0.04, 0.03, 0.20]
    # Sorted .01 .03 .04 .20; ×4/i: .04 .06 .0533 .20; running min from the top:
    # .20, .0533, .0533, .04 -> in the original order .04, .0533, .0533, .20.
    expected = [0.04, 0.16 / 3, 0.16 / 3, 0.20]
    assert benjamini_hochberg(p) == pytest.approx(expected)
    reject, adjusted = pg.multicomp(p, method="fdr_bh")
    assert adjusted == pytest.approx(expected) and reject.tolist() == [True, False, False, False]
    assert linkage._benjamini_hochberg(np.array(p)) == pytest.approx(expected)
    with_nan = linkage._benjamini_hochberg(np.array([0.01, np.nan, 0.03]))
    assert with_nan[[0, 2]] == pytest.approx(pg.multicomp([0.01, 0.03], method="fdr_bh")[1])
    assert math.isnan(with_nan[1])


def test_drivers_match_pingouin_per_theme_and_adjust_over_the_themes():
    rng = np.random.default_rng(12)
    stores = 40
    common = rng.normal(size=stores)
    themes = [f"a{i:02d}" for i in range(1, 13)]
    frame = pd.DataFrame(
        {
            t: 3.5 + 0.3 * common * (i % 3) / 2 + rng.normal(0, 0.3, stores)
            for i, t in enumerate(themes)
        }
    )
    frame["csat"] = 0.8 + 0.05 * common + rng.normal(0, 0.03, stores)
    frame.loc[3, "a05"] = np.nan
    table = drivers(frame, themes, "csat")
    assert list(table.columns) == [
        "theme", "n", "r", "r_low", "r_high", "p", "p_adjusted", "significant"
    ]  # fmt: skip
    assert table["r"].is_monotonic_decreasing and sorted(table["theme"]) == themes
    for row in table.itertuples():
        reference = pg.corr(frame[row.theme], frame["csat"])
        assert row.n == reference["n"].iloc[0] == (39 if row.theme == "a05" else 40)
        assert row.r == pytest.approx(reference["r"].iloc[0], rel=1e-12)
        assert row.p == pytest.approx(reference["p_val"].iloc[0], rel=1e-8)
        assert (round(row.r_low, 2), round(row.r_high, 2)) == ci95(reference)
    _, adjusted = pg.multicomp(table["p"].to_numpy(), method="fdr_bh")
    assert table["p_adjusted"].to_numpy() == pytest.approx(adjusted)
    assert table["p_adjusted"].to_numpy() == pytest.approx(benjamini_hochberg(table["p"]))
    assert (table["significant"] == (table["p_adjusted"] < 0.05)).all()
    assert table["significant"].any() and not table["significant"].all()


def test_a_constant_theme_sorts_last_and_is_not_significant():
    frame = pd.DataFrame(
        {"a01": [1.0, 2, 3, 4, 5], "a02": [4.0] * 5, "a03": [2.0, 1, 4, 3, 5], "y": [1, 2, 3, 4, 6]}
    )
    table = drivers(frame, ["a02", "a03", "a01"], "y")
    assert table["theme"].tolist() == ["a01", "a03", "a02"]
    last = table.iloc[-1]
    assert math.isnan(last["r"]) and math.isnan(last["p_adjusted"]) and not last["significant"]
    # Two p-values adjusted: the constant theme is not counted as a test.
    finite = table["p"].iloc[:2].to_numpy()
    assert table["p_adjusted"].iloc[:2].to_numpy() == pytest.approx(benjamini_hochberg(finite))


def test_drivers_reject_a_single_string():
    with pytest.raises(ValueError, match="list"):
        drivers(pd.DataFrame({"a01": [1, 2, 3], "y": [1, 2, 3]}), "a01", "y")


# --- ICC --------------------------------------------------------------------------------------


def sums_of(scores, units):
    frame = pd.DataFrame({"unit": units, "score": scores})
    grouped = frame.groupby("unit")["score"]
    return pd.DataFrame(
        {"n": grouped.size(), "sum": grouped.sum(), "sumsq": grouped.apply(lambda s: (s**2).sum())}
    ).reset_index()


def test_icc_by_hand_unbalanced():
    # Units: A = 1, 2 (n 2, mean 1.5); B = 2, 3, 4 (n 3, mean 3); C = 4, 5, 5, 6, 5 (n 5, mean 5).
    # N = 10, grand mean = (3 + 9 + 25)/10 = 3.7.
    # SSB = 2·(1.5 − 3.7)² + 3·(3 − 3.7)² + 5·(5 − 3.7)² = 9.68 + 1.47 + 8.45 = 19.6, MSB = 9.8.
    # SSW = (.25 + .25) + (1 + 0 + 1) + (1 + 0 + 0 + 1 + 0) = 4.5 on 10 − 3 = 7 df, MSW = 9/14.
    # k0 = (10 − (4 + 9 + 25)/10)/2 = (10 − 3.8)/2 = 3.1.
    # ICC1 = (9.8 − 9/14)/(9.8 + 2.1·9/14); ICC2 = 1 − (9/14)/9.8; F = 9.8·14/9 on (2, 7).
    scores = [1, 2, 2, 3, 4, 4, 5, 5, 6, 5]
    units = ["A"] * 2 + ["B"] * 3 + ["C"] * 5
    msb, msw = 9.8, 9 / 14
    expected = {
        "icc1": (msb - msw) / (msb + 2.1 * msw),
        "icc2": 1 - msw / msb,
        "f": msb / msw,
        "df_between": 2,
        "df_within": 7,
        "p": stats.f.sf(msb / msw, 2, 7),
        "msb": msb,
        "msw": msw,
        "units": 3,
        "people": 10,
        "k0": 3.1,
    }
    from_sums = icc_from_sums(sums_of(scores, units))
    from_scores = icc_from_scores(scores, units)
    assert from_sums == pytest.approx(expected) and from_scores == pytest.approx(expected)
    # scipy's one-way ANOVA gives the same F and p.
    groups = [scores[:2], scores[2:5], scores[5:]]
    anova = stats.f_oneway(*groups)
    assert (from_sums["f"], from_sums["p"]) == pytest.approx((anova.statistic, anova.pvalue))


def test_icc_matches_shrout_fleiss_published_example():
    # Shrout PE, Fleiss JL (1979), Intraclass correlations: uses in assessing rater
    # reliability, Psychol. Bull. 86:420-428. Table 1 data (6 targets × 4 judges); Table 2:
    # BMS = 11.24, WMS = 6.26; Table 4: ICC(1,1) = .17, ICC(1,4) = .44.
    ratings = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
    scores = [v for row in ratings for v in row]
    units = [t for t, row in enumerate(ratings) for _ in row]
    result = icc_from_sums(sums_of(scores, units))
    assert (round(result["msb"], 2), round(result["msw"], 2)) == (11.24, 6.26)
    assert (round(result["icc1"], 2), round(result["icc2"], 2)) == (0.17, 0.44)


@pytest.mark.filterwarnings(PINGOUIN_PANDAS_WARNING)
def test_icc_matches_pingouin_published_example():
    # pingouin docs, intraclass_corr on read_dataset("icc") (8 wines × 4 judges; checked by
    # pingouin against R psych::ICC): ICC(1,1) 0.728, ICC(1,k) 0.914, F 11.680, df 7 and 24.
    data = pg.read_dataset("icc")
    result = icc_from_scores(data["Scores"], data["Wine"])
    assert (round(result["icc1"], 3), round(result["icc2"], 3)) == (0.728, 0.914)
    assert (round(result["f"], 3), result["df_between"], result["df_within"]) == (11.68, 7, 24)


@pytest.mark.filterwarnings(PINGOUIN_PANDAS_WARNING)
@pytest.mark.parametrize(("units", "size", "seed"), [(6, 4, 1), (15, 8, 2), (40, 5, 3)])
def test_balanced_icc_equals_pingouin_icc1_and_icc1k(units, size, seed):
    rng = np.random.default_rng(seed)
    effects = rng.normal(0, 0.4, units)
    scores = np.clip(3.6 + np.repeat(effects, size) + rng.normal(0, 0.7, units * size), 1, 5)
    labels = np.repeat([f"team{u}" for u in range(units)], size)
    # pingouin's long frame: targets = units, raters = the person's position within the unit.
    long = pd.DataFrame(
        {"unit": labels, "position": np.tile(np.arange(size), units), "score": scores}
    )
    icc = pg.intraclass_corr(long, targets="unit", raters="position", ratings="score")
    icc = icc.set_index("Type")
    result = icc_from_sums(sums_of(scores, labels))
    assert result["icc1"] == pytest.approx(icc.loc["ICC(1,1)", "ICC"], rel=1e-10)
    assert result["icc2"] == pytest.approx(icc.loc["ICC(1,k)", "ICC"], rel=1e-10)
    assert result["f"] == pytest.approx(icc.loc["ICC(1,1)", "F"], rel=1e-10)
    assert result["p"] == pytest.approx(icc.loc["ICC(1,1)", "pval"], rel=1e-6, abs=1e-300)
    assert (result["df_between"], result["df_within"]) == (units - 1, units * (size - 1))
    assert result["k0"] == pytest.approx(size)


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_unbalanced_icc_from_sums_equals_icc_from_scores(seed):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(3, 25, size=30)
    labels = np.repeat(np.arange(30), sizes)
    effects = rng.normal(0, 0.3, 30)
    scores = 3.5 + effects[labels] + rng.normal(0, 0.8, len(labels))
    from_sums = icc_from_sums(sums_of(scores, labels))
    assert from_sums == pytest.approx(icc_from_scores(scores, labels), rel=1e-9)
    n = sizes.astype(float)
    assert from_sums["k0"] == pytest.approx((n.sum() - (n**2).sum() / n.sum()) / 29)
    assert from_sums["k0"] < n.mean()


@pytest.mark.parametrize(
    ("units", "expected"),
    [
        ({"n": [5], "sum": [20.0], "sumsq": [82.0]}, "nan"),  # one unit
        ({"n": [1, 1], "sum": [3.0, 4.0], "sumsq": [9.0, 16.0]}, "nan"),  # N − J = 0
        ({"n": [2, 2], "sum": [6.0, 8.0], "sumsq": [18.0, 32.0]}, "perfect"),  # MSW = 0
    ],
)
def test_icc_edge_cases_do_not_warn(units, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = icc_from_sums(pd.DataFrame(units))
    if expected == "nan":
        assert math.isnan(result["icc1"]) and math.isnan(result["p"])
    else:
        assert (result["icc1"], result["icc2"], result["f"], result["p"]) == (1, 1, math.inf, 0)


def test_icc_of_no_units_is_nan():
    empty = icc_from_sums(pd.DataFrame(columns=["n", "sum", "sumsq"]))  # object columns
    assert (empty["units"], empty["people"]) == (0, 0) and math.isnan(empty["icc1"])


def test_icc_rejects_impossible_sums():
    with pytest.raises(ValueError, match="sumsq"):
        icc_from_sums(pd.DataFrame({"n": [2, 2], "sum": [6.0, 8.0], "sumsq": [10.0, 32.0]}))
    with pytest.raises(ValueError, match="whole number"):
        icc_from_sums(pd.DataFrame({"n": [2.5, 2], "sum": [6.0, 8.0], "sumsq": [18.0, 32.0]}))


# --- winsorized_correlation -------------------------------------------------------------------
#
# Reference: Wilcox RR (2012), Introduction to Robust Estimation and Hypothesis Testing, 3rd
# ed., Academic Press, the winsorized correlation and its test (R: WRS2::wincor): winsorize
# each variable on its own (the g = floor(tr·n) smallest values raised to the (g + 1)-th
# smallest, the g largest lowered to the (g + 1)-th largest), r = Pearson's r of the results,
# t = r·sqrt((n − 2)/(1 − r²)), p = 2·(1 − pt(|t|, n − 2g − 2)). Computed here independently
# with scipy.stats.mstats.winsorize and scipy.stats.pearsonr.


def wincor_reference(x, y, g, level=0.95):
    """Wilcox's wincor with g values winsorized at each end, by scipy (limits (g + ½)/n so
    that mstats' int(limit·n) is g without floating-point doubt)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    n = len(x)
    limit = (g + 0.5) / n
    xw = np.asarray(stats.mstats.winsorize(x, limits=(limit, limit)))
    yw = np.asarray(stats.mstats.winsorize(y, limits=(limit, limit)))
    r = stats.pearsonr(xw, yw).statistic
    t = r * math.sqrt((n - 2) / (1 - r * r))
    dof = n - 2 * g - 2
    p = 2 * stats.t.sf(abs(t), dof)
    low, high = fisher(r, n - 2 * g, level)  # Fisher z on the h = n − 2g values kept
    return {"r": r, "t": t, "p": p, "dof": dof, "r_low": low, "r_high": high}


@pytest.mark.parametrize(
    ("n", "shared", "trim", "g"),
    [
        (20, 5, 0.2, 4),  # the smallest relation shown: floor(0.2·20) = 4 = k − 1
        (21, 5, 0.2, 4),
        (25, 5, 0.2, 5),  # the 20% rule binds
        (20, 8, 0.2, 7),  # a higher k binds
        (61, 5, 0.2, 12),  # the red team's wave
        (30, 1, 0.1, 3),  # Wilcox's wincor with tr = 0.1
        (12, 1, 0.0, 0),  # no winsorizing: Pearson's r with its usual test
    ],
)
def test_winsorized_correlation_matches_wincor_computed_with_scipy(n, shared, trim, g):
    rng = np.random.default_rng(n * 100 + shared)
    x = rng.normal(3.5, 0.6, n)
    y = 0.4 * (x - 3.5) + rng.normal(0.8, 0.3, n)
    y[0] = 40.0  # an outlier, pulled in
    result = winsorized_correlation(
        pd.DataFrame({"x": x, "y": y}), "x", "y", shared=shared, trim=trim
    )
    reference = wincor_reference(x, y, g)
    assert (result["n"], result["g"], result["dof"]) == (n, g, reference["dof"])
    for key in ("r", "t", "p", "r_low", "r_high"):
        assert result[key] == pytest.approx(reference[key], rel=1e-10), key
    if g == 0:  # nothing winsorized: Pearson's r, p and interval
        plain = unit_correlation(pd.DataFrame({"x": x, "y": y}), "x", "y")
        assert (result["r"], result["p"]) == pytest.approx((plain["r"], plain["r_p"]))


def test_winsorizing_with_ties_counts_positions_like_wilcox():
    # x sorted: 1 1 2 3 4 5 6 7 7 9 (n = 10, g = 2): the 3rd smallest is 2, the 3rd largest 7.
    x = [7, 1, 2, 9, 3, 1, 4, 5, 6, 7]
    winsorized = _winsorize(np.array(x, float), 2)
    assert winsorized.tolist() == [7, 2, 2, 7, 3, 2, 4, 5, 6, 7]
    assert winsorized.tolist() == list(stats.mstats.winsorize(np.array(x, float), (0.25, 0.25)))


def test_all_equal_values_give_no_correlation_without_warnings():
    frame = pd.DataFrame({"x": np.linspace(1, 5, 20), "y": [0.8] * 20})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = winsorized_correlation(frame, "x", "y", shared=5)
    assert result["n"] == 20 and result["g"] == 4 and result["dof"] == 10
    assert all(math.isnan(result[k]) for k in ("r", "r_low", "r_high", "t", "p"))


@pytest.mark.parametrize("sharing", [1, 2, 4])
def test_a_value_held_by_fewer_than_k_people_is_pulled_in(sharing):
    # n = 20, k = 5, g = 4: a minimum held by 1–4 people is raised to the 5th smallest value.
    rng = np.random.default_rng(sharing)
    x = np.linspace(2, 5, 20)
    rest = np.sort(rng.uniform(3, 5, 20 - sharing))
    y = np.concatenate([[1.0] * sharing, rest])
    result = winsorized_correlation(pd.DataFrame({"x": x, "y": y}), "x", "y", shared=5)
    fifth = np.sort(y)[4]
    lifted = np.concatenate([[fifth] * sharing, rest])  # what the 1.0s become
    assert result["r"] == pytest.approx(wincor_reference(x, lifted, 4)["r"], rel=1e-12)
    assert result["r"] == pytest.approx(wincor_reference(x, y, 4)["r"], rel=1e-12)
    assert (_winsorize(y, 4) == fifth).sum() >= 5  # at least k share the minimum


def test_exactly_k_people_sharing_the_extreme_keep_it():
    # Five people (k) hold the minimum 1.0 and five the maximum: winsorizing g = 4 at each end
    # changes nothing, so r is Pearson's r of the data as they are.
    x = np.linspace(2, 5, 20)
    y = np.array([1.0] * 5 + list(np.linspace(2, 4, 10)) + [5.0] * 5)
    result = winsorized_correlation(pd.DataFrame({"x": x, "y": y}), "x", "y", shared=5)
    assert np.array_equal(_winsorize(y, 4), y)
    assert result["r"] == pytest.approx(stats.pearsonr(_winsorize(x, 4), y).statistic)
    assert result["r"] == pytest.approx(wincor_reference(x, y, 4)["r"], rel=1e-12)


@pytest.mark.parametrize("n", [5, 9, 10])
def test_too_few_rows_for_g_give_nothing(n):
    # shared = 5 → g ≥ 4 and dof = n − 2g − 2 < 1 for n ≤ 10.
    frame = pd.DataFrame({"x": np.arange(n, dtype=float), "y": np.arange(n, dtype=float) ** 2})
    result = winsorized_correlation(frame, "x", "y", shared=5)
    assert result["n"] == n and result["g"] == 4 and math.isnan(result["dof"])
    assert math.isnan(result["r"]) and math.isnan(result["p"])


def test_interval_is_nan_when_three_or_fewer_values_are_kept():
    # n = 11, g = 4 (k = 5): h = 3, dof = 1: r and p exist, the Fisher interval does not.
    x = np.arange(11, dtype=float)
    y = np.array([0, 2, 1, 3, 5, 4, 6, 8, 7, 10, 9], dtype=float)
    result = winsorized_correlation(pd.DataFrame({"x": x, "y": y}), "x", "y", shared=5)
    assert result["dof"] == 1 and not math.isnan(result["r"]) and not math.isnan(result["p"])
    assert math.isnan(result["r_low"]) and math.isnan(result["r_high"])


def test_a_file_that_singles_out_one_person_leaves_nothing_to_read():
    """The red team's crafted outcome (1 for the target, 5 for everyone else) against survey-
    like indices: Pearson's r orders every target by their index; the winsorized r is
    undefined for every target."""
    rng = np.random.default_rng(14)
    index = rng.integers(1, 6, size=(61, 12)).mean(axis=1)
    plain, robust = [], []
    for target in range(61):
        crafted = pd.DataFrame({"x": index, "y": np.where(np.arange(61) == target, 1.0, 5.0)})
        plain.append(unit_correlation(crafted, "x", "y")["r"])
        robust.append(winsorized_correlation(crafted, "x", "y", shared=5)["r"])
    # Pearson's r is exactly linear in the target's index: it gives every index back.
    assert np.corrcoef(plain, index)[0, 1] == pytest.approx(-1.0)
    assert all(math.isnan(r) for r in robust)


def test_no_single_value_moves_the_winsorized_r_beyond_the_bound():
    """However extreme one person's outcome, r moves only as far as putting that person just
    past the winsorizing bound does (steering saturates there), and with 61 people that is
    less than one step of the one decimal shown; Pearson's r is taken over by one value."""
    rng = np.random.default_rng(3)
    x = rng.integers(1, 6, size=(61, 12)).mean(axis=1)
    y = 0.8 + 0.05 * (x - x.mean()) + rng.normal(0, 0.05, 61)

    def r_with(person, value):
        steered = y.copy()
        steered[person] = value
        frame = pd.DataFrame({"x": x, "y": steered})
        return winsorized_correlation(frame, "x", "y", shared=5)["r"]

    base = winsorized_correlation(pd.DataFrame({"x": x, "y": y}), "x", "y", shared=5)["r"]
    moves = []
    for person in range(61):
        for sign in (-1, 1):
            far, farther = r_with(person, sign * 1e3), r_with(person, sign * 1e9)
            assert far == pytest.approx(farther, abs=1e-12)  # saturated
            moves.append(abs(farther - base))
    plain = unit_correlation(pd.DataFrame({"x": x, "y": np.r_[1e9, y[1:]]}), "x", "y")["r"]
    assert max(moves) < 0.1
    assert abs(plain - base) > 0.5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"trim": 0.5}, "trim"),
        ({"trim": -0.1}, "trim"),
        ({"trim": True}, "trim"),
        ({"shared": 0}, "shared"),
        ({"shared": 2.5}, "shared"),
        ({"level": 1.0}, "level"),
    ],
)
def test_winsorized_correlation_rejects_bad_arguments(kwargs, message):
    frame = pd.DataFrame({"x": range(30), "y": range(30)})
    with pytest.raises(ValueError, match=message):
        winsorized_correlation(frame, "x", "y", **kwargs)


# --- public surface ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["checks", "linkage", "ranks", "reliability", "repeated_measures", "winsorized"]
)
def test_public_names_are_sorted_and_documented(name):
    module = importlib.import_module(f"ee_app.analysis.{name}")
    assert module.__all__ == sorted(module.__all__)
    public = [getattr(module, public) for public in module.__all__]
    assert all(">>>" in function.__doc__ for function in public if callable(function))
    assert any(callable(function) for function in public)


@pytest.mark.parametrize(
    ("values", "value", "part"),
    [
        ([3.1, 3.4, 3.5, 3.6, 3.8, 3.9, 4.0, 4.2], 4.2, "top"),
        ([3.1, 3.4, 3.5, 3.6, 3.8, 3.9, 4.0, 4.2], 3.1, "bottom"),
        ([3.1, 3.4, 3.5, 3.6, 3.8, 3.9, 4.0, 4.2], 3.9, "middle"),  # 3.9 < q3 = 3.925
        ([0.2, 0.3, 0.4, 0.5, 0.6], 0.5, "middle"),  # on the upper quartile: not above it
        ([0.2, 0.3, 0.4, 0.5, 0.6, np.nan], 0.6, "top"),  # a missing store is left out
        ([4.0] * 6, 4.0, "middle"),  # all equal: every store in the middle half
    ],
)
def test_standing_places_a_value_among_the_quartiles(values, value, part):
    from statistics import quantiles

    from ee_app.analysis.ranks import standing

    found = standing(values, value)
    known = [v for v in values if v == v]
    # Reference: the standard library's quartiles, method "inclusive" (R's type 7).
    assert (found["q1"], found["median"], found["q3"]) == pytest.approx(
        tuple(quantiles(known, n=4, method="inclusive"))
    )
    assert found["n"] == len(known) and found["part"] == part


def test_standing_needs_five_values_and_a_value():
    from ee_app.analysis.ranks import MIN_STANDING, standing

    assert MIN_STANDING == 5
    few = standing([0.2, 0.3, 0.4, 0.5], 0.3)
    assert few["n"] == 4 and few["part"] is None and np.isnan(few["median"])
    assert standing([1, 2, 3, 4, 5], np.nan)["part"] is None
    with pytest.raises(ValueError, match="finite"):
        standing([1, 2, 3, 4, np.inf], 2)
