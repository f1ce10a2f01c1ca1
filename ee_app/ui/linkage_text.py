"""Plain-language readings of the linkage statistics: two or three sentences under each
result saying what it means and what it does not, built from the numbers (no statistics
are computed here beyond comparing them with 0 and with each other)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "icc_reading",
    "lagged_reading",
    "partial_reading",
    "unit_reading",
    "within_reading",
]

Gettext = Callable[[str], str]


def _known(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _strength(r: float, _: Gettext) -> str:
    size = abs(r)
    if size < 0.1:
        return _("a negligible")
    if size < 0.3:
        return _("a weak")
    if size < 0.5:
        return _("a moderate")
    return _("a strong")


def unit_reading(stats: Mapping[str, Any], outcome: str, _: Gettext) -> str:
    n = stats.get("n", 0) or 0
    if not stats.get("enough"):
        return _(
            "With {n} units there are too few to tell whether engagement and {outcome} go "
            "together: the points are shown, but no correlation is worth reading yet."
        ).format(n=n, outcome=outcome)
    r, low, high = stats["r"], stats["r_low"], stats["r_high"]
    if low > 0 or high < 0:
        direction = _("higher") if r > 0 else _("lower")
        text = _(
            "Units with more engaged staff tend to have {direction} {outcome}: {strength} "
            "relation (r = {r:.2f}, 95% interval {low:.2f} to {high:.2f}, n = {n} units)."
        ).format(
            direction=direction,
            outcome=outcome,
            strength=_strength(r, _),
            r=r,
            low=low,
            high=high,
            n=n,
        )
    else:
        text = _(
            "The data cannot tell whether engagement and {outcome} go together here: r = "
            "{r:.2f}, and the 95% interval ({low:.2f} to {high:.2f}) includes no relation at "
            "all. With {n} units only a correlation of about {detectable:.2f} or more would "
            "reliably show."
        ).format(outcome=outcome, r=r, low=low, high=high, n=n, detectable=stats["detectable_r"])
    return (
        text
        + " "
        + _(
            "A correlation is not a cause: engaged teams may serve better, or successful stores "
            "may keep their staff engaged, or both may follow a good manager. A relation between "
            "units need not hold for the individuals in them."
        )
    )


def within_reading(stats: Mapping[str, Any], outcome: str, _: Gettext) -> str:
    if not _known(stats.get("r")):
        return _("Too few stores with several waves to see how they change over time.")
    r, low, high = stats["r"], stats["r_low"], stats["r_high"]
    if low > 0 or high < 0:
        return _(
            "Within the same store, waves with higher engagement went with {direction} "
            "{outcome} (r = {r:.2f}, 95% interval {low:.2f} to {high:.2f}, {subjects} stores, "
            "{observations} store-waves). Comparing a store with itself removes what differs "
            "between stores, such as location and size."
        ).format(
            direction=_("higher") if r > 0 else _("lower"),
            outcome=outcome,
            r=r,
            low=low,
            high=high,
            subjects=stats["subjects"],
            observations=stats["observations"],
        )
    return _(
        "Within the same store, changes in engagement from wave to wave did not clearly go "
        "with changes in {outcome} (r = {r:.2f}, 95% interval {low:.2f} to {high:.2f})."
    ).format(outcome=outcome, r=r, low=low, high=high)


def lagged_reading(stats: Mapping[str, Any], outcome: str, _: Gettext) -> str:
    if not stats.get("enough"):
        return _("Too few pairs of consecutive waves to relate engagement to what came next.")
    return _(
        "Engagement in one wave against {outcome} in the next period: r = {r:.2f} (95% "
        "interval {low:.2f} to {high:.2f}, n = {n}). Engagement that comes first makes "
        "engagement driving the outcome more plausible, but still does not prove it."
    ).format(outcome=outcome, r=stats["r"], low=stats["r_low"], high=stats["r_high"], n=stats["n"])


def partial_reading(stats: Mapping[str, Any], _: Gettext) -> str:
    if not _known(stats.get("r")):
        return _("Too few units to control for size and tenure.")
    return _(
        "Holding unit size and average tenure constant, the relation is r = {r:.2f} (95% "
        "interval {low:.2f} to {high:.2f}, n = {n}). If it shrinks toward 0, size or tenure "
        "explain part of the plain relation."
    ).format(r=stats["r"], low=stats["r_low"], high=stats["r_high"], n=stats["n"])


def icc_reading(stats: Mapping[str, Any], _: Gettext) -> str:
    if not _known(stats.get("icc1")):
        return _("Too few stores to tell how much engagement differs between them.")
    share = max(stats["icc1"], 0.0)
    justified = stats["icc1"] > 0.05 and stats["icc2"] >= 0.7
    verdict = (
        _("so a store's mean engagement is a fair description of the store.")
        if justified
        else _(
            "so store means are shaky: read differences between stores, and relations built "
            "on them, with care."
        )
    )
    return (
        _(
            "{share:.0%} of the differences in engagement between people lie between stores "
            "(ICC(1) = {icc1:.2f}); store means are reliable to ICC(2) = {icc2:.2f}, "
        ).format(share=share, icc1=stats["icc1"], icc2=stats["icc2"])
        + verdict
    )
