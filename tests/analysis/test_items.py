"""Item analysis against hand calculations, pingouin, scipy and a published value (sources in
the comments). Definitions: https://docs.moodle.org/dev/Quiz_statistics_calculations.

The module is imported whole: ``test_statistics`` would be collected as a test if imported by
name."""

import math

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from ee_app.analysis import items, quiz_attempts

COLUMNS = list(quiz_attempts.COLUMNS)


def long_frame(rows, questions=None):
    """One row per (attempt, slot) from strings of 0/1 per attempt; slot j holds question
    ``questions[a][j]`` (default: q1 … qk in order, the same for every attempt)."""
    records = []
    for attempt, row in enumerate(rows):
        drawn = questions[attempt] if questions else [f"q{s + 1}" for s in range(len(row))]
        for slot, (question, right) in enumerate(zip(drawn, row, strict=True)):
            records.append((f"a{attempt}", question, slot, int(right)))
    return pd.DataFrame(records, columns=COLUMNS)


def slot_matrix(frame):
    return frame.pivot(index="attempt", columns="slot", values="right")


def rasch_draws(seed, attempts, categories, slots_per_category):
    """Attempts of a test that draws ``slots_per_category[c]`` questions at random from each
    category's bank (``categories[c]`` questions), answered under a Rasch model: P(right) =
    1 / (1 + exp(b − θ)), θ ~ N(0, 1) per attempt, difficulties b spread over [−1.5, 1.5]."""
    rng = np.random.default_rng(seed)
    banks, start = [], 0
    for size in categories:
        banks.append(np.arange(start, start + size))
        start += size
    difficulty = np.linspace(-1.5, 1.5, start)
    records = []
    for attempt in range(attempts):
        ability = rng.normal()
        per_category = zip(banks, slots_per_category, strict=True)
        drawn = np.concatenate([rng.choice(b, size=k, replace=False) for b, k in per_category])
        for slot, question in enumerate(drawn):
            p = 1 / (1 + math.exp(difficulty[question] - ability))
            records.append((f"a{attempt}", f"q{question:02d}", slot, int(rng.random() < p)))
    return pd.DataFrame(records, columns=COLUMNS)


