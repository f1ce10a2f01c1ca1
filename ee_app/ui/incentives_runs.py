"""The Runs and payroll tab of the incentives page: compute a month's run, have a second
person approve it (or discard or correct it), and hand payroll the workbook.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ee_app.exports.payroll import payroll_xlsx
from ee_app.models import RunStatus
from ee_app.services.audit import record_download
from ee_app.services.incentive_approval import approve_run, discard_run
from ee_app.services.incentive_runs import create_run, list_runs, run_csat_months, run_view
from ee_app.services.incentives import list_schemes, scheme_of
from ee_app.ui.calibration import run_section
from ee_app.ui.components import XLSX_MIME, csat_window_select
from ee_app.ui.context import PageContext
from ee_app.ui.incentives_scheme import FLASH, periods
from ee_app.ui.service_calls import read, write, wrote

__all__ = ["runs_tab"]

RUN_PICK = "ee_incentives_run"
RUN_CSAT_MONTHS = "ee_incentives_csat_months"


def payroll_file(ctx: PageContext, view, language: str):  # type: ignore[no-untyped-def]
    """Build the payroll workbook when it is downloaded, and log the download."""
    actor = ctx.actor

    def make() -> bytes:
        with ctx.write() as session:
            record_download(
                session, actor, "payroll", view.run.id, rows=len(view.lines), period=view.run.period
            )
        return payroll_xlsx(view, language)

    return make


def runs_tab(ctx: PageContext) -> None:
    _ = ctx.gettext
    actor = ctx.actor
    language = ctx.language
    with ctx.read() as session:
        schemes = list_schemes(session, actor)
        runs = list_runs(session, actor)
    labels = {r.id: f"{scheme_of(r).name.get(language)} (v{r.version})" for r in schemes}
    with st.form("ee_incentives_new_run", border=True):
        st.markdown("**{}**".format(_("Run a month")))
        left, middle, right = st.columns(3)
        scheme_id = left.selectbox(_("Scheme"), list(labels)[::-1], format_func=labels.__getitem__)
        period = middle.selectbox(_("Month"), periods(ctx))
        csat_months = csat_window_select(
            right,
            _,
            key=RUN_CSAT_MONTHS,
            help=_(
                "Each person's CSAT rests on the answers of this many months, ending with the "
                "month paid; the run records it."
            ),
        )
        sent = st.form_submit_button(
            _("Compute the run"), type="primary", icon=":material/calculate:"
        )
    if sent:
        with st.spinner(_("Computing the run for {period}…").format(period=period)):
            run = write(ctx, create_run, scheme_id, period, csat_months=int(csat_months))
        if run is not None:
            st.session_state[FLASH] = _(
                "Run {run} computed: a second person must approve it."
            ).format(run=run.id)
            st.session_state[RUN_PICK] = run.id
            st.rerun()
    if not runs:
        st.info(_("No runs yet."), icon=":material/payments:")
        return
    status_names = {
        RunStatus.DRAFT: _("Waiting for approval"),
        RunStatus.APPROVED: _("Approved"),
        RunStatus.SUPERSEDED: _("Superseded"),
        RunStatus.DISCARDED: _("Discarded"),
    }
    st.dataframe(
        pd.DataFrame(
            {
                _("Run"): [r.id for r in runs],
                _("Month"): [r.period for r in runs],
                _("Status"): [status_names[r.status] for r in runs],
                _("Staff"): [r.lines for r in runs],
                _("CSAT months"): [run_csat_months(r) for r in runs],
                _("Total (CNY)"): [float(r.total) for r in runs],
                _("Prepared by"): [r.created_by for r in runs],
                _("Approved by"): [r.approved_by for r in runs],
            }
        ),
        hide_index=True,
        width="stretch",
        placeholder="",
        column_config={_("Total (CNY)"): st.column_config.NumberColumn(format="%,.2f")},
    )
    by_id = {r.id: r for r in runs if r.status is not RunStatus.DISCARDED}
    if not by_id:
        return
    if st.session_state.get(RUN_PICK) not in by_id:
        st.session_state[RUN_PICK] = next(iter(by_id))
    chosen = st.selectbox(
        _("Run"),
        list(by_id),
        format_func=lambda i: f"{i} · {by_id[i].period} · {status_names[by_id[i].status]}",
        key=RUN_PICK,
    )
    run = by_id[chosen]
    # A draft's calibration, and the approver's acknowledgement of its warnings (issue 17).
    acknowledged = run.status is RunStatus.DRAFT and run_section(ctx, run.id)
    row = st.container(horizontal=True)
    if run.status is RunStatus.DRAFT:
        mine = run.created_by == actor.email
        if row.button(
            _("Approve"),
            type="primary",
            icon=":material/verified:",
            disabled=mine or not acknowledged,
            help=_("You prepared this run: a second person must approve it.") if mine else None,
            key="ee_incentives_approve",
        ) and wrote(ctx, approve_run, run.id, acknowledge=acknowledged):
            st.session_state[FLASH] = _("Run {run} approved and locked.").format(run=run.id)
            st.rerun()
        discard = row.button(_("Discard"), icon=":material/delete:", key="ee_incentives_discard")
        if discard and wrote(ctx, discard_run, run.id):
            st.rerun()
    if run.status is RunStatus.APPROVED and row.button(
        _("Correct this run"), icon=":material/edit_note:", key="ee_incentives_correct"
    ):
        with st.spinner(_("Computing the run for {period}…").format(period=run.period)):
            fresh = write(ctx, create_run, run.scheme_id, run.period, corrects=run.id)
        if fresh is not None:
            st.session_state[FLASH] = _(
                "Run {new} corrects run {old}; once approved it replaces it."
            ).format(new=fresh.id, old=run.id)
            st.session_state[RUN_PICK] = fresh.id
            st.rerun()
    view = read(ctx, run_view, run.id)
    if view is None:
        return
    row.download_button(
        _("Payroll workbook (Excel)")
        if run.status is RunStatus.APPROVED
        else _("Draft workbook (Excel)"),
        data=payroll_file(ctx, view, language),
        file_name=f"payroll-{run.period}-run{run.id}.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        on_click="ignore",
        key="ee_incentives_download",
    )
    if run.status is not RunStatus.APPROVED:
        st.caption(
            _(
                "Until it is approved the workbook says DRAFT on its sign-off sheet: do not pay "
                "from it."
            )
        )
