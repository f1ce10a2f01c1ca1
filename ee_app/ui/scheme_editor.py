"""The scheme editor's tables: a scheme definition shown as editable frames and read back.

Components become one row each (measure, weight %, a single target, the pay curve as a
threshold point, the target point 100% → 100% and a cap point, and the rule for a person
without a value); per-role targets and target bonuses become a roles × columns table. The
measures a component reads for particular roles (a store manager on the store's revenue) are
kept from the scheme the design starts from, and told in words by :func:`level_notes`.
:func:`definition_from` rebuilds the definition that
:func:`ee_app.instruments.scheme.validate` checks, so the page never decides what is valid.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ee_app.errors import N_
from ee_app.instruments.scheme import MEASURES, MISSING_RULES
from ee_app.words.labels import measure_label, role_label

__all__ = [
    "EDITED_COLUMNS",
    "components_frame",
    "definition_from",
    "fill_ids",
    "level_notes",
    "missing_options",
    "roles_frame",
]

ROLES = ("beautician", "consultant", "doctor", "nurse", "front_desk", "store_manager")
#: A component's columns edited in the table, in order; the id stays behind the table and the
#: weight has an input of its own.
EDITED_COLUMNS = ("measure", "target", "threshold", "threshold_pays", "cap", "cap_pays", "missing")


def _curve_points(curve: list[list[float]]) -> tuple[float, float, float, float]:
    """(threshold attainment, threshold payout, cap attainment, cap payout), in %."""
    first, last = curve[0], curve[-1]
    return first[0] * 100, first[1] * 100, last[0] * 100, last[1] * 100


def components_frame(definition: Mapping[str, Any]) -> pd.DataFrame:
    rows = []
    for component in definition.get("components", []):
        target = component.get("target")
        single = None if isinstance(target, Mapping) else target
        low_a, low_p, high_a, high_p = _curve_points(component.get("curve") or [[1.0, 1.0]])
        rows.append(
            {
                "id": component["id"],
                "measure": component["measure"],
                "weight": round(float(component["weight"]) * 100, 4),
                "target": single,
                "threshold": low_a,
                "threshold_pays": low_p,
                "cap": high_a,
                "cap_pays": high_p,
                "missing": component.get("missing", "zero"),
            }
        )
    return pd.DataFrame(rows, columns=["id", "weight", *EDITED_COLUMNS])


def level_notes(definition: Mapping[str, Any], gettext: Any, names: Mapping[str, str]) -> list[str]:
    """One sentence per component that pays some roles on another measure, in words.

    >>> level_notes({"components": [{"id": "sales", "measure": "sales_revenue",
    ...     "measures": {"store_manager": "store_sales_revenue"}}]}, lambda s: s,
    ...     {"sales": "Sales"})
    ['Sales: Store manager paid on Store sales (CNY).']
    """
    notes = []
    for component in definition.get("components", []):
        others = component.get("measures") or {}
        if not others:
            continue
        roles = gettext(N_("; ")).join(
            gettext(N_("{role} paid on {measure}")).format(
                role=role_label(role, gettext), measure=measure_label(measure, gettext)
            )
            for role, measure in others.items()
        )
        name = names.get(component["id"], component["id"])
        notes.append(gettext(N_("{component}: {roles}.")).format(component=name, roles=roles))
    return notes


def missing_options() -> list[str]:
    """The rules for a person without a value (see :data:`MISSING_RULES`)."""
    return list(MISSING_RULES)


def roles_frame(definition: Mapping[str, Any]) -> pd.DataFrame:
    """One row per role: its target bonus, and its target for each per-role component."""
    bonus = definition.get("target_bonus") or {}
    data: dict[str, list[Any]] = {
        "role": list(ROLES),
        "target_bonus": [bonus.get(r) for r in ROLES],
    }
    for component in definition.get("components", []):
        target = component.get("target")
        if isinstance(target, Mapping):
            data[component["id"]] = [target.get(r) for r in ROLES]
    return pd.DataFrame(data)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fill_ids(components: pd.DataFrame) -> pd.DataFrame:
    """The components with an id for each new row that has a measure: the editor shows
    components by name and never asks for a code, so a new one gets its measure's key in
    the id's alphabet (``store_csat_top2`` → ``store-csat-top2``, then ``-2``, ``-3`` …).

    >>> frame = pd.DataFrame({"id": ["csat", None, None], "measure": ["csat_top2"] * 3})
    >>> fill_ids(frame)["id"].tolist()
    ['csat', 'csat-top2', 'csat-top2-2']
    """
    frame = components.copy()
    if "id" not in frame.columns:
        frame["id"] = None
    frame["id"] = frame["id"].astype(object)
    taken = {str(i).strip() for i in frame["id"] if not _blank(i) and str(i).strip()}
    for index, row in frame.iterrows():
        if (_blank(row["id"]) or not str(row["id"]).strip()) and not _blank(row.get("measure")):
            stem = str(row["measure"]).replace("_", "-")[:36]
            candidate, number = stem, 2
            while candidate in taken:
                candidate, number = f"{stem}-{number}", number + 1
            taken.add(candidate)
            frame.at[index, "id"] = candidate
    return frame


def _curve(row: Mapping[str, Any]) -> list[list[float]]:
    low = (float(row["threshold"]) / 100, float(row["threshold_pays"]) / 100)
    high = (float(row["cap"]) / 100, float(row["cap_pays"]) / 100)
    points = [low]
    if low[0] < 1.0 < high[0]:
        points.append((1.0, 1.0))
    if high != low:
        points.append(high)
    return [[round(a, 6), round(p, 6)] for a, p in points]


def _weight(row: Mapping[str, Any], weights: Mapping[str, float] | None) -> float:
    """A component's weight in %: from the weight inputs when given, else from its row."""
    if weights is not None and str(row["id"]).strip() in weights:
        return weights[str(row["id"]).strip()]
    return 0.0 if _blank(row.get("weight")) else row["weight"]