# Hand-computed case: 5 attempts × 4 questions, question j always in slot j − 1.
#
#        q1 q2 q3 q4 | T
#   a0    1  1  1  1 | 4
#   a1    1  1  1  0 | 3
#   a2    1  1  0  0 | 2
#   a3    1  0  1  0 | 2
#   a4    0  0  0  0 | 0
#
# p = .8, .6, .6, .2; pq = .16, .24, .24, .16, Σpq = .8 (population, over n = 5).
# T: mean 11/5 = 2.2; deviations 1.8, .8, −.2, −.2, −2.2; Σd² = 3.24 + .64 + .04 + .04 + 4.84
# = 8.8, so σ²(T) = 8.8/5 = 1.76 (population) or 8.8/4 = 2.2 (sample, what Moodle's SD uses).
# KR-20 = 4/3 · (1 − .8/1.76) = 4/3 · 6/11 = 8/11 = 0.72727 (population on both sides; the
# sample form, 4/3 · (1 − 1.0/2.2), is the same number). Error ratio √(1 − 8/11) = √(3/11) =
# 0.52223; standard error √(3/11) · √2.2 = √0.6 = 0.77460 points.
HAND = ["1111", "1110", "1100", "1010", "0000"]


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("attempts", 5),
        ("slots", 4),
        ("mean_points", 2.2),
        ("mean", 2.2 / 4),
        ("sd_points", math.sqrt(2.2)),
        ("sd", math.sqrt(2.2) / 4),
        ("kr20", 8 / 11),
        ("error_ratio", math.sqrt(3 / 11)),
        ("standard_error", math.sqrt(0.6)),
    ],
)
def test_test_statistics_by_hand(field, expected):
    result = items.test_statistics(long_frame(HAND))
    assert getattr(result, field) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("question", "facility", "sd", "discrimination"),
    [
        # q1: x = 1,1,1,1,0, rest = T − x = 3,2,1,1,0; means .8 and 1.4. Deviations x: .2 ×4,
        # −.8; rest: 1.6, .6, −.4, −.4, −1.4. Σxy = .32 + .12 − .08 − .08 + 1.12 = 1.4,
        # Σx² = .8, Σy² = 5.2: r = 1.4/√4.16 = 0.68641. SD √(5/4 · .16) = √.2.
        ("q1", 0.8, math.sqrt(0.2), 1.4 / math.sqrt(0.8 * 5.2)),
        # q2: x = 1,1,1,0,0, rest = 3,2,1,2,0; means .6, 1.6. Σxy = .56 + .16 − .24 − .24 + .96
        # = 1.2, Σx² = 1.2, Σy² = 5.2: r = 1.2/√6.24 = 0.48038. SD √(5/4 · .24) = √.3.
        ("q2", 0.6, math.sqrt(0.3), 1.2 / math.sqrt(1.2 * 5.2)),
        # q3: x = 1,1,0,1,0, rest = 3,2,2,1,0: the same sums as q2.
        ("q3", 0.6, math.sqrt(0.3), 1.2 / math.sqrt(1.2 * 5.2)),
        # q4: x = 1,0,0,0,0, rest = 3,3,2,2,0; means .2, 2. Σxy = .8 − .2 + 0 + 0 + .4 = 1,
        # Σx² = .8, Σy² = 6: r = 1/√4.8 = 0.45644.
        ("q4", 0.2, math.sqrt(0.2), 1 / math.sqrt(0.8 * 6)),
    ],
)
def test_question_statistics_by_hand(question, facility, sd, discrimination):
    table = items.question_statistics(long_frame(HAND)).set_index("question")
    row = table.loc[question]
    assert row["n"] == 5
    assert (row["facility"], row["sd"], row["discrimination"]) == pytest.approx(
        (facility, sd, discrimination), rel=1e-12
    )


def test_kr20_variance_conventions():
    # Population p·q over population σ² and sample variances over sample σ² agree (the
    # n/(n − 1) cancels) and both equal pingouin; the textbook mix of population p·q over a
    # sample σ² gives 4/3 · (1 − .8/2.2) = 28/33 instead.
    matrix = np.array([[int(c) for c in row] for row in HAND])
    k = matrix.shape[1]
    p, totals = matrix.mean(axis=0), matrix.sum(axis=1)
    population = k / (k - 1) * (1 - (p * (1 - p)).sum() / totals.var(ddof=0))
    sample = k / (k - 1) * (1 - matrix.var(axis=0, ddof=1).sum() / totals.var(ddof=1))
    mixed = k / (k - 1) * (1 - (p * (1 - p)).sum() / totals.var(ddof=1))
    alpha, _ = pg.cronbach_alpha(pd.DataFrame(matrix))
    kr20 = items.test_statistics(long_frame(HAND)).kr20
    assert kr20 == pytest.approx(population, rel=1e-12) == pytest.approx(sample, rel=1e-12)
    assert kr20 == pytest.approx(alpha, rel=1e-12)
    assert mixed == pytest.approx(28 / 33) and not math.isclose(kr20, mixed)


@pytest.mark.parametrize(
    "frame",
    [
        pytest.param(long_frame(HAND), id="hand 5x4"),
        pytest.param(rasch_draws(20260101, 200, [15], [15]), id="rasch 200x15"),
        pytest.param(rasch_draws(7, 40, [6], [6]), id="rasch 40x6"),
        pytest.param(rasch_draws(11, 120, [10, 14], [4, 6]), id="rasch random draws"),
    ],
)
def test_kr20_equals_pingouin_cronbach_alpha(frame):
    # pingouin.cronbach_alpha: k/(k − 1) · (1 − trace(C)/ΣC) with C = DataFrame.cov().
    alpha, _ = pg.cronbach_alpha(slot_matrix(frame))
    assert items.test_statistics(frame).kr20 == pytest.approx(alpha, rel=1e-12, abs=1e-12)


