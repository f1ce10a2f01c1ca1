"""The app's engine and start-up work, cached per process, without Streamlit sessions.

Both the Streamlit pages (:mod:`ee_app.ui.context`) and the light survey page
(:mod:`ee_app.light_survey`, a plain Starlette route in the same process) use this one engine
per database URL, so a process keeps one connection pool. Building it runs the start-up work
(:func:`ee_app.services.startup.prepare`). Loading the demo into an empty database stays with
the Streamlit pages (``ui.demo_start``, with its progress) and ``scripts/run``: a survey link
cannot be valid in an empty database.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from ee_app.db import make_engine, read_session

if TYPE_CHECKING:
    from ee_app.config import Settings
    from ee_app.services.schedule_runs import StartupRun

__all__ = ["auth_section", "engine_for", "made_by_demo_load", "startup_schedule_run"]

_lock = threading.Lock()
_engines: dict[str, Engine] = {}
_demo_made: dict[str, bool] = {}
_schedule_runs: dict[str, StartupRun] = {}


def engine_for(url: str) -> Engine:
    """The process's engine for ``url``, made ready on first use (under a lock, once)."""
    made = _engines.get(url)
    if made is not None:
        return made
    with _lock:
        made = _engines.get(url)
        if made is None:
            from ee_app.services.startup import prepare

            made = make_engine(url)
            prepare(made)
            _engines[url] = made
    return made


def startup_schedule_run(url: str, engine: Engine, settings: Settings) -> StartupRun:
    """The schedules, run once per process and database in the background, started by the
    first page that needs the engine (a Streamlit page or the light survey page); a failure
    is logged and shown to HR, never fatal."""
    found = _schedule_runs.get(url)
    if found is None:
        with _lock:
            found = _schedule_runs.get(url)
            if found is None:
                from ee_app.services.schedule_runs import start_in_background

                found = start_in_background(engine, settings)
                _schedule_runs[url] = found
    return found


def made_by_demo_load(url: str, engine: Engine) -> bool:
    """Whether the database at ``url`` is the demo's. Cached per process: a database changes
    from real to demo only by loading the demo into an empty one, which ``scripts/run`` or
    the first Streamlit page does (or by a restore, done with the app stopped)."""
    found = _demo_made.get(url)
    if found is None:
        from ee_app.services.demo_state import made_by_demo_load as ask

        with read_session(engine) as session:
            found = ask(session)
        _demo_made[url] = found
    return found


def auth_section() -> Mapping[str, Any] | None:
    """The ``[auth]`` section of ``.streamlit/secrets.toml``; ``None`` when there is none
    (an ``auth`` that is not a section gives an empty one: configured, but with nothing).
    Reads Streamlit's secrets, which need no session."""
    import streamlit as st
    from streamlit.errors import StreamlitSecretNotFoundError

    from ee_app.config import auth_section_of

    try:
        return auth_section_of(st.secrets)
    except StreamlitSecretNotFoundError:
        return None
    except (FileNotFoundError, ValueError):  # a secrets file that cannot be parsed
        return None
