"""The Schedules part of the Pulse surveys page (HR), and two controls for a wave's detail:
"Change close date" and the warning before opening a wave whose audience overlaps an open one.

Every function takes the page's :class:`~ee_app.ui.context.PageContext`; the services check
the permission again. What a run did names waves and counts only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pandas as pd
import streamlit as st

from ee_app import clock
from ee_app.config import LANGUAGES
from ee_app.errors import N_
from ee_app.i18n import LANGUAGE_NAMES
from ee_app.models import Cadence, InstrumentVersion, WaveMode, WaveStatus
from ee_app.services.org import UnitRow
from ee_app.services.overlap import Overlap, overlapping_waves
from ee_app.services.schedule_runs import run_schedules
from ee_app.services.schedule_setup import create_schedule
from ee_app.services.schedules import (
    ScheduleRow,
    describe_cadence,
    list_schedules,
    pause_schedule,
    resume_schedule,
)
from ee_app.services.wave_dates import set_close_date
from ee_app.services.waves import WaveRow
from ee_app.ui import context, keys
from ee_app.ui.components import unit_option_label
from ee_app.ui.context import PageContext
from ee_app.ui.service_calls import read, write

__all__ = ["close_date_control", "overlap_warning", "schedules_section"]

# Session-state keys of this part of the page.
CLOSE_DATE = "ee_wave_close_date"
CLOSE_DATE_SAVE = "ee_wave_close_date_save"
SCHEDULE_FORM = "ee_schedule_form"
SCHEDULE_PICK = "ee_schedule_pick"
SCHEDULE_TOGGLE = "ee_schedule_toggle"
SCHEDULE_RUN = "ee_schedule_run_now"
PREFIX = "ee_schedule_"  # the create form's fields: PREFIX + name

CADENCE = {Cadence.MONTHLY: N_("Monthly"), Cadence.WEEKLY: N_("Weekly")}


def _flash(message: str) -> None:
    st.session_state[keys.WAVES_FLASH] = message


# A wave's detail -------------------------------------------------------------------------------


def _overlap_lines(ctx: PageContext, overlaps: Sequence[Overlap]) -> str:
    return "\n".join(
        "- "
        + ctx.ngettext(
            "{count} person is also invited to wave {other}, open until {closes}.",
            "{count} people are also invited to wave {other}, open until {closes}.",
            o.people,
        ).format(count=o.people, other=o.code, closes=o.closes_on)
        for o in overlaps
    )


def overlap_warning(ctx: PageContext, wave: WaveRow) -> None:
    """Inside the "Open the wave" confirmation: warn about open waves that reach the same
    people, so that "Yes, open it" is a decision taken knowing it."""
    _ = ctx.gettext
    with ctx.read() as session:
        overlaps = overlapping_waves(session, ctx.actor, wave.code)
    if overlaps:
        st.warning(
            _(
                "Some people in this audience are answering another wave right now. Asked "
                "twice at once, fewer answer both; perhaps close the other wave first, or open "
                "this one anyway."
            )
            + "\n\n"
            + _overlap_lines(ctx, overlaps),
            icon=":material/group:",
        )


def close_date_control(ctx: PageContext, wave: WaveRow) -> None:
    """ "Change close date" for a draft or open wave: shorten it or give people more time."""
    _ = ctx.gettext
    if wave.status is WaveStatus.CLOSED:
        return
    today = clock.today()
    with st.popover(_("Change close date"), icon=":material/event:"):
        st.caption(
            _(
                "Answers are accepted until the end of the close date. It cannot be before "
                "today or before the wave opens; to stop answers now, close the wave."
            )
        )
        closes = st.date_input(
            _("Closes on"),
            value=max(wave.closes_on, today),
            min_value=max(today, wave.opens_on),
            key=CLOSE_DATE,
        )
        if st.button(_("Save the close date"), type="primary", key=CLOSE_DATE_SAVE):
            row = write(ctx, set_close_date, wave.code, closes, today=today)
            if row is None:
                return
            _flash(
                _("Wave {code} now closes on {closes}.").format(code=row.code, closes=row.closes_on)
            )
            st.rerun()


# The list of schedules -------------------------------------------------------------------------


def _table(ctx: PageContext, rows: Sequence[ScheduleRow]) -> None:
    _ = ctx.gettext
    frame = pd.DataFrame(
        {
            _("Code"): [r.code for r in rows],
            _("Schedule name"): [r.name for r in rows],
            _("How often"): [
                describe_cadence(r.cadence, r.every, r.open_days, ctx.ngettext) for r in rows
            ],
            _("Audience"): [", ".join(r.unit_codes) for r in rows],
            _("Next opening"): [
                r.next_opening.isoformat() if r.next_opening else "–" for r in rows
            ],
            _("State"): [_("Active") if r.active else _("Paused") for r in rows],
            _("Waves made"): [r.waves for r in rows],
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")


def _pause_control(ctx: PageContext, rows: Sequence[ScheduleRow]) -> None:
    _ = ctx.gettext
    by_code = {r.code: r for r in rows}
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    code = left.selectbox(
        _("Schedule"),
        list(by_code),
        format_func=lambda c: f"{c} · {by_code[c].name}",
        key=SCHEDULE_PICK,
    )
    row = by_code[code]
    label = _("Pause") if row.active else _("Resume")
    with right.popover(label, icon=":material/pause:" if row.active else ":material/play_arrow:"):
        st.write(
            _("Pausing stops new waves; a wave that is open now still closes on its day.")
            if row.active
            else _(
                "Resuming makes waves again from the next opening day; waves missed while "
                "paused are not made up."
            )
        )
        if st.button(
            _("Yes, pause it") if row.active else _("Yes, resume it"),
            type="primary",
            key=SCHEDULE_TOGGLE,
        ):
            changed = write(ctx, pause_schedule if row.active else resume_schedule, row.code)
            if changed is None:
                return
            _flash(
                (
                    _("Schedule {code} is paused.")
                    if not changed.active
                    else _("Schedule {code} is active again.")
                ).format(code=changed.code)
            )
            st.rerun()


def _run_now(ctx: PageContext) -> None:
    """Run the schedules now (as the timer would), e.g. right after creating one for today."""
    _ = ctx.gettext
    if not st.button(_("Run the schedules now"), icon=":material/update:", key=SCHEDULE_RUN):
        return
    report = run_schedules(ctx.engine, context.settings())
    lines = [line for e in report.events for line in e.lines(_, ctx.ngettext)]
    if not lines:
        _flash(_("Nothing to open or close today."))
    elif any(e.failed for e in report.events):
        st.session_state[keys.WAVES_FLASH_ERROR] = "\n\n".join(lines)
    else:
        _flash("\n\n".join(lines))
    st.rerun()


def _create_form(
    ctx: PageContext, units: Sequence[UnitRow], versions: Sequence[InstrumentVersion]
) -> None:
    _ = ctx.gettext
    by_code = {u.code: u for u in units}
    newest = _("The newest version when each wave is made")
    by_id: dict[int | None, str] = {None: newest} | {
        v.id: _("Version {version}").format(version=v.version) for v in versions
    }
    today = clock.today()
    with st.form(SCHEDULE_FORM):
        left, right = st.columns(2)
        code = left.text_input(
            _("Schedule code"),
            value="PULSE",
            max_chars=21,
            key=PREFIX + "code",
            help=_("Each wave is named after it and its month, e.g. PULSE-2026-11."),
        )
        name = right.text_input(_("Schedule name"), value=_("Monthly pulse"), key=PREFIX + "name")
        audience = st.multiselect(
            _("Audience"),
            list(by_code),
            format_func=lambda c: unit_option_label(by_code[c], _),
            key=PREFIX + "units",
            help=_("Everyone working in these units, and in the units beneath them, is invited."),
        )
        left, middle, right = st.columns(3)
        cadence = left.radio(
            _("How often"),
            list(Cadence),
            format_func=lambda c: _(CADENCE[c]),
            key=PREFIX + "cadence",
        )
        every = middle.number_input(
            _("Every (months or weeks)"), min_value=1, max_value=12, value=1, key=PREFIX + "every"
        )
        open_days = right.number_input(
            _("Days open"),
            min_value=1,
            max_value=28,
            value=7,
            key=PREFIX + "open_days",
            help=_("Each wave accepts answers for this many days, its opening day included."),
        )
        left, right = st.columns(2)
        first = left.date_input(
            _("First wave opens on"),
            value=today + timedelta(days=1),
            key=PREFIX + "first",
            help=_("Later waves open on the same day of the month (or weekday)."),
        )
        ends = right.date_input(_("Last wave opens by (optional)"), value=None, key=PREFIX + "ends")
        mode = st.radio(
            _("Mode"),
            list(WaveMode),
            format_func=lambda m: _("Anonymous") if m is WaveMode.ANONYMOUS else _("Confidential"),
            horizontal=True,
            key=PREFIX + "mode",
        )
        left, middle, right = st.columns(3)
        k = left.number_input(
            _("Anonymity threshold k"), min_value=3, value=5, step=1, key=PREFIX + "k"
        )
        k_comments = middle.number_input(
            _("Comment threshold"), min_value=3, value=5, step=1, key=PREFIX + "k_comments"
        )
        language = right.selectbox(
            _("Survey language"),
            list(LANGUAGES),
            index=list(LANGUAGES).index("zh-CN"),
            format_func=LANGUAGE_NAMES.__getitem__,
            key=PREFIX + "language",
        )
        instrument_id = st.selectbox(
            _("Questionnaire version"),
            list(by_id),
            format_func=by_id.__getitem__,
            key=PREFIX + "instrument",
        )
        created = st.form_submit_button(
            _("Create schedule"), type="primary", icon=":material/event_repeat:"
        )
    if not created:
        return
    row = write(
        ctx,
        create_schedule,
        code=code,
        name=name,
        unit_codes=audience,
        first_opens_on=first,
        cadence=cadence,
        every=int(every),
        open_days=int(open_days),
        ends_on=ends,
        instrument_id=instrument_id,
        mode=mode,
        k=int(k),
        k_comments=int(k_comments),
        language=language,
        today=today,
    )
    if row is None:
        return
    _flash(
        _("Schedule {code} created: the first wave opens on {day}.").format(
            code=row.code, day=row.next_opening
        )
    )
    st.rerun()


def _startup_notice(ctx: PageContext) -> None:
    """What the run at this app's start found that needs HR (the run itself is silent when
    all went well)."""
    _ = ctx.gettext
    run = context.startup_schedule_run()
    if not run.finished.is_set():
        st.caption(_("The schedules are being checked (app start)…"))
        return
    if run.error is not None:
        st.error(
            _(
                "The schedules could not be checked when the app started: {error}. Run "
                "ee-app schedule run to see why; the app works as usual."
            ).format(error=run.error),
            icon=":material/error:",
        )
        return
    problems = run.report.problems if run.report else []
    if problems:
        lines = [line for e in problems for line in e.lines(_, ctx.ngettext)]
        st.warning(
            _("When the app started, the schedules ran with these points to check:")
            + "\n\n"
            + "\n".join(f"- {line}" for line in lines),
            icon=":material/warning:",
        )


def schedules_section(
    ctx: PageContext, units: Sequence[UnitRow], versions: Sequence[InstrumentVersion]
) -> None:
    """HR: the schedules, pausing and resuming one, and a new one."""
    _ = ctx.gettext
    st.subheader(_("Schedules"))
    st.caption(
        _(
            "A schedule opens a wave every month (or every few weeks) and closes it after the "
            "days you choose, without anyone at the keyboard. It runs at each app start and "
            "from the server's timer (ee-app schedule run)."
        )
    )
    _startup_notice(ctx)
    rows = read(ctx, list_schedules)
    if rows is None:
        return
    if rows:
        _table(ctx, rows)
        _pause_control(ctx, rows)
        _run_now(ctx)
    else:
        st.info(_("No schedules yet."), icon=":material/event_repeat:")
    with st.expander(_("New schedule"), icon=":material/add:", expanded=not rows):
        _create_form(ctx, units, versions)
