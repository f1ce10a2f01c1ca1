"""Engagement and customers: do stores whose staff are more engaged have more satisfied, more
loyal customers, and which engagement themes go with it?

Every statistic comes from :mod:`ee_app.services.linkage` (published store results only, the
reader's scope only) and :mod:`ee_app.analysis.linkage`; this page draws them and says in
plain words what they mean and what they do not.
"""

import pandas as pd
import streamlit as st

from ee_app import charts
from ee_app.auth import Permission, can
from ee_app.clock import format_time, zone_name
from ee_app.errors import N_, EeError
from ee_app.exports.linkage import linkage_xlsx
from ee_app.instruments.pulse import THEMES
from ee_app.services.confidential import PERSON_OUTCOMES, FrozenRelation
from ee_app.services.linkage import (
    MEASURES,
    MIN_PEOPLE,
    OUTCOMES,
    compute_relation,
    confidential_waves,
    individual_relation,
    linkage_data,
    outcome_relations,
    store_view,
    wave_icc,
)
from ee_app.ui import context
from ee_app.ui.components import XLSX_MIME, error_box
from ee_app.ui.explain import explain
from ee_app.ui.formatting import blank
from ee_app.ui.labels import theme_label
from ee_app.ui.linkage_charts import axis_format, standing_strip, store_trend
from ee_app.ui.linkage_text import (
    PAGE_TERMS,
    few_reading,
    icc_reading,
    lagged_reading,
    measure_value,
    months_text,
    partial_reading,
    pending_text,
    standing_reading,
    unit_reading,
    within_reading,
)
from ee_app.ui.linkage_text import term as explain_term
from ee_app.ui.widths import fit_width

OUTCOME = "ee_linkage_outcome"
WAVE = "ee_linkage_wave"
CONFIDENTIAL = "ee_linkage_confidential"
COMPUTE = "ee_linkage_compute"  # + wave and outcome: the one-time computation's button
STORE = "ee_linkage_store"
STORE_WAVE = "ee_linkage_store_wave"

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
PARTS = {
    "top": N_("top quarter"),
    "middle": N_("middle half"),
    "bottom": N_("bottom quarter"),
}

ctx = context.page()
_ = ctx.gettext
actor = ctx.actor


def interval_text(stats, r="r", low="r_low", high="r_high") -> str:  # type: ignore[no-untyped-def]
    if blank(stats.get(r)):
        return "—"
    if blank(stats.get(low)):
        return f"{stats[r]:.2f}"
    return f"{stats[r]:.2f} [{stats[low]:.2f}, {stats[high]:.2f}]"


def term(key: str) -> str:
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


def correlation_table(rows: list[tuple[str, dict, str, tuple[str, str, str]]]) -> None:
    """Correlations in a table that never cuts a number off: one row per statistic (label,
    statistics, months, and the keys of r and its interval) with r, its interval, n and the
    months it rests on."""
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
    interval = term("confidence_interval")
    st.dataframe(
        frame,
        hide_index=True,
        column_config=fitted(
            frame, {_("95% low"): interval, _("95% high"): interval, "n": explain("n", _)}
        ),
    )


def relation_section(found, outcome: str, few: bool) -> None:  # type: ignore[no-untyped-def]
    name = _(NAMES[outcome])
    unit = found["unit"]
    points = found["points"]
    months = found["months"]
    st.subheader(_("Between stores"), help=term("pearson") + "\n\n" + term("spearman"))
    if not found["decidable"]:
        if found["until"] is not None:
            st.info(
                pending_text(found["month"], found["until"], _), icon=":material/hourglass_top:"
            )
        within = found["within"]
        st.subheader(_("Over time"), help=term("within") + "\n\n" + term("lagged_relation"))
        st.metric(
            _("Within stores, across waves"),
            interval_text(within),
            help=term("within"),
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
        help=term("detectable"),
    )
    unit_months = months_text(months["unit"], _)
    correlation_table(
        [
            (_("Pearson r"), unit, unit_months, PEARSON),
            (_("Spearman ρ"), unit, unit_months, SPEARMAN),
        ]
    )
    st.info(unit_reading(unit, name, _), icon=":material/lightbulb:")

    st.subheader(_("Over time"), help=term("within") + "\n\n" + term("lagged_relation"))
    within, lagged = found["within"], found["lagged"]
    correlation_table(
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
        ]
    )
    st.caption(within_reading(within, name, _))
    st.caption(lagged_reading(lagged, name, _))

    st.subheader(_("Controlling for size and tenure"), help=term("partial_correlation"))
    partial = found["partial"]
    correlation_table([(_("Partial r"), partial, months_text(months["partial"], _), PEARSON)])
    st.caption(partial_reading(partial, _))

    st.subheader(_("Which themes go with it"), help=term("adjusted_p"))
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


