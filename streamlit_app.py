"""ee-app: the Streamlit entry point.

It sets up the page, refuses to start on settings it cannot trust (``EE_ENV=production``
passes :func:`~ee_app.production.production_problems` first), works out who the user is (OpenID
Connect through ``st.login``, or a demo identity when no provider is configured and the
database is the demo's, or ``EE_DEMO=1``), and hands ``st.navigation`` only the pages that
user's role may open. Without a provider on a database of real data it shows no page, only
how to configure sign-in. Pages render; the services below them check permissions again.
"""

from __future__ import annotations

import streamlit as st

from ee_app.config import LANGUAGES
from ee_app.errors import N_, EeError
from ee_app.i18n import LANGUAGE_NAMES, translator
from ee_app.production import production_problems
from ee_app.services.users import set_language
from ee_app.ui import context, keys
from ee_app.ui.identity import demo_identity, show_sign_in_needed, signed_in_identity
from ee_app.ui.navigation import PUBLIC_PAGES, pages_for
from ee_app.ui.phone_sidebar import fold_sidebar_after_navigation
from ee_app.ui.uploaders import uploaders_in_language
from ee_app.words.labels import user_role_label

st.set_page_config(page_title="ee-app", page_icon="🌸", layout="wide")


def _remember_language() -> None:
    """Save the choice for the signed-in user (demo identities included)."""
    actor = st.session_state.get(keys.ACTOR)
    if actor is not None:
        with context.write_session() as session:
            set_language(session, actor, st.session_state[keys.LANG])


def _refuse_to_start(error: EeError) -> None:
    """Stop at a setting that cannot be read (EE_ENV, EE_LANG, EE_DEMO), in both languages:
    the wrong one may be the language."""
    st.error(
        "\n\n".join(
            translator(lang)(N_("ee-app refuses to start: {problem}")).format(
                problem=error.render(translator(lang))
            )
            for lang in reversed(LANGUAGES)
        )
    )
    st.stop()


try:
    settings = context.settings()
except EeError as error:
    _refuse_to_start(error)
if keys.LANG_PENDING in st.session_state:  # the saved choice of a user who just arrived
    st.session_state[keys.LANG] = st.session_state.pop(keys.LANG_PENDING)
if keys.LANG not in st.session_state:
    st.session_state[keys.LANG] = settings.lang
_ = context.gettext()

public = [
    st.Page(p.path, title=_(p.title), icon=p.icon, url_path=p.url_path, visibility="hidden")
    for p in PUBLIC_PAGES
]
if settings.production:
    problems = production_problems(settings, context.auth_section())
    if problems:
        st.error(
            _(
                "ee-app refuses to start: EE_ENV=production, but what production needs is "
                "missing, copied from an example, too weak, or this machine's own address. "
                "Fix each point below (docs/deploy.md lists them all)."
            )
            + "\n"
            + "\n".join(f"- {problem.render(_)}" for problem in problems)
        )
        st.stop()
if "t" in st.query_params:
    # A personal link (survey, assessment): no sign-in, no identity, no menu. The page checks
    # the token itself; nothing here looks at who the visitor might be.
    try:
        context.engine()
    except EeError as error:
        context.show_error(error)
        st.stop()
    st.session_state[keys.ACTOR] = None
    # A default page of its own: Streamlit gives the default page the root path, so a public
    # page must not be the default or its own URL would not find it.
    landing = st.Page("ee_app/pages/link_landing.py", title=_("Personal link"), default=True)
    st.navigation([landing, *public], position="hidden").run()
    st.stop()

st.sidebar.selectbox(
    "Language / 语言",
    list(LANGUAGE_NAMES),
    format_func=LANGUAGE_NAMES.__getitem__,
    key=keys.LANG,
    on_change=_remember_language,
)
_ = context.gettext()

try:
    context.engine()  # migrate; without a sign-in provider, load the demo into an empty database
    demo_mode = context.demo_mode()
    if not demo_mode and not context.auth_configured():  # real data and nobody to vouch
        st.session_state[keys.ACTOR] = None
        show_sign_in_needed()
        st.stop()
    actor = demo_identity() if demo_mode else signed_in_identity()
except EeError as error:
    context.show_error(error)
    st.stop()
st.session_state[keys.ACTOR] = actor
if actor is not None and not st.session_state.get(keys.LANG_LOADED):
    st.session_state[keys.LANG_LOADED] = True
    if actor.language and actor.language != st.session_state[keys.LANG]:
        st.session_state[keys.LANG_PENDING] = actor.language
        st.rerun()

if demo_mode and context.demo_database():
    st.warning(
        _(
            "Demo mode: no sign-in provider is configured, so anyone can pick any identity. "
            "The people and numbers are invented."
        ),
        icon=":material/science:",
    )
elif demo_mode:
    st.warning(
        _(
            "Demo mode on real data (EE_DEMO=1): no sign-in provider is configured, so anyone "
            "who opens ee-app can act as any user of this database, admin included."
        ),
        icon=":material/warning:",
    )

if actor is None:
    landing = "ee_app/pages/no_access.py"
    if not demo_mode and not st.user.is_logged_in:
        landing = "ee_app/pages/signin.py"
    pages = [st.Page(landing, title=_("Sign in"), icon=":material/login:", default=True)]
else:
    pages = [
        st.Page(p.path, title=_(p.title), icon=p.icon, url_path=p.url_path, default=i == 0)
        for i, p in enumerate(pages_for(actor.role))
    ]
    with st.sidebar:
        role = user_role_label(actor.role, _)
        st.caption(_("Signed in as {name} ({role})").format(name=actor.name, role=role))
        if not demo_mode and st.button(_("Sign out"), icon=":material/logout:"):
            st.logout()
    fold_sidebar_after_navigation()  # issue 19: on a phone, a chosen page is not left covered

uploaders_in_language(context.language(), _)  # Streamlit's uploader text, in our language
st.navigation(pages + public).run()
