"""Performance pay (绩效工资) from an incentive scheme: one line per staff member.

Pure arithmetic on one row per staff member (see :func:`calculate` for the columns). For each
component of the :class:`~ee_app.instruments.scheme.Scheme`:

* ``value``: the measure after the gates (前置条件): fewer CSAT answers than ``csat_min_n``
  puts the store's rate in place of the person's, fewer mystery-shopper visits than
  ``visit_min_n`` the store's score in place of the person's; each is flagged;
* the measure is the one of the person's role (:meth:`Component.measure_for`: a store
  manager may be paid on the store's revenue where others are paid on their own sales);
* a value still missing is handled by the component's rule (:data:`MISSING_RULES`), each use
  flagged: ``"zero"`` pays 0 on it (the rule of schemes written before the choice),
  ``"store"`` uses the store's value of the measure (:data:`STORE_MEASURES`; 0 if the store
  has none either), ``"reweight"`` leaves the component out of the person's pay and divides
  the points of the others by the share of the weight they hold, so a person at 100% of every
  target they have data for still earns the target bonus;
* ``attainment`` (达成率) = value / target (目标值), the target of the person's role;
* ``payout`` = the pay curve (计奖曲线) at the attainment (:func:`curve_payout`); a missing
  target pays 0, flagged;
* ``points`` = weight (权重) × payout (÷ the weight with data, after a re-weighting).

``raw`` = target bonus × Σ points, or 0 (flagged) for staff who have not passed the
onboarding assessment when the scheme requires it. A bonus pool (奖金池) sets the scale factor
(调整系数): pool / total raw in ``"exact"`` mode (when anything is owed at all), and in
``"cap"`` mode when the total raw exceeds the pool; 1 otherwise. The amounts (金额（元）) are
raw × scale rounded to the fen (0.01 CNY) by the largest-remainder method: every line is
rounded down, and the fen still missing to the scaled total (rounded half up; the pool itself
in exact mode) go one each to the lines with the largest remainders, ties to the smaller
employee number in natural order
(:func:`~ee_app.analysis.rounding.natural_key`: E2 before E10). So the lines always
add up to the total exactly, and no line is a fen or more away from its unrounded amount.

Every step runs on exact fractions: a float input counts as the decimal it prints as
(``0.85`` is 85/100), so the amounts do not depend on binary rounding. The DataFrame shows
the steps as floats and the amounts as :class:`~decimal.Decimal`.

Flags are :class:`Flag` tuples ``(message, params)``: ``message`` an English format string
marked with ``N_`` (the catalog's message id), ``params`` its placeholders; a page shows one
with ``flag.render(gettext)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ee_app.analysis.rounding import as_fraction, largest_remainder, natural_key, to_fen, yuan
from ee_app.errors import N_
from ee_app.instruments.scheme import MISSING_RULES, STORE_MEASURES, Component, Scheme

__all__ = [
    "FLAG_CSAT_FROM_STORE",
    "FLAG_MISSING_VALUE",
    "FLAG_NOT_ONBOARDED",
    "FLAG_NO_BONUS",
    "FLAG_NO_TARGET",
    "FLAG_REWEIGHTED",
    "FLAG_STORE_VALUE",
    "FLAG_VISIT_FROM_STORE",
    "IDENTITY_COLUMNS",
    "PERSON_AND_TOTALS",
    "Flag",
    "PayResult",
    "calculate",
    "curve_payout",
    "input_columns",
]

IDENTITY_COLUMNS = ("staff_id", "employee_no", "name", "store_code", "store_name", "role")
#: The columns of a line whatever the scheme: the person, the target bonus and the totals. A
#: run keeps them as columns of its own, the rest (the components' steps, the flags) as detail.
PERSON_AND_TOTALS = (*IDENTITY_COLUMNS, "target_bonus", "points", "raw", "amount")

FLAG_NOT_ONBOARDED = N_("Onboarding assessment not passed: no performance pay.")
FLAG_NO_BONUS = N_("No target bonus for the role {role}: no performance pay.")
FLAG_CSAT_FROM_STORE = N_("CSAT from the store: fewer than {n} answers.")
FLAG_VISIT_FROM_STORE = N_("Mystery-shopper score from the store: fewer than {n} visits.")
FLAG_MISSING_VALUE = N_("{component}: no value, so it pays 0.")
FLAG_NO_TARGET = N_("{component}: no target for the role {role}, so it pays 0.")
FLAG_STORE_VALUE = N_("{component}: no value of the person's own, so the store's is used.")
FLAG_REWEIGHTED = N_(
    "{component}: no value, so its weight is spread over the person's other components."
)

# The gates: a measure, the count that must reach the gate's minimum, the store's value.
_GATED = {
    "csat_top2": ("csat_n", "store_csat_top2", "csat_min_n", FLAG_CSAT_FROM_STORE),
    "visit_score_staff": (
        "visit_n_staff",
        "visit_score_store",
        "visit_min_n",
        FLAG_VISIT_FROM_STORE,
    ),
}


class Flag(NamedTuple):
    """Why a line is not simply the scheme's arithmetic: ``(message, params)``."""

    message: str
    params: Mapping[str, Any]

    def render(self, gettext: Callable[[str], str] = str) -> str:
        return gettext(self.message).format(**self.params)


