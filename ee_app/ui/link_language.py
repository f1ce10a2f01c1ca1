"""The language switch of the pages a staff member opens from a personal link (the survey, an
assessment): there is no sign-in and no sidebar, so 中文 | English sits at the top of the page.

Imports only Streamlit: the survey page must not load pandas on a phone (issue 20).
"""

from __future__ import annotations

import streamlit as st

__all__ = ["language_switch"]

NAMES = {"zh-CN": "中文", "en": "English"}


def language_switch(key: str) -> None:
    """The switch, its choice kept in ``key`` (which the page seeds with its first language)."""
    st.segmented_control(
        "Language / 语言",
        list(NAMES),
        format_func=NAMES.__getitem__,
        key=key,
        label_visibility="collapsed",
        required=True,  # a second tap on the chosen language must not leave none chosen
    )
