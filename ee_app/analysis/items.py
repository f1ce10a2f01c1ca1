"""Item analysis of training assessments (培训考核) with the definitions of Moodle's quiz
statistics report (https://docs.moodle.org/dev/Quiz_statistics_calculations).

The input is one row per (attempt, question drawn in it), on *first* attempts only (the caller
filters: later attempts are practised and break the assumptions), checked by
:mod:`ee_app.analysis.quiz_attempts`. Columns:

* ``attempt``: the attempt's id;
* ``question``: the question's id in the bank;
* ``slot``: the position of the question in that attempt's draw, 0 … k − 1; every attempt of
  one test has the same number k of slots;
* ``right``: 1 when the answer was right, 0 when wrong (booleans are accepted).

Tests draw their questions at random from a bank (in all or per category), so an attempt
sees only some of the questions. As Moodle does for random questions, the whole-test
statistics are *statistics of positions*: they use the attempt × slot matrix of right/wrong,
whichever question filled the slot; the per-question statistics use the attempts that drew
the question. Definitions (shares where Moodle shows percentages):

* facility index (难度系数（通过率）): the mean of ``right`` over the attempts that drew it;
* discrimination index (区分度): the Pearson correlation between the question's 0/1 score and
  the rest of the test (the attempt's total minus this question) over those attempts;
* KR-20, the coefficient of internal consistency (信度), which on right/wrong items is
  Cronbach's alpha;
* error ratio √(1 − KR-20) and standard error = error ratio × SD of the totals (in points).

Each question's facility and discrimination come with a 95% interval (Wilson; Fisher z), and
a question is flagged only where its interval says so (:func:`question_statistics`).

Variances are sample variances (n − 1), as in Moodle and in ``pingouin``/``pandas``. Nothing
here imports pingouin; the tests check the results against it and against ``scipy``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ee_app.analysis.quiz_attempts import checked_attempts
from ee_app.errors import N_

__all__ = [
    "MIN_ATTEMPTS",
    "NEGATIVE_DISCRIMINATION",
    "NOT_DISCRIMINATING",
    "TOO_EASY",
    "TOO_FEW_ATTEMPTS",
    "TOO_HARD",
    "QuizStatistics",
    "question_statistics",
    "test_statistics",
]

#: Questions drawn by fewer first attempts than this are shown but not judged: with 10
#: attempts the standard error of a discrimination index near 0 is still about 1/√9 ≈ 0.33.
MIN_ATTEMPTS = 10

# The reasons of :func:`question_statistics`, English message ids for the page to translate.
TOO_EASY = N_("too easy")
TOO_HARD = N_("too hard")
NOT_DISCRIMINATING = N_("does not discriminate")
NEGATIVE_DISCRIMINATION = N_(
    "negative: stronger candidates get it wrong more often — check the key"
)
TOO_FEW_ATTEMPTS = N_("too few attempts to judge")

_QUESTION_COLUMNS = (
    "question",
    "n",
    "facility",
    "facility_low",
    "facility_high",
    "sd",
    "discrimination",
    "discrimination_low",
    "discrimination_high",
    "judged",
    "flagged",
    "reasons",
    "reason",
)


@dataclass(frozen=True)
class QuizStatistics:
    """Whole-test statistics of first attempts (see :func:`test_statistics`).

    ``mean`` and ``sd`` are shares of the k slots (Moodle shows them ×100 as %), ``mean_points``
    and ``sd_points`` the same in points (right answers); ``error_ratio`` is a share (Moodle
    shows it ×100 as %) and ``standard_error`` is in points. Undefined values are NaN.
    """

    attempts: int
    slots: int
    mean: float
    sd: float
    mean_points: float
    sd_points: float
    kr20: float
    error_ratio: float
    standard_error: float


def test_statistics(frame: pd.DataFrame) -> QuizStatistics:
    """Attempts, slots, mean and SD of the totals, KR-20, error ratio and standard error.

    ``frame`` has the :data:`~ee_app.analysis.quiz_attempts.COLUMNS`, one row per (attempt,
    question drawn in it), first attempts only. With n attempts, k slots, totals T (right
    answers per attempt) and x_j the 0/1 scores of slot j:

    * ``mean_points`` = mean of T, ``sd_points`` = its sample SD (n − 1, as Moodle); ``mean``
      and ``sd`` are the same divided by k;
    * ``kr20`` = k/(k − 1) · (1 − Σ var(x_j) / var(T)) on the attempt × slot matrix. The ratio
      is the same with sample variances on both sides as with population ones (p·q and σ²
      over n): the n/(n − 1) cancels, which is why it equals ``pingouin.cronbach_alpha``
      (sample covariances, ``DataFrame.cov``) on the same matrix. It is computed from exact
      integer sums, n·Σx_j − (Σx_j)² over n·ΣT² − (ΣT)². What does *not* match is the
      textbook mix of population p·q with a sample var(T), which gives a higher value;
    * ``error_ratio`` = √(1 − KR-20), ``standard_error`` = error ratio × ``sd_points``.

    NaN: ``mean`` with no attempts; ``sd`` with fewer than 2; ``kr20`` with fewer than 3
    attempts (as Moodle), fewer than 2 slots, or totals that do not vary; ``error_ratio`` and
    ``standard_error`` also when KR-20 ≤ 0 (a test whose items do not hang together has no
    meaningful precision; Moodle would report an error ratio above 100 %). KR-20 can be
    negative, and is returned as it is. An empty frame gives 0 attempts, 0 slots and NaN.

    Raises ValueError on a missing column, ``right`` other than 0/1, attempts with different
    numbers of slots, slots not numbered 0 … k − 1, or a question drawn twice in one attempt.

    >>> rows = ["1111", "1110", "1100", "1010", "0000"]  # 5 attempts × 4 fixed questions
    >>> frame = pd.DataFrame(
    ...     [(a, f"q{s + 1}", s, int(c)) for a, row in enumerate(rows) for s, c in enumerate(row)],
    ...     columns=["attempt", "question", "slot", "right"],
    ... )
    >>> result = test_statistics(frame)
    >>> result.attempts, result.slots, result.mean, round(result.sd_points**2, 4)
    (5, 4, 0.55, 2.2)
    >>> # By hand: Σpq = .16 + .24 + .24 + .16 = .8, σ²(T) = 1.76 (both over n), so
    >>> # KR-20 = 4/3 · (1 − .8/1.76) = 8/11; pingouin.cronbach_alpha on the matrix: the same.
    >>> round(result.kr20, 4), round(result.error_ratio, 4), round(result.standard_error, 4)
    (0.7273, 0.5222, 0.7746)
    """
    data = checked_attempts(frame)
    n, k = data.matrix.shape
    if n == 0:
        return QuizStatistics(0, 0, *([math.nan] * 7))
    total = int(data.totals.sum())
    squares = int((data.totals * data.totals).sum())
    mean_points = total / n
    # n·ΣT² − (ΣT)² = n(n − 1)·var(T); exact in integers, so "no variance" is exactly 0.
    spread = n * squares - total * total
    sd_points = math.sqrt(spread / (n * (n - 1))) if n >= 2 else math.nan
    kr20 = error_ratio = standard_error = math.nan
    if n >= 3 and k >= 2 and spread > 0:
        column = data.matrix.sum(axis=0)
        items = int((n * column - column * column).sum())  # Σ n(n − 1)·var(x_j), as x² = x
        kr20 = k / (k - 1) * (1 - items / spread)
        if kr20 > 0:
            error_ratio = math.sqrt(1 - kr20)
            standard_error = error_ratio * sd_points
    return QuizStatistics(
        attempts=n,
        slots=k,
        mean=mean_points / k,
        sd=sd_points / k,
        mean_points=mean_points,
        sd_points=sd_points,
        kr20=kr20,
        error_ratio=error_ratio,
        standard_error=standard_error,
    )


# The name starts with "test": keep pytest from collecting it where a test module imports it.
test_statistics.__test__ = False  # type: ignore[attr-defined]


def question_statistics(
    frame: pd.DataFrame,
    *,
    easy: float = 0.9,
    hard: float = 0.2,
    weak: float = 0.3,
    good: float = 0.4,
    level: float = 0.95,
    min_n: int = MIN_ATTEMPTS,
) -> pd.DataFrame:
    """One row per question, sorted by ``question``: facility, SD, discrimination, their
    intervals and flags.

    ``frame`` is as for :func:`test_statistics`. Each question is described over the n first
    attempts that drew it:

    * ``question``, ``n``;
    * ``facility``: the share of those attempts that got it right (always defined: n ≥ 1),
      with ``facility_low`` and ``facility_high``, its Wilson score interval at ``level``
      (Wilson 1927, JASA 22:209; Newcombe 1998, Statistics in Medicine 17:857, method 3):
      unlike p ± z·SE it stays inside 0…1 and keeps a width when everyone got it right;
    * ``sd``: the sample SD of its 0/1 scores (n − 1, as Moodle; NaN when n < 2);
    * ``discrimination``: Moodle's discrimination index as a correlation (Moodle shows ×100),
      the Pearson r between the question's score and the rest of the test (the attempt's
      total minus this question: the corrected item-total, or point-biserial, correlation);
      NaN when n < 3 or either side does not vary, e.g. when everyone got it right;
    * ``discrimination_low`` and ``discrimination_high``: its Fisher-z interval at
      ``level``, tanh(atanh r ∓ z/√(n − 3)) with z the normal quantile at (1 + level)/2
      (Fisher 1921, Metron 1:3; as ``pingouin.corr`` and R's ``cor.test``); NaN when r is
      or n ≤ 3, [r, r] when |r| = 1. For a 0/1 item it is the usual large-sample
      approximation;
    * ``judged``: n ≥ ``min_n`` (default :data:`MIN_ATTEMPTS`);
    * ``reasons``: a tuple of English message ids, to translate one by one. A judged
      question is flagged only where its interval says so, not on the point estimate alone
      (with 80 attempts a discrimination is uncertain by about ±0.2):

      - :data:`TOO_EASY` when even the interval's lower end is above ``easy`` (the data rule
        out a facility of ``easy`` or less), :data:`TOO_HARD` when its upper end is below
        ``hard``;
      - for the discrimination, when the estimate is below ``weak`` *and* the interval's
        upper end is below ``good``: the question looks weak and the data rule out that it
        discriminates well. The defaults follow Ebel & Frisbie's guide for the index (1991,
        *Essentials of Educational Measurement*, 5th ed.: 0.40 and above very good,
        0.30–0.39 reasonably good, 0.20–0.29 marginal, 0.19 or less poor): a flagged
        question is below "reasonably good" and cannot be "very good". With many attempts
        the interval is narrow and the rule is "below 0.3"; with few it needs a lower
        estimate (about 0.18 or less with 70 attempts, 0.25 with 135). The reason is
        :data:`NEGATIVE_DISCRIMINATION` when even the upper end is below 0 (stronger
        candidates get it wrong more often), else :data:`NOT_DISCRIMINATING`. A NaN
        discrimination is not judged: a question nobody or everybody gets right is
        flagged by its facility when the data are enough to say so;

      a question with n < ``min_n`` is not judged: its only reason is
      :data:`TOO_FEW_ATTEMPTS`;
    * ``flagged``: judged and at least one reason (a too-few note is not a flag);
    * ``reason``: the English reasons joined with "; " ("" when there are none), for logs.

    Raises ValueError as :func:`test_statistics`, and when not 0 ≤ ``hard`` ≤ ``easy`` ≤ 1,
    not −1 ≤ ``weak`` ≤ ``good`` ≤ 1, ``level`` is not strictly between 0 and 1, or
    ``min_n`` is not a whole number ≥ 1.

    >>> rows = ["1111", "1110", "1100", "1010", "0000"]  # as in test_statistics
    >>> frame = pd.DataFrame(
    ...     [(a, f"q{s + 1}", s, int(c)) for a, row in enumerate(rows) for s, c in enumerate(row)],
    ...     columns=["attempt", "question", "slot", "right"],
    ... )
    >>> table = question_statistics(frame, easy=0.75, min_n=5)
    >>> # q1: x = 1,1,1,1,0 against rest = 3,2,1,1,0: r = 1.4/√(.8·5.2) (scipy.stats.pearsonr)
    >>> table[["question", "n", "facility", "discrimination"]].round(4).to_dict("records")[0]
    {'question': 'q1', 'n': 5, 'facility': 0.8, 'discrimination': 0.6864}
    >>> # 4 of 5 right: Wilson 0.3755 … 0.9638 (statsmodels proportion_confint, "wilson");
    >>> # r's interval: tanh(0.8411 ∓ 1.96/√2) = −0.4966 … 0.9770 (pingouin.corr: [−0.5, 0.98]).
    >>> table.loc[0, ["facility_low", "facility_high"]].astype(float).round(4).tolist()
    [0.3755, 0.9638]
    >>> table.loc[0, ["discrimination_low", "discrimination_high"]].astype(float).round(4).tolist()
    [-0.4966, 0.977]
    >>> table["reasons"].tolist()  # 0.8 > 0.75, but the interval does not rule out less
    [(), (), (), ()]
    """
    _check_thresholds(easy, hard, weak, good, level, min_n)
    data = checked_attempts(frame)
    size = len(data.questions)
    if size == 0:
        return pd.DataFrame({column: [] for column in _QUESTION_COLUMNS})
    x = data.right.astype(float)
    rest = (data.totals[data.attempt] - data.right).astype(float)
    # Sums of integers below 2**53 are exact in float64: zero variances are exactly zero.
    n = np.bincount(data.question, minlength=size).astype(float)
    sx = np.bincount(data.question, weights=x, minlength=size)
    sr = np.bincount(data.question, weights=rest, minlength=size)
    srr = np.bincount(data.question, weights=rest * rest, minlength=size)
    sxr = np.bincount(data.question, weights=x * rest, minlength=size)
    spread_x = n * sx - sx * sx  # n(n − 1)·var(x), as x² = x
    spread_rest = n * srr - sr * sr
    facility = sx / n
    sd = np.full(size, np.nan)
    several = n >= 2
    sd[several] = np.sqrt(spread_x[several] / (n[several] * (n[several] - 1)))
    discrimination = np.full(size, np.nan)
    defined = (n >= 3) & (spread_x > 0) & (spread_rest > 0)
    covariance = n * sxr - sx * sr
    discrimination[defined] = np.clip(
        covariance[defined] / np.sqrt(spread_x[defined] * spread_rest[defined]), -1.0, 1.0
    )
    z = float(stats.norm.ppf((1 + level) / 2))
    facility_low, facility_high = _wilson(sx, n, z)
    discrimination_low, discrimination_high = _fisher(discrimination, n, z)
    judged = n >= min_n
    reasons = [
        _reasons(fl, fh, d, dh, easy, hard, weak, good) if ok else (TOO_FEW_ATTEMPTS,)
        for fl, fh, d, dh, ok in zip(
            facility_low, facility_high, discrimination, discrimination_high, judged, strict=True
        )
    ]
    return pd.DataFrame(
        {
            "question": data.questions,
            "n": n.astype(np.int64),
            "facility": facility,
            "facility_low": facility_low,
            "facility_high": facility_high,
            "sd": sd,
            "discrimination": discrimination,
            "discrimination_low": discrimination_low,
            "discrimination_high": discrimination_high,
            "judged": judged,
            "flagged": judged & np.array([bool(r) for r in reasons]),
            "reasons": pd.Series(reasons, dtype=object),
            "reason": ["; ".join(r) for r in reasons],
        }
    )


def _wilson(right: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score bounds of right/n (n ≥ 1), exactly 0 and 1 at the ends."""
    p = right / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low = np.where(right == 0, 0.0, centre - half)
    high = np.where(right == n, 1.0, centre + half)
    return low, high


