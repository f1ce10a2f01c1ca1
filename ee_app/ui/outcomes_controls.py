"""The controls above the customer outcomes tabs: the month, how many months staff
satisfaction rests on, the minimum n and shrinkage, and how repurchase is counted.

Each control owns its session-state key; the page reads the choices and passes them to the
services.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import streamlit as st

from ee_app.errors import N_
from ee_app.services.outcomes import ATTRIBUTIONS, WINDOWS, DataRange, csat_window
from ee_app.ui.components import csat_window_select
from ee_app.ui.outcomes_columns import Gettext

__all__ = [
    "csat_months_picker",
    "csat_options",
    "month_picker",
    "months",
    "period_caption",
    "repurchase_options",
]

# Session-state keys (one owner each; see ee_app.ui.keys for the convention).
MONTH = "ee_outcomes_month"
MIN_N = "ee_outcomes_min_n"
CSAT_MONTHS_KEY = "ee_outcomes_csat_months"
PRIOR = "ee_outcomes_prior"
WINDOW = "ee_outcomes_window"
ATTRIBUTION = "ee_outcomes_attribution"
SAME_STAFF = "ee_outcomes_same_staff"


DEFAULT_MIN_N = 10
DEFAULT_WINDOW = 90
PRIORS = {"store": N_("Store"), "role": N_("Role")}
ATTRIBUTION_NAMES = {
    "last_served": N_("Last staff who served"),
    "owner": N_("Designated owner (指定客)"),
}


def months(span: DataRange) -> list[str]:
    """Every month from the first to the last day with data, newest first."""
    days = [d for d in (span.csat_first, span.csat_last, span.sales_first, span.sales_last) if d]
    first, last = min(days), max(days)
    found, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found[::-1]


def month_picker(_: Gettext, options: Sequence[str], column: Any, opening: str | None) -> str:
    """The month shown: ``opening`` (the last complete month) until the reader picks one."""
    if st.session_state.get(MONTH) not in options:
        st.session_state[MONTH] = opening if opening in options else options[0]
    return column.selectbox(
        _("Month"),
        list(options),
        key=MONTH,
        help=_(
            "Satisfaction answers given in this month, and the customers served in it; "
            "their returns are looked for in the window after their last visit."
        ),
    )


def csat_months_picker(_: Gettext, column: Any) -> int:
    months = csat_window_select(
        column,
        _,
        key=CSAT_MONTHS_KEY,
        help=_(
            "Each staff member's satisfaction rests on the answers of this many months, "
            "ending with the month shown: one month holds too few answers per person to "
            "compare people. Stores and repurchase keep to the month."
        ),
    )
    return int(months)


def csat_options(_: Gettext, left: Any, right: Any) -> tuple[int, str]:
    min_n = left.number_input(
        _("CSAT minimum n"),
        min_value=1,
        max_value=1000,
        value=DEFAULT_MIN_N,
        step=1,
        key=MIN_N,
        help=_(
            "Staff with fewer answers than this are marked: their rates are too uncertain "
            "to compare people or pay on."
        ),
    )
    prior = right.segmented_control(
        _("Shrink toward"),
        list(PRIORS),
        default="store",
        format_func=lambda p: _(PRIORS[p]),
        required=True,
        key=PRIOR,
        help=_(
            "A staff member with few answers is pulled toward the rate of their store (or "
            "of everyone in the same role): the fewer answers, the stronger the pull."
        ),
    )
    return int(min_n), prior


def repurchase_options(_: Gettext) -> tuple[int, str, bool]:
    columns = st.columns([2, 3])
    window = columns[0].segmented_control(
        _("Repurchase window"),
        list(WINDOWS),
        default=DEFAULT_WINDOW,
        format_func=lambda d: _("{days} days").format(days=d),
        required=True,
        key=WINDOW,
        help=_(
            "A customer returned if they bought again within this many days after their "
            "last visit in the month."
        ),
    )
    attribution = columns[1].segmented_control(
        _("Customers belong to"),
        list(ATTRIBUTIONS),
        default="last_served",
        format_func=lambda a: _(ATTRIBUTION_NAMES[a]),
        required=True,
        key=ATTRIBUTION,
        help=_(
            "Last staff who served: every staff member who served the customer in the month. "
            "Designated owner: the consultant the customer is assigned to (指定客) at their "
            "last purchase in the month."
        ),
    )
    same_staff = st.toggle(
        _("Returns to the same staff member only"),
        key=SAME_STAFF,
        help=_(
            "Count a return only when the same staff member serves the customer again; "
            "otherwise a purchase anywhere in the chain counts."
        ),
    )
    return int(window), attribution, bool(same_staff)


def period_caption(_: Gettext, span: DataRange, start: date, end: date, months: int) -> None:
    parts = [_("{start} to {end}.").format(start=start, end=end)]
    if months > 1:
        first, last = csat_window(start, end, months)
        parts.append(_("Staff satisfaction from {first} to {last}.").format(first=first, last=last))
    if span.csat_first:
        parts.append(
            _("Satisfaction answers from {first} to {last}.").format(
                first=span.csat_first, last=span.csat_last
            )
        )
    if span.sales_first:
        parts.append(
            _("Sales from {first} to {last}.").format(first=span.sales_first, last=span.sales_last)
        )
    st.caption(" ".join(parts))
