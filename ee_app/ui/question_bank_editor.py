"""The "Question banks" (题库) tab of the training page, for HR: every assessment version with
the people assigned it; a version or a blank template as Excel; a workbook uploaded, checked,
summarised against the newest version and saved on confirmation; the rules and the questions
of the newest version edited in the page, each save making a new version.

Checking and saving are done by :mod:`ee_app.imports.question_bank` and
:mod:`ee_app.services.question_banks`; this module only lays them out.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st

from ee_app.clock import format_time
from ee_app.errors import EeError
from ee_app.exports.question_bank import (
    header_text,
    option_letters,
    question_bank_template_xlsx,
    question_bank_xlsx,
    question_columns,
    question_row,
)
from ee_app.imports.question_bank import read_question_bank, read_questions
from ee_app.imports.tabular import MAX_MB, file_label
from ee_app.instruments.quiz_bank import topic_counts, with_rules
from ee_app.services.question_banks import (
    BankPreview,
    list_versions,
    preview_bank,
    save_bank,
    save_rules,
    version_definition,
)
from ee_app.ui.components import XLSX_MIME, error_box
from ee_app.ui.context import PageContext

__all__ = ["question_banks_tab"]

FLASH = "ee_bank_flash"
UPLOAD = "ee_bank_upload"
UPLOAD_KEY = "ee_bank_upload_key"
CHECKED = "ee_bank_checked"  # (file digest, key, definition, preview) of the checked workbook
VERSION = "ee_bank_version"
EDIT_KEY = "ee_bank_edit_key"
RULES_FORM = "ee_bank_rules"
QUESTIONS_FORM = "ee_bank_questions"


def _versions(ctx: PageContext) -> None:
    _ = ctx.gettext
    with ctx.read() as session:
        versions = list_versions(session, ctx.actor)
    st.dataframe(
        pd.DataFrame(
            {
                _("Assessment key"): [v.key for v in versions],
                _("Version"): [v.version for v in versions],
                _("Name"): [v.name.get(ctx.language, "") for v in versions],
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


def _upload(ctx: PageContext) -> None:
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
        _save(ctx, lambda s: save_bank(s, ctx.actor, definition, source=file_label(upload.name)))


def _save(ctx: PageContext, action) -> None:  # type: ignore[no-untyped-def]
    _ = ctx.gettext
    try:
        with ctx.write() as session:
            result = action(session)
    except EeError as error:
        error_box(error, _)
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


def _draw_frame(ctx: PageContext, definition: Mapping[str, Any], topics: Mapping[str, int]):
    _ = ctx.gettext
    draws = definition.get("draw_per_category") or {}
    return pd.DataFrame(
        {
            _("Topic"): list(topics),
            _("Questions"): list(topics.values()),
            _("Drawn per test"): [int(draws.get(t, 0)) for t in topics],
        }
    )


def _draws(ctx: PageContext, frame: pd.DataFrame) -> dict[str, int]:
    _ = ctx.gettext
    return {
        str(t): int(n)
        for t, n in zip(frame[_("Topic")], frame[_("Drawn per test")], strict=True)
        if not pd.isna(n) and int(n) > 0
    }


def _rules(ctx: PageContext, key: str, definition: Mapping[str, Any]) -> None:
    _ = ctx.gettext
    grading = {"highest": _("Best attempt"), "last": _("Last attempt")}
    with st.form(f"{RULES_FORM}_{key}", border=True):
        st.markdown("**{}**".format(_("Rules")))
        draw = st.data_editor(
            _draw_frame(ctx, definition, topic_counts(definition)),
            hide_index=True,
            disabled=[_("Topic"), _("Questions")],
            column_config={_("Drawn per test"): st.column_config.NumberColumn(min_value=0, step=1)},
            key=f"{RULES_FORM}_{key}_draw",
        )
        cols = st.columns(4)
        mark = cols[0].number_input(
            _("Pass mark (%)"),
            min_value=1,
            max_value=100,
            value=round(float(definition.get("pass_mark", 0.8)) * 100),
        )
        attempts = cols[1].number_input(
            _("Attempts"), min_value=1, max_value=20, value=int(definition.get("max_attempts", 1))
        )
        limit = cols[2].number_input(
            _("Time limit (minutes, 0 = none)"),
            min_value=0,
            max_value=600,
            value=int(definition.get("time_limit_minutes") or 0),
        )
        graded = cols[3].selectbox(
            _("Grading"),
            list(grading),
            index=list(grading).index(definition.get("grading", "highest")),
            format_func=grading.__getitem__,
        )
        sent = st.form_submit_button(_("Save the rules as a new version"), icon=":material/save:")
    if sent:
        _save(
            ctx,
            lambda s: save_rules(
                s,
                ctx.actor,
                key,
                draw_per_category=_draws(ctx, draw),
                pass_mark=float(Decimal(int(mark)) / 100),
                max_attempts=int(attempts),
                time_limit_minutes=int(limit) or None,
                grading=graded,
            ),
        )


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _questions(ctx: PageContext, key: str, definition: Mapping[str, Any]) -> None:
    _ = ctx.gettext
    letters = option_letters(definition)
    header = [header_text(c, ctx.language) for c in question_columns(letters)]
    rows = [question_row(q, letters, ctx.language) for q in definition.get("questions") or []]
    with st.form(f"{QUESTIONS_FORM}_{key}", border=True):
        st.markdown("**{}**".format(_("Questions")))
        st.caption(
            _(
                "One row per question, as in the Excel sheet: add rows at the bottom, delete a "
                "row to remove a question. A new topic needs its number in the table below."
            )
        )
        frame = st.data_editor(
            pd.DataFrame(rows, columns=header, dtype=object),
            hide_index=True,
            num_rows="dynamic",
            width="stretch",
            key=f"{QUESTIONS_FORM}_{key}_table",
        )
        draw = st.data_editor(
            _draw_frame(ctx, definition, topic_counts(definition)),
            hide_index=True,
            num_rows="dynamic",
            disabled=[_("Questions")],
            key=f"{QUESTIONS_FORM}_{key}_draw",
        )
        sent = st.form_submit_button(
            _("Save the questions as a new version"), type="primary", icon=":material/save:"
        )
    if not sent:
        return
    records = [[_cell(v) for v in record] for record in frame.itertuples(index=False)]
    try:
        questions = read_questions(header, records)
    except EeError as error:
        error_box(error, _)
        return
    draws = _draws(ctx, draw)
    new = with_rules({**definition, "questions": questions}, draw_per_category=draws or None)
    _save(ctx, lambda s: save_bank(s, ctx.actor, new))


def _edit(ctx: PageContext) -> None:
    _ = ctx.gettext
    with ctx.read() as session:
        versions = list_versions(session, ctx.actor)
    newest = {v.key: v for v in versions if v.newest}
    key = st.selectbox(
        _("Edit the newest version of"),
        list(newest),
        # The key alone: a keyed widget keeps its first labels, and the version changes.
        format_func=lambda k: f"{newest[k].name.get(ctx.language, k)} ({k})",
        key=EDIT_KEY,
    )
    if key is None:
        return
    if not newest[key].assigned:
        st.caption(
            _("Version {version}, assigned to nobody yet.").format(version=newest[key].version)
        )
    else:
        st.caption(
            ctx.ngettext(
                "Version {version} is assigned to {count} person; it stays as it is, and saving "
                "makes a new version.",
                "Version {version} is assigned to {count} people; it stays as it is, and saving "
                "makes a new version.",
                newest[key].assigned,
            ).format(version=newest[key].version, count=newest[key].assigned)
        )
    with ctx.read() as session:
        definition = version_definition(session, ctx.actor, key)
    _rules(ctx, key, definition)
    _questions(ctx, key, definition)


def question_banks_tab(ctx: PageContext) -> None:
    """The whole tab: versions and downloads, the upload, and the editors."""
    _ = ctx.gettext
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(message, icon=":material/check_circle:")
    st.caption(
        _(
            "A question bank (题库) is an assessment's questions and rules. Edit one in Excel or "
            "here; every save makes a new version, and versions already assigned never change."
        )
    )
    _versions(ctx)
    _upload(ctx)
    st.divider()
    _edit(ctx)