def test_kr20_published_value():
    # pingouin docs, cronbach_alpha, "cronbach_wide_missing" (0/1 answers of 12 people to 11
    # items) after listwise deletion: 0.8016949152542373, "In R: psych:alpha(data,
    # use='complete.obs')".
    wide = pg.read_dataset("cronbach_wide_missing").dropna().reset_index(drop=True)
    frame = (
        wide.set_axis(range(wide.shape[1]), axis=1)
        .stack()
        .rename("right")
        .rename_axis(["attempt", "slot"])
        .reset_index()
        .assign(question=lambda f: f["slot"].map(lambda s: f"item{s}"))
    )
    result = items.test_statistics(frame[COLUMNS])
    assert (result.attempts, result.slots) == (9, 11)
    assert result.kr20 == pytest.approx(0.8016949152542373, rel=1e-12)


def test_discrimination_equals_scipy_and_pingouin_on_random_draws():
    # Rest-of-test correlation over the attempts that drew the question, computed here
    # independently with pandas and checked against scipy.stats.pearsonr and pingouin.corr.
    frame = rasch_draws(3, 150, [8, 12], [3, 4])
    table = items.question_statistics(frame).set_index("question")
    totals = frame.groupby("attempt")["right"].sum()
    checked = 0
    for question, drawn in frame.groupby("question"):
        x = drawn["right"].to_numpy(dtype=float)
        rest = totals.loc[drawn["attempt"]].to_numpy(dtype=float) - x
        ours = table.loc[question, "discrimination"]
        if len(x) < 3 or x.std() == 0 or rest.std() == 0:
            assert math.isnan(ours)
            continue
        assert ours == pytest.approx(stats.pearsonr(x, rest).statistic, rel=1e-10, abs=1e-12)
        assert ours == pytest.approx(pg.corr(x, rest)["r"].iloc[0], rel=1e-10, abs=1e-12)
        checked += 1
    assert checked >= 15


def test_random_draws_count_per_question_and_use_slots():
    # A bank of five, three drawn per attempt; "E" is drawn once, "D" twice.
    questions = [
        ["A", "B", "C"],
        ["B", "C", "A"],
        ["C", "A", "D"],
        ["A", "D", "B"],
        ["B", "C", "E"],
        ["C", "B", "A"],
    ]
    rows = ["110", "111", "100", "011", "001", "000"]
    frame = long_frame(rows, questions)
    table = items.question_statistics(frame, min_n=3).set_index("question")
    # Counted from the draws above: A 5, B 5, C 5, D 2, E 1.
    assert table["n"].to_dict() == {"A": 5, "B": 5, "C": 5, "D": 2, "E": 1}
    # A was drawn by a0 (slot 0: 1), a1 (slot 2: 1), a2 (slot 1: 0), a3 (slot 0: 0) and
    # a5 (slot 2: 0): facility 2/5.
    assert table.loc["A", "facility"] == pytest.approx(2 / 5)
    assert table.loc["D", "reasons"] == (items.TOO_FEW_ATTEMPTS,)
    assert math.isnan(table.loc["D", "discrimination"])  # n = 2 < 3
    assert math.isnan(table.loc["E", "sd"])  # n = 1
    # KR-20 is on the attempt × slot matrix (positions), whichever question filled a slot.
    # Each slot is right in 3 of 6 attempts: Σpq = 3 · .25 = .75; T = 2,3,1,2,1,0, mean 1.5,
    # Σd² = 5.5, σ² = 5.5/6; KR-20 = 3/2 · (1 − .75 · 6/5.5) = 3/2 · 2/11 = 3/11.
    alpha, _ = pg.cronbach_alpha(slot_matrix(frame))
    result = items.test_statistics(frame)
    assert result.kr20 == pytest.approx(3 / 11, rel=1e-12)
    assert result.kr20 == pytest.approx(alpha, rel=1e-12)
    # The same right/wrong matrix with other question ids gives the same KR-20.
    assert items.test_statistics(long_frame(rows)).kr20 == result.kr20


