"""Customer outcomes: each staff member's customer satisfaction (CSAT) and repurchase (复购) in
a month, by touchpoint and by store; HR imports the CRM's answers and the POS's sales here.

Every number comes from :mod:`ee_app.services.outcomes` (counts, Wilson intervals, shrinkage,
windows; managers get their scope only) and every import goes through
:mod:`ee_app.services.outcomes_import`. The page formats, draws and asks; it computes nothing
but labels and the sum of two counts (decided = returned + lost).

This file is what Streamlit runs: the controls and the tabs' order. Each tab lives in
``ee_app/ui/outcomes_*.py`` (staff and touchpoints, stores, import), the import steps in the
shared :mod:`ee_app.ui.import_panel`.
"""

import streamlit as st

from ee_app.auth import Permission, can
from ee_app.services.org import list_staff
from ee_app.services.outcomes import (
    csat_table,
    data_range,
    last_complete_month,
    month_bounds,
    repurchase_table,
    store_summary,
)
from ee_app.ui import context
from ee_app.ui.outcomes_columns import store_label
from ee_app.ui.outcomes_controls import (
    csat_months_picker,
    csat_options,
    month_picker,
    months,
    period_caption,
    repurchase_options,
)
from ee_app.ui.outcomes_import import import_section
from ee_app.ui.outcomes_staff import staff_section, touchpoint_section
from ee_app.ui.outcomes_stores import stores_section
from ee_app.ui.service_calls import read

ctx = context.page()
_ = ctx.gettext
actor = ctx.actor
imports = can(actor, Permission.IMPORT_OUTCOMES)


# The page -------------------------------------------------------------------------------------


st.title(_("Customer outcomes"))
st.caption(
    _(
        "Each staff member's customer satisfaction (CSAT) and repurchase (复购) in a month, "
        "with the number of answers or customers each rate rests on and its 95% interval."
    )
)
span = read(ctx, data_range)
if span is None:
    st.stop()
if not any((span.csat_first, span.sales_first)):
    if imports:
        st.info(
            _(
                "No customer outcomes yet. Import the CRM's satisfaction answers and the POS's "
                "sales below."
            ),
            icon=":material/upload_file:",
        )
        st.subheader(_("Import"))
        import_section(ctx)
    else:
        st.info(
            _(
                "No customer outcomes yet: HR imports the CRM's satisfaction answers and the "
                "POS's sales on this page."
            ),
            icon=":material/hourglass_empty:",
        )
    st.stop()

top = st.columns([2, 2, 1, 2])
month = month_picker(_, months(span), top[0], last_complete_month(span))
csat_months = csat_months_picker(_, top[1])
csat_choice = csat_options(_, top[2], top[3])
repurchase_choice = repurchase_options(_)
start, end = month_bounds(month)
period_caption(_, span, start, end, csat_months)

window, attribution, same_staff = repurchase_choice
min_n, prior = csat_choice
csat = read(ctx, csat_table, start, end, months=csat_months, prior_by=prior, min_n=min_n)
by_touchpoint = read(
    ctx,
    csat_table,
    start,
    end,
    months=csat_months,
    by_touchpoint=True,
    prior_by=prior,
    min_n=min_n,
)
repurchase = read(
    ctx,
    repurchase_table,
    start,
    end,
    window_days=window,
    attribution=attribution,
    same_staff=same_staff,
)
stores = read(ctx, store_summary, start, end, window_days=window)
roster = read(ctx, list_staff, include_left=True) or []
store_of = {s.id: (s.store_code, store_label(s.store_name, s.store_code)) for s in roster}

names = [_("Staff"), _("By touchpoint"), _("Stores")]
if imports:
    names.append(_("Import"))
tabs = st.tabs(names)
with tabs[0]:
    staff_section(_, csat, repurchase, store_of, csat_choice, span.sales_last, csat_months)
with tabs[1]:
    touchpoint_section(_, by_touchpoint, store_of, csat_choice, csat_months)
with tabs[2]:
    stores_section(_, stores, window)
if imports:
    with tabs[3]:
        import_section(ctx)
