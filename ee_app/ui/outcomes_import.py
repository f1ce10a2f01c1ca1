"""The Import tab of the customer outcomes page (HR): the CRM's satisfaction answers and the
POS's sales, each with its templates, upload, column mapping, check and import, and one history
of batches with undo.

The two kinds differ only in data (:data:`KINDS`); the steps are the shared ones of
:mod:`ee_app.ui.import_panel`. Every import goes through :mod:`ee_app.services.outcomes_import`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from ee_app.clock import format_time, zone_name
from ee_app.errors import N_
from ee_app.exports.outcome_templates import (
    csat_template_csv,
    csat_template_xlsx,
    sales_template_csv,
    sales_template_xlsx,
)
from ee_app.imports.columns import Column
from ee_app.imports.outcomes import CSAT_COLUMNS, SALE_COLUMNS
from ee_app.services.import_batches import BatchRow, import_history
from ee_app.services.outcomes_import import OutcomeImport, import_csat, import_sales
from ee_app.ui import context
from ee_app.ui.context import PageContext
from ee_app.ui.feedback import show_done
from ee_app.ui.formatting import plain
from ee_app.ui.import_panel import (
    file_header,
    mapping_step,
    run_import,
    template_buttons,
    undo_now,
    upload_file,
)
from ee_app.ui.service_calls import read

__all__ = ["KINDS", "import_section"]

# Session-state keys (one owner each; see ee_app.ui.keys for the convention).
KIND = "ee_outcomes_kind"
UPLOAD = "ee_outcomes_upload"  # prefix: f"{UPLOAD}_{kind}"
SCALE = "ee_outcomes_scale"
MAP = "ee_outcomes_map"  # prefix: f"{MAP}_{kind}_{field}"
MAP_FILE = "ee_outcomes_map_file"  # (kind, file id) the mapping widgets belong to
CHECK = "ee_outcomes_check"
IMPORT = "ee_outcomes_import"
UNDO_PICK = "ee_outcomes_undo_pick"
UNDO_NOW = "ee_outcomes_undo_now"
DONE = "ee_outcomes_done"  # the confirmation of an import or undo, shown after the rerun

SCALES = {0: N_("Detect from the scores"), 5: N_("1–5"), 10: N_("0–10")}


@dataclass(frozen=True)
class ImportKind:
    """What one kind of outcome file is: its words, columns, templates and service."""

    name: str
    file: str
    about: str
    columns: tuple[Column, ...]
    importer: Callable[..., OutcomeImport]
    templates: tuple[Callable[[str], bytes], Callable[[str], bytes]]
    stem: str
    scaled: bool = False  # the scores' scale can be chosen


KINDS = {
    "csat": ImportKind(
        N_("Satisfaction answers"),
        N_("Satisfaction file"),
        N_(
            "The CRM's post-service questionnaire answers: one row per answer, with the "
            "staff member who served, the store, the service date and the score (1–5 or "
            "0–10); the touchpoint and customer are optional."
        ),
        CSAT_COLUMNS,
        import_csat,
        (csat_template_xlsx, csat_template_csv),
        "satisfaction-template",
        scaled=True,
    ),
    "sales": ImportKind(
        N_("Sales"),
        N_("Sales file"),
        N_(
            "The POS's sales: one row per transaction, with the customer, the staff who "
            "served (several in one cell, separated by commas), the store, the date and "
            "the amount in CNY; the designated owner (指定客) is optional."
        ),
        SALE_COLUMNS,
        import_sales,
        (sales_template_xlsx, sales_template_csv),
        "sales-template",
    ),
}


def scale_picker(ctx: PageContext) -> int | None:
    _ = ctx.gettext
    chosen = st.segmented_control(
        _("Scale of the scores"),
        list(SCALES),
        default=0,
        format_func=lambda s: _(SCALES[s]),
        required=True,
        key=SCALE,
        help=_(
            "Used when the file has no Scale column (or a row leaves it empty). Detect: a "
            "file whose scores are all from 1 to 5 is read as 1–5, one with none from 1 to 5 "
            "as 0–10; a file with both (1–5 and a 7, say) is refused until you choose."
        ),
    )
    return int(chosen) or None


def summary(ctx: PageContext, result: OutcomeImport) -> str:
    _ = ctx.gettext
    text = _(
        "{rows} rows: {new} new, {unchanged} already imported; dates {first} to {last}."
    ).format(
        rows=result.rows,
        new=result.new,
        unchanged=result.unchanged,
        first=result.first_date,
        last=result.last_date,
    )
    if result.kind == "csat":
        if result.detected_scale:
            text += " " + _("Scores read on the {scale} scale.").format(
                scale=_(SCALES[result.detected_scale])
            )
        else:
            text += " " + _("Each row's scale is taken from the file's Scale column.")
    return text


def upload_step(ctx: PageContext, kind: str) -> None:
    _ = ctx.gettext
    spec = KINDS[kind]
    upload = upload_file(_, _(spec.file), f"{UPLOAD}_{kind}")
    scale = scale_picker(ctx) if spec.scaled else None
    if upload is None:
        return
    header = file_header(_, upload, f"{MAP_FILE}_header")
    if header is None:
        return
    mapping, ready = mapping_step(
        ctx,
        spec.columns,
        header,
        owner=(kind, upload.file_id),
        owner_key=MAP_FILE,
        prefix=f"{MAP}_{kind}",
    )
    row = st.container(horizontal=True)
    check = row.button(
        _("Check the file"), icon=":material/fact_check:", disabled=not ready, key=CHECK
    )
    apply = row.button(
        _("Import"), type="primary", icon=":material/upload:", disabled=not ready, key=IMPORT
    )
    if not (check or apply):
        return
    options: dict[str, Any] = {"dry_run": check, "mapping": dict(mapping) or None}
    if spec.scaled:
        options["scale"] = scale

    def importer(session: Any, progress: Callable[[float, str], None]) -> OutcomeImport:
        data, name = upload.getvalue(), upload.name
        return spec.importer(
            session, ctx.actor, data, name, context.settings(), progress=progress, **options
        )

    run_import(
        ctx,
        importer,
        summary=lambda result: summary(ctx, result),
        done=lambda result: _("Imported as batch {batch}. {summary}").format(
            batch=result.batch_id, summary=summary(ctx, result)
        ),
        done_key=DONE,
        # the batch to undo, if it was a mistake
        after=lambda result: {UNDO_PICK: result.batch_id},
    )


def batch_label(_: Callable[[str], str], batch: BatchRow) -> str:
    return _("Batch {batch} · {file} · {when} · {rows} rows").format(
        batch=batch.id,
        file=batch.file_name,
        when=format_time(batch.created_at),
        rows=batch.rows,
    )


def history_frame(_: Callable[[str], str], batches: Sequence[BatchRow]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            _("Batch"): [b.id for b in batches],
            _("What"): [_(KINDS[b.kind].name if b.kind in KINDS else b.kind) for b in batches],
            _("File"): [b.file_name for b in batches],
            _("Imported ({zone})").format(zone=zone_name(_)): [
                format_time(b.created_at) for b in batches
            ],
            _("By"): [b.actor for b in batches],
            _("Rows"): [b.rows for b in batches],
            _("New"): [b.inserted for b in batches],
            _("Already imported"): [b.unchanged for b in batches],
            _("Status"): [
                _("Active")
                if b.undone_at is None
                else _("Undone {when}").format(when=format_time(b.undone_at))
                for b in batches
            ],
        }
    )


def undo_control(ctx: PageContext, active: Sequence[BatchRow]) -> None:
    _ = ctx.gettext
    by_id = {b.id: b for b in active}
    if st.session_state.get(UNDO_PICK) not in by_id:
        st.session_state[UNDO_PICK] = active[0].id
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    batch = by_id[
        left.selectbox(
            _("Batch to undo"),
            list(by_id),
            format_func=lambda i: batch_label(_, by_id[i]),
            key=UNDO_PICK,
        )
    ]
    with right.popover(_("Undo"), icon=":material/undo:", width="stretch"):
        st.markdown(
            _(
                "**Undo batch {batch}?** {file}, imported {when} ({zone}): {rows} rows, "
                "{new} of them new."
            ).format(
                batch=batch.id,
                file=plain(batch.file_name),
                when=format_time(batch.created_at),
                zone=zone_name(_),
                rows=batch.rows,
                new=batch.inserted,
            )
        )
        st.caption(
            _(
                "Undo removes exactly the {new} rows this batch added, in one step; rows of "
                "other batches stay. The batch stays in the history, marked undone, and the "
                "file can be imported again later."
            ).format(new=batch.inserted)
        )
        undo_now(ctx, batch.id, key=UNDO_NOW, done_key=DONE)


def history_section(ctx: PageContext) -> None:
    _ = ctx.gettext
    st.markdown("**{}**".format(_("Import history")))
    batches = read(ctx, import_history)
    if batches is None:
        return
    if not batches:
        st.caption(_("Nothing has been imported yet."))
        return
    st.dataframe(history_frame(_, batches), hide_index=True, width="stretch")
    active = [b for b in batches if b.undone_at is None]
    if active:
        undo_control(ctx, active)


@st.fragment
def import_section(ctx: PageContext) -> None:
    """HR's imports. A fragment: choosing, uploading and checking rerun only this part, not
    the tables above; an import or undo that changes the data reruns the whole page."""
    _ = ctx.gettext
    show_done(DONE)
    if st.session_state.get(KIND) not in KINDS:
        st.session_state[KIND] = "csat"
    kind = st.segmented_control(
        _("What to import"),
        list(KINDS),
        format_func=lambda k: _(KINDS[k].name),
        required=True,
        key=KIND,
    )
    spec = KINDS[kind]
    st.write(_(spec.about))
    st.caption(
        _(
            "Upload .xlsx or .csv (UTF-8 or GBK), with English or Chinese headers. The whole "
            "file is checked first; if any row is wrong nothing is imported and every problem "
            "is listed with its row and column. Rows imported before are skipped. Customer "
            "references are stored only as a keyed hash."
        )
    )
    xlsx, csv = spec.templates
    template_buttons(
        _,
        lambda: xlsx(ctx.language),
        lambda: csv(ctx.language),
        spec.stem,
        (f"{kind}_template_xlsx", f"{kind}_template_csv"),
    )
    upload_step(ctx, kind)
    history_section(ctx)
