"""Confirmations that survive the rerun following an action."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ee_app.errors import EeError
from ee_app.ui.components import error_box

__all__ = ["flash", "show_flash"]


def flash(key: str, message: str) -> None:
    """Confirm an action after the rerun that follows it (shown as a toast: the reader is
    usually far down the page, next to what they changed)."""
    st.session_state[key] = message


def show_flash(key: str, error_key: str, gettext: Callable[[str], str]) -> None:
    """Show the last confirmation, or the error a widget callback kept."""
    message = st.session_state.pop(key, None)
    if message:
        st.toast(message, icon=":material/check_circle:")
    error = st.session_state.pop(error_key, None)
    if isinstance(error, EeError):
        error_box(error, gettext)
