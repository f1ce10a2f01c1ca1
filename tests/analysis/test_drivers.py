"""Engagement drivers against independent references: scipy.stats.pearsonr (r, p and its
Fisher interval), pingouin.corr, statsmodels' Benjamini–Hochberg, and arithmetic by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from ee_app.analysis.drivers import (
    COLUMNS,
    MIN_RESPONDENTS,
    benjamini_hochberg,
    engagement_drivers,
    minimum_n,
    pearson,
    rest_index,
    top_drivers,
)
from ee_app.instruments.pulse import CORE_SLOTS, THEMES


def answers_frame(seed: int = 3, n: int = 60, skip: float = 0.0) -> pd.DataFrame:
    """Respondents whose themes share a latent mood of varying strength, 1–5 and 0–10."""
    rng = np.random.default_rng(seed)
    mood = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            slot: np.clip(np.round(3 + mood * (i % 4) / 3 + rng.normal(size=n)), 1, 5)
            for i, slot in enumerate(CORE_SLOTS)
        }
    )
    frame["enps"] = np.clip(np.round(7 + 1.8 * mood + rng.normal(size=n)), 0, 10)
    if skip:
        holes = rng.random(frame.shape) < skip
        frame = frame.mask(holes)
    return frame


def test_pearson_by_hand() -> None:
    # x = 1..5, y = (2, 1, 4, 3, 5): deviations (−2, −1, 0, 1, 2) and (−1, −2, 1, 0, 2),
    # Σdxdy = 8, Σdx² = Σdy² = 10, r = 0.8; t = 0.8·√(3/0.36) = 2.3094, p = 2·P(t₃ > 2.3094)
    # = 0.1041; z = atanh 0.8 = 1.098612, half = 1.959964/√2 = 1.385904 → tanh(−0.287292) =
    # −0.279640 and tanh(2.484516) = 0.986196.
    result = pearson([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
    assert result["n"] == 5
    assert result["r"] == pytest.approx(0.8)
    assert result["p"] == pytest.approx(0.1041, abs=1e-4)
    assert result["r_low"] == pytest.approx(-0.279640, abs=1e-6)
    assert result["r_high"] == pytest.approx(0.986196, abs=1e-6)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("level", [0.9, 0.95])
def test_pearson_matches_scipy(seed: int, level: float) -> None:
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 6, 30).astype(float)
    y = np.clip(x * 2 + rng.integers(-3, 4, 30), 0, 10)
    reference = stats.pearsonr(x, y)
    interval = reference.confidence_interval(confidence_level=level)  # Fisher z in scipy
    result = pearson(x, y, level)
    assert result["r"] == pytest.approx(reference.statistic, abs=1e-12)
    assert result["p"] == pytest.approx(reference.pvalue, rel=1e-9)
    assert result["r_low"] == pytest.approx(interval.low, abs=1e-12)
    assert result["r_high"] == pytest.approx(interval.high, abs=1e-12)


@pytest.mark.parametrize(
    ("x", "y"),
    [
        ([3, 3, 3, 3, 3], [1, 2, 3, 4, 5]),  # all answers equal: r is not defined
        ([1, 2], [2, 1]),  # two people
        ([1, 2, 3, 4, 5], [2, 4, 6, 8, 10]),  # a perfect line
    ],
)
def test_pearson_edges(x: list[float], y: list[float]) -> None:
    result = pearson(x, y)
    if len(x) < 3 or np.ptp(x) == 0:
        assert math.isnan(result["r"]) and math.isnan(result["r_low"]) and math.isnan(result["p"])
    else:
        assert (result["r"], result["r_low"], result["r_high"], result["p"]) == (1, 1, 1, 0)


def test_benjamini_hochberg_matches_statsmodels() -> None:
    p = np.array([0.001, 0.2, 0.04, 0.03, 0.5, 0.012, 0.9, 0.049, 0.0001, 0.3, 0.07, 0.04])
    reference = multipletests(p, method="fdr_bh")[1]
    assert benjamini_hochberg(p) == pytest.approx(reference, abs=1e-15)
    with_nan = np.insert(p, 3, np.nan)
    adjusted = benjamini_hochberg(with_nan)
    assert math.isnan(adjusted[3])
    assert np.delete(adjusted, 3) == pytest.approx(reference, abs=1e-15)


def test_benjamini_hochberg_refuses_impossible_p() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        benjamini_hochberg([0.2, 1.3])


def test_rest_index_leaves_the_theme_out() -> None:
    # By hand: row 1 answers 5 to a01 and 3, 4 elsewhere: index without a01 = 3.5.
    answers = pd.DataFrame({slot: [np.nan] for slot in CORE_SLOTS})
    answers.loc[0, ["a01", "a02", "a03"]] = [5, 3, 4]
    assert rest_index(answers, "a01").tolist() == [3.5]
    assert rest_index(answers, "a02").tolist() == [4.5]


def test_drivers_match_pingouin_and_statsmodels() -> None:
    answers = answers_frame(skip=0.08)
    table = engagement_drivers(answers, min_n=10)
    assert list(table.columns) == list(COLUMNS)
    assert table[["outcome", "theme"]].values.tolist() == [
        [outcome, theme] for outcome in ("recommend", "index") for theme in THEMES
    ]
    for outcome in ("recommend", "index"):
        mine = table[table["outcome"] == outcome].set_index("slot")
        p_values = []
        for slot in CORE_SLOTS:
            other = (
                answers["enps"]
                if outcome == "recommend"
                else answers[[s for s in CORE_SLOTS if s != slot]].mean(axis=1)
            )
            pair = pd.DataFrame({"x": answers[slot], "y": other}).dropna()
            reference = pg.corr(pair["x"], pair["y"])  # Pearson, Fisher CI rounded to 2 dp
            row = mine.loc[slot]
            assert row["n"] == reference["n"].iloc[0] == len(pair)
            assert row["r"] == pytest.approx(reference["r"].iloc[0], abs=1e-12)
            assert row["p"] == pytest.approx(reference["p_val"].iloc[0], rel=1e-9)
            low, high = reference["CI95"].iloc[0]
            assert round(row["r_low"], 2) == pytest.approx(low)
            assert round(row["r_high"], 2) == pytest.approx(high)
            p_values.append(reference["p_val"].iloc[0])
        adjusted = multipletests(p_values, method="fdr_bh")[1]
        assert mine["p_adjusted"].to_numpy() == pytest.approx(adjusted, rel=1e-9)
        assert mine["significant"].tolist() == (adjusted < 0.05).tolist()


def test_rest_index_avoids_part_whole_inflation() -> None:
    # Twelve independent themes: with the theme left in the index, each correlates about
    # 1/√12 ≈ 0.29 with it by construction; without it, about 0.
    rng = np.random.default_rng(11)
    answers = pd.DataFrame({slot: rng.integers(1, 6, 400) for slot in CORE_SLOTS}, dtype=float)
    answers["enps"] = rng.integers(0, 11, 400).astype(float)
    table = engagement_drivers(answers, min_n=10)
    corrected = table[table["outcome"] == "index"]["r"]
    whole = answers[list(CORE_SLOTS)].mean(axis=1)
    naive = [stats.pearsonr(answers[slot], whole).statistic for slot in CORE_SLOTS]
    assert np.mean(naive) > 0.25
    assert abs(corrected.mean()) < 0.05


def test_too_few_pairs_give_no_number() -> None:
    answers = answers_frame(n=12)
    answers.loc[:4, "a05"] = np.nan  # 7 people answered a05
    table = engagement_drivers(answers, min_n=10)
    care = table[table["slot"] == "a05"]
    assert care["n"].tolist() == [7, 7]
    assert not care["enough"].any() and not care["significant"].any()
    assert care[["r", "r_low", "r_high", "p", "p_adjusted"]].isna().all().all()
    others = table[table["slot"] != "a05"]
    assert others["enough"].all() and others["r"].notna().all()
    # BH counts the eleven themes with a p-value only
    mine = others[others["outcome"] == "recommend"]
    assert mine["p_adjusted"].to_numpy() == pytest.approx(
        multipletests(mine["p"].to_numpy(), method="fdr_bh")[1]
    )


@pytest.mark.parametrize(("k", "expected"), [(3, MIN_RESPONDENTS), (5, 10), (10, 10), (15, 15)])
def test_minimum_n(k: int, expected: int) -> None:
    assert minimum_n(k) == expected


@pytest.mark.parametrize("bad", [0, 3, True, 2.5])
def test_min_n_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="min_n"):
        engagement_drivers(answers_frame(), min_n=bad)  # type: ignore[arg-type]


def test_top_drivers_only_positive_and_significant() -> None:
    table = engagement_drivers(answers_frame(n=200), min_n=10)
    top = top_drivers(table, "recommend", count=3)
    chosen = table[(table["outcome"] == "recommend") & table["theme"].isin(top)]
    assert len(top) == 3 and chosen["significant"].all() and (chosen["r"] > 0).all()
    rest = table[(table["outcome"] == "recommend") & ~table["theme"].isin(top)]
    assert chosen["r"].min() >= rest.loc[rest["significant"], "r"].max()
    # the themes built with the strongest mood (i % 4 == 3: a04, a08, a12) lead
    assert sorted(top) == ["growth", "purpose", "recognition"]
