"""The Stores tab of the customer outcomes page: each store's satisfaction and repurchase in
the month, as a table and as rates on their 95% interval bars.

The figures come from :mod:`ee_app.services.outcomes`; this module lays them out.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ee_app import charts
from ee_app.analysis.repurchase_table import COLUMNS as REPURCHASE_COLUMNS
from ee_app.ui.outcomes_columns import (
    Gettext,
    csat_column_config,
    floats,
    ints,
    repurchase_column_config,
    repurchase_columns,
    share_interval,
    store_label,
)
from ee_app.ui.tables import data_table

__all__ = ["stores_section"]

STORE_COLUMNS = [
    "store_code",
    "store_name",
    "csat_n",
    "mean5",
    "top2_rate",
    "top2_low",
    "top2_high",
    *REPURCHASE_COLUMNS,
]


def stores_frame(_: Gettext, table: pd.DataFrame) -> pd.DataFrame:
    records = table.to_dict("records")
    return pd.DataFrame(
        {
            _("Store"): [store_label(r["store_name"], r["store_code"]) for r in records],
            _("CSAT n"): ints([r["csat_n"] for r in records]),
            _("Mean (1–5)"): floats([r["mean5"] for r in records]),
            _("Top-2 %"): floats([r["top2_rate"] for r in records], 100),
            _("Top-2 95% interval"): [
                share_interval(r["top2_low"], r["top2_high"]) for r in records
            ],
            **repurchase_columns(_, records),
        }
    )


def store_chart(
    _: Gettext, table: pd.DataFrame, rate: str, low: str, high: str, n: pd.Series, title: str
) -> None:
    """Stores with a rate, each on its interval bar with its n (a store without one is left
    out: no answers, or no decided customers yet)."""
    frame = pd.DataFrame(
        {
            "store": [
                store_label(a, b)
                for a, b in zip(table["store_name"], table["store_code"], strict=True)
            ],
            "rate": table[rate].to_numpy(dtype=float),
            "low": table[low].to_numpy(dtype=float),
            "high": table[high].to_numpy(dtype=float),
            "n": n.to_numpy(dtype=float),
        }
    ).dropna()
    if frame.empty:
        return
    st.markdown(f"**{title}**")
    st.altair_chart(
        charts.interval_dots(
            frame,
            label="store",
            rate="rate",
            low="low",
            high="high",
            n="n",
            label_title=_("Store"),
            rate_title=title,
            interval_title=_("95% interval"),
        ),
        width="stretch",
    )


def stores_section(_: Gettext, table: pd.DataFrame | None, window: int) -> None:
    if table is None:
        return
    table = table.reindex(columns=STORE_COLUMNS)
    has_data = table["csat_n"].notna() | table["customers"].notna()
    table = table[has_data].sort_values("store_code", kind="stable")
    if table.empty:
        st.info(
            _("No satisfaction answers and no customers served in your stores this month."),
            icon=":material/info:",
        )
        return
    frame = stores_frame(_, table)
    data_table(
        frame,
        {
            _("Store"): st.column_config.TextColumn(pinned=True),
            **{k: v for k, v in csat_column_config(_, "store", 0).items() if k in frame},
            **repurchase_column_config(_),
        },
        long=True,
    )
    st.caption(
        _(
            "A store's customers are those who bought there in the month; a purchase at any "
            "store of the chain within {days} days counts as a return, and each repeat "
            "purchase counts once."
        ).format(days=window)
    )
    csat_chart, repurchase_chart = st.columns(2, gap="large")
    with csat_chart:
        store_chart(
            _, table, "top2_rate", "top2_low", "top2_high", table["csat_n"], _("CSAT top-2 %")
        )
    with repurchase_chart:
        decided = table["returned"] + table["lost"]
        store_chart(_, table, "rate", "rate_low", "rate_high", decided, _("Repurchase rate %"))
    st.caption(_("Dots are the rates, bars their 95% intervals; n is the number they rest on."))
