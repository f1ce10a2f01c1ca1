"""What drives engagement: which of the twelve themes go with whether people would recommend
working here (the eNPS question) and with the rest of the engagement index.

The unit of analysis is the *respondent*: one row per set of answers of one closed wave, with
the theme slots ``a01``…``a12`` (1–5, missing = skipped) and ``enps`` (0–10). The caller (the
service :mod:`ee_app.services.engagement_drivers`) reads them for one group a reader may open,
and only the correlations below leave it. Why respondents and not units: a store chain has a
dozen stores, and a correlation over 12 store means has a 95% interval of about ±0.57 around
r = 0 and describes stores, not people (the ecological fallacy); within one store or region the
answers of its 10–200 respondents say what goes with a person's wish to recommend, which is
the question a manager asks. The price is a minimum group size, see :func:`minimum_n`.

Definitions:

* ``recommend``: each theme's answer against the same person's 0–10 answer to "would you
  recommend working here" (the eNPS question, used on its full scale rather than as promoter
  or detractor, which would throw most of the information away);
* ``index``: each theme's answer against the same person's engagement index *without that
  theme* (the mean of their other answered theme items), the corrected item–total correlation
  (Nunnally & Bernstein, *Psychometric Theory*, 3rd ed., 1994, §8): with the theme left in,
  every theme correlates with the index partly because it is a twelfth of it (part–whole);
* Pearson's r, with the Fisher-z interval tanh(atanh r ∓ z/√(n − 3)) and the two-sided
  p-value from t = r·√((n − 2)/(1 − r²)) (as ``scipy.stats.pearsonr`` and ``pingouin.corr``).
  Pearson rather than Spearman: the 1–5 and 0–10 answers are coarse but evenly spaced
  ratings, for which Pearson is the usual driver statistic and loses little; its Fisher
  interval is the standard one, while Spearman's needs an approximate variance (Bonett &
  Wright 2000, Psychometrika 65:23) and ranks of a 5-point answer are mostly ties;
* ``p_adjusted``: Benjamini–Hochberg adjusted p-values over the themes of one outcome
  (Benjamini & Hochberg 1995, JRSS B 57:289; as ``statsmodels.stats.multitest.multipletests
  (p, method="fdr_bh")``): twelve themes are tested at once, so a raw p below 0.05 would
  turn up by chance about once in every two groups; ``significant`` is p_adjusted < 0.05.

These are marginal correlations: themes go together (someone who feels recognised often
also feels cared for), so the ranking says which themes go most with recommending, not each
theme's own effect, and not a cause.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ee_app.instruments.pulse import CORE_SLOTS, THEMES

__all__ = [
    "COLUMNS",
    "MIN_RESPONDENTS",
    "OUTCOMES",
    "benjamini_hochberg",
    "engagement_drivers",
    "minimum_n",
    "pearson",
    "rest_index",
    "top_drivers",
]

#: The smallest group whose answers are correlated, whatever the wave's threshold k.
MIN_RESPONDENTS = 10
#: The outcomes the themes are correlated with, in the order they are shown.
OUTCOMES = ("recommend", "index")
#: Columns of :func:`engagement_drivers`.
COLUMNS = (
    "outcome",
    "slot",
    "theme",
    "n",
    "r",
    "r_low",
    "r_high",
    "p",
    "p_adjusted",
    "significant",
    "enough",
)
_THEME_OF = dict(zip(CORE_SLOTS, THEMES, strict=True))


def minimum_n(k: int) -> int:
    """The fewest respondents (and pairs of answers) a driver correlation may rest on:
    max(k, 10).

    Why not k alone: a correlation is a statement about how people's answers go together, and
    over a handful of people it is a statement about those people. With 2 people r is ±1 and
    says whether the one who liked their development more also recommends more; with 5 it is
    still moved a long way by one person (its interval is about ±0.88 around 0). From 10 on, one
    answer shifts r by little, the interval (about ±0.63 at r = 0) starts to separate themes,
    and the group holds at least k people anyway. The threshold is checked on the group's
    respondents and again on each theme's pairs (questions may be skipped).

    >>> minimum_n(5), minimum_n(12)
    (10, 12)
    """
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError("k must be a whole number of at least 1.")
    return max(int(k), MIN_RESPONDENTS)


def pearson(x: Sequence[float], y: Sequence[float], level: float = 0.95) -> dict[str, float]:
    """Pearson's r over the pairs where both ``x`` and ``y`` are given, with its Fisher-z
    interval at ``level`` and two-sided p: ``n``, ``r``, ``r_low``, ``r_high``, ``p``.

    r is NaN when either side does not vary (not defined, not zero) or n < 3; the interval is
    NaN when n ≤ 3 and [r, r] when |r| = 1.

    >>> # By hand: deviations (−2, −1, 0, 1, 2) and (−1, −2, 1, 0, 2): r = 8/√(10·10) = 0.8;
    >>> # atanh 0.8 = 1.0986 ∓ 1.96/√2 → tanh: −0.280 and 0.986.
    >>> result = pearson([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
    >>> {key: round(value, 3) for key, value in result.items()}
    {'n': 5, 'r': 0.8, 'r_low': -0.28, 'r_high': 0.986, 'p': 0.104}
    """
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise ValueError("level must lie strictly between 0 and 1, e.g. 0.95.")
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    if xs.shape != ys.shape or xs.ndim != 1:
        raise ValueError("x and y must be two sequences of the same length.")
    both = ~(np.isnan(xs) | np.isnan(ys))
    xs, ys = xs[both], ys[both]
    n = len(xs)
    nan = math.nan
    result = {"n": n, "r": nan, "r_low": nan, "r_high": nan, "p": nan}
    if n < 3 or np.ptp(xs) == 0 or np.ptp(ys) == 0:
        return result
    dx, dy = xs - xs.mean(), ys - ys.mean()
    r = float(np.clip(dx @ dy / math.sqrt(float(dx @ dx) * float(dy @ dy)), -1.0, 1.0))
    result["r"] = r
    if abs(r) == 1:
        result.update(r_low=r, r_high=r, p=0.0)
        return result
    t = r * math.sqrt((n - 2) / (1 - r * r))
    result["p"] = float(2 * stats.t.sf(abs(t), n - 2))
    if n > 3:
        half = float(stats.norm.ppf(0.5 + level / 2)) / math.sqrt(n - 3)
        z = math.atanh(r)
        result.update(r_low=math.tanh(z - half), r_high=math.tanh(z + half))
    return result


def benjamini_hochberg(p: Sequence[float]) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (NaN entries stay NaN and are not counted): the
    running minimum, from the largest p down, of p₍ᵢ₎·m/i, at most 1.

    >>> # By hand: m = 3; sorted 0.01, 0.03, 0.04 → 0.03, 0.045, 0.04 → running min from the
    >>> # top: 0.03, 0.04, 0.04.
    >>> benjamini_hochberg([0.04, 0.01, float("nan"), 0.03]).round(3).tolist()
    [0.04, 0.03, nan, 0.04]
    """
    values = np.asarray(p, dtype=float)
    if values.ndim != 1:
        raise ValueError("Pass the p-values as one flat sequence.")
    finite = np.flatnonzero(~np.isnan(values))
    if ((values[finite] < 0) | (values[finite] > 1)).any():
        raise ValueError("p-values must lie between 0 and 1.")
    adjusted = np.full(len(values), math.nan)
    m = len(finite)
    if not m:
        return adjusted
    order = finite[np.argsort(values[finite], kind="stable")]
    scaled = values[order] * m / np.arange(1, m + 1)
    adjusted[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    return adjusted


def rest_index(answers: pd.DataFrame, slot: str) -> pd.Series:
    """Each respondent's engagement index without ``slot``: the mean of their other answered
    theme items (NaN when they answered none of them).

    >>> answers = pd.DataFrame({"a01": [5, 2], "a02": [3, None], "a03": [4, None]})
    >>> rest_index(answers, "a01").tolist()
    [3.5, nan]
    """
    if slot not in CORE_SLOTS:
        raise ValueError(f"{slot!r} is not a theme slot; use one of {', '.join(CORE_SLOTS)}.")
    others = [s for s in CORE_SLOTS if s != slot and s in answers.columns]
    if not others:
        return pd.Series(math.nan, index=answers.index, dtype=float)
    values = answers[others].apply(pd.to_numeric, errors="coerce").astype(float)
    return values.mean(axis=1, skipna=True)


def engagement_drivers(answers: pd.DataFrame, *, min_n: int, level: float = 0.95) -> pd.DataFrame:
    """Each theme's correlation with ``recommend`` (the 0–10 eNPS answer) and with ``index``
    (the engagement index without that theme), over the respondents of one group.

    ``answers`` has one row per respondent with the slots ``a01``…``a12`` and ``enps``
    (missing = skipped). The result has one row per outcome and theme, in the order of
    :data:`OUTCOMES` and the questionnaire, with the :data:`COLUMNS`: ``n`` the pairs of
    answers; ``r`` with its interval and p (see :func:`pearson`); ``p_adjusted``
    (:func:`benjamini_hochberg` over the themes of the outcome); ``significant``
    (p_adjusted < 0.05); ``enough`` (n ≥ ``min_n``). Where a theme has fewer than ``min_n``
    pairs, its r, interval and p are NaN: nothing computed on too few people is returned.

    >>> import numpy as np
    >>> rng = np.random.default_rng(7)
    >>> mood = rng.normal(size=40)
    >>> answers = pd.DataFrame(
    ...     {slot: np.clip(np.round(3 + mood * (i % 3) / 2 + rng.normal(size=40)), 1, 5)
    ...      for i, slot in enumerate(CORE_SLOTS)}
    ... )
    >>> answers["enps"] = np.clip(np.round(7 + 2 * mood), 0, 10)
    >>> table = engagement_drivers(answers, min_n=10)
    >>> # Themes 3, 6, 9 and 12 move with "mood", which also drives recommending.
    >>> top_drivers(table, "recommend")
    ['quality', 'strengths', 'growth']
    >>> int(table["enough"].sum()), int(table["n"].min())
    (24, 40)
    """
    if not isinstance(answers, pd.DataFrame):
        raise ValueError("Pass the answers as a pandas DataFrame with one row per respondent.")
    if isinstance(min_n, bool) or not isinstance(min_n, int | np.integer) or min_n < 4:
        raise ValueError("min_n must be a whole number of at least 4 (Fisher's interval).")
    missing = [c for c in (*CORE_SLOTS, "enps") if c not in answers.columns]
    if missing:
        raise ValueError(f"The answers lack the column(s) {', '.join(missing)}.")
    numeric = answers[[*CORE_SLOTS, "enps"]].apply(pd.to_numeric, errors="coerce").astype(float)
    rows = []
    for outcome in OUTCOMES:
        found = []
        for slot in CORE_SLOTS:
            other = numeric["enps"] if outcome == "recommend" else rest_index(numeric, slot)
            result = pearson(numeric[slot].to_numpy(), other.to_numpy(), level)
            enough = result["n"] >= min_n
            if not enough:
                result = {key: (value if key == "n" else math.nan) for key, value in result.items()}
            found.append(
                {
                    "outcome": outcome,
                    "slot": slot,
                    "theme": _THEME_OF[slot],
                    **result,
                    "enough": enough,
                }
            )
        p = benjamini_hochberg([row["p"] for row in found])
        for row, adjusted in zip(found, p, strict=True):
            row["p_adjusted"] = adjusted
            row["significant"] = bool(adjusted < 0.05)
        rows += found
    table = pd.DataFrame.from_records(rows, columns=list(COLUMNS))
    table["n"] = table["n"].astype(np.int64)
    table["significant"] = table["significant"].astype(bool)
    table["enough"] = table["enough"].astype(bool)
    return table


def top_drivers(table: pd.DataFrame, outcome: str = "recommend", count: int = 3) -> list[str]:
    """The themes most linked to ``outcome``: those with a positive, significant correlation
    (adjusted p < 0.05), strongest first, at most ``count``.

    >>> table = pd.DataFrame(
    ...     {"outcome": ["recommend"] * 3, "theme": ["care", "voice", "growth"],
    ...      "r": [0.42, 0.61, 0.10], "significant": [True, True, False]}
    ... )
    >>> top_drivers(table)
    ['voice', 'care']
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}.")
    chosen = table[(table["outcome"] == outcome) & table["significant"] & (table["r"] > 0)]
    ordered = chosen.sort_values("r", ascending=False, kind="stable")
    return ordered["theme"].head(count).tolist()
