"""Incentives (激励方案): design performance pay that rewards service quality, see what it would
pay before saving, run a month, have a second person approve it, and hand payroll the
workbook.

The page edits a scheme as tables and sends the definition to the validator (a service
weight below the floor is refused there, with the reason shown here); the evidence beside
the weights and every number of the simulation and the runs come from
:mod:`ee_app.services.incentives` and :mod:`ee_app.services.linkage`.

This file is what Streamlit runs: the two tabs. They live in ``ee_app/ui/incentives_*.py``
(scheme, evidence and simulation, runs).
"""

import streamlit as st

from ee_app.ui import context
from ee_app.ui.feedback import show_done
from ee_app.ui.incentives_runs import runs_tab
from ee_app.ui.incentives_scheme import FLASH, scheme_tab

VIEW = "ee_incentives_view"

ctx = context.page()
_ = ctx.gettext


st.title(_("Incentives"))
st.caption(
    _(
        "Performance pay (绩效工资) that rewards service quality: customer satisfaction, "
        "repurchase and mystery-shopper scores weigh at least 30%. Engagement survey results "
        "are never an input. Every run is approved by a second person."
    )
)
show_done(FLASH)
# The open tab is kept in the session (VIEW holds its label): after Compute, Approve, Discard
# or Correct the page reruns and stays on the runs, and only the open tab is drawn, so work on
# the runs does not recompute the simulation.
scheme_view, runs_view = st.tabs(
    [_("Scheme and simulation"), _("Runs and payroll")], key=VIEW, on_change="rerun"
)
if scheme_view.open:
    with scheme_view:
        scheme_tab(ctx)
if runs_view.open:
    with runs_view:
        runs_tab(ctx)
