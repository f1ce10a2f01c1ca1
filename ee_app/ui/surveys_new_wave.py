"""The New wave part of the pulse surveys page (HR): the form that drafts a wave, with its
audience, dates, mode and anonymity thresholds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import streamlit as st

from ee_app import clock
from ee_app.config import LANGUAGES
from ee_app.errors import N_
from ee_app.i18n import LANGUAGE_NAMES
from ee_app.models import InstrumentVersion, WaveMode
from ee_app.services.instruments import pulse_instrument
from ee_app.services.org import UnitRow
from ee_app.services.waves import (
    WaveRow,
    create_wave,
)
from ee_app.ui import keys
from ee_app.ui.components import unit_option_label
from ee_app.ui.context import PageContext
from ee_app.ui.service_calls import write
from ee_app.ui.surveys_wave_actions import flash
from ee_app.ui.surveys_waves import MODE

__all__ = ["new_wave_form", "version_label"]

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


def suggested_code(taken: set[str], today: date) -> str:
    """This month's code ("2026-11"), with a suffix if a wave has it already."""
    base = today.strftime("%Y-%m")
    code, number = base, 1
    while code in taken:
        number += 1
        code = f"{base}-{number}"
    return code


def version_label(ctx: PageContext, row: InstrumentVersion) -> str:
    _ = ctx.gettext
    own = len(pulse_instrument(row).custom_items)
    label = _("Version {version}").format(version=row.version)
    return label + (_(" · own items: {count}").format(count=own) if own else "")


def new_wave_form(
    ctx: PageContext,
    waves: Sequence[WaveRow],
    units: Sequence[UnitRow],
    versions: Sequence[InstrumentVersion],
) -> None:
    _ = ctx.gettext
    language = ctx.language
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
            format_func=lambda i: version_label(ctx, by_id[i]),
            key=keys.WAVE_INSTRUMENT,
        )
        created = st.form_submit_button(_("Create draft"), type="primary", icon=":material/add:")
    if not created:
        return
    wave = write(
        ctx,
        create_wave,
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
    if wave is None:
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
