"""Shown to someone signed in whose address has no account (or when demo mode has no users)."""

import streamlit as st

from ee_app.ui import context

_ = context.gettext()
st.title(_("No access yet"))
if st.user.is_logged_in:
    st.write(
        _("You are signed in as {email}, but this address has no role in ee-app yet.").format(
            email=st.user.get("email") or "?"
        )
    )
    st.write(_("Ask an administrator to add you on the “Users and roles” page."))
    if st.button(_("Sign out"), icon=":material/logout:"):
        st.logout()
else:
    st.write(
        _(
            "The database has no users. Add one from the command line, for example: "
            "ee-app users add you@example.com --role admin"
        )
    )
