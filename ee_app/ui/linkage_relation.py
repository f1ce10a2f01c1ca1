"""How the engagement and customers page states a relation: the correlation tables with their
intervals, the fitted line's column help, the chosen outcome's section, and the terms it uses.

The statistics come from :mod:`ee_app.services.linkage` (and :mod:`ee_app.analysis.linkage`
below it); this module puts them in words and tables.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ee_app import charts
from ee_app.errors import N_
from ee_app.ui.context import PageContext
from ee_app.ui.explain import explain
from ee_app.ui.formatting import blank
from ee_app.ui.linkage_charts import axis_format
from ee_app.ui.linkage_text import (
    PAGE_TERMS,
    few_reading,
    lagged_reading,
    months_text,
    partial_reading,
    pending_text,
    unit_reading,
    within_reading,
)
from ee_app.ui.linkage_text import term as explain_term
from ee_app.ui.widths import fit_width
from ee_app.words.labels import theme_label

__all__ = [
    "FORMATS",
    "MEASURE_NAMES",
    "NAMES",
    "SHORT",
    "WORDS",
    "fitted",
    "relation_section",
    "term",
    "terms_section",
]

NAMES = {
    "csat": N_("customer satisfaction (CSAT top-2)"),
    "repurchase": N_("repurchase rate"),
    "visit_score": N_("mystery-shopper score"),
}
SHORT = {
    "csat": N_("CSAT top-2 (shrunken)"),
    "repurchase": N_("Repurchase rate"),
    "visit_score": N_("Mystery-shopper score"),
}
FORMATS = {"engagement": ".2f", "csat": ".0%", "repurchase": ".0%", "visit_score": ".0f"}
MEASURE_NAMES = {"engagement": N_("Engagement index (1–5)"), **SHORT}
WORDS = {"engagement": N_("engagement index"), **NAMES}  # inside a sentence


def interval_text(stats, r="r", low="r_low", high="r_high") -> str:  # type: ignore[no-untyped-def]
    if blank(stats.get(r)):
        return "—"
    if blank(stats.get(low)):
        return f"{stats[r]:.2f}"
    return f"{stats[r]:.2f} [{stats[low]:.2f}, {stats[high]:.2f}]"


def term(ctx: PageContext, key: str) -> str:
    _ = ctx.gettext
    return explain_term(key, _)


PEARSON = ("r", "r_low", "r_high")
SPEARMAN = ("rho", "rho_low", "rho_high")


def two(value) -> str:  # type: ignore[no-untyped-def]
    """A correlation to two decimals (a dash, never "nan", when there is none)."""
    return "—" if blank(value) else f"{value:.2f}"


def fitted(frame: pd.DataFrame, helps: dict[str, str] | None = None) -> dict:
    """Text columns as wide as their widest cell or header (nothing cut off), with the
    explanation of their term where ``helps`` gives one."""
    helps = helps or {}
    return {
        column: st.column_config.TextColumn(
            width=fit_width(frame[column], str(column)), help=helps.get(column)
        )
        for column in frame.columns
    }


def correlation_table(
    ctx: PageContext, rows: list[tuple[str, dict, str, tuple[str, str, str]]]
) -> None:
    """Correlations in a table that never cuts a number off: one row per statistic (label,
    statistics, months, and the keys of r and its interval) with r, its interval, n and the
    months it rests on."""
    _ = ctx.gettext
    frame = pd.DataFrame(
        [
            {
                _("Statistic"): label,
                "r": two(stats.get(r)),
                _("95% low"): two(stats.get(low)),
                _("95% high"): two(stats.get(high)),
                "n": str(stats.get("observations") or stats.get("n") or 0),
                _("Months"): months,
            }
            for label, stats, months, (r, low, high) in rows
        ]
    )
    interval = term(ctx, "confidence_interval")
    st.dataframe(
        frame,
        hide_index=True,
        column_config=fitted(
            frame, {_("95% low"): interval, _("95% high"): interval, "n": explain("n", _)}
        ),
    )


def relation_section(ctx: PageContext, found, outcome: str, few: bool) -> None:  # type: ignore[no-untyped-def]
    _ = ctx.gettext
    name = _(NAMES[outcome])
    unit = found["unit"]
    points = found["points"]
    months = found["months"]
    st.subheader(_("Between stores"), help=term(ctx, "pearson") + "\n\n" + term(ctx, "spearman"))
    if not found["decidable"]:
        if found["until"] is not None:
            st.info(
                pending_text(found["month"], found["until"], _), icon=":material/hourglass_top:"
            )
        within = found["within"]
        st.subheader(
            _("Over time"), help=term(ctx, "within") + "\n\n" + term(ctx, "lagged_relation")
        )
        st.metric(
            _("Within stores, across waves"),
            interval_text(within),
            help=term(ctx, "within"),
        )
        st.caption(
            _("Months: {months}").format(months=months_text(months["within"], _))
            + " "
            + within_reading(within, name, _)
        )
        return
    if few:  # a store or two: one dot says nothing; the store view above says more
        st.info(few_reading(len(points), name, ctx.ngettext), icon=":material/lightbulb:")
        return
    st.caption(
        _("Wave {wave} ({month}): one dot per store with published results.").format(
            wave=found["wave"] or "—", month=found["month"] or "—"
        )
    )
    if len(points):
        band = found["band"] if unit.get("enough") else found["band"].iloc[0:0]
        chart_points = points.assign(label=points["name"] + " (" + points["code"] + ")")
        st.altair_chart(
            charts.scatter_band(
                chart_points,
                band,
                x="engagement",
                y=outcome,
                label="label",
                n="n",
                x_title=_("Engagement index (1–5)"),
                y_title=_(SHORT[outcome]),
                label_title=_("Store"),
                y_format=axis_format(points[outcome], FORMATS[outcome]),
            ),
            width="stretch",
        )
    cols = st.columns(2)
    cols[0].metric(_("Stores"), unit.get("n", 0))
    cols[1].metric(
        _("Detectable r"),
        "—" if blank(unit.get("detectable_r")) else f"{unit['detectable_r']:.2f}",
        help=term(ctx, "detectable"),
    )
    unit_months = months_text(months["unit"], _)
    correlation_table(
        ctx,
        [
            (_("Pearson r"), unit, unit_months, PEARSON),
            (_("Spearman ρ"), unit, unit_months, SPEARMAN),
        ],
    )
    st.info(unit_reading(unit, name, _), icon=":material/lightbulb:")

    st.subheader(_("Over time"), help=term(ctx, "within") + "\n\n" + term(ctx, "lagged_relation"))
    within, lagged = found["within"], found["lagged"]
    correlation_table(
        ctx,
        [
            (
                _("Within stores, across waves"),
                within,
                months_text(months["within"], _),
                PEARSON,
            ),
            (
                _("Engagement, then the next wave"),
                lagged,
                months_text(months["lagged"], _),
                PEARSON,
            ),
        ],
    )
    st.caption(within_reading(within, name, _))
    st.caption(lagged_reading(lagged, name, _))

    st.subheader(_("Controlling for size and tenure"), help=term(ctx, "partial_correlation"))
    partial = found["partial"]
    correlation_table(ctx, [(_("Partial r"), partial, months_text(months["partial"], _), PEARSON)])
    st.caption(partial_reading(partial, _))

    st.subheader(_("Which themes go with it"), help=term(ctx, "adjusted_p"))
    drivers = found["drivers"].dropna(subset=["r"])
    if drivers.empty:
        st.caption(_("Too few stores to relate the themes."))
        return
    drivers = drivers.assign(label=[theme_label(t, _) for t in drivers["theme"]])
    st.altair_chart(
        charts.correlation_bars(
            drivers,
            label="label",
            r="r",
            low="r_low",
            high="r_high",
            n="n",
            significant="significant",
            label_title=_("Theme"),
            r_title=_("Correlation with {outcome}").format(outcome=name),
            legend_title="",
            significant_names=(_("holds after adjustment"), _("not after adjustment")),
            low_title=_("95% interval, low"),
            high_title=_("95% interval, high"),
        ),
        width="stretch",
    )
    st.caption(
        _(
            "Each theme's mean against {outcome} across stores ({months}), with 95% intervals; "
            "p-values adjusted for twelve comparisons (Benjamini–Hochberg). Themes go together, "
            "so this ranks associations, not each theme's own effect."
        ).format(outcome=name, months=months_text(months["drivers"], _))
    )


def terms_section(ctx: PageContext) -> None:
    _ = ctx.gettext
    with st.expander(_("What the terms mean"), icon=":material/help:"):
        st.markdown("\n".join(f"- {term(ctx, key)}" for key in PAGE_TERMS))