def test_random_draws_with_categories():
    frame = rasch_draws(5, 90, [6, 9], [2, 3])
    table = items.question_statistics(frame).set_index("question")
    expected = frame["question"].value_counts().sort_index()
    assert table["n"].to_dict() == expected.to_dict()
    assert table["n"].sum() == 90 * 5
    assert items.test_statistics(frame).slots == 5


Z95 = 1.959963984540054  # scipy.stats.norm.ppf(0.975)


def flag_frame():
    """60 first attempts: three rounds of 20, attempt i of a round being about as strong as i
    (0 weakest, 19 strongest)."""
    rows, questions = [], []
    for round_ in range(3):
        for a in range(20):
            drawn = {
                "easy": 1,  # everyone right
                "hard": 0,  # nobody right
                "negative": int(a < 10),  # only the weaker half right
                "g1": int(a >= 8),
                "g2": int(a >= 10),
                "g3": int(a >= 5),
                "noise": int(a in (1, 4, 8, 11, 15, 18)),  # unrelated to strength
            }
            if round_ == 0 and a >= 16:
                drawn["rare"] = int(a >= 18)  # only four attempts drew it
            else:
                drawn["alt"] = int(a >= 7)
            questions.append(list(drawn))
            rows.append("".join(str(v) for v in drawn.values()))
    return long_frame(rows, questions)


# Intervals of flag_frame's questions, computed apart: Wilson with statsmodels
# proportion_confint(method="wilson"); Fisher z by hand from scipy's pearsonr r,
# tanh(atanh r ∓ 1.959964/√(n − 3)), n = 60 (56 for alt).
@pytest.mark.parametrize(
    ("question", "n", "reasons", "flagged", "nan_discrimination"),
    [
        # 60 of 60 right: Wilson lower 60/63.84 = 0.9398 > 0.9; r undefined.
        ("easy", 60, (items.TOO_EASY,), True, True),
        # 0 of 60: Wilson upper 3.84/63.84 = 0.0602 < 0.2.
        ("hard", 60, (items.TOO_HARD,), True, True),
        # r = −0.8314, interval −0.8961 … −0.7320: even the top is below 0.
        ("negative", 60, (items.NEGATIVE_DISCRIMINATION,), True, False),
        # r = 0.0169 < 0.3, interval −0.2380 … 0.2697 < 0.4; facility .3.
        ("noise", 60, (items.NOT_DISCRIMINATING,), True, False),
        ("rare", 4, (items.TOO_FEW_ATTEMPTS,), False, False),  # n = 4 < 10: not judged
        ("g1", 60, (), False, False),  # r = 0.7794
        # r = 0.4298, interval 0.1974 … 0.6165: not below 0.3.
        ("g2", 60, (), False, False),
        ("alt", 56, (), False, False),  # r = 0.8219
    ],
)
def test_flags(question, n, reasons, flagged, nan_discrimination):
    row = items.question_statistics(flag_frame()).set_index("question").loc[question]
    assert row["n"] == n
    assert row["reasons"] == reasons
    assert row["reason"] == "; ".join(reasons)
    assert row["flagged"] == flagged
    assert row["judged"] == (n >= items.MIN_ATTEMPTS)
    assert math.isnan(row["discrimination"]) == nan_discrimination


def test_twenty_attempts_are_not_enough_to_call_a_question_easy_or_weak():
    # The first round alone: 20 of 20 right has a Wilson lower bound of 20/23.84 = 0.8389,
    # not above 0.9; "noise" (r = 0.052 on 20 attempts) has an interval reaching 0.48.
    frame = flag_frame()
    first = frame[frame["attempt"].isin([f"a{i}" for i in range(20)])]
    table = items.question_statistics(first).set_index("question")
    assert table.loc["easy", "facility_low"] == pytest.approx(20 / (20 + Z95**2), rel=1e-12)
    assert table.loc["easy", "reasons"] == ()
    assert table.loc["noise", "reasons"] == ()
    assert table.loc["hard", "reasons"] == (items.TOO_HARD,)  # upper 3.84/23.84 = 0.161