def _fisher(r: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Fisher-z bounds of r: NaN when r is NaN or n ≤ 3, [r, r] when |r| = 1."""
    low = np.full(r.shape, np.nan)
    high = np.full(r.shape, np.nan)
    ok = np.isfinite(r) & (n > 3)
    whole = ok & (np.abs(r) == 1)
    inner = ok & ~whole
    centre = np.arctanh(r[inner])
    half = z / np.sqrt(n[inner] - 3)
    low[inner], high[inner] = np.tanh(centre - half), np.tanh(centre + half)
    low[whole] = high[whole] = r[whole]
    return low, high


def _reasons(
    facility_low: float,
    facility_high: float,
    discrimination: float,
    discrimination_high: float,
    easy: float,
    hard: float,
    weak: float,
    good: float,
) -> tuple[str, ...]:
    found = []
    if facility_low > easy:
        found.append(TOO_EASY)
    if facility_high < hard:
        found.append(TOO_HARD)
    if discrimination < weak and discrimination_high < good:  # False for NaN
        found.append(NEGATIVE_DISCRIMINATION if discrimination_high < 0 else NOT_DISCRIMINATING)
    return tuple(found)


def _check_thresholds(
    easy: float, hard: float, weak: float, good: float, level: float, min_n: int
) -> None:
    if not 0 <= hard <= easy <= 1:
        raise ValueError("The thresholds need 0 ≤ hard ≤ easy ≤ 1, e.g. hard=0.2, easy=0.9.")
    if not -1 <= weak <= good <= 1:
        raise ValueError(
            "weak and good are correlations: they need −1 ≤ weak ≤ good ≤ 1, e.g. 0.3 and 0.4."
        )
    if not 0 < level < 1:
        raise ValueError("level is a confidence level between 0 and 1, e.g. 0.95.")
    if isinstance(min_n, bool) or not isinstance(min_n, int | np.integer) or min_n < 1:
        raise ValueError("min_n must be a whole number of attempts, at least 1.")
