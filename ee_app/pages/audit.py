"""The audit log as a tool: who did what, when (local time), to which object, in plain words;
filters for who, what, when and the object; "showing N of M" with pages; and an export of the
filtered log to Excel or CSV, itself logged. It never holds survey answers or who responded."""

from datetime import date

import pandas as pd
import streamlit as st

from ee_app import clock
from ee_app.errors import EeError
from ee_app.exports.audit import audit_csv, audit_header, audit_rows, audit_xlsx
from ee_app.services.audit import AuditFilter, export_entries, filter_choices, list_entries
from ee_app.ui import context, keys
from ee_app.ui.components import XLSX_MIME
from ee_app.words.audit_labels import action_label, object_text

PAGE_SIZE = 200

ctx = context.page()
_ = ctx.gettext
st.title(_("Audit log"))
st.caption(
    _(
        "Who changed or downloaded what, newest first. Survey answers and who answered are "
        "never logged."
    )
)
try:
    with ctx.read() as session:
        choices = filter_choices(session, ctx.actor)
except EeError as error:
    context.show_error(error)
    st.stop()

EVERYONE = ""
with st.expander(_("Filters"), icon=":material/filter_list:", expanded=False):
    left, right = st.columns(2)
    who = left.selectbox(
        _("Who"),
        [EVERYONE, *choices.actors],
        format_func=lambda a: a or _("Everyone"),
        key=keys.AUDIT_WHO,
    )
    actions = right.multiselect(
        _("What"),
        choices.actions,
        format_func=lambda a: action_label(a, _),
        placeholder=_("Every action"),
        key=keys.AUDIT_ACTIONS,
    )
    days = left.date_input(
        _("When (local dates, both included)"),
        value=(),
        min_value=date(2000, 1, 1),
        max_value=clock.today(),
        format="YYYY-MM-DD",
        key=keys.AUDIT_DAYS,
    )
    kinds = right.selectbox(
        _("Object"),
        [EVERYONE, *choices.object_types],
        format_func=lambda t: object_text(t, None, _) if t else _("Any object"),
        key=keys.AUDIT_OBJECT_TYPE,
    )
    object_id = right.text_input(
        _("Object number"), key=keys.AUDIT_OBJECT_ID, placeholder=_("e.g. 12")
    )

picked: tuple[date, ...] = tuple(days) if isinstance(days, list | tuple) else (days,)
filters = AuditFilter(
    who=who or None,
    actions=tuple(actions),
    since=picked[0] if picked else None,
    until=picked[-1] if picked else None,
    object_type=kinds or None,
    object_id=object_id.strip() or None,
)

try:
    with ctx.read() as session:
        total = list_entries(session, ctx.actor, filters, limit=0).total
        pages = max(1, -(-total // PAGE_SIZE))
        number = 1
        if pages > 1:
            number = int(st.number_input(_("Page"), 1, pages, 1, step=1, key=keys.AUDIT_PAGE))
        page = list_entries(
            session, ctx.actor, filters, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE
        )
except EeError as error:
    context.show_error(error)
    st.stop()

if not page.total:
    if filters == AuditFilter():
        st.info(_("Nothing has been changed yet."), icon=":material/info:")
    else:
        st.info(_("No entry matches these filters."), icon=":material/info:")
    st.stop()

first = page.offset + 1
last = page.offset + len(page.entries)
st.caption(
    ctx.ngettext(
        "Showing {first}–{last} of {count} entry.",
        "Showing {first}–{last} of {count} entries.",
        page.total,
    ).format(first=first, last=last, count=f"{page.total:,}")
)
header = audit_header(_)
rows = audit_rows(page.entries, _)
st.dataframe(pd.DataFrame(rows, columns=header), hide_index=True, width="stretch")


def export(kind: str):  # type: ignore[no-untyped-def]
    """Build the file when it is downloaded; the export is logged as it is built."""

    def make() -> bytes:
        with ctx.write() as session:
            entries = export_entries(session, ctx.actor, filters, kind)
        build = audit_xlsx if kind == "xlsx" else audit_csv
        return build(entries, ctx.language)

    return make


stamp = clock.today().isoformat()
row = st.container(horizontal=True)
row.download_button(
    _("Export (Excel)"),
    data=export("xlsx"),
    file_name=f"audit-log-{stamp}.xlsx",
    mime=XLSX_MIME,
    icon=":material/download:",
    on_click="ignore",
)
row.download_button(
    _("Export (CSV)"),
    data=export("csv"),
    file_name=f"audit-log-{stamp}.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
)
st.caption(_("The export holds every entry that matches the filters, and is itself logged."))
