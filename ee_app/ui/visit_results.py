"""The results part of the mystery-shopping page: approved visits by store, section, staff
member and month, with n and 95% intervals, and each visit's detail and Excel report.

Every number comes from :mod:`ee_app.services.visit_results`; this module formats and draws.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from ee_app import charts
from ee_app.analysis.visits import score_ci
from ee_app.exports.visit_report import visit_report_xlsx
from ee_app.services.visit_results import (
    approved_visits,
    section_table,
    staff_table,
    store_table,
    trend_table,
)
from ee_app.services.visits import get_visit
from ee_app.ui.checklist_form import checklist_view
from ee_app.ui.components import XLSX_MIME
from ee_app.ui.context import PageContext
from ee_app.ui.formatting import blank, interval, plain
from ee_app.ui.service_calls import read

__all__ = ["results_section"]

VISIT_PICK = "ee_visits_result_pick"
STORE_PICK = "ee_visits_trend_store"


def _pct(value: Any) -> str:
    return "—" if blank(value) else f"{float(value):.1f}%"


def headline(visits: pd.DataFrame, _: Callable[[str], str]) -> None:
    n = len(visits)
    mean, low, high = score_ci(visits["score"].to_numpy(dtype=float))
    passed = int(visits["passed"].sum())
    critical = int(visits["critical_failed"].sum())
    cols = st.columns(4)
    cols[0].metric(_("Visits"), n)
    cols[1].metric(
        _("Mean score"),
        _pct(mean),
        help=_("95% interval: {interval}").format(interval=interval(low, high, ".1f") or "—"),
    )
    cols[2].metric(
        _("Passed"),
        f"{passed / n:.0%}",
        help=_("{passed} of {n} visits").format(passed=passed, n=n),
    )
    cols[3].metric(
        _("Critical failures"),
        critical,
        help=_("Visits failed by a critical item (一票否决项): they score 0."),
    )


def stores_part(table: pd.DataFrame, _: Callable[[str], str]) -> None:
    st.markdown("**{}**".format(_("By store")))
    data = table.assign(
        label=[f"{n} ({c})" for n, c in zip(table["store_name"], table["store_code"], strict=True)],
        share=table["mean"] / 100,
        share_low=(table["low"] / 100).clip(0, 1),
        share_high=(table["high"] / 100).clip(0, 1),
    )
    shown = data[data["n"] >= 2]
    if len(shown):
        st.altair_chart(
            charts.interval_dots(
                shown,
                label="label",
                rate="share",
                low="share_low",
                high="share_high",
                n="n",
                label_title=_("Store"),
                rate_title=_("Mean score"),
                interval_title=_("95% interval"),
            ),
            width="stretch",
        )
        st.caption(
            _(
                "Dots are mean scores, bars their 95% intervals; n is the number of visits. "
                "Stores with one visit have no interval and are only in the table."
            )
        )
    st.dataframe(
        pd.DataFrame(
            {
                _("Store"): data["label"],
                _("Region"): data["region_name"],
                _("Visits"): data["n"],
                _("Mean score"): data["mean"],
                _("95% interval"): [
                    interval(a, b, ".1f") or "—"
                    for a, b in zip(data["low"], data["high"], strict=True)
                ],
                _("Raw score"): data["raw_mean"],
                _("Passed"): data["pass_rate"] * 100,
                _("Critical failures"): data["critical"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            _("Mean score"): st.column_config.NumberColumn(format="%.1f%%"),
            _("Raw score"): st.column_config.NumberColumn(
                format="%.1f%%",
                help=_("The score before critical failures set a visit to 0."),
            ),
            _("Passed"): st.column_config.NumberColumn(format="%.0f%%"),
        },
    )


def sections_part(
    table: pd.DataFrame, section_names: dict[str, str], _: Callable[[str], str]
) -> None:
    if table.empty:
        return
    st.markdown("**{}**".format(_("By section")))
    data = table.assign(
        store=[f"{n} ({c})" for n, c in zip(table["store_name"], table["store_code"], strict=True)],
        section_name=[section_names.get(s, s) for s in table["section"]],
        hidden=False,
    )
    st.altair_chart(
        charts.theme_heatmap(
            data,
            unit="store",
            theme="section_name",
            value="mean",
            n="n",
            hidden="hidden",
            unit_title=_("Store"),
            theme_title=_("Section"),
            value_title=_("Mean score"),
            hidden_mark="",
            value_format=".0f",
            domain=(0.0, 100.0),
            themes=[section_names[s] for s in section_names if s in set(table["section"])],
        ),
        width="stretch",
    )
    st.caption(
        _(
            "Each cell is the store's mean score (%) on the section over its visits; a "
            "section that was not applicable in a visit does not count for it."
        )
    )


def trend_part(
    ctx: PageContext, template: str, start: date, end: date, stores: pd.DataFrame
) -> None:
    _ = ctx.gettext
    st.markdown("**{}**".format(_("Over time")))
    options = [None, *stores["store_id"].tolist()]
    names = dict(zip(stores["store_id"], stores["store_name"], strict=True))
    store = st.selectbox(
        _("Store"),
        options,
        format_func=lambda s: _("All stores you see") if s is None else names.get(s, s),
        key=STORE_PICK,
    )
    with ctx.read() as session:
        trend = trend_table(session, ctx.actor, start, end, template, store_id=store)
    if trend.empty:
        return
    st.altair_chart(
        charts.trend_band(
            trend.assign(hidden=False, mark=""),
            x="month",
            y="mean",
            low="low",
            high="high",
            n="n",
            hidden="hidden",
            mark="mark",
            x_title=_("Month"),
            y_title=_("Mean score"),
            low_title=_("95% interval, low"),
            high_title=_("95% interval, high"),
        ),
        width="stretch",
    )


def staff_part(table: pd.DataFrame, _: Callable[[str], str]) -> None:
    st.markdown("**{}**".format(_("By staff member who served")))
    if table.empty:
        st.caption(_("No approved visit records who served."))
        return
    st.dataframe(
        pd.DataFrame(
            {
                _("Employee number"): table["staff_no"],
                _("Name"): table["staff_name"],
                _("Store"): table["store_name"],
                _("Visits"): table["n"],
                _("Mean score"): table["mean"],
                _("95% interval"): [
                    interval(a, b, ".1f") or "—"
                    for a, b in zip(table["low"], table["high"], strict=True)
                ],
                _("Critical failures"): table["critical"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={_("Mean score"): st.column_config.NumberColumn(format="%.1f%%")},
    )
    st.caption(
        _(
            "One or two visits say little about a person: read a staff member's score "
            "with its n and interval before acting on it."
        )
    )


def visit_detail(ctx: PageContext, visits: pd.DataFrame) -> None:
    _ = ctx.gettext
    st.markdown("**{}**".format(_("Visit records")))
    labels = {
        int(r.visit_id): f"{r.visited_on} · {r.store_name} · {_pct(r.score)}"
        for r in visits.sort_values("visited_on", ascending=False).itertuples()
    }
    chosen = st.selectbox(
        _("Visit"),
        list(labels),
        format_func=labels.__getitem__,
        index=None,
        key=VISIT_PICK,
        placeholder=_("Choose a visit to see its checklist and report"),
    )
    if chosen is None:
        return
    visit = read(ctx, get_visit, chosen)
    if visit is None:
        return
    cols = st.columns(4)
    cols[0].metric(_("Score"), _pct(visit.score))
    cols[1].metric(_("Raw score"), _pct(visit.raw_score))
    cols[2].metric(_("Result"), _("Pass") if visit.passed else _("Fail"))
    cols[3].metric(_("Served by"), visit.staff_name or visit.served_by_note or "—")
    st.download_button(
        _("Visit report (Excel)"),
        data=lambda: visit_report_xlsx(visit, ctx.language),
        file_name=f"visit-{visit.id}-{visit.store_code}.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        on_click="ignore",
        key=f"ee_visit_report_{visit.id}",
    )
    checklist_view(visit, ctx.language, _)


def results_section(
    ctx: PageContext, template: str, start: date, end: date, names: dict[str, str]
) -> None:
    """Everything about the approved visits with ``template`` made between the dates."""
    _ = ctx.gettext
    with ctx.read() as session:
        visits = approved_visits(session, ctx.actor, start, end, template)
        stores = store_table(session, ctx.actor, start, end, template)
        sections = section_table(session, ctx.actor, start, end, template)
        staff = staff_table(session, ctx.actor, start, end, template)
    if visits.empty:
        st.info(
            _("No approved visits with this checklist in these months."), icon=":material/info:"
        )
        return
    headline(visits, _)
    stores_part(stores, _)
    sections_part(sections, names, _)
    trend_part(ctx, template, start, end, stores)
    staff_part(staff, _)
    visit_detail(ctx, visits)
    st.caption(plain(_("Only approved visits count.")))
