"""Calibration of performance pay before approval (发放前校准): can every role reach its targets?

Pure arithmetic on the lines of a pay calculation (:func:`ee_app.analysis.pay.calculate`, or a
stored run's lines flattened by :func:`lines_frame`). For each staff role:

* the distribution of each component's **attainment** (达成率, value / target) and of the
  **payout against target** (the amount paid / the role's target bonus, so 1.0 is "paid the
  target bonus"; after the pool's scale factor, i.e. what payroll would pay): n, minimum,
  first quartile, median, third quartile, maximum. Quartiles are numpy's default (linear
  interpolation between order statistics, Hyndman & Fan 1996 type 7, as R's ``quantile``);
* the **share paid nothing** on each component: staff whose payout on it is 0, whether below
  the threshold (门槛), without a value, or without a target for their role; staff for whom the
  component was left out and its weight spread over their others (the scheme's rule
  "reweight") are not counted, in the count or in the role's n for it;
* **warnings** in plain words, by three rules (thresholds are the constants below):

  1. *All below the threshold*: every staff member of a role has a value on a component and
     all of them are below its threshold (the curve's first point), so nobody in the role can
     earn it this month ("Store manager: all 12 are below the threshold of Sales revenue.");
  2. *Many paid nothing*: otherwise, at least :data:`NOTHING_SHARE` of a role is paid nothing
     on a component ("Front desk: 100% paid nothing on Sales revenue.");
  3. *Median payout off target*: the median payout against target of a role lies below
     :data:`MEDIAN_LOW` or above :data:`MEDIAN_HIGH` ("Beautician: the median payout is 31% of
     the target bonus (outside 70%–130%)."). Staff with a target bonus of 0 are left out of
     this rule and of the payout distribution (their payout has no target to be measured
     against).

A target bonus is meant to be about what the typical person of the role earns when performing
as expected, with the threshold within reach of most; the bands are this project's reading
of "near target", not a published standard (docs/incentives.md, "Calibration before
approval").

Pay is not survey data: HR already sees every line, so these per-role summaries of pay
lines are no disclosure of answers; engagement results are never an input to pay.

Warnings are :class:`Finding` tuples ``(code, message, params)``: ``message`` an English format
string marked with ``N_``, ``params`` its placeholders with the role and measure as codes;
:meth:`Finding.render` puts the plain names in (:data:`ROLE_WORDS`, :data:`MEASURE_WORDS`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ee_app.analysis.pay import FLAG_REWEIGHTED
from ee_app.errors import N_
from ee_app.instruments.scheme import ROLES, Scheme

__all__ = [
    "ALL_BELOW",
    "MEASURE_WORDS",
    "MEDIAN_HIGH",
    "MEDIAN_LOW",
    "MEDIAN_OFF",
    "NOTHING",
    "NOTHING_SHARE",
    "PAYOUT",
    "ROLE_WORDS",
    "Calibration",
    "Finding",
    "calibrate",
    "lines_frame",
    "summary",
]

#: Rule 2: a component on which at least this share of a role is paid nothing is flagged.
NOTHING_SHARE = 0.5
#: Rule 3: a role's median payout against target below this share is flagged …
MEDIAN_LOW = 0.7
#: … and above this one.
MEDIAN_HIGH = 1.3

ALL_BELOW = "all_below"
NOTHING = "nothing"
MEDIAN_OFF = "median_off"
#: The quantity name of the payout against target in :attr:`Calibration.distribution`.
PAYOUT = "payout"

_ALL_BELOW = N_("{role}: all {n} are below the threshold of {component}.")
_NOTHING = N_("{role}: {share:.0%} paid nothing on {component} ({count} of {n}).")
_MEDIAN_OFF = N_(
    "{role}: the median payout is {median:.0%} of the target bonus (outside {low:.0%}–{high:.0%})."
)

#: Plain names of the roles and measures (the same words as the payroll workbook's).
ROLE_WORDS = {
    "beautician": N_("Beautician"),
    "consultant": N_("Consultant"),
    "doctor": N_("Doctor"),
    "nurse": N_("Nurse"),
    "front_desk": N_("Front desk"),
    "store_manager": N_("Store manager"),
}
MEASURE_WORDS = {
    "sales_revenue": N_("Sales revenue"),
    "csat_top2": N_("CSAT top-2 (shrunken)"),
    "repurchase_rate": N_("Repurchase rate"),
    "repurchase_value": N_("Repeat value (CNY)"),
    "visit_score_store": N_("Mystery-shopper score (store)"),
    "visit_score_staff": N_("Mystery-shopper score (own)"),
    "assessment_passed": N_("Onboarding passed"),
    "store_sales_revenue": N_("Store sales revenue"),
    "store_csat_top2": N_("Store CSAT top-2 (shrunken)"),
    "store_repurchase_rate": N_("Store repurchase rate"),
}


class Finding(NamedTuple):
    """One calibration warning: ``code`` (:data:`ALL_BELOW`, :data:`NOTHING`,
    :data:`MEDIAN_OFF`), ``message`` (an ``N_`` format string), ``params``."""

    code: str
    message: str
    params: Mapping[str, Any]

    def render(
        self, gettext: Callable[[str], str] = str, names: Mapping[str, str] | None = None
    ) -> str:
        """The warning in plain words, role and measure by their names; ``names`` (component
        id → its plain name, e.g. from ``ee_app.words.labels.component_labels``) names the
        component instead of its measure.

        >>> Finding(NOTHING, _NOTHING, {"role": "front_desk", "measure": "sales_revenue",
        ...     "component": "sales", "share": 1.0, "count": 20, "n": 20}).render()
        'Front desk: 100% paid nothing on Sales revenue (20 of 20).'
        >>> Finding(ALL_BELOW, _ALL_BELOW, {"role": "store_manager", "measure": "sales_revenue",
        ...     "component": "sales", "n": 12}).render(names={"sales": "Sales"})
        'Store manager: all 12 are below the threshold of Sales.'
        """
        params = dict(self.params)
        role = str(params.get("role", ""))
        params["role"] = gettext(ROLE_WORDS[role]) if role in ROLE_WORDS else role
        measure = str(params.get("measure", ""))
        component = str(params.get("component", ""))
        if names and component in names:
            params["component"] = names[component]
        elif measure in MEASURE_WORDS:
            params["component"] = gettext(MEASURE_WORDS[measure])
        return gettext(self.message).format(**params)

    def plain(self) -> dict[str, Any]:
        """A JSON-ready form (kept with an approved run), read back by :meth:`from_plain`."""
        return {"code": self.code, "message": self.message, "params": dict(self.params)}

    @classmethod
    def from_plain(cls, data: Mapping[str, Any]) -> Finding:
        return cls(str(data["code"]), str(data["message"]), dict(data.get("params") or {}))


@dataclass(frozen=True)
class Calibration:
    """A calibration of one pay calculation.

    ``distribution``: one row per role and quantity (each component's id for its attainment,
    :data:`PAYOUT` for the payout against target) with ``role``, ``quantity``, ``measure``
    (the component's measure; empty for the payout), ``n``, ``min``, ``q1``, ``median``,
    ``q3``, ``max`` (NaN when n is 0); ``nothing``: one row per role and component with
    ``role``, ``component``, ``measure``, ``n``, ``count`` (paid nothing) and ``share``;
    ``payouts``: one row per staff member with a target bonus: ``employee_no``, ``role``,
    ``payout`` (against target); ``warnings``: the :class:`Finding` s, by role then rule;
    ``components``: the scheme's components (to name them).
    """

    distribution: pd.DataFrame
    nothing: pd.DataFrame
    payouts: pd.DataFrame
    warnings: tuple[Finding, ...]
    components: tuple[Any, ...] = ()


def _role_order(roles: Sequence[str]) -> list[str]:
    present = list(dict.fromkeys(str(r) for r in roles))
    known = [r for r in ROLES if r in present]
    return known + sorted(r for r in present if r not in ROLES)


def summary(values: Sequence[float]) -> dict[str, float]:
    """n, min, quartiles (type 7) and max of the values that are not NaN.

    >>> summary([0.2, 1.0, 0.4, float("nan"), 0.6])
    {'n': 4, 'min': 0.2, 'q1': 0.35, 'median': 0.5, 'q3': 0.7, 'max': 1.0}
    >>> summary([])["median"]
    nan
    """
    array = np.asarray([float(v) for v in values], dtype=float)
    array = array[~np.isnan(array)]
    if not len(array):
        nan = math.nan
        return {"n": 0, "min": nan, "q1": nan, "median": nan, "q3": nan, "max": nan}
    q1, median, q3 = (float(round(q, 12)) for q in np.quantile(array, [0.25, 0.5, 0.75]))
    return {
        "n": len(array),
        "min": float(array.min()),
        "q1": q1,
        "median": median,
        "q3": q3,
        "max": float(array.max()),
    }


def lines_frame(lines: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """A stored run's lines (each with its ``detail`` dict) as one flat frame, like the
    ``lines`` of :class:`~ee_app.analysis.pay.PayResult`; missing numbers are NaN.

    >>> frame = lines_frame([{"employee_no": "E1", "role": "nurse", "target_bonus": "1500.00",
    ...     "amount": "750.00", "detail": {"sales_payout": 0.5, "sales_attainment": None}}])
    >>> frame.loc[0, ["amount", "sales_payout"]].tolist(), bool(frame["sales_attainment"].isna()[0])
    ([750.0, 0.5], True)
    """
    rows = []
    for line in lines:
        row = {k: v for k, v in line.items() if k != "detail"}
        for key, value in (line.get("detail") or {}).items():
            row.setdefault(key, value)
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in frame.columns:
        if column in ("target_bonus", "amount", "points", "raw") or column.endswith(
            ("_attainment", "_payout", "_value", "_points", "_target")
        ):
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame


def _left_out(flags: Any, component: str) -> bool:
    """Whether a line's flags say the component was left out and its weight spread over the
    others (the scheme's rule "reweight" for a person without a value): not paid nothing."""
    if not isinstance(flags, list | tuple):
        return False
    for flag in flags:
        message, params = (flag[0], flag[1]) if isinstance(flag, list | tuple) else (flag, {})
        if message == FLAG_REWEIGHTED and (params or {}).get("component") == component:
            return True
    return False


def calibrate(scheme: Scheme, lines: pd.DataFrame) -> Calibration:
    """The calibration of ``lines`` (columns ``employee_no``, ``role``, ``target_bonus``,
    ``amount`` and, for each component of ``scheme``, ``<id>_attainment`` and ``<id>_payout``).

    Three front-desk staff and two nurses under a sales component (threshold 80% of target)
    and a CSAT one: every front-desk person is below the sales threshold (rule 1); one nurse of
    two is paid nothing on CSAT, half the role (rule 2); the nurses' median payout is
    (400 + 1200) / 2 = 800 of 1500, 53% (rule 3); front desk is paid 1000 each, on target.

    >>> from ee_app.instruments.scheme import validate
    >>> scheme = validate({"kind": "scheme", "key": "k", "version": 1,
    ...     "name": {"en": "n", "zh-CN": "n"},
    ...     "target_bonus": {"front_desk": 1000, "nurse": 1500},
    ...     "components": [
    ...         {"id": "sales", "measure": "sales_revenue", "weight": 0.5, "target": 100,
    ...          "curve": [[0.8, 0.5], [1.0, 1.0]]},
    ...         {"id": "csat", "measure": "csat_top2", "weight": 0.5, "target": 0.8,
    ...          "curve": [[0.9, 0.5], [1.0, 1.0]]}]})
    >>> lines = pd.DataFrame({"employee_no": ["E1", "E2", "E3", "E4", "E5"],
    ...     "role": ["front_desk"] * 3 + ["nurse"] * 2,
    ...     "target_bonus": [1000, 1000, 1000, 1500, 1500],
    ...     "amount": [1000, 1000, 1000, 400, 1200],
    ...     "sales_attainment": [0.1, 0.0, 0.5, 1.0, 0.9],
    ...     "sales_payout": [0, 0, 0, 1.0, 0.75],
    ...     "csat_attainment": [1.0, 1.0, 1.0, 0.5, 1.0],
    ...     "csat_payout": [1.0, 1.0, 1.0, 0.0, 1.0]})
    >>> for warning in calibrate(scheme, lines).warnings:
    ...     print(warning.render())
    Nurse: 50% paid nothing on CSAT top-2 (shrunken) (1 of 2).
    Nurse: the median payout is 53% of the target bonus (outside 70%–130%).
    Front desk: all 3 are below the threshold of Sales revenue.
    >>> payout = calibrate(scheme, lines).distribution.query("quantity == 'payout'")
    >>> payout[["role", "n", "median"]].round(4).values.tolist()
    [['nurse', 2, 0.5333], ['front_desk', 3, 1.0]]
    """
    frame = lines.reset_index(drop=True)
    roles = _role_order(frame["role"].tolist()) if len(frame) else []
    bonus = pd.to_numeric(frame.get("target_bonus"), errors="coerce").astype(float)
    amount = pd.Series([float(a) for a in frame["amount"]], dtype=float) if len(frame) else bonus
    payout = (amount / bonus).where(bonus > 0)
    distribution, nothing, warnings = [], [], []
    for role in roles:
        mine = (frame["role"].astype(str) == role).to_numpy()
        n = int(mine.sum())
        found: dict[str, list[Finding]] = {ALL_BELOW: [], NOTHING: [], MEDIAN_OFF: []}
        for component in scheme.components:
            # The measure the role is paid on (a scheme may give a role its own).
            measure_for = getattr(component, "measure_for", None)
            measure = str(measure_for(role)) if measure_for else component.measure
            attainment = frame[f"{component.id}_attainment"].astype(float)[mine]
            paid = frame[f"{component.id}_payout"].astype(float)[mine]
            distribution.append(
                {
                    "role": role,
                    "quantity": component.id,
                    "measure": measure,
                    **summary(attainment.tolist()),
                }
            )
            flags = list(frame["flags"][mine]) if "flags" in frame else [()] * n
            counted = ~np.array([_left_out(f, component.id) for f in flags], dtype=bool)
            count = int(((paid.fillna(0) == 0).to_numpy() & counted).sum())
            share = count / int(counted.sum()) if counted.any() else 0.0
            nothing.append(
                {
                    "role": role,
                    "component": component.id,
                    "measure": measure,
                    "n": int(counted.sum()),
                    "count": count,
                    "share": share,
                }
            )
            threshold = float(component.curve[0][0])
            params = {"role": role, "component": component.id, "measure": measure}
            if n and attainment.notna().all() and bool((attainment < threshold).all()):
                found[ALL_BELOW].append(Finding(ALL_BELOW, _ALL_BELOW, {**params, "n": n}))
            elif counted.any() and share >= NOTHING_SHARE:
                found[NOTHING].append(
                    Finding(
                        NOTHING,
                        _NOTHING,
                        {**params, "share": share, "count": count, "n": int(counted.sum())},
                    )
                )
        stats = summary(payout[mine].tolist())
        distribution.append({"role": role, "quantity": PAYOUT, "measure": "", **stats})
        median = stats["median"]
        if stats["n"] and not (MEDIAN_LOW <= round(median, 12) <= MEDIAN_HIGH):
            found[MEDIAN_OFF].append(
                Finding(
                    MEDIAN_OFF,
                    _MEDIAN_OFF,
                    {"role": role, "median": median, "low": MEDIAN_LOW, "high": MEDIAN_HIGH},
                )
            )
        warnings += found[ALL_BELOW] + found[NOTHING] + found[MEDIAN_OFF]
    columns = ["role", "quantity", "measure", "n", "min", "q1", "median", "q3", "max"]
    payouts = pd.DataFrame(
        {
            "employee_no": frame["employee_no"] if len(frame) else [],
            "role": frame["role"].astype(str) if len(frame) else [],
            "payout": payout if len(frame) else [],
        }
    )
    return Calibration(
        distribution=pd.DataFrame(distribution, columns=columns),
        nothing=pd.DataFrame(
            nothing, columns=["role", "component", "measure", "n", "count", "share"]
        ),
        payouts=payouts.dropna(subset=["payout"]).reset_index(drop=True),
        warnings=tuple(warnings),
        components=tuple(scheme.components),
    )
