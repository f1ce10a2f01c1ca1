"""The Excel half of the "Question banks" (题库) tab: every assessment version with the people
assigned it, a version or a blank template to download, and a workbook uploaded, checked,
summarised against the newest version (questions per topic, what changed) and saved on
confirmation. :mod:`ee_app.ui.question_bank_editor` holds the in-page editors and the tab.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from ee_app.clock import format_time
from ee_app.errors import EeError
from ee_app.exports.question_bank import question_bank_template_xlsx, question_bank_xlsx
from ee_app.imports.question_bank import read_question_bank
from ee_app.imports.tabular import MAX_MB, file_label
from ee_app.services.question_banks import (
    BankPreview,
    list_versions,
    preview_bank,
    save_bank,
    version_definition,
)
from ee_app.ui.components import XLSX_MIME, error_box
from ee_app.ui.context import PageContext
from ee_app.ui.service_calls import write

__all__ = ["FLASH", "save_and_rerun", "upload_section", "versions_section"]

FLASH = "ee_bank_flash"
UPLOAD = "ee_bank_upload"
UPLOAD_KEY = "ee_bank_upload_key"
CHECKED = "ee_bank_checked"  # (file digest, key, definition, preview) of the checked workbook
VERSION = "ee_bank_version"


def versions_section(ctx: PageContext) -> None:
    _ = ctx.gettext
    with ctx.read() as session:
        versions = list_versions(session, ctx.actor)
    st.dataframe(
        pd.DataFrame(
            {
                _("Assessment key"): [v.key for v in versions],
                _("Version"): [v.version for v in versions],
                _("Assessment name"): [v.name.get(ctx.language, "") for v in versions],
                _("Questions"): [v.questions for v in versions],
                _("Topics"): [", ".join(f"{t} {n}" for t, n in v.topics.items()) for v in versions],
                _("Assigned"): [
                    ctx.ngettext("{count} person", "{count} people", v.assigned).format(
                        count=v.assigned
                    )
                    for v in versions
                ],
                _("Saved"): [format_time(v.created_at) for v in versions],
                _("By"): [v.created_by for v in versions],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(
        _("Newest versions: {list}").format(
            list="; ".join(
                ctx.ngettext(
                    "{name} v{version}, {count} question",
                    "{name} v{version}, {count} questions",
                    v.questions,
                ).format(name=v.name.get(ctx.language, v.key), version=v.version, count=v.questions)
                for v in versions
                if v.newest
            )
        )
    )
    labels = {
        (v.key, v.version): f"{v.name.get(ctx.language, v.key)} · v{v.version}" for v in versions
    }
    row = st.columns([3, 1, 1], vertical_alignment="bottom")
    chosen = row[0].selectbox(
        _("Version"), list(labels), format_func=labels.__getitem__, key=VERSION
    )
    key, number = chosen

    def workbook() -> bytes:
        with ctx.read() as session:
            definition = version_definition(session, ctx.actor, key, number)
        return question_bank_xlsx(definition, ctx.language)

    row[1].download_button(
        _("Download as Excel"),
        data=workbook,
        file_name=f"question-bank-{key}-v{number}.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        on_click="ignore",
        key="ee_bank_download",
    )
    row[2].download_button(
        _("Blank template"),
        data=lambda: question_bank_template_xlsx(ctx.language),
        file_name="question-bank-template.xlsx",
        mime=XLSX_MIME,
        icon=":material/note_add:",
        on_click="ignore",
        key="ee_bank_template",
    )


def _summary(ctx: PageContext, preview: BankPreview) -> None:
    _ = ctx.gettext
    total = sum(preview.topics.values())
    if preview.new_key:
        st.info(
            _("A new assessment “{key}”: it will be saved as version 1.").format(key=preview.key),
            icon=":material/fiber_new:",
        )
    elif preview.unchanged:
        st.info(
            _("No change: version {version} of “{key}” already holds this question bank.").format(
                version=preview.base_version, key=preview.key
            ),
            icon=":material/check_circle:",
        )
    else:
        st.info(
            _("It will be saved as version {version} of “{key}”.").format(
                version=preview.version, key=preview.key
            ),
            icon=":material/new_releases:",
        )
    st.markdown(
        ctx.ngettext("**{count} question**", "**{count} questions**", total).format(count=total)
    )
    st.dataframe(
        pd.DataFrame(
            {
                _("Topic"): list(preview.topics),
                _("Questions"): list(preview.topics.values()),
                _("Drawn per test"): [preview.draws.get(t, "") for t in preview.topics],
            }
        ),
        hide_index=True,
    )
    changes = preview.changes
    if changes is None or not changes.any:
        return
    lines = []
    for ids, template in (
        (changes.added, _("Added questions: {ids}")),
        (changes.removed, _("Removed questions: {ids}")),
        (changes.changed, _("Changed questions: {ids}")),
    ):
        if ids:
            lines.append(template.format(ids=", ".join(ids)))
    names = {
        "draw": _("questions per test"),
        "draw_per_category": _("questions drawn per topic"),
        "pass_mark": _("pass mark"),
        "max_attempts": _("attempts"),
        "time_limit_minutes": _("time limit"),
        "grading": _("grading"),
        "name": _("name"),
        "description": _("description"),
    }
    changed = [names[k] for k in (*changes.rules, *changes.texts)]
    if changed:
        lines.append(_("Changed settings: {names}").format(names=", ".join(changed)))
    st.markdown(
        "**{}**\n\n".format(
            _("Changes against version {version}").format(version=preview.base_version)
        )
        + "\n".join(f"- {line}" for line in lines)
    )


def upload_section(ctx: PageContext) -> None:
    _ = ctx.gettext
    st.markdown("**{}**".format(_("Import a workbook")))
    upload = st.file_uploader(
        _("{file} (.xlsx, at most {limit} MB)").format(file=_("Question bank"), limit=MAX_MB),
        type=["xlsx"],
        max_upload_size=MAX_MB,
        key=UPLOAD,
    )
    key = st.text_input(
        _("Save as assessment key (optional)"),
        key=UPLOAD_KEY,
        help=_("Leave empty to use the key in the Settings sheet, e.g. onboarding."),
    ).strip()
    if upload is None:
        st.session_state.pop(CHECKED, None)
        return
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    if st.button(_("Check the workbook"), icon=":material/fact_check:", key="ee_bank_check"):
        try:
            definition = read_question_bank(data, key=key or None)
            with ctx.read() as session:
                preview = preview_bank(session, ctx.actor, definition)
        except EeError as error:
            st.session_state.pop(CHECKED, None)
            error_box(error, _)
            return
        st.session_state[CHECKED] = (digest, key, definition, preview)
    checked = st.session_state.get(CHECKED)
    if not checked or checked[:2] != (digest, key):
        return
    _digest, _key, definition, preview = checked
    _summary(ctx, preview)
    if preview.unchanged:
        return
    if st.button(
        _("Save as version {version}").format(version=preview.version),
        type="primary",
        icon=":material/save:",
        key="ee_bank_save",
    ):
        save_and_rerun(ctx, save_bank, definition, source=file_label(upload.name))


def save_and_rerun(ctx: PageContext, call: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Save a question bank's new version with ``call(session, actor, *args, **kwargs)``, then
    confirm it after the rerun (or show why not, and stay)."""
    _ = ctx.gettext
    result = write(ctx, call, *args, **kwargs)
    if result is None:
        return
    st.session_state.pop(CHECKED, None)
    st.session_state[FLASH] = (
        _("Saved version {version} of “{key}”.").format(version=result.version, key=result.key)
        if result.created
        else _("No change: version {version} of “{key}” already holds this.").format(
            version=result.version, key=result.key
        )
    )
    st.rerun()