def test_flags_join_several_reasons_and_follow_thresholds():
    # g1: facility .6, Wilson 0.4737 … 0.7143, so easy=0.45 makes it too easy; r = 0.7794,
    # Fisher 0.6551 … 0.8626, so weak=0.8 with good=0.9 makes it weak too.
    table = items.question_statistics(flag_frame(), easy=0.45, weak=0.8, good=0.9)
    g1 = table.set_index("question").loc["g1"]
    assert g1["reasons"] == (items.TOO_EASY, items.NOT_DISCRIMINATING)
    assert g1["reason"] == "too easy; does not discriminate"
    # min_n=4 judges "rare" (2 of 4 right, r = 0.577) and finds nothing wrong.
    rare = items.question_statistics(flag_frame(), min_n=4).set_index("question").loc["rare"]
    assert (rare["judged"], rare["flagged"], rare["reasons"]) == (True, False, ())


def two_questions(both, first_only, second_only, neither):
    """Attempts of a two-question test from the counts of a 2 × 2 table; each question's
    rest is the other question, so both have r = phi = (ad − bc)/√((a+b)(c+d)(a+c)(b+d))."""
    rows = ["11"] * both + ["10"] * first_only + ["01"] * second_only + ["00"] * neither
    return long_frame(rows)


@pytest.mark.parametrize(
    ("table", "r", "flagged", "reason"),
    [
        # The case, discrimination 0.22 at n = 135: phi = (13·84 − 19·19)/(32·103) =
        # 731/3296 = 0.22178; atanh = 0.22552, 1.959964/√132 = 0.17059, upper tanh(0.39611)
        # = 0.37663 < 0.4 and r < 0.3: flagged.
        ((13, 19, 19, 84), 731 / 3296, True, items.NOT_DISCRIMINATING),
        # 926/3626 = 0.25538 at n = 135: upper tanh(0.26109 + 0.17059) = 0.40678: not.
        ((17, 20, 20, 78), 926 / 3626, False, None),
        # 171/1083 = 0.15789 at n = 76: upper tanh(0.15922 + 0.22939) = 0.37017: flagged.
        ((7, 12, 12, 45), 171 / 1083, True, items.NOT_DISCRIMINATING),
        # 208/1044 = 0.19923 at n = 76: upper tanh(0.20192 + 0.22939) = 0.40643: not
        # (lower than the n = 135 case above, but less certain).
        ((7, 11, 11, 47), 208 / 1044, False, None),
        # −280/800 = −0.35 at n = 60: upper tanh(−0.36544 + 0.25961) = −0.10545 < 0.
        ((2, 18, 18, 22), -0.35, True, items.NEGATIVE_DISCRIMINATION),
        # r = 0 at n = 60: upper tanh(0.25961) = 0.25393: does not discriminate.
        ((15, 15, 15, 15), 0.0, True, items.NOT_DISCRIMINATING),
        # n = 1000, (a − b)/(a + b): 144/500 = 0.288 < 0.3, upper tanh(0.29640 + 0.06207)
        # = 0.34385: flagged; 154/500 = 0.308 is not below 0.3: not flagged.
        ((322, 178, 178, 322), 0.288, True, items.NOT_DISCRIMINATING),
        ((327, 173, 173, 327), 0.308, False, None),
    ],
)
def test_discrimination_flag_by_hand(table, r, flagged, reason):
    result = items.question_statistics(two_questions(*table)).set_index("question")
    n = sum(table)
    half = Z95 / math.sqrt(n - 3)
    low, high = math.tanh(math.atanh(r) - half), math.tanh(math.atanh(r) + half)
    for question in ("q1", "q2"):
        row = result.loc[question]
        assert row["discrimination"] == pytest.approx(r, rel=1e-12, abs=1e-12)
        assert (row["discrimination_low"], row["discrimination_high"]) == pytest.approx(
            (low, high), rel=1e-12, abs=1e-12
        )
        assert (row["discrimination"] < 0.3 and high < 0.4) == flagged
        assert row["flagged"] == flagged
        assert row["reasons"] == ((reason,) if flagged else ())


