"""Home: what this role can do next, with a link to each page it may open."""

import streamlit as st

from ee_app.auth import Permission, can
from ee_app.services.org import headcounts, list_units
from ee_app.ui import context
from ee_app.ui.navigation import pages_for
from ee_app.words.labels import user_role_label

ctx = context.page()
_ = ctx.gettext
actor = ctx.actor

st.title(_("Hello, {name}").format(name=actor.name or actor.email))
st.caption(user_role_label(actor.role, _))

if can(actor, Permission.VIEW_ORG):
    with ctx.read() as session:
        units = list_units(session, actor)
        counts = headcounts(session, actor)
    stores = sum(1 for u in units if u.level == "store")
    teams = sum(1 for u in units if u.level == "team")
    cols = st.columns(3)
    cols[0].metric(_("Stores"), stores)
    cols[1].metric(_("Teams"), teams)
    cols[2].metric(_("Staff"), sum(counts.values()))
    if not units:
        st.info(
            _("No units are in your scope yet. Ask an administrator to assign you stores."),
            icon=":material/info:",
        )

st.subheader(_("What you can do"))
others = [p for p in pages_for(actor.role) if p.url_path != "home"]
if not others:
    st.info(
        _("Nothing is assigned to you yet. Your tasks will appear here."), icon=":material/info:"
    )
for spec in others:
    with st.container(border=True):
        st.page_link(spec.path, label=_(spec.title), icon=spec.icon)
        if spec.summary:
            st.caption(_(spec.summary))
