"""Pulse surveys: the waves, their participation, and (for HR) creating, opening and closing
waves, sending the personal links and adding own questions.

Participation comes from :func:`ee_app.services.waves.participation`, which has already hidden
every unit that could single someone out: the page shows "fewer than k" for those and computes
nothing about them. Managers see only the waves and units in their scope (the services filter).
"""

from collections.abc import Callable, Sequence
from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from ee_app import charts, clock
from ee_app.auth import Permission, can
from ee_app.config import LANGUAGES
from ee_app.errors import N_, EeError
from ee_app.exports.invitations import invitation_slips_html, invitations_xlsx
from ee_app.i18n import LANGUAGE_NAMES
from ee_app.instruments.pulse import MAX_CUSTOM_ITEMS, PulseInstrument
from ee_app.models import InstrumentVersion, UnitLevel, WaveMode, WaveStatus
from ee_app.services.audit import record_download
from ee_app.services.cleanup import CleanupResult, clean_up_after_close
from ee_app.services.instruments import add_custom_items, list_pulse_versions, pulse_instrument
from ee_app.services.org import UnitRow, list_units
from ee_app.services.waves import (
    InvitationLink,
    ParticipationRow,
    WaveRow,
    audience_size,
    close_wave,
    create_wave,
    invitation_links,
    list_waves,
    open_wave,
    participation,
)
from ee_app.ui import context, keys
from ee_app.ui import schedules as schedules_ui
from ee_app.ui.components import XLSX_MIME, error_box, unit_option_label
from ee_app.ui.labels import level_label
from ee_app.ui.reminders import reminders_section
from ee_app.ui.wave_people import wave_people_section

STATUS = {
    WaveStatus.DRAFT: N_("Draft"),
    WaveStatus.OPEN: N_("Open"),
    WaveStatus.CLOSED: N_("Closed"),
}
MODE = {
    WaveMode.ANONYMOUS: N_("Anonymous"),
    WaveMode.CONFIDENTIAL: N_("Confidential"),
}
MODE_HELP = {
    WaveMode.ANONYMOUS: N_(
        "Nothing links an answer to a person; results only for groups of at least k."
    ),
    WaveMode.CONFIDENTIAL: N_(
        "Answers stay linked to the employee record for statistics over many people only; "
        "no one sees an individual's answers."
    ),
}
DAYS_OPEN = 14

ctx = context.page()
_ = ctx.gettext
actor = ctx.actor
manages = can(actor, Permission.MANAGE_SURVEYS)


# Small pieces ---------------------------------------------------------------------------------


def flash(message: str) -> None:
    """Confirm an action after the rerun that follows it."""
    st.session_state[keys.WAVES_FLASH] = message


def flash_error(message: str) -> None:
    """Report a failure after the rerun that follows the action."""
    st.session_state[keys.WAVES_FLASH_ERROR] = message


def show_flash() -> bool:
    """Show what the last action left; True if that was an error."""
    message = st.session_state.pop(keys.WAVES_FLASH, None)
    if message:
        st.success(message, icon=":material/check_circle:")
    error = st.session_state.pop(keys.WAVES_FLASH_ERROR, None)
    if error:
        st.error(error, icon=":material/error:")
    return bool(error)


def clean_up(code: str) -> CleanupResult:
    """The clean-up after closing; says plainly whether it was verified."""
    return clean_up_after_close(ctx.engine, actor, code)


def wave_label(wave: WaveRow) -> str:
    return f"{wave.code} · {wave.name} · {_(STATUS[wave.status])}"


def percent(rate: float | None) -> float | None:
    return None if rate is None else 100 * rate


def suggested_code(taken: set[str], today: date) -> str:
    """This month's code ("2026-11"), with a suffix if a wave has it already."""
    base = today.strftime("%Y-%m")
    code, number = base, 1
    while code in taken:
        number += 1
        code = f"{base}-{number}"
    return code


def version_label(row: InstrumentVersion) -> str:
    own = len(pulse_instrument(row).custom_items)
    label = _("Version {version}").format(version=row.version)
    return label + (_(" · own items: {count}").format(count=own) if own else "")


# The list of waves ----------------------------------------------------------------------------


def waves_table(waves: Sequence[WaveRow]) -> None:
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


# Participation of one wave --------------------------------------------------------------------


def participation_table(rows: Sequence[ParticipationRow], k: int) -> None:
    """One row per unit, indented by depth; a hidden unit shows "fewer than k" and no number."""
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


def rate_chart(rows: Sequence[ParticipationRow]) -> alt.LayerChart | None:
    """Response rate by store, shown stores only, each bar labelled with its respondents."""
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


