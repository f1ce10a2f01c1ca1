"""Action plans on the results page: up to three themes per unit after a wave, actions with
an owner and a due date, progress, and the change on those themes in the next wave.

Every function takes the page's :class:`~ee_app.ui.context.PageContext`; the services check
permissions and scope again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pandas as pd
import streamlit as st

from ee_app import clock
from ee_app.auth import Permission, can
from ee_app.errors import EeError
from ee_app.instruments.pulse import THEMES
from ee_app.models import ActionStatus
from ee_app.services.actions import (
    MAX_THEMES,
    ActionRow,
    PlanRow,
    add_action,
    create_plan,
    list_plans,
    plan_effects,
    set_action_status,
)
from ee_app.services.waves import WaveRow
from ee_app.ui import keys
from ee_app.ui.components import error_box
from ee_app.ui.context import PageContext
from ee_app.ui.feedback import flash
from ee_app.ui.formatting import direction, fewer, interval, number, plain
from ee_app.ui.service_calls import wrote
from ee_app.ui.tables import data_table
from ee_app.words.labels import action_status_label, theme_label

__all__ = ["plans_section"]


def save_status(ctx: PageContext, action: ActionRow, key: str) -> None:
    """On change of a status selector: save it, then confirm (or keep the error to show)."""
    _ = ctx.gettext
    actor = ctx.actor
    status = st.session_state[key]
    try:
        with ctx.write() as session:
            set_action_status(session, actor, action.id, status)
    except EeError as error:
        st.session_state[keys.RESULTS_ERROR] = error
        return
    flash(
        keys.RESULTS_FLASH,
        _("“{action}” is now: {status}.").format(
            action=action.description, status=action_status_label(status, _)
        ),
    )


def status_control(ctx: PageContext, column: Any, action: ActionRow) -> None:
    """A selector that saves the action's status as soon as someone changes it."""
    _ = ctx.gettext
    manages = can(ctx.actor, Permission.MANAGE_ACTIONS)
    if not manages:
        column.write(action_status_label(action.status, _))
        return
    key = f"{keys.ACTION_STATUS}_{action.id}"
    st.session_state[key] = action.status  # the saved status, whoever changed it last
    column.selectbox(
        _("Status"),
        list(ActionStatus),
        format_func=lambda s: action_status_label(s, _),
        key=key,
        label_visibility="collapsed",
        on_change=save_status,
        args=(ctx, action, key),
    )


def actions_list(ctx: PageContext, plan: PlanRow) -> None:
    _ = ctx.gettext
    if not plan.actions:
        st.caption(_("No actions yet."))
        return
    widths = [2, 4, 2, 2, 2]
    for column, title in zip(
        st.columns(widths),
        (_("Theme"), _("Planned action"), _("Owner"), _("Due on"), _("Status")),
        strict=True,
    ):
        column.caption(title)
    for action in plan.actions:
        theme, text, owner, due, status = st.columns(widths, vertical_alignment="center")
        theme.write(theme_label(action.theme, _))
        text.markdown(plain(action.description))
        owner.markdown(plain(action.owner))
        if action.overdue:
            due.markdown(":red[{} · {}]".format(action.due_on.isoformat(), _("overdue")))
        else:
            due.write(action.due_on.isoformat())
        status_control(ctx, status, action)


def effects_table(ctx: PageContext, effects: pd.DataFrame, k: int) -> None:
    _ = ctx.gettext
    if effects.empty:
        return
    records = effects.to_dict("records")
    frame = pd.DataFrame(
        {
            _("Theme"): [theme_label(r["theme"], _) for r in records],
            _("Before: mean"): pd.array([number(r["before_mean"]) for r in records], "Float64"),
            _("Before: n"): pd.array([number(r["before_n"]) for r in records], "Float64"),
            _("After: mean"): pd.array([number(r["after_mean"]) for r in records], "Float64"),
            _("After: n"): pd.array([number(r["after_n"]) for r in records], "Float64"),
            _("Change"): pd.array([number(r["change"]) for r in records], "Float64"),
            _("95% interval"): [interval(r["change_low"], r["change_high"]) for r in records],
            _("Direction"): [direction(r["change_low"], r["change_high"], _) for r in records],
        }
    )
    data_table(
        frame,
        {
            _("Before: mean"): st.column_config.NumberColumn(format="%.2f"),
            _("Before: n"): st.column_config.NumberColumn(format="%d"),
            _("After: mean"): st.column_config.NumberColumn(format="%.2f"),
            _("After: n"): st.column_config.NumberColumn(format="%d"),
            _("Change"): st.column_config.NumberColumn(format="%+.2f"),
        },
    )
    first = records[0]
    if first["after_wave"] and first.get("reason") == "changed":
        note = _(
            "Wave {after} is not shown beside wave {before}: the people who answered differ by "
            "fewer than {k}, so subtracting one from the other could single them out."
        ).format(before=first["before_wave"], after=first["after_wave"], k=k)
    elif first["after_wave"]:
        note = _(
            "Before: wave {before}; after: wave {after}, the next wave of the same kind that "
            "asked this unit."
        ).format(before=first["before_wave"], after=first["after_wave"])
    elif first.get("reason") == "not_covered":
        note = _(
            "No wave has covered this unit since wave {before}: the change shows once a wave "
            "of the same kind that asks its people closes."
        ).format(before=first["before_wave"])
    else:
        note = _("The change shows once the next wave after {before} closes.").format(
            before=first["before_wave"]
        )
    st.caption(
        note
        + " "
        + _("A blank is hidden to protect anonymity ({mark}) or not known yet.").format(
            mark=fewer(k, _)
        )
    )


