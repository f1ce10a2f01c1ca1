"""The comments of one unit on the engagement results page: shown only for groups with at
least k_c respondents, in a stable random order, without dates; HR tags them and downloads
them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from ee_app.auth import Permission, can
from ee_app.errors import EeError
from ee_app.instruments.pulse import THEMES
from ee_app.services.audit import record_download
from ee_app.services.comments import (
    Comment,
    comments_of_unit,
    set_comment_tags,
    theme_counts,
    wave_comments,
)
from ee_app.services.waves import WaveRow
from ee_app.ui import keys
from ee_app.ui.components import XLSX_MIME
from ee_app.ui.context import PageContext
from ee_app.words.labels import theme_label

__all__ = ["comments_section"]


def stable_order(wave: WaveRow, unit_code: str, found: list[Comment]) -> list[Comment]:
    """The comments in the random order they were first shown in this session, so that the
    tag editor's rows stay put between reruns (a new session draws a new order)."""
    orders = st.session_state.setdefault(keys.RESULTS_COMMENT_ORDER, {})
    ids = orders.setdefault((wave.code, unit_code), [c.id for c in found])
    place = {c: i for i, c in enumerate(ids)}
    return sorted(found, key=lambda c: place.get(c.id, len(place)))


def chosen(value: Any) -> list[str]:
    """The themes of one edited cell: a list (or array) of theme keys, or nothing."""
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(t) for t in value]


def save_tags(
    ctx: PageContext, wave_code: str, ids: list[str], edited: pd.DataFrame, column: str
) -> None:
    actor = ctx.actor
    tags = {i: chosen(themes) for i, themes in zip(ids, edited[column], strict=True)}
    try:
        with ctx.write() as session:
            changed = set_comment_tags(session, actor, wave_code, tags)
    except EeError as error:
        st.session_state[keys.RESULTS_ERROR] = error
        return
    st.session_state[keys.RESULTS_FLASH] = ctx.ngettext(
        "Tags saved for {count} comment.", "Tags saved for {count} comments.", changed
    ).format(count=changed)


def tag_editor(ctx: PageContext, wave: WaveRow, found: list[Comment]) -> None:
    """HR tags comments with themes (one or more of the 12) and saves them together."""
    _ = ctx.gettext
    comment, themes = _("Comment"), _("Themes")
    frame = pd.DataFrame(
        {comment: [c.text for c in found], themes: [list(c.themes) for c in found]}
    )
    with st.form(keys.RESULTS_COMMENT_TAGS, border=False):
        edited = st.data_editor(
            frame,
            key=keys.RESULTS_COMMENT_EDITOR,
            hide_index=True,
            width="stretch",
            disabled=[comment],
            column_config={
                comment: st.column_config.TextColumn(width="large"),
                themes: st.column_config.MultiselectColumn(
                    options=list(THEMES), format_func=lambda t: theme_label(t, _), width="medium"
                ),
            },
        )
        if st.form_submit_button(_("Save tags"), icon=":material/sell:"):
            save_tags(ctx, wave.code, [c.id for c in found], edited, themes)
            st.rerun()


def theme_count_line(ctx: PageContext, found: list[Comment]) -> str:
    _ = ctx.gettext
    counts = theme_counts(found)
    return " · ".join(
        ctx.ngettext("{theme}: {count} comment", "{theme}: {count} comments", n).format(
            theme=theme_label(t, _), count=n
        )
        for t, n in counts.items()
    )


def comment_downloads(ctx: PageContext, wave: WaveRow) -> None:
    """The whole wave's comments as files (HR only), built when downloaded."""
    _ = ctx.gettext
    actor = ctx.actor

    def make(kind: str) -> Callable[[], bytes]:
        def build() -> bytes:
            from ee_app.exports.comments import comments_csv, comments_xlsx

            with ctx.write() as session:  # every download is logged (ee_app.services.audit)
                found = wave_comments(session, actor, wave.code)
                record_download(session, actor, "comments", wave.code, rows=len(found), format=kind)
            writer = comments_xlsx if kind == "xlsx" else comments_csv
            return writer(found, ctx.language)

        return build

    row = st.container(horizontal=True)
    row.download_button(
        _("All comments (Excel)"),
        data=make("xlsx"),
        file_name=f"comments-{wave.code}.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        on_click="ignore",
        key=keys.RESULTS_COMMENTS_XLSX,
    )
    row.download_button(
        _("All comments (CSV)"),
        data=make("csv"),
        file_name=f"comments-{wave.code}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key=keys.RESULTS_COMMENTS_CSV,
    )
    st.caption(
        _(
            "Every comment of the wave with the group it is stored with (at least {k_c} "
            "respondents) and its tags, shuffled, without dates."
        ).format(k_c=wave.k_comments)
    )


def comments_section(ctx: PageContext, wave: WaveRow, unit_code: str) -> None:
    _ = ctx.gettext
    actor = ctx.actor
    runs_surveys = can(actor, Permission.MANAGE_SURVEYS)  # HR: export and tag comments
    st.markdown("**{}**".format(_("Comments")))
    if runs_surveys:
        comment_downloads(ctx, wave)
    with ctx.read() as session:
        allowed, found = comments_of_unit(session, actor, wave.code, unit_code)
    if not allowed:
        st.info(
            _(
                "Comments are shown for groups of at least {k_c} respondents whose comments "
                "are all stored with them; see the unit above or beneath this one."
            ).format(k_c=wave.k_comments),
            icon=":material/lock:",
        )
        return
    if not found:
        st.caption(_("No comments in this wave."))
        return
    found = stable_order(wave, unit_code, found)
    st.caption(
        ctx.ngettext(
            "{count} comment, in random order and without dates.",
            "{count} comments, in random order and without dates.",
            len(found),
        ).format(count=len(found))
    )
    counts = theme_count_line(ctx, found)
    if counts:
        st.caption(counts)
    if runs_surveys:
        tag_editor(ctx, wave, found)
        return
    st.dataframe(
        pd.DataFrame(
            {
                _("Comment"): [c.text for c in found],
                _("Themes"): [[theme_label(t, _) for t in c.themes] for c in found],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            _("Comment"): st.column_config.TextColumn(width="large"),
            _("Themes"): st.column_config.ListColumn(width="medium"),
        },
    )
