"""Who is using the app: a signed-in account (OpenID Connect) or, in demo mode, a picked
demo identity. Either way the result is an :class:`~ee_app.auth.Actor` in session state.

Without a sign-in provider on a database of real data there is no one: the app shows
:func:`show_sign_in_needed` and no page (demo identities would let anyone act as anyone)."""

from __future__ import annotations

import streamlit as st

from ee_app.auth import Actor, system_actor
from ee_app.services.users import actor_for_email, list_users
from ee_app.ui import context, keys
from ee_app.words.labels import user_role_label

__all__ = ["demo_identity", "show_sign_in_needed", "signed_in_identity"]


def demo_identity() -> Actor | None:
    """A sidebar picker of the demo users; HR by default. ``None`` outside demo mode
    (:func:`~ee_app.ui.context.demo_mode`), whoever calls it."""
    if not context.demo_mode():
        return None
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


def show_sign_in_needed() -> None:
    """What the app shows instead of any page when no sign-in provider is configured and the
    database holds real data: why, and the ways on."""
    _ = context.gettext()
    st.title(_("Configure sign-in"))
    st.error(
        _(
            "No sign-in provider is configured, and this database holds real data, not the "
            "demo: ee-app shows no page, because without sign-in anyone who opens it could act "
            "as any of its users, admin included."
        ),
        icon=":material/lock:",
    )
    st.markdown(
        _(
            "1. Copy `.streamlit/secrets.toml.example` to `.streamlit/secrets.toml`, fill in "
            "your sign-in provider's values (docs/configuration.md, “Sign-in”) and restart "
            "ee-app.\n"
            "2. Or, to try the demo on this data knowingly, restart ee-app with `EE_DEMO=1`: "
            "everyone who can open it may then pick any user of this database.\n"
            "3. Or, to see the invented demo chain, start ee-app on an empty database, e.g. "
            "`EE_DATABASE_URL=sqlite:///data/demo.db ./scripts/run`: it loads the demo on its "
            "first start."
        )
    )
