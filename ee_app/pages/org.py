"""Org and staff: the units in scope, who works in them, and (for HR) the roster import."""

import pandas as pd
import streamlit as st

from ee_app import clock
from ee_app.auth import Permission, can
from ee_app.clock import format_time
from ee_app.errors import EeError
from ee_app.exports.roster import roster_template_csv, roster_template_xlsx, staff_xlsx
from ee_app.services.org import headcounts, list_staff, list_units, staff_history
from ee_app.services.roster import import_roster, staff_contacts
from ee_app.services.training_status import onboarding_status
from ee_app.ui import context, keys
from ee_app.ui.components import XLSX_MIME, error_box, unit_option_label
from ee_app.ui.import_panel import upload_file
from ee_app.words.labels import staff_role_label

ctx = context.page()
_ = ctx.gettext
actor = ctx.actor


def staff_contacts_for_hr() -> dict[int, tuple[str | None, ...]] | None:
    """Contacts for the staff download, for HR only (managers' files have none)."""
    if not can(actor, Permission.IMPORT_ROSTER):
        return None
    with ctx.read() as session:
        return staff_contacts(session, actor)


st.title(_("Org and staff"))
with ctx.read() as session:
    units = list_units(session, actor)
    counts = headcounts(session, actor)
units_by_id = {u.id: u for u in units}

tab_names = [_("Staff"), _("Org tree")]
if can(actor, Permission.IMPORT_ROSTER):
    tab_names.append(_("Import roster"))
tabs = st.tabs(tab_names)

with tabs[0]:
    if not units:
        st.info(_("No units are in your scope yet."), icon=":material/info:")
    else:
        left, middle, right = st.columns([3, 3, 2])
        unit_id = left.selectbox(
            _("Unit"),
            [None, *(u.id for u in units)],
            format_func=lambda i: (
                _("All units in scope") if i is None else unit_option_label(units_by_id[i], _)
            ),
            key=keys.STAFF_UNIT,
        )
        search = middle.text_input(
            _("Search name or employee number"), key=keys.STAFF_SEARCH, placeholder="王 / E10001"
        )
        include_left = right.checkbox(_("Include staff who left"))
        with ctx.read() as session:
            staff = list_staff(
                session, actor, unit_id=unit_id, search=search, include_left=include_left
            )
        st.caption(_("{count} staff").format(count=len(staff)))
        onboarding = {}
        if staff and can(actor, Permission.VIEW_TRAINING):
            with ctx.read() as session:
                onboarding = onboarding_status(session, actor, [s.id for s in staff])

        def onboarded(staff_id: int) -> str:
            assigned, passed = onboarding.get(staff_id, (False, None))
            if passed is not None:
                return format_time(passed, "%Y-%m-%d")  # the local date it was passed on
            return _("not yet") if assigned else ""

        if staff:
            frame = pd.DataFrame(
                {
                    _("Employee number"): [s.employee_no for s in staff],
                    _("Name"): [s.name for s in staff],
                    _("Role"): [staff_role_label(s.role, _) for s in staff],
                    _("Store"): [f"{s.store_name} ({s.store_code})" for s in staff],
                    _("Team"): [s.unit_name if s.unit_code != s.store_code else "" for s in staff],
                    _("Hire date"): [s.hire_date for s in staff],
                    _("Leave date"): [s.leave_date for s in staff],
                    _("Onboarding passed"): [onboarded(s.id) for s in staff],
                }
            )
            st.dataframe(
                frame,
                hide_index=True,
                width="stretch",
                placeholder="—",
                column_config={
                    _("Leave date"): st.column_config.DateColumn(
                        help=_("— while the person still works here.")
                    ),
                    _("Onboarding passed"): st.column_config.TextColumn(
                        help=_(
                            "When the onboarding assessment was passed (考核通过后方可上岗); "
                            "“not yet” when assigned and not passed."
                        )
                    ),
                },
            )
            st.download_button(
                _("Download as Excel"),
                data=lambda: staff_xlsx(staff, ctx.language, staff_contacts_for_hr()),
                file_name=f"staff-{clock.today().isoformat()}.xlsx",
                mime=XLSX_MIME,
                icon=":material/download:",
                on_click="ignore",
            )
            with st.expander(_("Assignment history of one person")):
                chosen = st.selectbox(
                    _("Staff member"),
                    [s.employee_no for s in staff],
                    format_func=lambda no: next(
                        f"{s.name} ({no})" for s in staff if s.employee_no == no
                    ),
                )
                with ctx.read() as session:
                    periods = staff_history(session, actor, chosen)
                    history = pd.DataFrame(
                        {
                            _("Unit"): [f"{p.unit.name} ({p.unit.code})" for p in periods],
                            _("Role"): [staff_role_label(p.role, _) for p in periods],
                            _("From"): [p.valid_from for p in periods],
                            _("Until"): [p.valid_to for p in periods],
                        }
                    )
                st.dataframe(
                    history,
                    hide_index=True,
                    width="stretch",
                    placeholder="—",
                    column_config={
                        _("Until"): st.column_config.DateColumn(
                            help=_("— while the person still holds this place.")
                        )
                    },
                )
        else:
            st.info(_("No staff match these filters."), icon=":material/search_off:")