def participation_section(wave: WaveRow) -> None:
    if wave.status is WaveStatus.DRAFT:
        st.info(
            _("This wave is a draft: personal links are issued and answers counted once it opens."),
            icon=":material/edit_note:",
        )
        return
    try:
        with ctx.read() as session:
            rows = participation(session, actor, wave.code)
    except EeError as error:
        error_box(error, _)
        return
    if not rows:
        st.info(_("No one in your units was invited to this wave."), icon=":material/info:")
        return
    participation_table(rows, wave.k)
    figure = rate_chart(rows)
    if figure is not None:
        st.altair_chart(figure, width="stretch")
    st.caption(_("Response rate by store. Stores hidden for anonymity are left out of the chart."))


# HR: open, close, links -----------------------------------------------------------------------


def open_control(wave: WaveRow, audience: int) -> None:
    with st.popover(_("Open the wave"), icon=":material/play_arrow:", type="primary"):
        st.write(
            _(
                "Opening issues a personal link to each of the {count} people now in the "
                "audience, and they can answer from {opens} to {closes}. Send the links right "
                "after opening."
            ).format(count=audience, opens=wave.opens_on, closes=wave.closes_on)
        )
        schedules_ui.overlap_warning(ctx, wave)  # open waves reaching the same people
        if st.button(_("Yes, open it"), type="primary", key=keys.WAVE_OPEN_NOW):
            try:
                with ctx.write() as session:
                    opened = open_wave(session, actor, wave.code, context.settings())
            except EeError as error:
                error_box(error, _)
                return
            flash(
                ctx.ngettext(
                    "Wave {code} is open: {count} personal link issued.",
                    "Wave {code} is open: {count} personal links issued.",
                    opened.invited,
                ).format(code=opened.code, count=opened.invited)
            )
            st.rerun()


def close_control(wave: WaveRow) -> None:
    with st.popover(_("Close the wave"), icon=":material/stop_circle:"):
        st.write(
            _(
                "Closing stops all answers now, even before {closes}: unused links stop "
                "working. This is final; a closed wave cannot be opened again."
            ).format(closes=wave.closes_on)
        )
        if st.button(_("Yes, close it"), type="primary", key=keys.WAVE_CLOSE_NOW):
            try:
                with ctx.write() as session:
                    closed = close_wave(session, actor, wave.code, context.settings())
            except EeError as error:
                error_box(error, _)
                return
            message = ctx.ngettext(
                "Wave {code} is closed with {count} response.",
                "Wave {code} is closed with {count} responses.",
                closed.responded,
            ).format(code=closed.code, count=closed.responded)
            result = clean_up(closed.code)
            if result.verified:
                flash(f"{message} {result.render(_)}")
            else:
                flash_error(f"{message} {result.render(_)}")
            st.rerun()


def cleanup_control(wave: WaveRow, reported: bool) -> None:
    """A closed wave whose clean-up was not verified: say so (unless the error was just shown)
    and offer to finish it."""
    if not reported:
        st.error(
            _(
                "The clean-up after closing this wave is not complete: the database files may "
                "still hold its sealed answers (encrypted). Retry when few people use the app, "
                "or run ee-app wave cleanup {code}."
            ).format(code=wave.code),
            icon=":material/error:",
        )
    if st.button(
        _("Retry clean-up"), icon=":material/cleaning_services:", key=keys.WAVE_CLEANUP_RETRY
    ):
        try:
            result = clean_up(wave.code)
        except EeError as error:
            error_box(error, _)
            return
        if result.verified:
            flash(result.render(_))
        else:
            flash_error(result.render(_))
        st.rerun()


def links_file(
    wave: WaveRow,
    build: Callable[[list[InvitationLink], WaveRow, str], bytes],
    *,
    pending_only: bool = False,
    kind: str = "links",
) -> Callable[[], bytes]:
    """Build the file only when it is downloaded (the links are derived from the secret key),
    and log the download (``kind``: links, slips or reminders) as it is built."""

    def make() -> bytes:
        with ctx.read() as session:
            links = invitation_links(
                session, actor, wave.code, context.settings(), pending_only=pending_only
            )
        with ctx.write() as session:
            record_download(session, actor, kind, wave.id, rows=len(links), wave=wave.code)
        return build(links, wave, ctx.language)

    return make


