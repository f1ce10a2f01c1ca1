"""Confirmations that survive the rerun following an action."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ee_app.errors import EeError
from ee_app.ui.components import error_box

__all__ = ["flash", "show_done", "show_flash"]


def flash(key: str, message: str) -> None:
    """Confirm an action after the rerun that follows it (shown as a toast: the reader is
    usually far down the page, next to what they changed)."""
    st.session_state[key] = message


def show_done(key: str) -> None:
    """The confirmation of an action (an import, a save, an undo), put in ``key`` before the
    rerun that follows it, shown at the top of what it changed."""
    message = st.session_state.pop(key, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def show_flash(key: str, error_key: str, gettext: Callable[[str], str]) -> None:
    """Show the last confirmation, or the error a widget callback kept."""
    message = st.session_state.pop(key, None)
    if message:
        st.toast(message, icon=":material/check_circle:")
    error = st.session_state.pop(error_key, None)
    if isinstance(error, EeError):
        error_box(error, gettext)
