"""The "Question banks" (题库) tab of the training page, for HR: the versions and the Excel
upload (:mod:`ee_app.ui.question_bank_import`), then the rules and the questions of the
newest version edited in the page, each save making a new version.

Checking and saving are done by :mod:`ee_app.imports.question_bank` and
:mod:`ee_app.services.question_banks`; this module only lays them out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st

from ee_app.errors import EeError
from ee_app.exports.question_bank import (
    header_text,
    option_letters,
    question_columns,
    question_row,
)
from ee_app.imports.question_bank import read_questions
from ee_app.instruments.quiz_bank import topic_counts, with_rules
from ee_app.services.question_banks import (
    list_versions,
    save_bank,
    save_rules,
    version_definition,
)
from ee_app.ui.components import error_box
from ee_app.ui.context import PageContext
from ee_app.ui.feedback import show_done
from ee_app.ui.question_bank_import import (
    FLASH,
    save_and_rerun,
    upload_section,
    versions_section,
)

__all__ = ["question_banks_tab"]

EDIT_KEY = "ee_bank_edit_key"
RULES_FORM = "ee_bank_rules"
QUESTIONS_FORM = "ee_bank_questions"


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
        save_and_rerun(
            ctx,
            save_rules,
            key,
            draw_per_category=_draws(ctx, draw),
            pass_mark=float(Decimal(int(mark)) / 100),
            max_attempts=int(attempts),
            time_limit_minutes=int(limit) or None,
            grading=graded,
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
            placeholder="",  # an option a question does not have is blank, as in Excel
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
    save_and_rerun(ctx, save_bank, new)


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
    show_done(FLASH)
    st.caption(
        _(
            "A question bank (题库) is an assessment's questions and rules. Edit one in Excel or "
            "here; every save makes a new version, and versions already assigned never change."
        )
    )
    versions_section(ctx)
    upload_section(ctx)
    st.divider()
    _edit(ctx)