@dataclass(frozen=True)
class PayResult:
    """The pay of one period.

    ``lines``: one row per staff member, in the order of the inputs (see :func:`calculate`);
    ``total_raw``: Σ raw, rounded half up to the fen; ``scale``: the pool's scale factor
    (调整系数), exact inside, a float here for display; ``total``: Σ amount, exactly;
    ``n``: the number of lines.
    """

    lines: pd.DataFrame
    total_raw: Decimal
    scale: float
    total: Decimal
    n: int


def curve_payout(curve: Sequence[Sequence[Any]], attainment: Any) -> Fraction:
    """The payout of a pay curve at an attainment, exactly.

    ``curve`` holds (attainment, payout) points, strictly increasing in attainment: below the
    first point the payout is 0 (the threshold, 门槛), between two points it runs on the straight
    line between them, and at or above the last point it is the last payout (the cap, 封顶).

    >>> curve = [(0.8, 0.5), (1.0, 1.0), (1.2, 1.5)]
    >>> [str(curve_payout(curve, a)) for a in (0.79, 0.8, 0.9, 1.0, 1.1, 1.2, 2.0)]
    ['0', '1/2', '3/4', '1', '5/4', '3/2', '3/2']
    >>> curve_payout([(1, 1)], 0.999), curve_payout([(1, 1)], 1)  # all or nothing
    (Fraction(0, 1), Fraction(1, 1))
    """
    points = [(as_fraction(a), as_fraction(p)) for a, p in curve]
    if not points:
        raise ValueError("a pay curve needs at least one point.")
    if any(b[0] <= a[0] for a, b in pairwise(points)):
        raise ValueError("a pay curve's attainments must be strictly increasing.")
    x = as_fraction(attainment)
    if x < points[0][0]:
        return Fraction(0)
    for (a0, p0), (a1, p1) in pairwise(points):
        if x < a1:
            return p0 + (p1 - p0) * (x - a0) / (a1 - a0)
    return points[-1][1]


def input_columns(scheme: Scheme) -> list[str]:
    """The columns :func:`calculate` needs for ``scheme`` (``target_bonus`` is optional).

    >>> from ee_app.instruments.scheme import validate
    >>> scheme = validate({"kind": "scheme", "key": "k", "version": 1,
    ...     "name": {"en": "n", "zh-CN": "n"}, "target_bonus": {"beautician": 1000},
    ...     "gates": {"onboarding_required": True}, "components": [
    ...         {"id": "csat", "measure": "csat_top2", "weight": 1, "target": 0.9,
    ...          "curve": [[1.0, 1.0]]}]})
    >>> input_columns(scheme)[len(IDENTITY_COLUMNS):]  # CSAT with its gate's count and store
    ['csat_top2', 'csat_n', 'store_csat_top2', 'onboarding_passed']
    """
    columns = list(IDENTITY_COLUMNS)
    for measure in _measures(scheme):
        columns.append(measure)
        if measure in _GATED:
            count, store, _, _ = _GATED[measure]
            columns += [count, store]
    if scheme.gates.onboarding_required:
        columns.append("onboarding_passed")
    return list(dict.fromkeys(columns))


