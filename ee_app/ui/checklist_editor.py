"""The Checklists tab of the mystery-shopping page (HR): every version with how many visits
use it, an editor that starts from a version or from blank, a preview of the shopper's phone
form, and the Excel round trip (download, edit, upload, confirm).

The editor's tables are the workbook's sheets (:mod:`ee_app.instruments.checklist_tables`):
what is checked and saved is the same whichever way HR works. Saving always makes a new
version (:mod:`ee_app.services.checklist_templates`); versions are never edited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from ee_app.clock import format_time
from ee_app.errors import N_, EeError, ValidationError
from ee_app.exports.checklist_workbook import blank_definition, checklist_workbook
from ee_app.imports.checklist_workbook import read_checklist_workbook
from ee_app.imports.tabular import MAX_MB
from ee_app.instruments.checklist import validate
from ee_app.services.checklist_templates import (
    Changes,
    changes,
    list_versions,
    newest_definition,
    save_checklist,
    version_definition,
)
from ee_app.ui.checklist_preview import checklist_preview
from ee_app.ui.checklist_sheets import definition_of, head_fields, sheet_editors
from ee_app.ui.components import XLSX_MIME, error_box
from ee_app.ui.context import PageContext
from ee_app.ui.feedback import show_done
from ee_app.ui.formatting import plain
from ee_app.ui.service_calls import write

__all__ = ["changes_lines", "checklists_section"]

Gettext = Callable[[str], str]
# Session-state keys of the tab.
EDIT = "ee_ck_edit"  # {"gen": n, "definition": the definition the editor started from}
START = "ee_ck_start"
FLASH = "ee_ck_flash"
UPLOAD_GEN = "ee_ck_upload_gen"
BLANK = 0  # the start choice "blank checklist"


def _start(definition: dict[str, Any]) -> None:
    gen = st.session_state.get(EDIT, {}).get("gen", 0) + 1
    st.session_state[EDIT] = {"gen": gen, "definition": definition}


def _versions(ctx: PageContext) -> dict[int, str]:
    _ = ctx.gettext
    with ctx.read() as session:
        rows = list_versions(session, ctx.actor)
    st.dataframe(
        pd.DataFrame(
            {
                _("Checklist"): [r.name.get(ctx.language) for r in rows],
                _("Checklist key"): [r.key for r in rows],
                _("Version"): [r.version for r in rows],
                _("Saved"): [format_time(r.created_at) for r in rows],
                _("By"): [r.created_by for r in rows],
                _("Visits using it"): [r.visits for r in rows],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    return {r.id: f"{r.name.get(ctx.language)} ({r.key} v{r.version})" for r in reversed(rows)}


def changes_lines(change: Changes, _: Gettext) -> str:
    """What saving would do, as Markdown bullets."""
    if change.base_version is None:
        return "- " + _("A new checklist “{key}”, version 1.").format(key=change.key)
    if change.none:
        return "- " + _("No change: this is version {version} of “{key}” as saved.").format(
            version=change.base_version, key=change.key
        )
    lines = [
        _("A new version {version} of “{key}”.").format(
            version=change.base_version + 1, key=change.key
        )
    ]
    parts = (
        (change.sections_added, _("Sections added: {ids}")),
        (change.sections_removed, _("Sections removed: {ids}")),
        (change.items_added, _("Items added: {ids}")),
        (change.items_removed, _("Items removed: {ids}")),
        (change.items_changed, _("Items changed: {ids}")),
    )
    lines += [text.format(ids=", ".join(ids)) for ids, text in parts if ids]
    if change.head_changed:
        lines.append(_("Name, description, pass mark, section weights or order changed."))
    return "\n".join("- " + plain(line) for line in lines)


def _show_problems(problems: list, _: Gettext) -> None:  # type: ignore[type-arg]
    error_box(ValidationError(N_("The checklist has problems; nothing was saved."), problems), _)


def _save(ctx: PageContext, definition: dict[str, Any], upload: bool = False) -> None:
    _ = ctx.gettext
    saved = write(ctx, save_checklist, definition)
    if saved is None:
        return
    if saved.unchanged:
        st.session_state[FLASH] = _(
            "No change: this is version {version} of “{key}” as already saved."
        ).format(version=saved.version, key=saved.key)
    else:
        st.session_state[FLASH] = _(
            "Saved “{key}” version {version}. Schedule visits with it on the Schedule tab."
        ).format(version=saved.version, key=saved.key)
    if upload:
        st.session_state[UPLOAD_GEN] = st.session_state.get(UPLOAD_GEN, 0) + 1
    st.rerun()


def _summary(ctx: PageContext, definition: dict[str, Any]) -> Changes:
    with ctx.read() as session:
        old = newest_definition(session, ctx.actor, str(definition.get("key", "")))
    return changes(old, definition)


def _excel(ctx: PageContext, start: dict[str, Any]) -> None:
    _ = ctx.gettext
    st.markdown("**{}**".format(_("Excel")))
    st.caption(
        _(
            "Download a checklist, edit its sheets in Excel (the “How to fill” sheet explains "
            "them) and upload it: you see every problem, or what changes, before saving."
        )
    )
    row = st.container(horizontal=True)
    row.download_button(
        _("Download this checklist as Excel"),
        data=lambda: checklist_workbook(start),
        file_name=f"checklist-{start.get('key') or 'new'}.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        on_click="ignore",
        key="ee_ck_download",
    )
    row.download_button(
        _("Download a blank template"),
        data=lambda: checklist_workbook(blank_definition()),
        file_name="checklist-blank.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        on_click="ignore",
        key="ee_ck_download_blank",
    )
    upload = st.file_uploader(
        _("{file} (.xlsx, at most {limit} MB)").format(
            file=_("Edited checklist workbook"), limit=MAX_MB
        ),
        type=["xlsx"],
        max_upload_size=MAX_MB,
        key=f"ee_ck_upload_{st.session_state.get(UPLOAD_GEN, 0)}",
    )
    if upload is None:
        return
    try:
        definition = read_checklist_workbook(upload.getvalue())
    except EeError as error:
        error_box(error, _)
        return
    change = _summary(ctx, definition)
    st.markdown(changes_lines(change, _))
    if change.none:
        return
    row = st.container(horizontal=True)
    if row.button(
        _("Save as new version"), type="primary", icon=":material/save:", key="ee_ck_up_save"
    ):
        _save(ctx, definition, upload=True)
    if row.button(_("Open in the editor"), icon=":material/edit:", key="ee_ck_up_open"):
        _start(definition)
        st.rerun()


def checklists_section(ctx: PageContext) -> None:
    """The whole tab."""
    _ = ctx.gettext
    show_done(FLASH)
    st.write(
        _(
            "Make your own checklist, or a new version of one. A version that visits use is "
            "never changed: saving always makes a new version, and visits already scheduled "
            "keep theirs."
        )
    )
    choices = {BLANK: _("Blank checklist")} | _versions(ctx)
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    chosen = left.selectbox(
        _("Start from"), list(choices), format_func=choices.__getitem__, key=START
    )
    if right.button(_("Start"), icon=":material/edit:", key="ee_ck_start_now") or (
        EDIT not in st.session_state
    ):
        if chosen == BLANK:
            _start(blank_definition())
        else:
            with ctx.read() as session:
                _start(version_definition(session, ctx.actor, chosen))
    state = st.session_state[EDIT]
    gen, start = state["gen"], state["definition"]
    head = head_fields(gen, start, ctx.language, _)
    frames = sheet_editors(gen, start, ctx.language, _)
    definition, problems = definition_of(head, frames, ctx.language)
    row = st.container(horizontal=True)
    check = row.button(_("Check"), icon=":material/fact_check:", key="ee_ck_check")
    save = row.button(
        _("Save as new version"), type="primary", icon=":material/save:", key="ee_ck_save"
    )
    if check or save:
        if problems:
            _show_problems(problems, _)
        elif save:
            _save(ctx, definition)
        else:
            st.success(_("No problems found."), icon=":material/check_circle:")
            st.markdown(changes_lines(_summary(ctx, definition), _))
    if st.toggle(_("Preview the shopper's phone form"), key="ee_ck_preview_on"):
        if problems:
            st.caption(_("The preview shows once the checklist has no problems."))
        else:
            checklist_preview(validate(definition), ctx.language, _)
    st.divider()
    # What is on screen when it is valid (so the download carries the edits), else the start.
    _excel(ctx, start if problems else definition)