def link_downloads(wave: WaveRow) -> None:
    st.caption(
        _(
            "Send each person their own link (WeCom, WeChat, SMS) or hand out the printed "
            "slips. Links can be downloaded again at any time; each works once."
        )
    )
    left, middle, right = st.columns(3)
    left.download_button(
        _("Invitations (Excel)"),
        data=links_file(wave, invitations_xlsx),
        file_name=f"invitations-{wave.code}.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        on_click="ignore",
    )
    middle.download_button(
        _("QR slips to print"),
        data=links_file(wave, invitation_slips_html, kind="slips"),
        file_name=f"invitation-slips-{wave.code}.html",
        mime="text/html",
        icon=":material/qr_code_2:",
        on_click="ignore",
    )
    right.download_button(
        _("Reminders: not yet answered (Excel)"),
        data=links_file(wave, invitations_xlsx, pending_only=True, kind="reminders"),
        file_name=f"reminders-{wave.code}.xlsx",
        mime=XLSX_MIME,
        icon=":material/notifications:",
        on_click="ignore",
        disabled=wave.status is not WaveStatus.OPEN,
        help=_("Only the people who have not answered yet, while the wave is open."),
    )


def wave_actions(wave: WaveRow, audience: int) -> None:
    if wave.status is WaveStatus.DRAFT:
        open_control(wave, audience)
    elif wave.status is WaveStatus.OPEN:
        close_control(wave)
    elif not wave.cleanup_verified:
        cleanup_control(wave, reported)
    schedules_ui.close_date_control(ctx, wave)  # draft or open waves only
    if wave.status is not WaveStatus.DRAFT:
        link_downloads(wave)


