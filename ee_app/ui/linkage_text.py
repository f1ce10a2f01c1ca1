"""Plain-language readings of the linkage statistics: two or three sentences under each
result saying what it means and what it does not, built from the numbers (no statistics
are computed here beyond comparing them with 0 and with each other); a one-line
explanation of every statistical term the page names (:data:`TERMS`); which months went
into each relation; a store's standing against the chain in words; numbers rounded for
reading (two decimals for the 1–5 index, whole percent for rates)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from ee_app.errors import N_
from ee_app.i18n import Ngettext
from ee_app.ui.explain import explain

__all__ = [
    "PAGE_TERMS",
    "TERMS",
    "few_reading",
    "icc_reading",
    "lagged_reading",
    "measure_value",
    "months_text",
    "partial_reading",
    "pending_text",
    "standing_reading",
    "term",
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
            "There are too few units ({n}) to tell whether engagement and {outcome} go "
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


def few_reading(stores: int, outcome: str, ngettext: Ngettext) -> str:
    """For a reader whose scope holds one or two stores: no scatter, no correlation."""
    return ngettext(
        "Your scope has {n} store: too few to tell whether engagement and {outcome} go "
        "together, which takes many stores. Where your store stands in the chain is shown "
        "above.",
        "Your scope has {n} stores: too few to tell whether engagement and {outcome} go "
        "together, which takes many stores. Where your stores stand in the chain is shown "
        "above.",
        stores,
    ).format(n=stores, outcome=outcome)


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


#: One line a store manager understands for the terms of this page that
#: :mod:`ee_app.ui.explain` does not hold, or holds with another meaning: the within-store
#: relation here compares a store with itself across waves (rm_corr), and the CSAT shrunk
#: here is a store's, toward the chain.
TERMS = {
    "detectable": N_(
        "Detectable r: the smallest relation this many stores would show reliably (80% of "
        "the time); weaker ones may exist unseen."
    ),
    "within": N_(
        "Within-store relation: each store compared with itself over the waves, so what "
        "differs between stores (location, size) drops out."
    ),
    "shrunken": N_(
        "Shrunken: a store with few CSAT answers is pulled toward the chain's rate, so a "
        "few lucky or unlucky answers do not decide its figure."
    ),
    "quartiles": N_(
        "Quartiles: sort the chain's stores by the figure; a quarter lie below the lower "
        "quartile, half below the median, three quarters below the upper quartile."
    ),
}

#: The terms the page explains, in reading order: keys of :data:`TERMS` or of
#: :data:`ee_app.ui.explain.TERMS`.
PAGE_TERMS = (
    "pearson",
    "spearman",
    "confidence_interval",
    "detectable",
    "within",
    "lagged_relation",
    "partial_correlation",
    "adjusted_p",
    "icc",
    "shrunken",
    "quartiles",
)


def term(key: str, _: Gettext) -> str:
    """The one-line explanation of ``key``: this page's own where it has one, otherwise
    the shared one of :mod:`ee_app.ui.explain`.

    >>> term("quartiles", lambda s: s).startswith("Quartiles: sort")
    True
    >>> term("pearson", lambda s: s).startswith("Pearson r:")
    True
    """
    return _(TERMS[key]) if key in TERMS else explain(key, _)


def months_text(months: Sequence[Any], _: Gettext) -> str:
    """Which months went into a relation: "2026-06, 2026-07", or for the lagged relation
    "2026-06 → 2026-07" per pair; a dash when none."""
    if not months:
        return "—"
    return ", ".join(" → ".join(m) if isinstance(m, tuple | list) else str(m) for m in months)


def pending_text(month: str, until: date, _: Gettext) -> str:
    return _(
        "Not yet decidable: customers of {month} can still come back until {date}, so their "
        "repurchase rate is not known yet."
    ).format(month=month, date=f"{until:%Y-%m-%d}")


def measure_value(measure: str, value: Any) -> str:
    """A measure rounded for reading: the index to two decimals, rates to whole percent,
    the mystery-shopper score to a whole number; a dash when missing."""
    if not _known(value):
        return "—"
    value = float(value)
    if measure == "engagement":
        return f"{value:.2f}"
    if measure == "visit_score":
        return f"{value:.0f}"
    return f"{value:.0%}"


_PARTS = {
    "top": N_(
        "Your store's {measure} is {value}: in the top quarter of the chain's {stores} stores."
    ),
    "middle": N_(
        "Your store's {measure} is {value}: in the middle half of the chain's {stores} stores."
    ),
    "bottom": N_(
        "Your store's {measure} is {value}: in the bottom quarter of the chain's {stores} stores."
    ),
}


def standing_reading(
    standing: Sequence[Mapping[str, Any]], names: Mapping[str, str], _: Gettext
) -> str:
    """One sentence per measure on where the store stands in the chain; a measure without
    a place (too few stores, not yet decidable, no value) is left to the table."""
    sentences = [
        _(_PARTS[row["part"]]).format(
            measure=names[row["measure"]],
            value=measure_value(row["measure"], row["value"]),
            stores=row["stores"],
        )
        for row in standing
        if row.get("part") in _PARTS
    ]
    if not sentences:
        return _("Too few stores have this wave's figures to place your store among them.")
    return "\n\n".join(sentences)
