"""Showing a visit's evidence file: a photo as a small picture, a PDF as a download.

A photo is drawn from a preview decoded under the same pixel limit as an upload
(:func:`ee_app.imports.images.preview`), never from the stored bytes directly: a file stored
before uploads were checked, damaged or a decompression bomb, shows a placeholder and a
message, and the rest of the page draws as usual.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ee_app.imports.images import PHOTO_FORMATS, preview
from ee_app.ui.formatting import plain

__all__ = ["evidence_file"]

Gettext = Callable[[str], str]


@st.cache_data(max_entries=256, show_spinner=False)
def _preview(data: bytes, mime: str) -> bytes | None:
    # Keyed by the bytes: a stored file never changes, and each rerun of the review page
    # would otherwise decode every photo again.
    return preview(data, mime)


def evidence_file(name: str, mime: str, data: bytes, _: Gettext, *, key: str) -> None:
    """Draw one evidence file of a visit (``key`` for its download button)."""
    if mime in PHOTO_FORMATS:
        picture = _preview(data, mime)
        if picture is None:
            st.warning(
                _(
                    "“{file}” cannot be shown: the stored photo is damaged or too large. Ask "
                    "the shopper for another photo if it matters for the review."
                ).format(file=plain(name)),
                icon=":material/broken_image:",
            )
        else:
            st.image(picture, caption=name, width=320)
        return
    st.download_button(
        name,
        data=data,
        file_name=name,
        mime=mime,
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        key=key,
    )
