"""What the scheme tab of the incentives page shows beside the weights: the evidence (how the
outcomes relate across stores, who has too few answers or visits for a measure of their own)
and the simulation of what the scheme would pay in a month.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from ee_app.errors import ValidationError
from ee_app.services.incentive_inputs import period_inputs
from ee_app.services.incentives import simulate
from ee_app.services.linkage import linkage_data
from ee_app.ui.context import PageContext
from ee_app.ui.pay_compare import who_gains_section

__all__ = ["evidence", "simulation"]


def evidence(ctx: PageContext, period: str, definition: dict) -> None:  # type: ignore[type-arg]
    """What the data say about the components: how the outcomes relate across stores, and
    how many staff have too few answers or visits for a measure of their own."""
    _ = ctx.gettext
    actor = ctx.actor
    st.markdown("**{}**".format(_("Evidence beside the weights")))
    with st.spinner(_("Reading the month's outcomes…")), ctx.read() as session:
        inputs = period_inputs(session, actor, period)
        data = linkage_data(session, actor)
    gates = definition.get("gates") or {}
    n = len(inputs)
    if n:
        few_csat = int((inputs["csat_n"] < int(gates.get("csat_min_n", 10))).sum())
        few_visits = int((inputs["visit_n_staff"] < int(gates.get("visit_min_n", 1))).sum())
        no_repurchase = int(inputs["repurchase_rate"].isna().sum())
        cols = st.columns(3)
        cols[0].metric(
            _("Staff with too few CSAT answers"),
            f"{few_csat / n:.0%}",
            help=_("{few} of {n}: their store's CSAT is used").format(few=few_csat, n=n),
        )
        cols[1].metric(
            _("Staff without an own mystery-shopper visit"),
            f"{few_visits / n:.0%}",
            help=_("{few} of {n}: their store's score is used").format(few=few_visits, n=n),
        )
        cols[2].metric(
            _("Staff without decided repurchase customers"),
            f"{no_repurchase / n:.0%}",
            help=_("{few} of {n}: this component pays 0 for them").format(few=no_repurchase, n=n),
        )
    units = data.units
    if len(units):
        month = units[units["month"] == period]
        frame = (
            month
            if len(month) >= 3
            else units[units["wave"] == (data.waves[-1] if data.waves else "")]
        )
        cols = ["engagement", "csat", "repurchase", "visit_score"]
        names = {
            "engagement": _("Engagement index"),
            "csat": _("CSAT top-2 (shrunken)"),
            "repurchase": _("Repurchase rate"),
            "visit_score": _("Mystery-shopper score"),
        }
        matrix = frame[cols].astype(float).corr(min_periods=3)
        counts = frame[cols].notna().astype(int).T.dot(frame[cols].notna().astype(int))
        # A pair with fewer than 3 stores has no correlation: its cell is grey and says so in
        # words (Vega would print "null").
        few = _("too few stores")
        long = [
            {
                "a": names[a],
                "b": names[b],
                "r": matrix.loc[a, b],
                "label": "–" if pd.isna(matrix.loc[a, b]) else f"{matrix.loc[a, b]:.2f}",
                "tip": few if pd.isna(matrix.loc[a, b]) else f"{matrix.loc[a, b]:.2f}",
                "n": int(counts.loc[a, b]),
            }
            for a in cols
            for b in cols
        ]
        chart = (
            alt.Chart(pd.DataFrame(long))
            .mark_rect()
            .encode(
                x=alt.X("a:N", title=None, sort=[names[c] for c in cols]),
                y=alt.Y("b:N", title=None, sort=[names[c] for c in cols]),
                color=alt.condition(
                    "isValid(datum.r)",
                    alt.Color(
                        "r:Q",
                        scale=alt.Scale(scheme="redblue", domain=[-1, 1]),
                        title=_("Correlation r"),
                    ),
                    alt.value("#e0e0e0"),
                ),
                tooltip=[
                    alt.Tooltip("a:N", title=_("Measure")),
                    alt.Tooltip("b:N", title=_("and")),
                    alt.Tooltip("tip:N", title=_("Correlation r")),
                    alt.Tooltip("n:Q", title=_("Stores")),
                ],
            )
            .properties(height=220)
        )
        text = chart.mark_text().encode(text=alt.Text("label:N"), color=alt.value("black"))
        st.altair_chart(chart + text, width="stretch")
        st.caption(
            _(
                "Correlations across stores (one month, n stores in the tooltip; only stores "
                "whose engagement results are published). Engagement is shown to inform the "
                "weights; it is never an input to pay."
            )
        )


def simulation(ctx: PageContext, period: str, definition: dict) -> None:  # type: ignore[type-arg]
    _ = ctx.gettext
    actor = ctx.actor
    st.markdown("**{}**".format(_("Simulation for {period}").format(period=period)))
    try:
        with (
            st.spinner(
                _("Computing what this design would pay for {period}…").format(period=period)
            ),
            ctx.read() as session,
        ):
            result = simulate(session, actor, definition, period)
    except ValidationError:
        return
    lines = result.lines.assign(amount=[float(a) for a in result.lines["amount"]])
    cols = st.columns(3)
    cols[0].metric(_("Staff"), result.n)
    cols[1].metric(_("Total (CNY)"), f"{float(result.total):,.2f}")
    cols[2].metric(_("Scale factor"), f"{result.scale:.4f}")
    st.altair_chart(
        alt.Chart(lines[["amount"]])
        .mark_bar()
        .encode(
            x=alt.X("amount:Q", bin=alt.Bin(maxbins=30), title=_("Amount (CNY)")),
            y=alt.Y("count():Q", title=_("Staff")),
        )
        .properties(height=220, title=_("Payout distribution")),
        width="stretch",
    )
    who_gains_section(ctx, definition, period)
