"""An open wave's people after opening, on the Pulse surveys page (HR only): add the people
who joined since opening, and replace one person's lost link.

Both act through :mod:`ee_app.services.wave_people`; the links they hand out are kept in this
HR user's session only until they are downloaded or another wave is chosen, and every file
downloaded is logged (:func:`ee_app.services.audit.record_download`).
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from ee_app.exports.invitations import invitation_slips_html, invitations_xlsx
from ee_app.services.audit import record_download
from ee_app.services.org import UnitRow
from ee_app.services.wave_people import add_late_joiners, late_joiners, reissue_link
from ee_app.services.waves import InvitationLink, WaveRow
from ee_app.ui import context, keys
from ee_app.ui.components import XLSX_MIME, unit_option_label
from ee_app.ui.new_link import show_new_link
from ee_app.ui.service_calls import read, write

__all__ = ["wave_people_section"]


def _logged(ctx: context.PageContext, kind: str, wave: WaveRow, data: bytes, rows: int, **detail):  # type: ignore[no-untyped-def]
    """The file's bytes, once its download is logged (called when the user downloads)."""

    def make() -> bytes:
        with ctx.write() as session:
            record_download(session, ctx.actor, kind, wave.id, rows=rows, wave=wave.code, **detail)
        return data

    return make


def _joiners(ctx: context.PageContext, wave: WaveRow, units: Sequence[UnitRow]) -> None:
    _ = ctx.gettext
    st.write(
        _(
            "People hired or moved into the audience after the wave opened have no link yet. "
            "They get one here, pooled by the same anonymity rules as everyone else."
        )
    )
    if not st.toggle(
        _("Look for people without a link"), key=f"{keys.JOINERS_LOOK}_{wave.code}"
    ):  # the roster is read only when asked: it takes a moment in a large chain
        return
    roots = [u.path for u in units if u.code in wave.unit_codes]
    under = [u for u in units if u.path.startswith(tuple(roots))]
    by_code = {u.code: u for u in under}
    picked = st.multiselect(
        _("Only under these units (none: the whole audience)"),
        list(by_code),
        format_func=lambda c: unit_option_label(by_code[c], _),
        key=f"{keys.JOINERS_UNITS}_{wave.code}",
    )
    count = read(ctx, late_joiners, wave.code, unit_codes=picked or None)
    if count is None:
        return
    if not count:
        st.info(_("Everyone in the audience has a link."), icon=":material/check_circle:")
    else:
        st.write(
            ctx.ngettext(
                "{count} person will be added.", "{count} people will be added.", count
            ).format(count=count)
        )
        if st.button(
            _("Add them and issue their links"),
            type="primary",
            icon=":material/person_add:",
            key=f"{keys.JOINERS_ADD}_{wave.code}",
        ):
            added = write(
                ctx, add_late_joiners, wave.code, context.settings(), unit_codes=picked or None
            )
            if added is None:
                return
            st.session_state[keys.JOINERS_ADDED] = (wave.code, added.links)
    done = st.session_state.get(keys.JOINERS_ADDED)
    if done and done[0] == wave.code:
        links: list[InvitationLink] = done[1]
        st.success(
            ctx.ngettext(
                "{count} person added: download their link now.",
                "{count} people added: download their links now.",
                len(links),
            ).format(count=len(links)),
            icon=":material/check_circle:",
        )
        data = invitations_xlsx(links, wave, ctx.language)
        st.download_button(
            _("Their links (Excel)"),
            data=_logged(ctx, "links", wave, data, len(links), joiners=True),
            file_name=f"invitations-{wave.code}-joiners.xlsx",
            mime=XLSX_MIME,
            icon=":material/download:",
            on_click="ignore",
        )


def _lost_link(ctx: context.PageContext, wave: WaveRow) -> None:
    _ = ctx.gettext
    st.write(
        _(
            "A new link for one person who lost theirs: the old link stops working at once. "
            "Someone who has already answered gets no new link."
        )
    )
    with st.form(f"{keys.REISSUE_FORM}_{wave.code}", border=False):
        employee = st.text_input(_("Employee number"), key=f"{keys.REISSUE_EMPLOYEE}_{wave.code}")
        replace = st.form_submit_button(_("Replace the link"), icon=":material/link:")
    if replace and employee.strip():
        link = write(ctx, reissue_link, wave.code, employee, context.settings())
        if link is None:
            return
        st.session_state[keys.REISSUED] = (wave.code, link)
    done = st.session_state.get(keys.REISSUED)
    if not (done and done[0] == wave.code):
        return
    link = done[1]
    right = show_new_link(link.link, link.name, link.employee_no, _)
    slip = invitation_slips_html([link], wave, ctx.language)
    right.download_button(
        _("QR slip to print"),
        data=_logged(ctx, "slips", wave, slip, 1),
        file_name=f"invitation-slip-{wave.code}-{link.employee_no}.html",
        mime="text/html",
        icon=":material/qr_code_2:",
        on_click="ignore",
    )


def wave_people_section(ctx: context.PageContext, wave: WaveRow, units: Sequence[UnitRow]) -> None:
    """The two tools for an open wave, each in its own expander."""
    _ = ctx.gettext
    with st.expander(_("Add people who joined since opening"), icon=":material/person_add:"):
        _joiners(ctx, wave, units)
    with st.expander(_("Replace a lost link"), icon=":material/link:"):
        _lost_link(ctx, wave)
