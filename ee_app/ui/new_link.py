"""A re-issued personal link as HR sees it: who it is for, its QR code and the link itself.

Shared by the survey's and the assessment's "re-issue a link" panels, so both say and show
the same thing.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import segno
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

__all__ = ["qr_png", "show_new_link"]


def qr_png(link: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def show_new_link(
    link: str, name: str, employee_no: str, _: Callable[[str], str]
) -> DeltaGenerator:
    """Show the new link; returns the column beside the QR code, for more buttons."""
    st.success(
        _("New link for {name} ({employee}); the old one no longer works.").format(
            name=name, employee=employee_no
        ),
        icon=":material/check_circle:",
    )
    left, right = st.columns([1, 2])
    left.image(qr_png(link), width=180)
    right.code(link, language=None, wrap_lines=True)
    return right