def terms_section() -> None:
    with st.expander(_("What the terms mean"), icon=":material/help:"):
        st.markdown("\n".join(f"- {term(key)}" for key in PAGE_TERMS))


def store_section() -> None:
    """A manager's store against the chain: where it stands in a wave, and its own trend."""
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
    try:
        with ctx.read() as session:
            view = store_view(session, actor, store, chosen)
    except EeError as error:
        error_box(error, _)
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
        column_config=fitted(table, {_("Lower quartile"): term("quartiles")}),
    )
    if view.until is not None:
        st.caption(pending_text(view.month, view.until, _))
    st.caption(term("quartiles") + " " + term("shrunken"))
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


def frozen_text(frozen: FrozenRelation, name: str) -> str:
    """Two or three plain sentences on a frozen person-level relation."""
    if not frozen.enough:
        return _(
            "Fewer than {minimum} respondents had both an engagement index and a {outcome} of "
            "their own: nothing is shown, so that no person's answers can be inferred."
        ).format(minimum=MIN_PEOPLE, outcome=name)
    if frozen.r is None:
        return _(
            "No relation can be computed: once the extreme values are pulled in so that at "
            "least {k} people share each, engagement or {outcome} no longer varies enough "
            "among these {n} people. Nothing about any person is shown."
        ).format(k=frozen.k, outcome=name, n=frozen.people)
    p = _("below 0.05") if frozen.significant else _("0.05 or more")
    return _(
        "Across {n} people, each person's engagement against their own {outcome}: winsorized "
        "r = {r}, 95% interval {low} to {high}, p {p}. The {g} lowest and the {g} highest "
        "values of each are pulled in, so no single person moves it far; a relation between "
        "people is not a cause. Only this summary is ever shown, never a person."
    ).format(
        n=frozen.people,
        outcome=name,
        r=tenth(frozen.r),
        low=tenth(frozen.r_low),
        high=tenth(frozen.r_high),
        p=p,
        g=frozen.winsorized,
    )


