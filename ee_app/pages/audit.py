"""The audit log: who changed what. It never holds survey answers or who responded."""

import pandas as pd
import streamlit as st

from ee_app.clock import SECONDS, format_time, zone_name
from ee_app.errors import EeError
from ee_app.services.audit import list_entries
from ee_app.ui import context

ctx = context.page()
_ = ctx.gettext
st.title(_("Audit log"))
st.caption(_("The latest 200 changes, newest first. Survey answers are never logged."))
try:
    with ctx.read() as session:
        entries = list_entries(session, ctx.actor)
except EeError as error:
    context.show_error(error)
    st.stop()
if not entries:
    st.info(_("Nothing has been changed yet."), icon=":material/info:")
    st.stop()
frame = pd.DataFrame(
    {
        _("When ({zone})").format(zone=zone_name(_)): [format_time(e.at, SECONDS) for e in entries],
        _("Who"): [e.actor for e in entries],
        _("Action"): [e.action for e in entries],
        _("Object"): [f"{e.object_type} {e.object_id or ''}".strip() for e in entries],
        _("Details"): [", ".join(f"{k}={v}" for k, v in e.detail.items()) for e in entries],
    }
)
st.dataframe(frame, hide_index=True, width="stretch")
