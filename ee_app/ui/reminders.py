"""The **Reminders** section of an open wave on the Pulse surveys page (HR only).

It offers the configured channels only, shows the message as it will read (with a sample
link) and how many messages will go, lists the people of the *whole* audience without a
contact on that channel (so the list says nothing about who answered), sends after a
confirmation with a progress bar, and shows the log of past sendings: local time, channel,
who sent, counts in words. It calls :mod:`ee_app.services.reminders` and nothing else.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ee_app import clock
from ee_app.config import Settings
from ee_app.models import WaveStatus
from ee_app.services.reminder_channels import CHANNEL_NAMES, configured_channels
from ee_app.services.reminders import ReminderPlan, plan_reminders, reminder_runs, send_reminders
from ee_app.services.waves import WaveRow
from ee_app.ui import keys
from ee_app.ui.context import PageContext
from ee_app.ui.service_calls import read, write

__all__ = ["CHANNEL_KEY", "SEND_KEY", "reminders_section"]

#: Session-state keys this component owns.
CHANNEL_KEY = "ee_remind_channel"
SEND_KEY = "ee_remind_send"
DOCS = "docs/configuration.md"


def reminders_section(ctx: PageContext, wave: WaveRow, settings: Settings) -> None:
    _ = ctx.gettext
    st.subheader(_("Reminders"))
    channels = configured_channels(settings)
    if wave.status is WaveStatus.OPEN and not channels:
        st.info(
            _(
                "Reminders by e-mail or WeCom are not configured: the operator sets them up as "
                "{doc} describes (section “Reminders”). Until then, send the reminder links "
                "from the workbook above."
            ).format(doc=DOCS),
            icon=":material/notifications_off:",
        )
    elif wave.status is WaveStatus.OPEN:
        _send_form(ctx, wave, settings, channels)
    _log(ctx, wave)  # a closed wave shows only the log


def _send_form(
    ctx: PageContext, wave: WaveRow, settings: Settings, channels: tuple[str, ...]
) -> None:
    _ = ctx.gettext
    channel = st.radio(
        _("Send by"),
        channels,
        format_func=lambda c: _(CHANNEL_NAMES[c]),
        horizontal=True,
        key=CHANNEL_KEY,
    )
    plan = read(ctx, plan_reminders, wave.code, channel, settings)
    if plan is None:
        return
    _preview(ctx, plan)
    _missing(ctx, plan)
    if not plan.recipients:
        st.caption(_("No one to remind on this channel now."))
        return
    with st.popover(_("Send reminders"), icon=":material/send:", type="primary"):
        st.write(
            ctx.ngettext(
                "Send {count} message now? Each goes out once; this cannot be undone.",
                "Send {count} messages now? Each goes out once; this cannot be undone.",
                plan.recipients,
            ).format(count=plan.recipients)
        )
        if st.button(_("Yes, send them"), type="primary", key=SEND_KEY):
            _send(ctx, wave, channel, settings)


def _preview(ctx: PageContext, plan: ReminderPlan) -> None:
    _ = ctx.gettext
    words = (
        ctx.ngettext(
            "{count} group chat will get this message.",
            "{count} group chats will get this message.",
            plan.recipients,
        )
        if plan.channel == "robot"
        else ctx.ngettext(
            "{count} person who has not answered yet will get this message, with their own link.",
            "{count} people who have not answered yet will get this message, each with their "
            "own link.",
            plan.recipients,
        )
    )
    st.write(words.format(count=plan.recipients))
    if plan.sample is not None:
        with st.container(border=True):
            st.markdown(f"**{plan.sample.subject}**")
            st.text(plan.sample.body)
            if plan.channel == "wecom" and plan.sample.link:
                button = _("The card's button opens the personal link: {link}")
                st.caption(button.format(link=plan.sample.link))
        st.caption(_("The link shown is a sample: each person gets their own."))


def _missing(ctx: PageContext, plan: ReminderPlan) -> None:
    if not plan.missing:
        return
    _ = ctx.gettext
    count = len(plan.missing)
    with st.expander(
        ctx.ngettext(
            "{count} person in the audience has no contact on this channel",
            "{count} people in the audience have no contact on this channel",
            count,
        ).format(count=count),
        icon=":material/contact_page:",
    ):
        st.caption(
            _(
                "Everyone invited to this wave, answered or not, without this contact on the "
                "roster: the list says nothing about who answered. Add their contacts to the "
                "roster, or hand them their link from the workbook."
            )
        )
        st.dataframe(
            pd.DataFrame(
                {
                    _("Employee number"): [m.employee_no for m in plan.missing],
                    _("Name"): [m.name for m in plan.missing],
                    _("Store"): [m.store for m in plan.missing],
                }
            ),
            hide_index=True,
            width="stretch",
        )


def _send(ctx: PageContext, wave: WaveRow, channel: str, settings: Settings) -> None:
    _ = ctx.gettext
    bar = st.progress(0.0, text=_("Sending…"))

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"{done} / {total}")

    result = write(ctx, send_reminders, wave.code, channel, settings, progress=progress)
    if result is None:
        return
    message = _("Reminders ({channel}): {result}.").format(
        channel=_(CHANNEL_NAMES[channel]), result=result.render(_, ctx.ngettext)
    )
    if result.attempted and not result.sent:
        st.session_state[keys.WAVES_FLASH_ERROR] = message
    else:
        st.session_state[keys.WAVES_FLASH] = message
    st.rerun()


def _log(ctx: PageContext, wave: WaveRow) -> None:
    _ = ctx.gettext
    runs = read(ctx, reminder_runs, wave.code)
    if runs is None:
        return
    if not runs:
        st.caption(_("No reminders were sent for this wave."))
        return
    when = _("When ({zone})").format(zone=clock.zone_name(_))
    st.dataframe(
        pd.DataFrame(
            {
                when: [clock.format_time(r.started_at) for r in runs],
                _("Channel"): [_(CHANNEL_NAMES[r.channel]) for r in runs],
                _("Sent by"): [r.actor for r in runs],
                _("Result"): [r.render(_, ctx.ngettext) for r in runs],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={_("Result"): st.column_config.TextColumn(width="large")},
    )
    st.caption(
        _(
            "The log keeps counts only: no address, link or name of anyone written to, so it "
            "never tells who had not answered by when."
        )
    )
