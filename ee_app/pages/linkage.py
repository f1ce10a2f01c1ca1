"""Engagement and customers: do stores whose staff are more engaged have more satisfied, more
loyal customers, and which engagement themes go with it?

Every statistic comes from :mod:`ee_app.services.linkage` (published store results only, the
reader's scope only) and :mod:`ee_app.analysis.linkage`; this page draws them and says in
plain words what they mean and what they do not.

This file is what Streamlit runs: the outcome and wave chosen, and the order of the parts,
which live in ``ee_app/ui/linkage_*.py`` (relation, store, confidential).
"""

import streamlit as st

from ee_app.errors import EeError
from ee_app.exports.linkage import linkage_xlsx
from ee_app.instruments.pulse import THEMES
from ee_app.services.linkage import OUTCOMES, linkage_data, wave_icc
from ee_app.services.linkage_relations import outcome_relations
from ee_app.ui import context
from ee_app.ui.components import XLSX_MIME
from ee_app.ui.formatting import blank
from ee_app.ui.linkage_confidential import confidential_section
from ee_app.ui.linkage_relation import SHORT, relation_section, term, terms_section
from ee_app.ui.linkage_store import store_section
from ee_app.ui.linkage_text import icc_reading
from ee_app.ui.service_calls import read
from ee_app.words.labels import theme_label

OUTCOME = "ee_linkage_outcome"
WAVE = "ee_linkage_wave"


ctx = context.page()
_ = ctx.gettext
actor = ctx.actor


st.title(_("Engagement and customers"))
st.caption(
    _(
        "Do stores with more engaged staff have more satisfied, more loyal customers? Store by "
        "store, each wave's engagement index against the same month's outcomes. Only stores "
        "whose results are published take part; engagement answers never enter anyone's pay."
    )
)
data = read(ctx, linkage_data)
if data is None:
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
    store_section(ctx, data)
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
relation_section(ctx, found, outcome, few=data.units["store_id"].nunique() < 3)
terms_section(ctx)

st.subheader(_("Is a store's mean engagement a fair description?"), help=term(ctx, "icc"))
icc: dict = {}
try:
    with ctx.read() as session:
        icc = wave_icc(session, actor, wave)
except EeError as error:
    st.caption(error.render(_))
else:
    cols = st.columns(3)
    cols[0].metric(
        "ICC(1)", "—" if blank(icc.get("icc1")) else f"{icc['icc1']:.2f}", help=term(ctx, "icc")
    )
    cols[1].metric(
        "ICC(2)", "—" if blank(icc.get("icc2")) else f"{icc['icc2']:.2f}", help=term(ctx, "icc")
    )
    cols[2].metric(
        _("People, stores"),
        f"{icc.get('people', 0)}, {icc.get('units', 0)}",
        help=_("Stores with a published index only, in your scope."),
    )
    st.caption(icc_reading(icc, _))

confidential_section(ctx)

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