def tenth(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def frozen_section(frozen: FrozenRelation, outcome: str) -> None:
    name = _(NAMES[outcome])
    if frozen.enough and frozen.r is not None:
        cols = st.columns(3)
        cols[0].metric(_("People"), frozen.people)
        cols[1].metric(
            _("Winsorized r [95%]"),
            f"{tenth(frozen.r)} [{tenth(frozen.r_low)}, {tenth(frozen.r_high)}]",
            help=_("Rounded to one decimal; the interval outward."),
        )
        cols[2].metric("p", "< 0.05" if frozen.significant else "≥ 0.05")
        st.info(frozen_text(frozen, name), icon=":material/lightbulb:")
    else:
        st.caption(frozen_text(frozen, name))
    batches = ", ".join(str(b) for b in frozen.batches) or "—"
    st.caption(
        _(
            "Computed once, {when} ({zone}) by {who}, on {month}'s data (CSAT over the {months} "
            "month(s) ending with it) from import batches {batches}. Later imports and undos "
            "do not change it."
        ).format(
            when=format_time(frozen.computed_at),
            zone=zone_name(_),
            who=frozen.computed_by,
            month=frozen.month,
            months=frozen.csat_months or 1,
            batches=batches,
        )
    )


def compute_control(wave: str, outcome: str) -> None:
    name = _(NAMES[outcome])
    st.caption(_("Not computed yet for {outcome}.").format(outcome=name))
    with st.popover(_("Compute it once"), icon=":material/lock:"):
        st.write(
            _(
                "The relation with {outcome} is computed once, on the outcome data as it is "
                "now, and never again: later imports and undos do not change it, so that no "
                "one can steer it to reveal a person. Import the month's CSAT and sales first "
                "(for repurchase, sales until the 90-day windows have ended)."
            ).format(outcome=name)
        )
        if st.button(_("Yes, compute it now"), type="primary", key=f"{COMPUTE}_{wave}_{outcome}"):
            try:
                with ctx.write() as session:
                    compute_relation(session, actor, wave, outcome)
            except EeError as error:
                error_box(error, _)
                return
            st.rerun()


def confidential_section() -> None:
    if not can(actor, Permission.MANAGE_SURVEYS):
        return
    with ctx.read() as session:
        waves = confidential_waves(session, actor)
    st.subheader(_("Person by person (confidential waves)"))
    if not waves:
        st.caption(
            _(
                "No closed confidential waves. In a confidential wave each answer is linked to "
                "its person for this analysis only; it shows aggregate statistics over at least "
                "{minimum} people, never a person."
            ).format(minimum=MIN_PEOPLE)
        )
        return
    wave = st.selectbox(_("Confidential wave"), waves, key=CONFIDENTIAL)
    st.caption(
        _(
            "Each respondent's engagement against their own outcome in the wave's month, over "
            "at least {minimum} people: a winsorized correlation (at least k people share each "
            "extreme value), computed once and then frozen, shown to one decimal."
        ).format(minimum=MIN_PEOPLE)
    )
    for outcome in PERSON_OUTCOMES:
        st.markdown(f"**{_(SHORT[outcome])}**")
        with ctx.read() as session:
            frozen = individual_relation(session, actor, wave, outcome)
        if frozen is None:
            compute_control(wave, outcome)
        else:
            frozen_section(frozen, outcome)


st.title(_("Engagement and customers"))
st.caption(
    _(
        "Do stores with more engaged staff have more satisfied, more loyal customers? Store by "
        "store, each wave's engagement index against the same month's outcomes. Only stores "
        "whose results are published take part; engagement answers never enter anyone's pay."
    )
)
try:
    with ctx.read() as session:
        data = linkage_data(session, actor)
except EeError as error:
    error_box(error, _)
    st.stop()
if data.units.empty:
    st.info(
        _(
            "Nothing to relate yet: this needs a closed anonymous wave with published store "
            "results and customer outcomes for its month."
        ),
        icon=":material/insights:",
    )
    st.stop()

if actor.scope is not None:
    store_section()
    st.header(_("The stores in your scope"))

left, right = st.columns([3, 2])
outcome = left.segmented_control(
    _("Outcome"),
    list(OUTCOMES),
    format_func=lambda o: _(SHORT[o]),
    default="csat",
    required=True,
    key=OUTCOME,
)
waves = list(data.waves)
default = outcome_relations(data, outcome)["wave"]
if st.session_state.get(WAVE) not in waves:
    st.session_state[WAVE] = default
wave = right.selectbox(_("Wave"), waves, key=WAVE)
found = outcome_relations(data, outcome, wave)
relation_section(found, outcome, few=data.units["store_id"].nunique() < 3)
terms_section()

st.subheader(_("Is a store's mean engagement a fair description?"), help=term("icc"))
icc: dict = {}
try:
    with ctx.read() as session:
        icc = wave_icc(session, actor, wave)
except EeError as error:
    st.caption(error.render(_))
else:
    cols = st.columns(3)
    cols[0].metric(
        "ICC(1)", "—" if blank(icc.get("icc1")) else f"{icc['icc1']:.2f}", help=term("icc")
    )
    cols[1].metric(
        "ICC(2)", "—" if blank(icc.get("icc2")) else f"{icc['icc2']:.2f}", help=term("icc")
    )
    cols[2].metric(
        _("People, stores"),
        f"{icc.get('people', 0)}, {icc.get('units', 0)}",
        help=_("Stores with a published index only, in your scope."),
    )
    st.caption(icc_reading(icc, _))

confidential_section()

relations = {o: outcome_relations(data, o) for o in OUTCOMES}
st.download_button(
    _("Download the analysis (Excel)"),
    data=lambda: linkage_xlsx(
        data.units[data.units["listed"]].drop(columns="listed"),
        relations,
        icc,
        outcome_names={o: _(SHORT[o]) for o in OUTCOMES},
        theme_names={t: theme_label(t, _) for t in THEMES},
        gettext=_,
    ),
    file_name="engagement-and-customers.xlsx",
    mime=XLSX_MIME,
    icon=":material/download:",
    on_click="ignore",
)
if data.hidden:
    st.caption(
        ctx.ngettext(
            "{count} store's results were left out because they are not published (fewer than k).",
            "{count} stores' results were left out because they are not published (fewer than k).",
            data.hidden,
        ).format(count=data.hidden)
    )
if actor.scope is not None:
    st.caption(_("Points and statistics are shown for the stores in your scope only."))
