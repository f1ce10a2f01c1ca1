"""The incentives page's calibration (校准): before a scheme is saved or a run approved, each
role's payout against its target bonus (a box of the middle half with every person as a
dot, the target marked), the median attainment and the share paid nothing per component,
and the warnings in plain words, which the approver must acknowledge before approving.

Every number comes from :mod:`ee_app.services.calibration`; this module formats and draws."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from ee_app.analysis.calibration import MEDIAN_HIGH, MEDIAN_LOW, NOTHING_SHARE, PAYOUT, Calibration
from ee_app.services.calibration import draft_calibration, run_calibration
from ee_app.ui.service_calls import read
from ee_app.words.labels import component_labels, measure_label, role_label

__all__ = ["calibration_view", "draft_section", "names", "role_table", "run_section"]

Gettext = Callable[[str], str]
ACKNOWLEDGE = "ee_incentives_acknowledge"  # session-state key prefix of the checkbox
DRAFT = "ee_incentives_draft_calibration"  # session-state key of the last draft calibration
KEEP_SECONDS = 60.0


def _role(role: str, _: Gettext) -> str:
    return role_label(role, _)


def names(cal: Calibration, _: Gettext) -> dict[str, str]:
    """Component id → its plain name (the page's and the workbook's words)."""
    return component_labels(cal.components, _)


def _percent(value: float) -> str:
    return "–" if value != value else f"{value:.0%}"


def role_table(cal: Calibration, _: Gettext) -> pd.DataFrame:
    """One row per role: staff, the payout against target (median and middle half), and per
    component the median attainment and the share paid nothing, as plain text."""
    rows = []
    table = cal.distribution.set_index(["role", "quantity"])
    nothing = cal.nothing.set_index(["role", "component"])
    components = list(dict.fromkeys(cal.nothing["component"]))
    measures = cal.nothing.drop_duplicates("component").set_index("component")["measure"]
    labels = names(cal, _)
    for role in dict.fromkeys(cal.distribution["role"]):
        payout = table.loc[(role, PAYOUT)]
        row: dict[str, Any] = {
            _("Role"): _role(role, _),
            _("Staff"): int(nothing.loc[(role, components[0]), "n"]) if components else 0,
            _("Median payout (of target bonus)"): _percent(payout["median"]),
            _("Middle half"): (
                "–" if payout["n"] == 0 else f"{_percent(payout['q1'])}–{_percent(payout['q3'])}"
            ),
        }
        for component in components:
            name = labels.get(component) or measure_label(str(measures[component]), _)
            attainment = table.loc[(role, component)]
            share = nothing.loc[(role, component)]
            row[_("{component}: median attainment").format(component=name)] = _percent(
                attainment["median"]
            )
            row[_("{component}: paid nothing").format(component=name)] = (
                f"{share['share']:.0%} ({int(share['count'])})"
            )
        rows.append(row)
    return pd.DataFrame(rows)


def _chart(cal: Calibration, _: Gettext) -> alt.LayerChart:
    frame = cal.payouts.assign(
        role_name=[_role(r, _) for r in cal.payouts["role"]],
        payout=cal.payouts["payout"].astype(float),
    )[["role_name", "payout"]]
    order = list(dict.fromkeys(frame["role_name"]))
    y = alt.Y("role_name:N", title=None, sort=order)
    x = alt.X("payout:Q", title=_("Payout (% of target bonus)"), axis=alt.Axis(format="%"))
    box = alt.Chart(frame).mark_boxplot(extent="min-max", opacity=0.35, size=22).encode(x=x, y=y)
    dots = (
        alt.Chart(frame)
        .mark_circle(size=22, opacity=0.6, color="#1f4e79")
        .encode(
            x=x,
            y=y,
            yOffset=alt.YOffset("jitter:Q"),
            tooltip=[
                alt.Tooltip("role_name:N", title=_("Role")),
                alt.Tooltip("payout:Q", title=_("Payout (% of target bonus)"), format=".0%"),
            ],
        )
        .transform_calculate(jitter="sqrt(-2*log(random()))*cos(2*PI*random())*4")
    )
    target = (
        alt.Chart(pd.DataFrame({"payout": [1.0]}))
        .mark_rule(color="#2e7d32", strokeDash=[4, 3])
        .encode(x="payout:Q")
    )
    return (box + dots + target).properties(height=40 + 38 * max(len(order), 1))


def calibration_view(cal: Calibration, _: Gettext) -> None:
    """The warnings, the chart and the per-role table of one calibration."""
    labels = names(cal, _)
    if cal.warnings:
        st.warning(
            "\n".join(
                [_("Calibration warnings:")] + [f"- {w.render(_, labels)}" for w in cal.warnings]
            ),
            icon=":material/warning:",
        )
    else:
        st.success(
            _("No calibration warnings: every role can reach its targets."),
            icon=":material/check_circle:",
        )
    if len(cal.payouts):
        st.altair_chart(_chart(cal, _), width="stretch")
    st.dataframe(role_table(cal, _), hide_index=True, width="stretch")
    st.caption(
        _(
            "Payout: the amount paid over the role's target bonus (100%: the target bonus, the "
            "dashed line); the box holds the middle half of the role, the dots are people. "
            "Warnings: every person of a role below a component's threshold; {share:.0%} or "
            "more of a role paid nothing on a component; a role's median payout outside "
            "{low:.0%}–{high:.0%}."
        ).format(share=NOTHING_SHARE, low=MEDIAN_LOW, high=MEDIAN_HIGH)
    )


def draft_section(ctx: Any, definition: dict[str, Any], period: str) -> None:
    """The calibration of the design being edited, on the chosen month. The page reruns on
    every click: the last calibration is kept for :data:`KEEP_SECONDS` while neither the
    design nor the month changes (a run's own calibration, which approval rests on, is
    always computed afresh from its stored lines)."""
    _ = ctx.gettext
    st.markdown("**{}**".format(_("Calibration for {period}").format(period=period)))
    key = (json.dumps(definition, sort_keys=True, default=str), period, ctx.actor.email)
    kept = st.session_state.get(DRAFT)
    if kept and kept[0] == key and time.monotonic() - kept[1] < KEEP_SECONDS:
        cal = kept[2]
    else:
        with st.spinner(_("Calibrating…")):
            cal = read(ctx, draft_calibration, definition, period)
        if cal is None:
            return
        st.session_state[DRAFT] = (key, time.monotonic(), cal)
    calibration_view(cal, _)


def run_section(ctx: Any, run_id: int) -> bool:
    """A draft run's calibration and, when it has warnings, the approver's acknowledgement:
    True when the run may be approved (no warnings, or acknowledged)."""
    _ = ctx.gettext
    cal = read(ctx, run_calibration, run_id)
    if cal is None:
        return False
    with st.expander(_("Calibration"), expanded=bool(cal.warnings)):
        calibration_view(cal, _)
    if not cal.warnings:
        return True
    return st.checkbox(
        _("I have read the {n} calibration warnings and approve the run with them").format(
            n=len(cal.warnings)
        ),
        key=f"{ACKNOWLEDGE}_{run_id}",
        help=_("Your name, the time and the warnings are kept with the run and in the audit log."),
    )