def new_action_form(ctx: PageContext, plan: PlanRow) -> None:
    _ = ctx.gettext
    prefix = f"{keys.ACTION_FORM}_{plan.id}"
    with st.expander(_("Add an action"), icon=":material/add_task:"), st.form(prefix):
        left, right = st.columns([1, 2])
        theme = left.selectbox(
            _("Theme"),
            list(plan.themes),
            format_func=lambda t: theme_label(t, _),
            key=f"{prefix}_theme",
        )
        description = right.text_input(
            _("Planned action"),
            placeholder=_("e.g. Weekly stock check before the weekend"),
            key=f"{prefix}_text",
        )
        left, right = st.columns([1, 2])
        due_on = left.date_input(
            _("Due on"), value=clock.today() + timedelta(days=30), key=f"{prefix}_due"
        )
        owner = right.text_input(_("Owner"), key=f"{prefix}_owner")
        sent = st.form_submit_button(_("Add action"), icon=":material/add:")
    if not sent:
        return
    if not wrote(
        ctx,
        add_action,
        plan.id,
        theme=theme,
        description=description,
        owner=owner,
        due_on=due_on,
    ):
        return
    for field in ("text", "owner"):
        st.session_state.pop(f"{prefix}_{field}", None)
    flash(keys.RESULTS_FLASH, _("Action added."))
    st.rerun()


def plan_card(ctx: PageContext, plan: PlanRow, effects: pd.DataFrame, k: int) -> None:
    _ = ctx.gettext
    manages = can(ctx.actor, Permission.MANAGE_ACTIONS)
    with st.container(border=True):
        themes = ", ".join(theme_label(t, _) for t in plan.themes)
        st.markdown(
            "**{}** · {}".format(_("Plan after wave {wave}").format(wave=plan.wave_code), themes)
        )
        byline = _("By {email}").format(email=plan.created_by)
        st.caption(plain(byline + (" · " + plan.note if plan.note else "")))
        done = sum(a.status is ActionStatus.DONE for a in plan.actions)
        st.progress(
            plan.progress,
            text=_("{done} of {total} actions done").format(done=done, total=len(plan.actions)),
        )
        actions_list(ctx, plan)
        effects_table(ctx, effects, k)
        if manages:
            new_action_form(ctx, plan)


def new_plan_form(
    ctx: PageContext, wave: WaveRow, unit_code: str, suggested: Sequence[str]
) -> None:
    _ = ctx.gettext
    with st.form(f"{keys.PLAN_FORM}_{unit_code}"):
        st.markdown("**{}**".format(_("New action plan")))
        themes = st.multiselect(
            _("Themes to work on (up to {count})").format(count=MAX_THEMES),
            list(THEMES),
            default=list(suggested),
            format_func=lambda t: theme_label(t, _),
            key=f"{keys.PLAN_THEMES}_{unit_code}",
            help=_("Suggested: the unit's weakest themes in this wave."),
        )
        note = st.text_area(
            _("Note"),
            placeholder=_("What the team agreed, and why these themes."),
            key=f"{keys.PLAN_NOTE}_{unit_code}",
        )
        sent = st.form_submit_button(_("Create plan"), type="primary", icon=":material/flag:")
    if not sent:
        return
    if not wrote(ctx, create_plan, unit_code, wave.code, list(themes), note):
        return
    st.session_state.pop(f"{keys.PLAN_NOTE}_{unit_code}", None)
    flash(keys.RESULTS_FLASH, _("Action plan created for wave {wave}.").format(wave=wave.code))
    st.rerun()


def plans_section(
    ctx: PageContext, wave: WaveRow, unit_code: str, k: int, weakest: Sequence[str]
) -> None:
    """The unit's action plans, their actions and effects, and the forms to add more."""
    _ = ctx.gettext
    actor = ctx.actor
    manages = can(ctx.actor, Permission.MANAGE_ACTIONS)
    try:
        with ctx.read() as session:
            plans = list_plans(session, actor, unit_code)
            effects = {p.id: plan_effects(session, actor, p.id) for p in plans}
    except EeError as error:
        error_box(error, _)
        return
    if not plans:
        st.caption(_("No action plans for this unit yet."))
    for plan in plans:
        plan_card(ctx, plan, effects[plan.id], k)
    if manages:
        new_plan_form(ctx, wave, unit_code, weakest)
