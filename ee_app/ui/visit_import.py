"""The agency-files part of the mystery-shopping page (HR): a template to download per
checklist, the upload with "check first", the import, and the history with undo.

Everything is done by :mod:`ee_app.services.visit_import` (the file is checked whole and
refused whole) and :mod:`ee_app.services.outcomes_import` (history and undo of batches).
"""

from __future__ import annotations

import streamlit as st

from ee_app.clock import format_time
from ee_app.exports.visit_templates import visit_template_csv, visit_template_xlsx
from ee_app.services.import_batches import import_history
from ee_app.services.visit_import import KIND, VisitImport, import_visits
from ee_app.services.visits import checklist_of, list_templates
from ee_app.ui.context import PageContext
from ee_app.ui.feedback import show_done
from ee_app.ui.formatting import plain
from ee_app.ui.import_panel import run_import, template_buttons, undo_now, upload_file

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
    template_buttons(
        _,
        lambda: visit_template_xlsx(checklist, ctx.language),
        lambda: visit_template_csv(checklist, ctx.language),
        f"visits-{key}",
        (f"ee_visits_template_xlsx_{key}", f"ee_visits_template_csv_{key}"),
    )


def _run(ctx: PageContext, upload, dry_run: bool) -> None:  # type: ignore[no-untyped-def]
    _ = ctx.gettext

    def importer(session, progress):  # type: ignore[no-untyped-def]
        data, name = upload.getvalue(), upload.name
        return import_visits(session, ctx.actor, data, name, dry_run=dry_run, progress=progress)

    run_import(
        ctx,
        importer,
        summary=lambda result: _summary(result, _),
        done=lambda result: _(
            "Imported as batch {batch}: the visits wait for your review. {summary}"
        ).format(batch=result.batch_id, summary=_summary(result, _)),
        done_key=DONE,
    )


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
        undo_now(ctx, chosen, key="ee_visits_undo_now", done_key=DONE)


@st.fragment
def import_section(ctx: PageContext) -> None:
    """Agency files: checked whole, imported as visits waiting for review, undoable."""
    _ = ctx.gettext
    show_done(DONE)
    st.write(
        _(
            "Agencies that deliver their visits as Excel: one row per answered item, with the "
            "agency's visit id, the store, the visit date and the checklist. Imported visits "
            "wait for review like a shopper's."
        )
    )
    _templates(ctx)
    upload = upload_file(_, _("Agency file"), UPLOAD)
    if upload is not None:
        row = st.container(horizontal=True)
        if row.button(_("Check the file"), icon=":material/fact_check:", key="ee_visits_check"):
            _run(ctx, upload, dry_run=True)
        if row.button(_("Import"), type="primary", icon=":material/upload:", key="ee_visits_go"):
            _run(ctx, upload, dry_run=False)
    _history(ctx)
