"""The landing page when a sign-in provider is configured and nobody is signed in."""

import streamlit as st

from ee_app.ui import context

_ = context.gettext()
st.title(_("Welcome to ee-app"))
st.write(
    _(
        "Employee experience for beauty and medical-aesthetic chains: pulse surveys, mystery "
        "shopping, training and service-quality pay."
    )
)
st.info(
    _(
        "Staff answering a survey or an assessment do not sign in: open the personal link "
        "you were sent."
    ),
    icon=":material/info:",
)
if st.button(_("Sign in"), type="primary", icon=":material/login:"):
    st.login()