@pytest.mark.parametrize(
    ("right", "n", "reasons"),
    [
        (60, 60, (items.TOO_EASY,)),  # lower 60/63.84 = 0.9398
        (20, 20, ()),  # lower 20/23.84 = 0.8389: too few to say
        (144, 150, (items.TOO_EASY,)),  # .96, lower 0.9155
        (142, 150, ()),  # .9467, lower 0.8983: above 0.9 but not surely
        (139, 150, ()),  # .9267, lower 0.8732: above 0.9 but not surely
        (0, 60, (items.TOO_HARD,)),  # upper 3.84/63.84 = 0.0602
        (5, 60, (items.TOO_HARD,)),  # .0833, upper 0.1807
        (8, 40, ()),  # .2, upper 0.3494
        (1, 10, ()),  # .1, upper 0.4042
    ],
)
def test_facility_flags_use_the_wilson_interval(right, n, reasons):
    # One question per attempt; statsmodels' proportion_confint(method="wilson") for the
    # bounds, and the rule applied to them here.
    from statsmodels.stats.proportion import proportion_confint

    frame = long_frame(["1"] * right + ["0"] * (n - right))
    row = items.question_statistics(frame).iloc[0]
    low, high = proportion_confint(right, n, alpha=0.05, method="wilson")
    assert row["facility"] == pytest.approx(right / n)
    assert (row["facility_low"], row["facility_high"]) == pytest.approx((low, high), abs=1e-12)
    expected = ((items.TOO_EASY,) if low > 0.9 else ()) + ((items.TOO_HARD,) if high < 0.2 else ())
    assert row["reasons"] == expected == reasons


def test_intervals_follow_the_level():
    # 99%: z = 2.575829; for r = 0.22178 at n = 135 the upper bound is tanh(0.22552 +
    # 2.575829/√132) = tanh(0.44971) = 0.42188, above 0.4: not flagged at that level.
    frame = two_questions(13, 19, 19, 84)
    row = items.question_statistics(frame, level=0.99).iloc[0]
    assert row["discrimination_high"] == pytest.approx(
        math.tanh(math.atanh(731 / 3296) + 2.5758293035489004 / math.sqrt(132)), rel=1e-12
    )
    assert row["reasons"] == ()


def with_bounds(estimate):
    return [estimate, f"{estimate}_low", f"{estimate}_high"]


def test_output_columns_and_types():
    table = items.question_statistics(flag_frame())
    # The published contract, stated here on its own: each estimate is followed by its bounds.
    assert list(table.columns) == [
        "question", "n", *with_bounds("facility"), "sd", *with_bounds("discrimination"),
        "judged", "flagged", "reasons", "reason",
    ]  # fmt: skip
    assert table["question"].is_monotonic_increasing
    assert table["n"].dtype == np.int64
    assert table["flagged"].dtype == bool and table["judged"].dtype == bool
    assert all(isinstance(r, tuple) for r in table["reasons"])


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # one attempt: no SD, no KR-20
        (["1010"], {"attempts": 1, "mean": 0.5, "sd": math.nan, "kr20": math.nan}),
        # two attempts: an SD, but Moodle needs three attempts for the CIC
        (["1010", "1111"], {"sd_points": math.sqrt(2), "kr20": math.nan}),
        # every total is 2: no variance, KR-20 undefined
        (["1100", "0011", "1010"], {"sd": 0.0, "kr20": math.nan, "error_ratio": math.nan}),
        # one slot: k/(k − 1) undefined
        (["1", "0", "1"], {"slots": 1, "kr20": math.nan}),
        # items that disagree: KR-20 = −3 (pingouin too), so no error ratio or standard error
        (
            ["100", "011", "100", "011", "110"],
            {"kr20": -3.0, "error_ratio": math.nan, "standard_error": math.nan},
        ),
        # a perfectly consistent test: error ratio 0, standard error 0
        (["111", "000", "111", "000"], {"kr20": 1.0, "error_ratio": 0.0, "standard_error": 0.0}),
    ],
)
def test_undefined_and_edge_values(rows, expected):
    result = items.test_statistics(long_frame(rows))
    for field, value in expected.items():
        got = getattr(result, field)
        assert (math.isnan(got) and math.isnan(value)) or got == pytest.approx(value), field


