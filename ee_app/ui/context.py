"""What every page needs: settings, the engine, the signed-in actor, the language.

The engine and the one-time start-up work (schema upgrade, demo data on an empty database in
demo mode) are cached per process with ``st.cache_resource``; everything that must be shared
between replicas lives in the database, never here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ee_app.auth import Actor
from ee_app.config import Settings
from ee_app.db import make_engine, upgrade
from ee_app.db import read_session as read_session_for
from ee_app.db import write_session as write_session_for
from ee_app.errors import EeError
from ee_app.i18n import translator
from ee_app.ui import keys

__all__ = [
    "PageContext",
    "auth_configured",
    "auth_section",
    "current_actor",
    "engine",
    "gettext",
    "language",
    "page",
    "read_session",
    "settings",
    "show_error",
    "write_session",
]


@st.cache_resource(show_spinner=False)
def _engine(url: str, load_demo_if_empty: bool) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    from ee_app.services.instruments import ensure_reference_data
    from ee_app.services.results_build import rebuild_stale_results

    with write_session_for(engine) as session:
        ensure_reference_data(session)
        rebuild_stale_results(session)  # results built by older disclosure rules
    if load_demo_if_empty:
        from ee_app.auth import system_actor
        from ee_app.services.demo import database_is_empty, load_demo

        with write_session_for(engine) as session:
            if database_is_empty(session):
                load_demo(session, system_actor("demo-start"))
    return engine


def settings() -> Settings:
    return Settings.from_env()


def auth_section() -> Mapping[str, Any] | None:
    """The ``[auth]`` section of ``.streamlit/secrets.toml``; ``None`` when there is none
    (an ``auth`` that is not a section gives an empty one: configured, but with nothing)."""
    from streamlit.errors import StreamlitSecretNotFoundError

    try:
        if "auth" not in st.secrets:
            return None
        section = st.secrets["auth"]
    except StreamlitSecretNotFoundError:
        return None
    except (FileNotFoundError, ValueError):  # a secrets file that cannot be parsed
        return None
    return dict(section) if isinstance(section, Mapping) else {}


def auth_configured() -> bool:
    """True when ``.streamlit/secrets.toml`` names a sign-in provider."""
    return auth_section() is not None


def engine() -> Engine:
    s = settings()
    demo = not auth_configured() and not s.production
    return _engine(s.database_url, demo)


def language() -> str:
    return st.session_state.get(keys.LANG) or settings().lang


def read_session() -> Session:
    return read_session_for(engine())


def write_session() -> Session:
    return write_session_for(engine())


def gettext() -> Callable[[str], str]:
    return translator(language())


def current_actor() -> Actor | None:
    return st.session_state.get(keys.ACTOR)


def show_error(error: EeError) -> None:
    st.error(error.render(gettext()))


@dataclass(frozen=True)
class PageContext:
    engine: Engine
    actor: Actor
    gettext: Callable[[str], str]
    language: str

    def read(self) -> Session:
        return read_session_for(self.engine)

    def write(self) -> Session:
        return write_session_for(self.engine)


def page() -> PageContext:
    """The context of a page that needs a signed-in user; stops the page if there is none."""
    actor = current_actor()
    if actor is None:
        st.stop()
    return PageContext(engine(), actor, gettext(), language())
