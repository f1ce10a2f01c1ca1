"""Loading the demo into an empty database from the app itself, with a progress bar.

``scripts/run`` loads the demo before Streamlit starts (``ee-app demo load --if-empty
--if-demo-mode``), so its first page answers at once. Someone who runs ``streamlit run``
directly on an empty database gets the demo on the first request, as before, but sees the
loader's steps in an ``st.progress`` bar instead of a blank page. The load runs once per
process (a lock: a second session that arrives meanwhile waits with a spinner), outside any
``st.cache_resource`` function, whose elements Streamlit would replay on every page.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import streamlit as st
from sqlalchemy import Engine

from ee_app.db import read_session, write_session
from ee_app.services.demo_state import database_is_empty

__all__ = ["load_demo_if_empty"]

_lock = threading.Lock()
_checked: set[str] = set()  # database URLs found non-empty (or filled) by this process


def load_demo_if_empty(engine: Engine, url: str, gettext: Callable[[str], str]) -> None:
    """Load the demo into the database at ``url`` when it holds no org tree, showing each
    step; one query the first time per process, nothing afterwards."""
    if url in _checked:
        return
    _ = gettext
    if not _lock.acquire(blocking=False):
        with st.spinner(_("The demo chain is being loaded for the first visit…")):
            _lock.acquire()
    try:
        if url in _checked:
            return
        with read_session(engine) as session:
            empty = database_is_empty(session)
        if empty:
            _load(engine, gettext)
        _checked.add(url)
    finally:
        _lock.release()


def _load(engine: Engine, gettext: Callable[[str], str]) -> None:
    _ = gettext
    title = _("Loading the demo chain for the first visit (only once)")
    bar = st.progress(0.0, text=title)  # before the loader's imports (pandas): seconds
    from ee_app.auth import system_actor
    from ee_app.services.demo import load_demo

    def show(fraction: float, step: str) -> None:
        bar.progress(fraction, text=f"{title}: {gettext(step)}")  # a step label, N_ marked

    with write_session(engine) as session:
        load_demo(session, system_actor("demo-start"), progress=show)
    bar.empty()
