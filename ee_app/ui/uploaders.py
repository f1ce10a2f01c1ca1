"""Streamlit's file uploader in the reader's language.

A module of its own, importing only Streamlit, because ``streamlit_app.py`` calls it on every
run: the survey page a staff member opens from a personal link must not import pandas
(issue 20).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

__all__ = ["uploaders_in_language"]


def uploaders_in_language(language: str, gettext: Callable[[str], str]) -> None:
    """Streamlit 1.67's file uploader writes its own English ("Upload", "100MB per file •
    XLSX, CSV") and has no parameter to translate it (``st.file_uploader`` takes only a label,
    help, ``max_upload_size`` and ``label_visibility``). In Chinese, hide the size line (every
    uploader's label says the limit and the file types in the reader's language) and show
    the button's word in Chinese; the dropzone's accessible name is our label already.

    The hidden ``<input type="file">`` inside stays named "file upload": react-dropzone
    writes that aria-label and Streamlit's frontend passes nothing to replace it, so only a
    script rewriting Streamlit's DOM could change it, and CSS cannot."""
    if language == "en":
        return
    word = gettext("Upload").replace("\\", "").replace('"', "")
    st.html(
        "<style>"
        '[data-testid="stFileUploaderDropzoneInstructions"]{display:none}'
        '[data-testid="stFileUploaderDropzone"] button p{font-size:0}'
        f'[data-testid="stFileUploaderDropzone"] button p::after{{content:"{word}";'
        "font-size:1rem}"
        "</style>"
    )