with tabs[1]:
    if not units:
        st.info(_("No units are in your scope yet."), icon=":material/info:")
    for unit in units:
        count = counts.get(unit.id, 0)
        suffix = _(" · {count} staff").format(count=count) if count else ""
        st.markdown(f"{'&emsp;' * max(unit.depth, 0)}{unit_option_label(unit, _).strip()}{suffix}")

if can(actor, Permission.IMPORT_ROSTER):
    with tabs[2]:
        st.write(
            _(
                "Upload the roster as .xlsx or .csv (UTF-8 or GBK), with English or Chinese "
                "headers. The whole file is checked first; if any row is wrong nothing is "
                "imported and every problem is listed with its row and column."
            )
        )
        c1, c2 = st.columns(2)
        c1.download_button(
            _("Download the Excel template"),
            data=lambda: roster_template_xlsx(units, ctx.language),
            file_name="roster-template.xlsx",
            mime=XLSX_MIME,
            icon=":material/download:",
            on_click="ignore",
        )
        c2.download_button(
            _("Download the CSV template"),
            data=lambda: roster_template_csv(units, ctx.language),
            file_name="roster-template.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
        )
        upload = upload_file(_, _("Roster file"), keys.ROSTER_UPLOAD)
        effective = st.date_input(
            _("Moves take effect on"),
            value=clock.today(),
            help=_("A changed store, team or role closes the old assignment on this day."),
        )
        if upload is not None:
            data = upload.getvalue()
            check, apply = st.columns(2)
            run_check = check.button(_("Check the file"), icon=":material/fact_check:")
            run_import = apply.button(_("Import"), type="primary", icon=":material/upload:")
            if run_check or run_import:
                bar = st.progress(0.0)

                def progress(fraction: float, label: str) -> None:
                    bar.progress(fraction, text=_(label))

                try:
                    with ctx.write() as session:
                        result = import_roster(
                            session,
                            actor,
                            data,
                            upload.name,
                            dry_run=run_check,
                            effective=effective,
                            progress=progress,
                            settings=context.settings(),
                        )
                except EeError as error:
                    bar.empty()
                    error_box(error, _)
                else:
                    summary = _(
                        "{rows} rows: {inserted} new, {updated} updated, {moved} moved, "
                        "{unchanged} unchanged."
                    ).format(
                        rows=result.rows,
                        inserted=result.inserted,
                        updated=result.updated,
                        moved=result.moved,
                        unchanged=result.unchanged,
                    )
                    if result.assessments_assigned:  # issue 19: automatic assignment
                        summary += " " + ctx.ngettext(
                            "{count} training assessment assigned to new hires.",
                            "{count} training assessments assigned to new hires.",
                            result.assessments_assigned,
                        ).format(count=result.assessments_assigned)
                    if result.dry_run:
                        st.info(
                            _("The file is valid. {summary} Nothing was written yet.").format(
                                summary=summary
                            ),
                            icon=":material/fact_check:",
                        )
                    elif result.changed:
                        st.success(
                            _("Imported. {summary}").format(summary=summary),
                            icon=":material/check_circle:",
                        )
                    else:
                        st.info(
                            _("Nothing to change: the roster is already up to date."),
                            icon=":material/check_circle:",
                        )
