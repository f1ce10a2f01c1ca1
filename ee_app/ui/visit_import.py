"""The agency-files part of the mystery-shopping page (HR): a template to download per
checklist, the upload with "check first", the import, and the history with undo.

Everything is done by :mod:`ee_app.services.visit_import` (the file is checked whole and
refused whole) and :mod:`ee_app.services.outcomes_import` (history and undo of batches).
"""

from __future__ import annotations

import streamlit as st

from ee_app.clock import format_time
from ee_app.errors import EeError
from ee_app.exports.visit_templates import visit_template_csv, visit_template_xlsx
from ee_app.imports.tabular import MAX_MB
from ee_app.services.outcomes_import import import_history, undo_batch
from ee_app.services.visit_import import KIND, VisitImport, import_visits
from ee_app.services.visits import checklist_of, list_templates
from ee_app.ui.components import XLSX_MIME, error_box
from ee_app.ui.context import PageContext
from ee_app.ui.formatting import plain

__all__ = ["import_section"]

UPLOAD = "ee_visits_upload"
TEMPLATE = "ee_visits_import_template"
UNDO_PICK = "ee_visits_undo_pick"
DONE = "ee_visits_import_done"


def _summary(result: VisitImport, _) -> str:  # type: ignore[no-untyped-def]
    return _(
        "{rows} rows, {visits} visits: {new} new, {unchanged} already imported; visits from "
        "{first} to {last}."
    ).format(
        rows=result.rows,
        visits=result.visits,
        new=result.new,
        unchanged=result.unchanged,
        first=result.first_date,
        last=result.last_date,
    )


def _templates(ctx: PageContext) -> None:
    _ = ctx.gettext
    with ctx.read() as session:
        rows = list_templates(session, ctx.actor)
    newest = {r.key: r for r in rows}
    checklists = {key: checklist_of(row) for key, row in newest.items()}
    names = {key: c.name.get(ctx.language) for key, c in checklists.items()}
    key = st.selectbox(_("Template for"), list(names), format_func=names.__getitem__, key=TEMPLATE)
    checklist = checklists[key]
    row = st.container(horizontal=True)
    row.download_button(
        _("Download the Excel template"),
        data=lambda: visit_template_xlsx(checklist, ctx.language),
        file_name=f"visits-{key}.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        on_click="ignore",
        key=f"ee_visits_template_xlsx_{key}",
    )
    row.download_button(
        _("Download the CSV template"),
        data=lambda: visit_template_csv(checklist, ctx.language),
        file_name=f"visits-{key}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key=f"ee_visits_template_csv_{key}",
    )


def _run(ctx: PageContext, upload, dry_run: bool) -> None:  # type: ignore[no-untyped-def]
    _ = ctx.gettext
    bar = st.progress(0.0)

    def progress(fraction: float, label: str) -> None:
        bar.progress(fraction, text=_(label))

    try:
        with ctx.write() as session:
            result = import_visits(
                session,
                ctx.actor,
                upload.getvalue(),
                upload.name,
                dry_run=dry_run,
                progress=progress,
            )
    except EeError as error:
        bar.empty()
        error_box(error, _)
        return
    bar.empty()
    for warning in result.warnings:
        st.warning(warning.render(_), icon=":material/warning:")
    if result.dry_run:
        st.info(
            _("The file is valid. {summary} Nothing was written yet.").format(
                summary=_summary(result, _)
            ),
            icon=":material/fact_check:",
        )
    elif not result.new:
        st.info(
            _("Nothing new: every row of this file was imported before. {summary}").format(
                summary=_summary(result, _)
            ),
            icon=":material/check_circle:",
        )
    else:
        st.session_state[DONE] = _(
            "Imported as batch {batch}: the visits wait for your review. {summary}"
        ).format(batch=result.batch_id, summary=_summary(result, _))
        st.rerun()


def _history(ctx: PageContext) -> None:
    _ = ctx.gettext
    with ctx.read() as session:
        batches = import_history(session, ctx.actor, kinds=[KIND])
    st.markdown("**{}**".format(_("Import history")))
    if not batches:
        st.caption(_("Nothing has been imported yet."))
        return
    for batch in batches:
        status = (
            _("Active")
            if batch.undone_at is None
            else _("Undone {when}").format(when=format_time(batch.undone_at))
        )
        st.caption(
            f"{batch.id} · {plain(batch.file_name)} · {format_time(batch.created_at)} · "
            + _("{rows} rows, {new} new").format(rows=batch.rows, new=batch.inserted)
            + f" · {status}"
        )
    active = {b.id: b for b in batches if b.undone_at is None}
    if not active:
        return
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    chosen = left.selectbox(
        _("Batch to undo"),
        list(active),
        format_func=lambda i: f"{i} · {active[i].file_name}",
        key=UNDO_PICK,
    )
    with right.popover(_("Undo"), icon=":material/undo:", width="stretch"):
        st.markdown(
            _(
                "Undo batch {batch}? Its visits are removed; a batch with an approved visit "
                "cannot be undone."
            ).format(batch=chosen)
        )
        if st.button(_("Yes, undo it"), type="primary", key="ee_visits_undo_now"):
            try:
                with ctx.write() as session:
                    undo_batch(session, ctx.actor, chosen)
            except EeError as error:
                error_box(error, _)
                return
            st.session_state[DONE] = _("Batch {batch} was undone: its rows were removed.").format(
                batch=chosen
            )
            st.rerun()


@st.fragment
def import_section(ctx: PageContext) -> None:
    """Agency files: checked whole, imported as visits waiting for review, undoable."""
    _ = ctx.gettext
    message = st.session_state.pop(DONE, None)
    if message:
        st.success(message, icon=":material/check_circle:")
    st.write(
        _(
            "Agencies that deliver their visits as Excel: one row per answered item, with the "
            "agency's visit id, the store, the visit date and the checklist. Imported visits "
            "wait for review like a shopper's."
        )
    )
    _templates(ctx)
    upload = st.file_uploader(
        _("{file} (.xlsx or .csv, at most {limit} MB)").format(file=_("Agency file"), limit=MAX_MB),
        type=["xlsx", "csv"],
        max_upload_size=MAX_MB,
        key=UPLOAD,
    )
    if upload is not None:
        row = st.container(horizontal=True)
        if row.button(_("Check the file"), icon=":material/fact_check:", key="ee_visits_check"):
            _run(ctx, upload, dry_run=True)
        if row.button(_("Import"), type="primary", icon=":material/upload:", key="ee_visits_go"):
            _run(ctx, upload, dry_run=False)
    _history(ctx)
