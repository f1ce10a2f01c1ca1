"""The incentives page's "Who gains, who loses": the draft scheme on a month against a
baseline HR chooses (last month's approved run as paid, this month's, or a saved scheme
version on the same month), drawn as a histogram of changes coloured by direction, the
largest gains and losses, and the totals per role and per store before and after.

Every number comes from :func:`ee_app.services.pay_compare.compare`; this module chooses
the baseline, shows the progress of the computation, formats and draws."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from ee_app.errors import N_, EeError
from ee_app.models import StaffRole
from ee_app.services.pay_compare import Baseline, Comparison, baselines, compare, previous_month
from ee_app.ui.components import error_box
from ee_app.words.labels import staff_role_label

__all__ = ["baseline_label", "bin_label", "movers_frame", "totals_frame", "who_gains_section"]

Gettext = Callable[[str], str]

BASELINE = "ee_incentives_baseline"  # session-state key of the chosen baseline

DIRECTIONS = {
    "loses": (N_("Loses"), "#c62828"),
    "same": (N_("No change"), "#9e9e9e"),
    "gains": (N_("Gains"), "#2e7d32"),
}


def _role(role: str, _: Gettext) -> str:
    try:
        return staff_role_label(StaffRole(role), _)
    except ValueError:
        return str(role)


def _cny(value: float) -> str:
    """1,250 or 12.5: whole yuan without decimals, otherwise as few as needed."""
    text = f"{abs(value):,.2f}".rstrip("0").rstrip(".")
    return ("−" if value < 0 else "") + text


def baseline_label(baseline: Baseline, language: str, _: Gettext) -> str:
    """How a baseline reads in the picker."""
    scheme = baseline.name.get(language) or next(iter(baseline.name.values()), "")
    if baseline.kind == "run":
        return _("Paid for {period}: approved run {run} ({scheme} v{version})").format(
            period=baseline.period, run=baseline.id, scheme=scheme, version=baseline.version
        )
    return _("{scheme} v{version}, computed on {period}").format(
        scheme=scheme, version=baseline.version, period=baseline.period
    )


def bin_label(row: Mapping[str, Any], _: Gettext) -> str:
    """A bar of :func:`~ee_app.analysis.pay_compare.change_bins` in words."""
    if row["direction"] == "same":
        return _("No change")
    lower, upper = float(row["lower"]), float(row["upper"])
    if row["direction"] == "gains":
        return _("+{low} to +{high}").format(low=_cny(lower), high=_cny(upper))
    return _("{low} to {high}").format(low=_cny(lower), high=_cny(upper) if upper else "0")


def movers_frame(movers: pd.DataFrame, names: bool, _: Gettext) -> pd.DataFrame:
    """The top movers with plain column names (names only when the service kept them)."""
    columns: dict[str, Any] = {_("Employee number"): movers["employee_no"]}
    if names:
        columns[_("Name")] = movers["name"]
    columns[_("Role")] = [_role(r, _) for r in movers["role"]]
    columns[_("Store")] = movers["store_name"]
    columns[_("Before (CNY)")] = movers["before"]
    columns[_("After (CNY)")] = movers["after"]
    columns[_("Change (CNY)")] = movers["change"]
    return pd.DataFrame(columns)


def totals_frame(totals: pd.DataFrame, by: str, _: Gettext) -> pd.DataFrame:
    """Totals per role or store with plain column names."""
    first = [_role(r, _) for r in totals["role"]] if by == "role" else list(totals["store_name"])
    return pd.DataFrame(
        {
            _("Role") if by == "role" else _("Store"): first,
            _("Staff before"): totals["staff_before"],
            _("Staff after"): totals["staff_after"],
            _("Before (CNY)"): totals["before"],
            _("After (CNY)"): totals["after"],
            _("Difference (CNY)"): totals["difference"],
        }
    )


def _money_columns(_: Gettext) -> dict[str, Any]:
    return {
        c: st.column_config.NumberColumn(format="%,.2f")
        for c in (
            _("Before (CNY)"),
            _("After (CNY)"),
            _("Change (CNY)"),
            _("Difference (CNY)"),
        )
    }


def _chart(result: Comparison, _: Gettext) -> alt.Chart:
    bins = result.bins.copy()
    bins["bar"] = [bin_label(row, _) for row in bins.to_dict("records")]
    bins["direction_label"] = [_(DIRECTIONS[d][0]) for d in bins["direction"]]
    domain = [_(DIRECTIONS[d][0]) for d in DIRECTIONS]
    colours = [DIRECTIONS[d][1] for d in DIRECTIONS]
    return (
        alt.Chart(bins[["bar", "staff", "direction_label"]])
        .mark_bar()
        .encode(
            x=alt.X("bar:N", sort=list(bins["bar"]), title=_("Change in monthly pay (CNY)")),
            y=alt.Y("staff:Q", title=_("Staff")),
            color=alt.Color(
                "direction_label:N",
                scale=alt.Scale(domain=domain, range=colours),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=[
                alt.Tooltip("bar:N", title=_("Change in monthly pay (CNY)")),
                alt.Tooltip("staff:Q", title=_("Staff")),
            ],
        )
        .properties(height=240)
    )


def _compute(
    ctx: Any, definition: dict[str, Any], period: str, baseline: Baseline, csat_months: int | None
) -> Comparison | None:
    _ = ctx.gettext
    with st.status(_("Simulating against the baseline…"), expanded=False) as status:
        try:
            with ctx.read() as session:
                result = compare(
                    session,
                    ctx.actor,
                    definition,
                    period,
                    baseline,
                    csat_months=csat_months,
                    progress=lambda message: status.write(_(message)),
                )
        except EeError as error:
            status.update(label=_("The simulation could not be computed."), state="error")
            error_box(error, _)
            return None
        status.update(label=_("Simulation computed."), state="complete")
    return result


def who_gains_section(
    ctx: Any, definition: dict[str, Any], period: str, *, csat_months: int | None = None
) -> None:
    """The section for a valid draft ``definition`` on ``period`` (``ctx``: the page's);
    ``csat_months`` left out: the baseline run's CSAT window for a run of the same month,
    else 3 (:func:`~ee_app.services.pay_compare.compare`)."""
    _ = ctx.gettext
    st.markdown("**{}**".format(_("Who gains, who loses")))
    with ctx.read() as session:
        options = baselines(session, ctx.actor, period)
    if not options:
        st.info(
            _(
                "Nothing to compare with yet: there is no approved run of {previous} or "
                "{period} and no saved scheme."
            ).format(previous=previous_month(period), period=period),
            icon=":material/info:",
        )
        return
    # Options by kind and id, so a choice survives a new approved run joining the list.
    by_key = {f"{b.kind}:{b.id}": b for b in options}
    labels = {key: baseline_label(b, ctx.language, _) for key, b in by_key.items()}
    choice = st.selectbox(
        _("Compare with"),
        list(labels),
        format_func=labels.__getitem__,
        key=f"{BASELINE}_{period}",
        help=_(
            "An approved run compares with what people were paid (its lines as approved); a "
            "scheme version is computed on the same month's data as this design."
        ),
    )
    baseline = by_key[choice]
    result = _compute(ctx, definition, period, baseline, csat_months)
    if result is None:
        return
    counts = result.counts
    if result.people.empty:
        st.info(_("Nobody to compare in {period}.").format(period=period), icon=":material/info:")
        return
    if result.unchanged:
        st.info(
            _(
                "Nobody's pay changes: this design pays each of the {n} staff exactly what "
                "the baseline pays. Change a weight, a target or a curve above, or compare "
                "with another baseline."
            ).format(n=counts["same"]),
            icon=":material/info:",
        )
        return
    cols = st.columns(4)
    cols[0].metric(_("Baseline total (CNY)"), f"{result.total_before:,.2f}")
    cols[1].metric(
        _("This design (CNY)"),
        f"{result.total_after:,.2f}",
        delta=f"{result.total_after - result.total_before:+,.2f}",
    )
    cols[2].metric(_("Gain"), counts["gains"])
    cols[3].metric(_("Lose"), counts["loses"])
    st.caption(
        _(
            "{same} staff are paid the same; {joined} are new since the baseline and {left} "
            "are in the baseline only (not in the chart). CSAT window of this design "
            "(months): {months}."
        ).format(
            same=counts["same"],
            joined=counts["joined"],
            left=counts["left"],
            months=result.csat_months,
        )
    )
    st.altair_chart(_chart(result, _), width="stretch")
    left, right = st.columns(2)
    for column, title, movers in (
        (left, _("Largest gains"), result.gains),
        (right, _("Largest losses"), result.losses),
    ):
        column.markdown(f"**{title}**")
        if movers.empty:
            column.caption(_("Nobody."))
        else:
            column.dataframe(
                movers_frame(movers, result.names, _),
                hide_index=True,
                width="stretch",
                column_config=_money_columns(_),
            )
    left, right = st.columns(2)
    for column, title, totals, by in (
        (left, _("Per role"), result.by_role, "role"),
        (right, _("Per store"), result.by_store, "store_name"),
    ):
        column.markdown(f"**{title}**")
        column.dataframe(
            totals_frame(totals, by, _),
            hide_index=True,
            width="stretch",
            column_config=_money_columns(_),
        )
