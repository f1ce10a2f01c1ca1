"""The columns the outcomes tables share: cell formatting (counts, rates, intervals, store and
role labels), the repurchase columns of the staff and stores tables (:func:`repurchase_columns`)
and the column help of the satisfaction and repurchase columns.

The staff, touchpoint and stores tabs (:mod:`ee_app.ui.outcomes_staff`,
:mod:`ee_app.ui.outcomes_stores`) show the same figures under the same headers, so the headers
and their help are written once here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from ee_app.models import StaffRole
from ee_app.ui.formatting import blank, interval, number
from ee_app.words.labels import staff_role_label

__all__ = [
    "csat_column_config",
    "floats",
    "ints",
    "repurchase_column_config",
    "repurchase_columns",
    "role_label",
    "share_interval",
    "staff_store",
    "store_label",
]

Gettext = Callable[[str], str]


def ints(values: Sequence[Any]) -> Any:
    return pd.array([None if blank(v) else int(v) for v in values], dtype="Int64")


def floats(values: Sequence[Any], scale: float = 1.0) -> Any:
    return pd.array([number(v, scale) for v in values], dtype="Float64")


def share_interval(low: Any, high: Any) -> str | None:
    return interval(low, high, ".0%")


def store_label(name: Any, code: Any) -> str:
    if blank(code):
        return ""
    return f"{name} ({code})" if not blank(name) else str(code)


def staff_store(
    stores: Mapping[int, tuple[str, str]], staff_id: int, record: Mapping[str, Any]
) -> tuple[str, str]:
    """(code, label) of the staff member's current store, or else of the store of their
    answers."""
    found = stores.get(staff_id)
    if found:
        return found
    code = record.get("store_code")
    return ("" if blank(code) else str(code), store_label(record.get("store_name"), code))


def role_label(role: Any, _: Gettext) -> str:
    try:
        return staff_role_label(StaffRole(role), _)
    except ValueError:
        return ""


def csat_column_config(_: Gettext, prior: str, min_n: int, months: int = 1) -> dict[str, Any]:
    number_column = st.column_config.NumberColumn
    answers = (
        _("Satisfaction answers in the month.")
        if months == 1
        else _("Satisfaction answers in the {n} months ending with the month shown.").format(
            n=months
        )
    )
    toward = (
        _("Pulled toward the store's rate; the fewer answers, the stronger.")
        if prior == "store"
        else _("Pulled toward the role's rate; the fewer answers, the stronger.")
    )
    return {
        _("CSAT n"): number_column(help=answers),
        _("Mean (1–5)"): number_column(
            format="%.2f", help=_("Mean score on 1–5; a 0–10 answer x counts as 1 + 4·x/10.")
        ),
        _("Top-2 %"): number_column(
            format="%.0f%%", help=_("Share of 4–5 answers (9–10 on a 0–10 scale).")
        ),
        _("Top-2 95% interval"): st.column_config.TextColumn(
            _("95% interval"), help=_("Wilson 95% interval of the top-2 share.")
        ),
        _("Shrunken top-2 %"): number_column(format="%.0f%%", help=toward),
        _("Few answers"): st.column_config.TextColumn(
            help=_("Fewer than {k} answers: too few to compare or pay on.").format(k=min_n)
        ),
    }


def repurchase_columns(_: Gettext, records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The repurchase columns of a table, one record of the repurchase table per row (an empty
    one, or blanks, where the row has no customers), under the headers
    :func:`repurchase_column_config` explains."""

    def decided(r: Mapping[str, Any]) -> int | None:
        return None if blank(r.get("returned")) else int(r["returned"]) + int(r["lost"])

    return {
        _("Customers"): ints([r.get("customers") for r in records]),
        _("Returned"): ints([r.get("returned") for r in records]),
        _("Lost"): ints([r.get("lost") for r in records]),
        _("Decided"): ints([decided(r) for r in records]),
        _("Pending"): ints([r.get("pending") for r in records]),
        _("Already back"): ints([r.get("pending_returned") for r in records]),
        _("Repurchase rate %"): floats([r.get("rate") for r in records], 100),
        _("Rate 95% interval"): [
            share_interval(r.get("rate_low"), r.get("rate_high")) for r in records
        ],
        _("Repeat value (CNY)"): floats([r.get("repeat_value") for r in records]),
    }


def repurchase_column_config(_: Gettext) -> dict[str, Any]:
    number_column = st.column_config.NumberColumn
    return {
        _("Customers"): number_column(help=_("Customers served in the month.")),
        _("Returned"): number_column(help=_("Bought again within the window.")),
        _("Lost"): number_column(help=_("Did not buy again within the window.")),
        _("Decided"): number_column(
            help=_("Returned + lost: the customers the repurchase rate rests on (its n).")
        ),
        _("Pending"): number_column(
            help=_("Their window had not ended by the last sale in the data: not counted yet.")
        ),
        _("Already back"): number_column(
            help=_("Pending customers who have already bought again; not in the rate.")
        ),
        _("Repurchase rate %"): number_column(
            format="%.0f%%", help=_("Returned ÷ (returned + lost).")
        ),
        _("Rate 95% interval"): st.column_config.TextColumn(
            _("95% interval"), help=_("Wilson 95% interval of the repurchase rate.")
        ),
        _("Repeat value (CNY)"): number_column(
            format="%,.2f",
            help=_("Amount of the repeat purchases in the window, in CNY (元)."),
        ),
    }
