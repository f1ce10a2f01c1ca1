"""The pieces every file import on the pages shares: template downloads, the upload, pointing
unrecognised headers at fields, "check the file" and "import" run the same way, the
confirmation that survives the rerun, and undoing a batch.

The outcome imports (satisfaction answers, sales) and the agency visit files all import the
same way: the service checks the whole file and refuses it whole, a dry run says what would
happen, a real run makes one batch that can be undone. What differs between them (the
service to call, the words of the summary, the keys) is handed in, so that each page keeps
its own widget keys and texts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st

from ee_app.errors import EeError
from ee_app.imports.columns import Column, map_columns
from ee_app.imports.tabular import MAX_MB, read_frame
from ee_app.services.import_batches import undo_batch
from ee_app.ui.components import XLSX_MIME, error_box
from ee_app.ui.context import PageContext
from ee_app.ui.service_calls import write

__all__ = [
    "file_header",
    "mapping_step",
    "run_import",
    "template_buttons",
    "undo_now",
    "upload_file",
]

Gettext = Callable[[str], str]


def template_buttons(
    _: Gettext,
    xlsx: Callable[[], bytes],
    csv: Callable[[], bytes],
    stem: str,
    keys: tuple[str, str],
) -> None:
    """The Excel and CSV templates, side by side; built only when pressed."""
    row = st.container(horizontal=True)
    row.download_button(
        _("Download the Excel template"),
        data=xlsx,
        file_name=f"{stem}.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        on_click="ignore",
        key=keys[0],
    )
    row.download_button(
        _("Download the CSV template"),
        data=csv,
        file_name=f"{stem}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key=keys[1],
    )


def upload_file(_: Gettext, file: str, key: str) -> Any:
    """The uploader of an .xlsx or .csv file; ``file`` says which (already translated)."""
    return st.file_uploader(
        _("{file} (.xlsx or .csv, at most {limit} MB)").format(file=file, limit=MAX_MB),
        type=["xlsx", "csv"],
        max_upload_size=MAX_MB,
        key=key,
    )


def file_header(_: Gettext, upload: Any, cache_key: str) -> list[str] | None:
    """The uploaded file's header (read once per file); None with the error shown."""
    cache = st.session_state.setdefault(cache_key, {})
    if upload.file_id not in cache:
        try:
            cache.clear()
            cache[upload.file_id] = read_frame(upload.getvalue(), upload.name).header
        except EeError as error:
            error_box(error, _)
            return None
    return cache[upload.file_id]


def _field_name(column: Column, language: str) -> str:
    name = column.zh if language == "zh-CN" else column.en
    return f"{name} *" if column.required else name


def mapping_step(
    ctx: PageContext,
    columns: Sequence[Column],
    header: Sequence[str],
    *,
    owner: tuple[str, str],
    owner_key: str,
    prefix: str,
) -> tuple[dict[str, str], bool]:
    """Let the reader point headers at fields when the file's columns were not all recognised.

    ``owner`` names the file the choices belong to (kept in ``owner_key``): a new file starts
    from what was recognised in it, not from the choices made for the last one. Each field's
    choice lives under ``f"{prefix}_{column.key}"``. Returns the mapping (field key → header)
    and whether the columns are now all found.
    """
    _ = ctx.gettext
    if st.session_state.get(owner_key) != owner:
        for column in columns:
            st.session_state.pop(f"{prefix}_{column.key}", None)
        st.session_state[owner_key] = owner
    positions, problems = map_columns(header, columns)
    if not problems:
        return {}, True
    st.warning(
        _(
            "Some columns of this file were not recognised. For each field, choose the "
            "column of your file that holds it (fields marked * are required)."
        ),
        icon=":material/table_chart:",
    )
    options = ["", *dict.fromkeys(h for h in header if h)]
    grid = st.columns(3)
    mapping: dict[str, str] = {}
    for position, column in enumerate(columns):
        found = header[positions[column.key]] if column.key in positions else ""
        chosen = grid[position % 3].selectbox(
            _field_name(column, ctx.language),
            options,
            index=options.index(found) if found in options else 0,
            format_func=lambda h: h or _("— not in the file —"),
            key=f"{prefix}_{column.key}",
        )
        if chosen:
            mapping[column.key] = chosen
    repeated = [h for h in dict.fromkeys(mapping.values()) if list(mapping.values()).count(h) > 1]
    if repeated:
        st.error(
            _("One column cannot hold two fields: {headers}.").format(headers=", ".join(repeated)),
            icon=":material/error:",
        )
        return mapping, False
    _positions, still = map_columns(header, columns, mapping)
    for problem in still:
        st.caption(problem.render(_))
    return mapping, not still


def run_import(
    ctx: PageContext,
    importer: Callable[[Any, Callable[[float, str], None]], Any],
    *,
    summary: Callable[[Any], str],
    done: Callable[[Any], str],
    done_key: str,
    after: Callable[[Any], Mapping[str, Any]] | None = None,
) -> None:
    """Run ``importer(session, progress)`` in one write session, with a progress bar.

    A dry run or a file with nothing new is told in place; a real import puts ``done(result)``
    in ``done_key`` (and the session-state values ``after(result)`` gives) and reruns the
    page, so that everything the import changed is drawn again.
    """
    _ = ctx.gettext
    bar = st.progress(0.0)

    def progress(fraction: float, label: str) -> None:
        bar.progress(fraction, text=_(label))

    try:
        with ctx.write() as session:
            result = importer(session, progress)
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
                summary=summary(result)
            ),
            icon=":material/fact_check:",
        )
    elif not result.new:
        st.info(
            _("Nothing new: every row of this file was imported before. {summary}").format(
                summary=summary(result)
            ),
            icon=":material/check_circle:",
        )
    else:
        st.session_state[done_key] = done(result)
        if after is not None:
            st.session_state.update(after(result))
        st.rerun()


def undo_now(ctx: PageContext, batch_id: int, *, key: str, done_key: str) -> None:
    """The "Yes, undo it" button of an undo popover: undoes the batch and reruns the page."""
    _ = ctx.gettext
    if st.button(_("Yes, undo it"), type="primary", key=key):
        undone = write(ctx, undo_batch, batch_id)
        if undone is None:
            return
        st.session_state[done_key] = _("Batch {batch} was undone: its rows were removed.").format(
            batch=undone.id
        )
        st.rerun()