def _measures(scheme: Scheme) -> list[str]:
    """Every measure the scheme reads: each component's, per role, and the store values its
    ``"store"`` rule may fill in."""
    found: list[str] = []
    for component in scheme.components:
        for measure in component.measures:
            found.append(measure)
            if component.missing == "store" and measure in STORE_MEASURES:
                found.append(STORE_MEASURES[measure])
    return list(dict.fromkeys(found))


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A column as floats (NaN where missing); True/False count as 1/0."""
    try:
        values = pd.to_numeric(frame[column], errors="raise")
        array = pd.Series(values).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{column} must be numeric.") from exc
    if np.isinf(array).any():
        raise ValueError(f"{column} must be finite.")
    return array


def _component_columns(
    component: Component,
    values: Mapping[str, np.ndarray],
    roles: Sequence[str],
    flags: list[list[Flag]],
) -> tuple[dict[str, list[float]], list[Fraction], list[bool]]:
    """The five columns of one component, its exact points per line (before any
    re-weighting), and whether each line leaves it out (no value, rule ``"reweight"``)."""
    if component.missing not in MISSING_RULES:
        raise ValueError(f"unknown rule for missing data: {component.missing!r}.")
    columns: dict[str, list[float]] = {
        f"{component.id}_{name}": [] for name in ("value", "target", "attainment", "payout")
    }
    exact_points, left_out = [], []
    for i, role in enumerate(roles):
        measure = component.measure_for(role)
        value = float(values[measure][i])
        target = component.target_for(role)
        payout, attainment, out = Fraction(0), math.nan, False
        store = STORE_MEASURES.get(measure)
        if math.isnan(value) and component.missing == "store" and store not in (None, measure):
            value = float(values[store][i])
            if not math.isnan(value):
                flags[i].append(Flag(FLAG_STORE_VALUE, {"component": component.id}))
        if target is None:
            flags[i].append(Flag(FLAG_NO_TARGET, {"component": component.id, "role": role}))
        elif math.isnan(value):
            if component.missing == "reweight":
                out = True
                flags[i].append(Flag(FLAG_REWEIGHTED, {"component": component.id}))
            else:
                flags[i].append(Flag(FLAG_MISSING_VALUE, {"component": component.id}))
        else:
            exact = as_fraction(value) / target
            payout, attainment = curve_payout(component.curve, exact), float(exact)
        columns[f"{component.id}_value"].append(value)
        columns[f"{component.id}_target"].append(math.nan if target is None else float(target))
        columns[f"{component.id}_attainment"].append(attainment)
        columns[f"{component.id}_payout"].append(float(payout))
        exact_points.append(component.weight * payout)
        left_out.append(out)
    return columns, exact_points, left_out


def calculate(scheme: Scheme, inputs: pd.DataFrame) -> PayResult:
    """The pay of every staff member in ``inputs`` under ``scheme``.

    ``inputs`` has one row per staff member: ``staff_id``, ``employee_no``, ``name``,
    ``store_code``, ``store_name``, ``role``, the measures the scheme's components read
    (``sales_revenue``, ``csat_top2``, ``repurchase_rate``, ``repurchase_value``,
    ``visit_score_store``, ``visit_score_staff``, ``assessment_passed`` as a boolean), with
    ``csat_n`` and ``store_csat_top2`` for CSAT, ``visit_n_staff`` and ``visit_score_store`` for
    the staff mystery-shopper score, ``onboarding_passed`` (boolean) when the scheme requires
    onboarding, and optionally ``target_bonus``, a person's own target bonus in CNY (NaN: their
    role's). :func:`input_columns` lists what a scheme needs; other columns are ignored.

    ``lines`` has the identity columns, ``target_bonus``, for each component ``<id>_value``,
    ``<id>_target``, ``<id>_attainment``, ``<id>_payout`` and ``<id>_points``, then
    ``points`` (Σ), ``flags`` (a tuple of :class:`Flag`), ``raw`` (floats for display) and
    ``amount`` (a Decimal of two places).

    >>> from ee_app.instruments.scheme import validate
    >>> scheme = validate({"kind": "scheme", "key": "k", "version": 1,
    ...     "name": {"en": "n", "zh-CN": "n"}, "pool": 1000, "pool_mode": "exact",
    ...     "target_bonus": {"beautician": 1000}, "gates": {"onboarding_required": False},
    ...     "components": [
    ...         {"id": "sales", "measure": "sales_revenue", "weight": 0.5, "target": 100,
    ...          "curve": [[0.8, 0.5], [1.0, 1.0], [1.2, 1.5]]},
    ...         {"id": "csat", "measure": "csat_top2", "weight": 0.5, "target": 0.9,
    ...          "curve": [[1.0, 1.0]]}]})
    >>> staff = pd.DataFrame({"staff_id": [1, 2, 3], "employee_no": ["E1", "E2", "E3"],
    ...     "name": ["A", "B", "C"], "store_code": "S1", "store_name": "S", "role": "beautician",
    ...     "sales_revenue": [90.0, 120.0, 70.0], "csat_top2": [0.9, 0.5, 0.95],
    ...     "csat_n": [20, 20, 3], "store_csat_top2": 0.8})
    >>> pay = calculate(scheme, staff)
    >>> # A: .5 × .75 + .5 × 1 = .875; B: .5 × 1.5 + .5 × 0 = .75 (CSAT .5/.9 below 1);
    >>> # C: .5 × 0 + .5 × 0 = 0 (sales .7 below .8; 3 answers: the store's .8, below .9)
    >>> pay.lines["points"].tolist(), str(pay.total_raw), round(pay.scale, 4)
    ([0.875, 0.75, 0.0], '1625.00', 0.6154)
    >>> # the pool of 1000 over 1625: A 875 × 1000/1625 = 538.461…, B 461.538…; 1000.00 in all
    >>> [str(a) for a in pay.lines["amount"]], str(pay.total)
    (['538.46', '461.54', '0.00'], '1000.00')
    >>> [f.render() for f in pay.lines["flags"][2]]
    ['CSAT from the store: fewer than 10 answers.']
    """
    missing = [c for c in input_columns(scheme) if c not in inputs.columns]
    if missing:
        raise ValueError(f"the pay inputs need the columns {missing}.")
    if inputs["staff_id"].duplicated().any():
        raise ValueError("the pay inputs need one row per staff member (staff_id).")
    frame = inputs.reset_index(drop=True)
    n = len(frame)
    roles = [str(r) for r in frame["role"]]
    flags: list[list[Flag]] = [[] for _ in range(n)]

    not_onboarded = np.zeros(n, dtype=bool)
    if scheme.gates.onboarding_required:
        passed = _numbers(frame, "onboarding_passed")
        not_onboarded = ~(passed == 1)
        for i in np.flatnonzero(not_onboarded):
            flags[i].append(Flag(FLAG_NOT_ONBOARDED, {}))

    bonus: list[Fraction] = []
    override = _numbers(frame, "target_bonus") if "target_bonus" in frame else np.full(n, np.nan)
    if (override < 0).any():
        raise ValueError("target_bonus must be 0 or more.")
    for i, role in enumerate(roles):
        if not math.isnan(override[i]):
            bonus.append(as_fraction(override[i]))
        elif (role_bonus := scheme.bonus_for(role)) is not None:
            bonus.append(role_bonus)
        else:
            bonus.append(Fraction(0))
            flags[i].append(Flag(FLAG_NO_BONUS, {"role": role}))

    values: dict[str, np.ndarray] = {}
    for measure in _measures(scheme):
        own = _numbers(frame, measure)
        if measure in _GATED:
            count_column, store_column, setting, message = _GATED[measure]
            minimum = getattr(scheme.gates, setting)
            counts = np.nan_to_num(_numbers(frame, count_column), nan=0.0)
            few = counts < minimum
            own = np.where(few, _numbers(frame, store_column), own)
            for i in np.flatnonzero(few):
                flags[i].append(Flag(message, {"n": minimum}))
        values[measure] = own

    columns: dict[str, Any] = {c: frame[c] for c in IDENTITY_COLUMNS}
    columns["target_bonus"] = [float(b) for b in bonus]
    weights = [c.weight for c in scheme.components]
    by_component = [_component_columns(c, values, roles, flags) for c in scheme.components]
    # The re-weighting: a line's points over the components it has data for, divided by their
    # share of the weight (Σ weights, 1 in a valid scheme, over the weight kept).
    factors = []
    for i in range(n):
        kept = sum(
            (w for w, (_, _, out) in zip(weights, by_component, strict=True) if not out[i]),
            Fraction(0),
        )
        factors.append(sum(weights, Fraction(0)) / kept if kept else Fraction(0))
    points = [Fraction(0)] * n
    for component, (own_columns, own_points, left_out) in zip(
        scheme.components, by_component, strict=True
    ):
        scaled = [
            Fraction(0) if out else p * f
            for p, f, out in zip(own_points, factors, left_out, strict=True)
        ]
        columns.update(own_columns)
        columns[f"{component.id}_points"] = [float(p) for p in scaled]
        points = [p + q for p, q in zip(points, scaled, strict=True)]

    raw = [
        Fraction(0) if skip else b * p
        for skip, b, p in zip(not_onboarded, bonus, points, strict=True)
    ]
    total_raw = sum(raw, Fraction(0))
    scale = Fraction(1)
    if scheme.pool is not None and total_raw > 0:
        pool = Fraction(scheme.pool)
        if scheme.pool_mode == "exact" or total_raw > pool:
            scale = pool / total_raw
    ties = [
        (natural_key(e), natural_key(s))
        for e, s in zip(frame["employee_no"], frame["staff_id"], strict=True)
    ]
    fen, total = largest_remainder([r * scale for r in raw], ties)

    columns["points"] = [float(p) for p in points]
    columns["flags"] = pd.Series([tuple(f) for f in flags], dtype=object)
    columns["raw"] = [float(r) for r in raw]
    columns["amount"] = pd.Series([yuan(f) for f in fen], dtype=object)
    lines = pd.DataFrame(columns, index=pd.RangeIndex(n))
    return PayResult(
        lines=lines, total_raw=yuan(to_fen(total_raw)), scale=float(scale), total=yuan(total), n=n
    )
