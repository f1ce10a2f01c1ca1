"""HR's actions on one wave of the pulse surveys page: open it, close it, retry the clean-up
after closing, and download the personal links; and the confirmations those actions leave
for the rerun that follows them.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ee_app.errors import EeError
from ee_app.exports.invitations import invitation_slips_html, invitations_xlsx
from ee_app.models import WaveStatus
from ee_app.services.audit import record_download
from ee_app.services.cleanup import CleanupResult, clean_up_after_close
from ee_app.services.waves import (
    InvitationLink,
    WaveRow,
    close_wave,
    invitation_links,
    open_wave,
)
from ee_app.ui import context, keys
from ee_app.ui import schedules as schedules_ui
from ee_app.ui.components import XLSX_MIME, error_box
from ee_app.ui.context import PageContext
from ee_app.ui.feedback import show_done
from ee_app.ui.service_calls import write

__all__ = ["flash", "show_flash", "wave_actions"]


def flash(message: str) -> None:
    """Confirm an action after the rerun that follows it."""
    st.session_state[keys.WAVES_FLASH] = message


def flash_error(message: str) -> None:
    """Report a failure after the rerun that follows the action."""
    st.session_state[keys.WAVES_FLASH_ERROR] = message


def show_flash() -> bool:
    """Show what the last action left; True if that was an error."""
    show_done(keys.WAVES_FLASH)
    error = st.session_state.pop(keys.WAVES_FLASH_ERROR, None)
    if error:
        st.error(error, icon=":material/error:")
    return bool(error)


def clean_up(ctx: PageContext, code: str) -> CleanupResult:
    """The clean-up after closing; says plainly whether it was verified."""
    actor = ctx.actor
    return clean_up_after_close(ctx.engine, actor, code)


def open_control(ctx: PageContext, wave: WaveRow, audience: int) -> None:
    _ = ctx.gettext
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
            opened = write(ctx, open_wave, wave.code, context.settings())
            if opened is None:
                return
            flash(
                ctx.ngettext(
                    "Wave {code} is open: {count} personal link issued.",
                    "Wave {code} is open: {count} personal links issued.",
                    opened.invited,
                ).format(code=opened.code, count=opened.invited)
            )
            st.rerun()


def close_control(ctx: PageContext, wave: WaveRow) -> None:
    _ = ctx.gettext
    with st.popover(_("Close the wave"), icon=":material/stop_circle:"):
        st.write(
            _(
                "Closing stops all answers now, even before {closes}: unused links stop "
                "working. This is final; a closed wave cannot be opened again."
            ).format(closes=wave.closes_on)
        )
        if st.button(_("Yes, close it"), type="primary", key=keys.WAVE_CLOSE_NOW):
            closed = write(ctx, close_wave, wave.code, context.settings())
            if closed is None:
                return
            message = ctx.ngettext(
                "Wave {code} is closed with {count} response.",
                "Wave {code} is closed with {count} responses.",
                closed.responded,
            ).format(code=closed.code, count=closed.responded)
            result = clean_up(ctx, closed.code)
            if result.verified:
                flash(f"{message} {result.render(_)}")
            else:
                flash_error(f"{message} {result.render(_)}")
            st.rerun()


def cleanup_control(ctx: PageContext, wave: WaveRow, reported: bool) -> None:
    """A closed wave whose clean-up was not verified: say so (unless the error was just shown)
    and offer to finish it."""
    _ = ctx.gettext
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
            result = clean_up(ctx, wave.code)
        except EeError as error:
            error_box(error, _)
            return
        if result.verified:
            flash(result.render(_))
        else:
            flash_error(result.render(_))
        st.rerun()


def links_file(
    ctx: PageContext,
    wave: WaveRow,
    build: Callable[[list[InvitationLink], WaveRow, str], bytes],
    *,
    pending_only: bool = False,
    kind: str = "links",
) -> Callable[[], bytes]:
    """Build the file only when it is downloaded (the links are derived from the secret key),
    and log the download (``kind``: links, slips or reminders) as it is built."""
    actor = ctx.actor

    def make() -> bytes:
        with ctx.read() as session:
            links = invitation_links(
                session, actor, wave.code, context.settings(), pending_only=pending_only
            )
        with ctx.write() as session:
            record_download(session, actor, kind, wave.id, rows=len(links), wave=wave.code)
        return build(links, wave, ctx.language)

    return make


def link_downloads(ctx: PageContext, wave: WaveRow) -> None:
    _ = ctx.gettext
    st.caption(
        _(
            "Send each person their own link (WeCom, WeChat, SMS) or hand out the printed "
            "slips. Links can be downloaded again at any time; each works once."
        )
    )
    left, middle, right = st.columns(3)
    left.download_button(
        _("Invitations (Excel)"),
        data=links_file(ctx, wave, invitations_xlsx),
        file_name=f"invitations-{wave.code}.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        on_click="ignore",
    )
    middle.download_button(
        _("QR slips to print"),
        data=links_file(ctx, wave, invitation_slips_html, kind="slips"),
        file_name=f"invitation-slips-{wave.code}.html",
        mime="text/html",
        icon=":material/qr_code_2:",
        on_click="ignore",
    )
    right.download_button(
        _("Reminders: not yet answered (Excel)"),
        data=links_file(ctx, wave, invitations_xlsx, pending_only=True, kind="reminders"),
        file_name=f"reminders-{wave.code}.xlsx",
        mime=XLSX_MIME,
        icon=":material/notifications:",
        on_click="ignore",
        disabled=wave.status is not WaveStatus.OPEN,
        help=_("Only the people who have not answered yet, while the wave is open."),
    )


def wave_actions(ctx: PageContext, wave: WaveRow, audience: int, reported: bool) -> None:
    if wave.status is WaveStatus.DRAFT:
        open_control(ctx, wave, audience)
    elif wave.status is WaveStatus.OPEN:
        close_control(ctx, wave)
    elif not wave.cleanup_verified:
        cleanup_control(ctx, wave, reported)
    schedules_ui.close_date_control(ctx, wave)  # draft or open waves only
    if wave.status is not WaveStatus.DRAFT:
        link_downloads(ctx, wave)
