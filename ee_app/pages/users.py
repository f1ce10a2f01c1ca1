"""Users and roles (admins): who may sign in, with which role, seeing which units."""

import pandas as pd
import streamlit as st

from ee_app.errors import EeError
from ee_app.models import UserRole
from ee_app.services.org import list_units
from ee_app.services.users import list_users, save_user
from ee_app.ui import context, keys
from ee_app.ui.components import unit_option_label
from ee_app.ui.service_calls import write
from ee_app.words.labels import user_role_label

ctx = context.page()
_ = ctx.gettext
st.title(_("Users and roles"))
st.caption(
    _(
        "People sign in with the company's identity provider; here they get a role. Managers "
        "see only the units listed (and everything under them). Staff answering surveys need "
        "no account."
    )
)

try:
    with ctx.read() as session:
        users = list_users(session, ctx.actor)
        units = list_units(session, ctx.actor)
except EeError as error:
    context.show_error(error)
    st.stop()

st.dataframe(
    pd.DataFrame(
        {
            _("E-mail"): [u.email for u in users],
            _("Name"): [u.name for u in users],
            _("Access role"): [user_role_label(u.role, _) for u in users],
            _("Units in scope"): [", ".join(u.unit_codes) for u in users],
            _("Active"): [u.active for u in users],
        }
    ),
    hide_index=True,
    width="stretch",
)

st.subheader(_("Add or change a user"))
by_email = {u.email: u for u in users}
chosen = st.selectbox(
    _("User"),
    ["", *by_email],
    format_func=lambda e: _("New user…") if not e else f"{by_email[e].name} <{e}>",
    key=keys.USER_EDIT,
)
current = by_email.get(chosen)
unit_codes = [u.code for u in units]
unit_labels = {u.code: unit_option_label(u, _).strip() for u in units}
with st.form("user_form"):
    email = st.text_input(
        _("E-mail"), value=current.email if current else "", disabled=current is not None
    )
    name = st.text_input(_("Name"), value=current.name if current else "")
    roles = list(UserRole)
    role = st.selectbox(
        _("Access role"),
        roles,
        index=roles.index(current.role) if current else roles.index(UserRole.MANAGER),
        format_func=lambda r: user_role_label(r, _),
    )
    scope = st.multiselect(
        _("Units in scope (managers)"),
        unit_codes,
        default=list(current.unit_codes) if current else [],
        format_func=unit_labels.__getitem__,
    )
    active = st.checkbox(_("Active"), value=current.active if current else True)
    submitted = st.form_submit_button(_("Save"), type="primary")
if submitted:
    saved = write(
        ctx,
        save_user,
        current.email if current else email,
        role=role,
        name=name,
        unit_codes=scope,
        active=active,
    )
    if saved is not None:
        st.success(_("Saved {email}.").format(email=saved.email), icon=":material/check:")
        st.rerun()
