"""A manager's own store on the engagement and customers page: where it stands on engagement
and each outcome among the stores, and what its figures are made of.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ee_app.errors import N_
from ee_app.services.linkage import MEASURES, LinkageData
from ee_app.services.linkage_store import store_view
from ee_app.ui.context import PageContext
from ee_app.ui.formatting import blank
from ee_app.ui.linkage_charts import standing_strip, store_trend
from ee_app.ui.linkage_relation import FORMATS, MEASURE_NAMES, WORDS, fitted, term
from ee_app.ui.linkage_text import measure_value, pending_text, standing_reading
from ee_app.ui.service_calls import read

__all__ = ["store_section"]

STORE = "ee_linkage_store"
STORE_WAVE = "ee_linkage_store_wave"
PARTS = {
    "top": N_("top quarter"),
    "middle": N_("middle half"),
    "bottom": N_("bottom quarter"),
}


def store_section(ctx: PageContext, data: LinkageData) -> None:
    """A manager's store against the chain: where it stands in a wave, and its own trend."""
    _ = ctx.gettext
    mine = data.units[data.units["listed"].astype(bool)]
    if mine.empty:
        return
    st.header(_("Your store against the chain"))
    stores = dict(
        zip(mine["store_id"].astype(int), mine["name"] + " (" + mine["code"] + ")", strict=False)
    )
    left, right = st.columns([3, 2])
    store = left.selectbox(_("Store"), list(stores), format_func=stores.get, key=STORE)
    waves_of = mine.loc[mine["store_id"] == store, "wave"].tolist()
    if st.session_state.get(STORE_WAVE) not in waves_of:
        st.session_state[STORE_WAVE] = waves_of[-1]
    chosen = right.selectbox(_("Wave"), waves_of, key=STORE_WAVE)
    view = read(ctx, store_view, store, chosen)
    if view is None:
        return
    names = {m: _(MEASURE_NAMES[m]) for m in MEASURES}
    records = view.standing.to_dict("records")
    words = {m: _(WORDS[m]) for m in MEASURES}
    st.info(standing_reading(records, words, _), icon=":material/lightbulb:")
    strips = view.standing.assign(label=[names[m] for m in view.standing["measure"]])
    for row in strips.dropna(subset=["value", "q1", "median", "q3"]).to_dict("records"):
        st.altair_chart(
            standing_strip(
                row,
                label="label",
                value="value",
                q1="q1",
                median="median",
                q3="q3",
                spec=FORMATS[row["measure"]],
                store_title=_("Your store"),
                q1_title=_("Lower quartile"),
                median_title=_("Median"),
                q3_title=_("Upper quartile"),
            ),
            width="stretch",
        )
    st.caption(
        _(
            "Grey: the middle half of the chain's stores in {month}, the dark tick its median; "
            "orange: your store. Only stores with published results count; no other store is "
            "named."
        ).format(month=view.month)
    )
    table = pd.DataFrame(
        [
            {
                _("Measure"): names[r["measure"]],
                _("Your store"): measure_value(r["measure"], r["value"]),
                "n": "—" if blank(r["n"]) else str(int(r["n"])),
                _("Lower quartile"): measure_value(r["measure"], r["q1"]),
                _("Median"): measure_value(r["measure"], r["median"]),
                _("Upper quartile"): measure_value(r["measure"], r["q3"]),
                _("Stores"): str(r["stores"]) if r["stores"] else "—",
                _("Where"): _(PARTS[r["part"]]) if r["part"] in PARTS else "—",
            }
            for r in records
        ]
    )
    st.dataframe(
        table,
        hide_index=True,
        column_config=fitted(table, {_("Lower quartile"): term(ctx, "quartiles")}),
    )
    if view.until is not None:
        st.caption(pending_text(view.month, view.until, _))
    st.caption(term(ctx, "quartiles") + " " + term(ctx, "shrunken"))
    trend = view.trend
    if len(trend) >= 2:
        st.subheader(_("Your store over the waves"))
        st.altair_chart(
            store_trend(
                trend,
                x="month",
                value="engagement",
                median="median_engagement",
                n="n",
                x_title=_("Month"),
                y_title=_("Engagement index (1–5)"),
                store_title=_("Your store"),
                median_title=_("Chain median"),
            ),
            width="stretch",
        )
    rows = []
    for r in trend.to_dict("records"):
        row = {_("Month"): r["month"], _("Respondents"): str(int(r["n"]))}
        for m in MEASURES:
            own, median = measure_value(m, r[m]), measure_value(m, r[f"median_{m}"])
            row[names[m]] = own if median == "—" else f"{own} ({median})"
        rows.append(row)
    trend_table = pd.DataFrame(rows)
    st.dataframe(trend_table, hide_index=True, column_config=fitted(trend_table))
    st.caption(
        _(
            "Orange: your store; dashed grey and in brackets: the chain's median that wave. "
            "Waves are listed side by side only where your store's respondents changed by none "
            "or by at least k people, so that no one's answers can be worked out by subtraction."
        )
    )
