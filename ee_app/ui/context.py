"""What every page needs: settings, the engine, the signed-in actor, the language.

The engine and the one-time start-up work (schema upgrade, demo data on an empty database when
no sign-in provider is configured) are cached per process with ``st.cache_resource``;
everything that must be shared between replicas lives in the database, never here.

Demo mode (a sidebar picker of identities) fails closed: :func:`demo_mode` is true only
without a sign-in provider, outside production, and on a database the demo loader made, or
with ``EE_DEMO=1`` set by whoever starts the app.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ee_app.app_engine import auth_section as app_auth_section
from ee_app.app_engine import engine_for, made_by_demo_load
from ee_app.app_engine import startup_schedule_run as schedule_run_for
from ee_app.auth import Actor
from ee_app.config import Settings, loads_demo_when_empty
from ee_app.db import read_session as read_session_for
from ee_app.db import write_session as write_session_for
from ee_app.errors import EeError
from ee_app.i18n import Ngettext, plural_translator, translator
from ee_app.services.schedule_runs import StartupRun
from ee_app.ui import keys

__all__ = [
    "PageContext",
    "auth_configured",
    "auth_section",
    "current_actor",
    "demo_database",
    "demo_mode",
    "engine",
    "gettext",
    "language",
    "page",
    "read_session",
    "settings",
    "show_error",
    "startup_schedule_run",
    "write_session",
]


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    """The engine, after the start-up work (``services.startup.prepare``): one per process,
    shared with the light survey page (``ee_app.app_engine``, issue 20)."""
    return engine_for(url)


@st.cache_resource(show_spinner=False)
def _schedule_run(url: str, _made: Engine) -> StartupRun:
    """The schedules, run once per app process in the background right after start-up (the
    first page does not wait); a failure is logged and shown to HR, never fatal."""
    return schedule_run_for(url, _made, settings())


def startup_schedule_run() -> StartupRun:
    """This process's start-up run of the schedules (:func:`engine` starts it)."""
    return _schedule_run(settings().database_url, engine())


@st.cache_resource(show_spinner=False)
def _made_by_demo_load(url: str) -> bool:
    """Whether the database at ``url`` is the demo's. Cached per process: a database changes
    from real to demo only by loading the demo into an empty one, which :func:`engine` does
    before this is first asked (or by a restore, done with the app stopped)."""
    return made_by_demo_load(url, engine())


def settings() -> Settings:
    return Settings.from_env()


def auth_section() -> Mapping[str, Any] | None:
    """The ``[auth]`` section of ``.streamlit/secrets.toml``; ``None`` when there is none
    (an ``auth`` that is not a section gives an empty one: configured, but with nothing)."""
    return app_auth_section()


def auth_configured() -> bool:
    """True when ``.streamlit/secrets.toml`` names a sign-in provider."""
    return auth_section() is not None


def engine() -> Engine:
    s = settings()
    made = _engine(s.database_url)
    if loads_demo_when_empty(s, auth_section()):  # the rule ``ee-app demo load`` applies too
        from ee_app.ui.demo_start import load_demo_if_empty

        load_demo_if_empty(made, s.database_url, gettext())
    _schedule_run(s.database_url, made)
    return made


def demo_database() -> bool:
    """True when the demo loader made this database (its people and numbers are invented)."""
    return _made_by_demo_load(settings().database_url)


def demo_mode() -> bool:
    """True when the app offers demo identities instead of sign-in: no sign-in provider, not
    production, and a demo database or ``EE_DEMO=1``. Otherwise a database without a
    provider shows no page (``identity.show_sign_in_needed``)."""
    s = settings()
    if auth_configured() or s.production:
        return False
    return s.demo or demo_database()


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

    @property
    def ngettext(self) -> Ngettext:
        """``ngettext(singular, plural, n)`` in the reader's language ("1 comment")."""
        return plural_translator(self.language)

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
