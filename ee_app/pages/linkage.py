"""Engagement and customers: do stores whose staff are more engaged have more satisfied, more
loyal customers, and which engagement themes go with it?

Every statistic comes from :mod:`ee_app.services.linkage` (published store results only, the
reader's scope only) and :mod:`ee_app.analysis.linkage`; this page draws them and says in
plain words what they mean and what they do not.
"""

import streamlit as st

from ee_app import charts
from ee_app.auth import Permission, can
from ee_app.errors import N_, EeError
from ee_app.exports.linkage import linkage_xlsx
from ee_app.instruments.pulse import THEMES
from ee_app.services.confidential import PERSON_OUTCOMES, FrozenRelation
from ee_app.services.linkage import (
    MIN_PEOPLE,
    OUTCOMES,
    compute_relation,
    confidential_waves,
    individual_relation,
    linkage_data,
    outcome_relations,
    wave_icc,
)
from ee_app.ui import context
from ee_app.ui.components import XLSX_MIME, error_box
from ee_app.ui.formatting import blank
from ee_app.ui.labels import theme_label
from ee_app.ui.linkage_text import (
    icc_reading,
    lagged_reading,
    partial_reading,
    unit_reading,
    within_reading,
)

OUTCOME = "ee_linkage_outcome"
WAVE = "ee_linkage_wave"
CONFIDENTIAL = "ee_linkage_confidential"
COMPUTE = "ee_linkage_compute"  # + wave and outcome: the one-time computation's button

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
FORMATS = {"csat": ".0%", "repurchase": ".0%", "visit_score": ".0f"}

ctx = context.page()
_ = ctx.gettext
actor = ctx.actor


def interval_text(stats, r="r", low="r_low", high="r_high") -> str:  # type: ignore[no-untyped-def]
    if blank(stats.get(r)):
        return "—"
    if blank(stats.get(low)):
        return f"{stats[r]:.2f}"
    return f"{stats[r]:.2f} [{stats[low]:.2f}, {stats[high]:.2f}]"


def relation_section(found, outcome: str) -> None:  # type: ignore[no-untyped-def]
    name = _(NAMES[outcome])
    unit = found["unit"]
    points = found["points"]
    st.subheader(_("Between stores"))
    st.caption(
        _("Wave {wave}: one dot per store with published results.").format(
            wave=found["wave"] or "—"
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
                y_format=FORMATS[outcome],
            ),
            width="stretch",
        )
    cols = st.columns(4)
    cols[0].metric(_("Stores"), unit.get("n", 0))
    cols[1].metric(_("Pearson r [95%]"), interval_text(unit))
    cols[2].metric(_("Spearman ρ [95%]"), interval_text(unit, "rho", "rho_low", "rho_high"))
    cols[3].metric(
        _("Detectable r"),
        "—" if blank(unit.get("detectable_r")) else f"{unit['detectable_r']:.2f}",
        help=_("The smallest correlation this many stores would show with 80% power."),
    )
    st.info(unit_reading(unit, name, _), icon=":material/lightbulb:")

    st.subheader(_("Over time"))
    within, lagged = found["within"], found["lagged"]
    cols = st.columns(2)
    cols[0].metric(
        _("Within stores, across waves"),
        interval_text(within),
        help=_("Repeated-measures correlation (rm_corr): {n} store-waves of {s} stores.").format(
            n=within.get("observations", 0), s=within.get("subjects", 0)
        ),
    )
    cols[1].metric(
        _("Engagement, then the next period"),
        interval_text(lagged),
        help=_("n = {n} stores").format(n=lagged.get("n", 0)),
    )
    st.caption(within_reading(within, name, _))
    st.caption(lagged_reading(lagged, name, _))

    st.subheader(_("Controlling for size and tenure"))
    partial = found["partial"]
    st.metric(_("Partial r [95%]"), interval_text(partial), help=f"n = {partial.get('n', 0)}")
    st.caption(partial_reading(partial, _))

    st.subheader(_("Which themes go with it"))
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
        ),
        width="stretch",
    )
    st.caption(
        _(
            "Each theme's mean against {outcome} across stores, with 95% intervals; p-values "
            "adjusted for twelve comparisons (Benjamini–Hochberg). Themes go together, so this "
            "ranks associations, not each theme's own effect."
        ).format(outcome=name)
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
            "Computed once, {when} (UTC) by {who}, on {month}'s data from import batches "
            "{batches}. Later imports and undos do not change it."
        ).format(
            when=frozen.computed_at.strftime("%Y-%m-%d %H:%M"),
            who=frozen.computed_by,
            month=frozen.month,
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
if found["points"].empty and outcome == "repurchase":
    st.warning(
        _(
            "The repurchase windows of this wave's month have not ended yet: choose an earlier "
            "wave."
        ),
        icon=":material/hourglass_top:",
    )
relation_section(found, outcome)

st.subheader(_("Is a store's mean engagement a fair description?"))
icc: dict = {}
try:
    with ctx.read() as session:
        icc = wave_icc(session, actor, wave)
except EeError as error:
    st.caption(error.render(_))
else:
    cols = st.columns(3)
    cols[0].metric("ICC(1)", "—" if blank(icc.get("icc1")) else f"{icc['icc1']:.2f}")
    cols[1].metric("ICC(2)", "—" if blank(icc.get("icc2")) else f"{icc['icc2']:.2f}")
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
        _(
            "{count} store results were left out because they are not published (fewer than k)."
        ).format(count=data.hidden)
    )
if actor.scope is not None:
    st.caption(_("Points and statistics are shown for the stores in your scope only."))
