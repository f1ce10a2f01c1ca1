"""The default page of a personal-link visit whose path names no public page."""

import streamlit as st

from ee_app.ui import context

_ = context.gettext()
st.title(_("Open your personal link"))
st.info(
    _(
        "This address works only with the personal link you were sent for a survey or an "
        "assessment. Open that link again, or ask HR for a new one."
    ),
    icon=":material/link:",
)