def test_empty_input():
    empty = pd.DataFrame({column: [] for column in COLUMNS})
    result = items.test_statistics(empty)
    assert (result.attempts, result.slots) == (0, 0) and math.isnan(result.kr20)
    table = items.question_statistics(empty)
    assert table.empty and "reasons" in table.columns


def test_booleans_are_right_and_wrong():
    frame = long_frame(HAND)
    as_bool = frame.assign(right=frame["right"].astype(bool))
    assert items.test_statistics(as_bool) == items.test_statistics(frame)


def _set(frame, row, column, value):
    frame = frame.astype({column: object})
    frame.loc[row, column] = value
    return frame


BAD_INPUT = [
    ("no slot column", lambda f: f.drop(columns="slot"), "lack the column"),
    ("no right column", lambda f: f.drop(columns="right"), "lack the column"),
    ("right is 2", lambda f: _set(f, 3, "right", 2), "right must be"),
    ("right is 0.5", lambda f: _set(f, 3, "right", 0.5), "right must be"),
    ("right missing", lambda f: _set(f, 3, "right", None), "right must be"),
    ("right is text", lambda f: _set(f, 3, "right", "yes"), "right must be"),
    ("attempt missing", lambda f: _set(f, 0, "attempt", None), "attempt column"),
    ("question missing", lambda f: _set(f, 0, "question", None), "question column"),
    ("an attempt with 3 slots", lambda f: f.drop(index=19), "same number of questions"),
    ("an attempt with 5 slots", lambda f: pd.concat([f, f.iloc[[0]]]), "same number"),
    ("slot twice", lambda f: _set(f, 1, "slot", 0), "numbered 0 to 3"),
    ("slots 1..4", lambda f: f.assign(slot=f["slot"] + 1), "numbered 0 to 3"),
    ("negative slot", lambda f: f.assign(slot=f["slot"] - 1), "slot must be"),
    ("fractional slot", lambda f: _set(f, 1, "slot", 1.5), "slot must be"),
    ("question twice", lambda f: _set(f, 1, "question", "q1"), "appears twice"),
    ("not a frame", lambda f: f.to_dict("records"), "DataFrame"),
]


@pytest.mark.parametrize("function", [items.test_statistics, items.question_statistics])
@pytest.mark.parametrize(("case", "spoil", "message"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_raises_value_error(function, case, spoil, message):
    with pytest.raises(ValueError, match=message):
        function(spoil(long_frame(HAND)))


@pytest.mark.parametrize(
    "options",
    [
        {"easy": 0.1, "hard": 0.2},
        {"easy": 1.2},
        {"hard": -0.1},
        {"weak": 2},
        {"weak": 0.5, "good": 0.4},
        {"good": 1.5},
        {"level": 1},
        {"level": 0},
        {"level": math.nan},
        {"easy": math.nan},
        {"min_n": 0},
        {"min_n": 2.5},
        {"min_n": True},
    ],
)
def test_bad_thresholds_raise_value_error(options):
    with pytest.raises(ValueError):
        items.question_statistics(long_frame(HAND), **options)


def test_public_surface():
    assert sorted(items.__all__) == sorted(set(items.__all__))
    assert all(hasattr(items, name) for name in items.__all__)
    assert items.test_statistics.__test__ is False  # not collected when imported by name
