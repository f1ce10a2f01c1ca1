"""Who is using the app: a signed-in account (OpenID Connect) or, in demo mode, a picked
demo identity. Either way the result is an :class:`~ee_app.auth.Actor` in session state."""

from __future__ import annotations

import streamlit as st

from ee_app.auth import Actor, system_actor
from ee_app.services.users import actor_for_email, list_users
from ee_app.ui import context, keys
from ee_app.ui.labels import user_role_label

__all__ = ["demo_identity", "signed_in_identity"]


def demo_identity() -> Actor | None:
    """A sidebar picker of the demo users; HR by default."""
    _ = context.gettext()
    with context.read_session() as session:
        users = [u for u in list_users(session, system_actor("demo")) if u.active]
        labels = {u.email: f"{u.name} · {user_role_label(u.role, _)}" for u in users}
        if not labels:
            return None
        if st.session_state.get(keys.DEMO_USER) not in labels:
            default = "hr@demo.example"
            st.session_state[keys.DEMO_USER] = default if default in labels else users[0].email
        st.sidebar.selectbox(
            _("Demo identity"), list(labels), format_func=labels.__getitem__, key=keys.DEMO_USER
        )
        return actor_for_email(session, st.session_state[keys.DEMO_USER])


def signed_in_identity() -> Actor | None:
    """The account of whoever signed in through the provider; ``None`` if none or no account."""
    if not st.user.is_logged_in:
        return None
    email = str(st.user.get("email") or "")
    if not email:
        return None
    with context.read_session() as session:
        return actor_for_email(
            session, email, str(st.user.get("name") or ""), context.settings().admin_emails
        )