def definition_from(
    base: Mapping[str, Any],
    components: pd.DataFrame,
    roles: pd.DataFrame,
    *,
    weights: Mapping[str, float] | None = None,
    gates: Mapping[str, Any],
    pool: float | None,
    pool_mode: str,
    service_floor: float,
) -> dict[str, Any]:
    """The definition the editor's tables describe (not validated here)."""
    definition = copy.deepcopy(dict(base))
    before = {c.get("id"): c for c in definition.get("components", [])}
    per_role = {c for c in roles.columns if c not in ("role", "target_bonus")}
    out = []
    for row in components.to_dict("records"):
        if _blank(row.get("id")) or _blank(row.get("measure")):
            continue
        component: dict[str, Any] = {
            "id": str(row["id"]).strip(),
            "measure": str(row["measure"]),
            "weight": round(float(_weight(row, weights)) / 100, 6),
            "curve": _curve(row),
        }
        # The roles paid on another measure are kept from the scheme the design starts from;
        # the rule for missing data is the row's (schemes before it: pay 0).
        old = before.get(component["id"], {})
        if old.get("measures"):
            component["measures"] = copy.deepcopy(old["measures"])
        rule = row.get("missing")
        rule = old.get("missing") if _blank(rule) else str(rule)
        if rule is not None and not (rule == "zero" and "missing" not in old):
            component["missing"] = rule
        if component["id"] in per_role:
            component["target"] = {
                r["role"]: float(r[component["id"]])
                for r in roles.to_dict("records")
                if not _blank(r[component["id"]])
            }
        elif not _blank(row.get("target")):
            component["target"] = float(row["target"])
        out.append(component)
    definition["components"] = out
    definition["target_bonus"] = {
        r["role"]: float(r["target_bonus"])
        for r in roles.to_dict("records")
        if not _blank(r["target_bonus"])
    }
    definition["gates"] = dict(gates)
    definition["service_floor"] = round(service_floor / 100, 6)
    if pool:
        definition["pool"] = round(float(pool), 2)
        definition["pool_mode"] = pool_mode
    else:
        definition.pop("pool", None)
        definition.pop("pool_mode", None)
    return definition


def measure_options() -> list[str]:
    return list(MEASURES)