def wave_detail(waves: Sequence[WaveRow], units: Sequence[UnitRow]) -> None:
    by_code = {w.code: w for w in waves}
    if st.session_state.get(keys.WAVES_PICK_NEXT) in by_code:
        st.session_state[keys.WAVES_PICK] = st.session_state.pop(keys.WAVES_PICK_NEXT)
    code = st.selectbox(
        _("Wave"), list(by_code), format_func=lambda c: wave_label(by_code[c]), key=keys.WAVES_PICK
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
        wave_actions(wave, audience)
        if wave.status is WaveStatus.OPEN:
            wave_people_section(ctx, wave, units)
    participation_section(wave)
    if manages and wave.status is not WaveStatus.DRAFT:
        reminders_section(ctx, wave, context.settings())


# HR: a new wave -------------------------------------------------------------------------------


def new_wave_form(
    waves: Sequence[WaveRow], units: Sequence[UnitRow], versions: Sequence[InstrumentVersion]
) -> None:
    today = clock.today()
    by_code = {u.code: u for u in units}
    by_id = {v.id: v for v in versions}
    with st.form(keys.WAVE_FORM):
        left, right = st.columns(2)
        code = left.text_input(
            _("Code"),
            value=suggested_code({w.code for w in waves}, today),
            max_chars=32,
            key=keys.WAVE_CODE,
        )
        name = right.text_input(
            _("Wave name"),
            placeholder=_("e.g. November pulse"),
            key=keys.WAVE_NAME,
            help=_("Staff see this name at the top of the survey."),
        )
        audience = st.multiselect(
            _("Audience"),
            list(by_code),
            format_func=lambda c: unit_option_label(by_code[c], _),
            key=keys.WAVE_UNITS,
            help=_("Everyone working in these units, and in the units beneath them, is invited."),
        )
        left, right = st.columns(2)
        opens_on = left.date_input(_("Opens on"), value=today, key=keys.WAVE_OPENS)
        closes_on = right.date_input(
            _("Closes on"), value=today + timedelta(days=DAYS_OPEN), key=keys.WAVE_CLOSES
        )
        mode = st.radio(
            _("Mode"),
            list(WaveMode),
            format_func=lambda m: _(MODE[m]),
            captions=[_(MODE_HELP[m]) for m in WaveMode],
            key=keys.WAVE_MODE,
        )
        left, middle, right = st.columns(3)
        k = left.number_input(
            _("Anonymity threshold k"),
            min_value=3,
            value=5,
            step=1,
            key=keys.WAVE_K,
            help=_("Results and response rates are shown only for groups of at least k people."),
        )
        k_comments = middle.number_input(
            _("Comment threshold"),
            min_value=3,
            value=5,
            step=1,
            key=keys.WAVE_K_COMMENTS,
            help=_("Comments are shown only for groups this large; at least k."),
        )
        language = right.selectbox(
            _("Survey language"),
            list(LANGUAGES),
            index=list(LANGUAGES).index("zh-CN"),
            format_func=LANGUAGE_NAMES.__getitem__,
            key=keys.WAVE_LANGUAGE,
            help=_("The language the survey opens in; staff can switch."),
        )
        instrument_id = st.selectbox(
            _("Questionnaire version"),
            list(by_id),
            index=len(by_id) - 1,
            format_func=lambda i: version_label(by_id[i]),
            key=keys.WAVE_INSTRUMENT,
        )
        created = st.form_submit_button(_("Create draft"), type="primary", icon=":material/add:")
    if not created:
        return
    try:
        with ctx.write() as session:
            wave = create_wave(
                session,
                actor,
                code=code,
                name=name,
                unit_codes=audience,
                opens_on=opens_on,
                closes_on=closes_on,
                mode=mode,
                k=int(k),
                k_comments=int(k_comments),
                language=language,
                instrument_id=instrument_id,
            )
    except EeError as error:
        error_box(error, _)
        return
    for key in (keys.WAVE_CODE, keys.WAVE_NAME, keys.WAVE_UNITS):
        st.session_state.pop(key, None)
    st.session_state[keys.WAVES_PICK_NEXT] = wave.code
    flash(
        _("Draft {code} created. Check it above, then open it to issue the links.").format(
            code=wave.code
        )
    )
    st.rerun()


# HR: the questionnaire ------------------------------------------------------------------------


def item_list(instrument: PulseInstrument) -> None:
    lines = [
        f"{number}. {item.text.get(ctx.language)}"
        + (" *({})*".format(_("own item")) if item.theme is None else "")
        for number, item in enumerate(instrument.items, start=1)
    ]
    st.markdown("\n".join(lines))


def own_items_form(row: InstrumentVersion, instrument: PulseInstrument) -> None:
    current = instrument.custom_items
    with st.form(keys.OWN_ITEMS_FORM):
        st.markdown(
            _("**Own items for a new version** (up to {limit}, in English and in Chinese)").format(
                limit=MAX_CUSTOM_ITEMS
            )
        )
        items = []
        for number in range(1, MAX_CUSTOM_ITEMS + 1):
            old = current[number - 1].text if number <= len(current) else None
            left, right = st.columns(2)
            en = left.text_input(
                _("Item {number} (English)").format(number=number),
                value=old.en if old else "",
                key=f"{keys.OWN_ITEM}_{row.version}_{number}_en",
            )
            zh = right.text_input(
                _("Item {number} (Chinese)").format(number=number),
                value=old.zh if old else "",
                key=f"{keys.OWN_ITEM}_{row.version}_{number}_zh",
            )
            items.append((en, zh))
        sent = st.form_submit_button(_("Create a new version"), icon=":material/library_add:")
    if not sent:
        return
    try:
        with ctx.write() as session:
            created = add_custom_items(session, actor, row.id, items)
    except EeError as error:
        error_box(error, _)
        return
    st.session_state.pop(keys.QUESTIONNAIRE_VERSION, None)
    flash(
        _("Version {version} created. Choose it when you create the next wave.").format(
            version=created.version
        )
    )
    st.rerun()


def questionnaire(versions: Sequence[InstrumentVersion]) -> None:
    by_id = {v.id: v for v in versions}
    with st.expander(_("Questionnaire"), icon=":material/quiz:"):
        st.caption(
            _(
                "Twelve items, one for each engagement theme, on a five-point scale, then the "
                "recommendation question (eNPS) and an optional comment. A version that a wave "
                "has used never changes: adding own items creates a new version."
            )
        )
        chosen = st.selectbox(
            _("Version"),
            list(by_id),
            index=len(by_id) - 1,
            format_func=lambda i: version_label(by_id[i]),
            key=keys.QUESTIONNAIRE_VERSION,
        )
        row = by_id[chosen]
        instrument = pulse_instrument(row)
        item_list(instrument)
        own_items_form(row, instrument)


# The page -------------------------------------------------------------------------------------

st.title(_("Pulse surveys"))
st.caption(
    _(
        "Short, regular engagement surveys. Staff answer from a personal link without signing "
        "in; results are shown only for groups large enough to keep everyone anonymous."
    )
)
reported = show_flash()
try:
    with ctx.read() as session:
        waves = list_waves(session, actor)
        units = list_units(session, actor) if manages else []
        versions = list_pulse_versions(session, actor) if manages else []
except EeError as error:
    error_box(error, _)
    st.stop()

st.subheader(_("Waves"))
waves_table(waves)
if waves:
    st.subheader(_("Participation"))
    wave_detail(waves, units)

if manages:
    st.subheader(_("New wave"))
    new_wave_form(waves, units, versions)
    questionnaire(versions)
    schedules_ui.schedules_section(ctx, units, versions)
