"""The Waves and Participation parts of the pulse surveys page: the list of waves, and one
wave's participation by unit (rates only for groups of at least k), with HR's actions on it.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd
import streamlit as st

from ee_app import charts
from ee_app.auth import Permission, can
from ee_app.errors import N_
from ee_app.models import UnitLevel, WaveMode, WaveStatus
from ee_app.services.org import UnitRow
from ee_app.services.wave_audience import audience_size
from ee_app.services.wave_participation import ParticipationRow, participation
from ee_app.services.waves import WaveRow
from ee_app.ui import context, keys
from ee_app.ui.context import PageContext
from ee_app.ui.reminders import reminders_section
from ee_app.ui.service_calls import read
from ee_app.ui.surveys_wave_actions import wave_actions
from ee_app.ui.wave_people import wave_people_section
from ee_app.words.labels import level_label

__all__ = ["MODE", "wave_detail", "waves_table"]

STATUS = {
    WaveStatus.DRAFT: N_("Draft"),
    WaveStatus.OPEN: N_("Open"),
    WaveStatus.CLOSED: N_("Closed"),
}
MODE = {
    WaveMode.ANONYMOUS: N_("Anonymous"),
    WaveMode.CONFIDENTIAL: N_("Confidential"),
}


def wave_label(ctx: PageContext, wave: WaveRow) -> str:
    _ = ctx.gettext
    return f"{wave.code} · {wave.name} · {_(STATUS[wave.status])}"


def percent(rate: float | None) -> float | None:
    return None if rate is None else 100 * rate


def waves_table(ctx: PageContext, waves: Sequence[WaveRow]) -> None:
    _ = ctx.gettext
    manages = can(ctx.actor, Permission.MANAGE_SURVEYS)
    if not waves:
        st.info(
            _("No waves yet: create the first one below.")
            if manages
            else _("No survey waves include your units yet."),
            icon=":material/info:",
        )
        return
    frame = pd.DataFrame(
        {
            _("Code"): [w.code for w in waves],
            _("Wave name"): [w.name for w in waves],
            _("Status"): [_(STATUS[w.status]) for w in waves],
            _("Mode"): [_(MODE[w.mode]) for w in waves],
            _("Opens"): [w.opens_on for w in waves],
            _("Closes"): [w.closes_on for w in waves],
            _("Invited"): [w.invited for w in waves],
            _("Responded"): pd.array([w.responded for w in waves], "Int64"),
            _("Response rate"): [
                percent(w.responded / w.invited if w.invited and w.responded is not None else None)
                for w in waves
            ],
        }
    )
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        placeholder="–",
        column_config={_("Response rate"): st.column_config.NumberColumn(format="%.0f%%")},
    )


def participation_table(ctx: PageContext, rows: Sequence[ParticipationRow], k: int) -> None:
    """One row per unit, indented by depth; a hidden unit shows "fewer than k" and no number."""
    _ = ctx.gettext
    top = min(r.depth for r in rows)
    frame = pd.DataFrame(
        {
            _("Unit"): [
                "\u2003" * (r.depth - top) + f"{r.name} ({r.code}) · {level_label(r.level, _)}"
                for r in rows
            ],
            _("Invited"): pd.array([None if r.hidden else r.invited for r in rows], "Int64"),
            _("Responded"): pd.array([r.responded for r in rows], "Int64"),
            _("Response rate"): pd.array([percent(r.rate) for r in rows], "Float64"),
        }
    )
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        placeholder=_("fewer than {k}").format(k=k),
        column_config={
            _("Unit"): st.column_config.TextColumn(width="large"),
            _("Response rate"): st.column_config.ProgressColumn(
                format="%.0f%%", min_value=0, max_value=100
            ),
        },
    )
    st.caption(
        _(
            "“Fewer than {k}” marks a unit hidden to protect anonymity: it, or a smaller unit "
            "beside it, has fewer than {k} people."
        ).format(k=k)
    )


def rate_chart(ctx: PageContext, rows: Sequence[ParticipationRow]) -> alt.LayerChart | None:
    """Response rate by store, shown stores only, each bar labelled with its respondents."""
    _ = ctx.gettext
    shown = [r for r in rows if r.level is UnitLevel.STORE and not r.hidden]
    if not shown:
        return None
    frame = pd.DataFrame(
        {
            "store": [f"{r.name} ({r.code})" for r in shown],
            "rate": [r.rate for r in shown],
            "n": [r.responded for r in shown],
        }
    )
    return charts.rate_bars(
        frame,
        label="store",
        rate="rate",
        n="n",
        label_title=_("Store"),
        rate_title=_("Response rate"),
    )


def participation_section(ctx: PageContext, wave: WaveRow) -> None:
    _ = ctx.gettext
    if wave.status is WaveStatus.DRAFT:
        st.info(
            _("This wave is a draft: personal links are issued and answers counted once it opens."),
            icon=":material/edit_note:",
        )
        return
    rows = read(ctx, participation, wave.code)
    if rows is None:
        return
    if not rows:
        st.info(_("No one in your units was invited to this wave."), icon=":material/info:")
        return
    participation_table(ctx, rows, wave.k)
    figure = rate_chart(ctx, rows)
    if figure is not None:
        st.altair_chart(figure, width="stretch")
    st.caption(_("Response rate by store. Stores hidden for anonymity are left out of the chart."))


def wave_detail(
    ctx: PageContext, waves: Sequence[WaveRow], units: Sequence[UnitRow], reported: bool
) -> None:
    """One wave: its participation, and for HR its audience, actions and people. `reported`
    says the error of the last action was just shown (the clean-up control then stays quiet)."""
    _ = ctx.gettext
    actor = ctx.actor
    manages = can(ctx.actor, Permission.MANAGE_SURVEYS)
    by_code = {w.code: w for w in waves}
    if st.session_state.get(keys.WAVES_PICK_NEXT) in by_code:
        st.session_state[keys.WAVES_PICK] = st.session_state.pop(keys.WAVES_PICK_NEXT)
    code = st.selectbox(
        _("Wave"),
        list(by_code),
        format_func=lambda c: wave_label(ctx, by_code[c]),
        key=keys.WAVES_PICK,
    )
    wave = by_code[code]
    st.caption(
        _("{mode} · {opens} to {closes} · results from {k} people, comments from {k_c}").format(
            mode=_(MODE[wave.mode]),
            opens=wave.opens_on,
            closes=wave.closes_on,
            k=wave.k,
            k_c=wave.k_comments,
        )
    )
    if manages:  # the audience may reach beyond a manager's scope: HR only
        st.caption(_("Audience: {units}").format(units=", ".join(wave.unit_codes)))
        audience = 0
        if wave.status is WaveStatus.DRAFT:
            with ctx.read() as session:
                audience = audience_size(session, actor, wave.code)
        wave_actions(ctx, wave, audience, reported)
        if wave.status is WaveStatus.OPEN:
            wave_people_section(ctx, wave, units)
    participation_section(ctx, wave)
    if manages and wave.status is not WaveStatus.DRAFT:
        reminders_section(ctx, wave, context.settings())
