"""The questionnaire part of the pulse surveys page (HR): the items of each version, and the
form that adds the chain's own items as a new version.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from ee_app.instruments.pulse import MAX_CUSTOM_ITEMS, PulseInstrument
from ee_app.models import InstrumentVersion
from ee_app.services.instruments import add_custom_items, pulse_instrument
from ee_app.ui import keys
from ee_app.ui.context import PageContext
from ee_app.ui.service_calls import write
from ee_app.ui.surveys_new_wave import version_label
from ee_app.ui.surveys_wave_actions import flash

__all__ = ["questionnaire"]


def item_list(ctx: PageContext, instrument: PulseInstrument) -> None:
    _ = ctx.gettext
    lines = [
        f"{number}. {item.text.get(ctx.language)}"
        + (" *({})*".format(_("own item")) if item.theme is None else "")
        for number, item in enumerate(instrument.items, start=1)
    ]
    st.markdown("\n".join(lines))


def own_items_form(ctx: PageContext, row: InstrumentVersion, instrument: PulseInstrument) -> None:
    _ = ctx.gettext
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
    created = write(ctx, add_custom_items, row.id, items)
    if created is None:
        return
    st.session_state.pop(keys.QUESTIONNAIRE_VERSION, None)
    flash(
        _("Version {version} created. Choose it when you create the next wave.").format(
            version=created.version
        )
    )
    st.rerun()


def questionnaire(ctx: PageContext, versions: Sequence[InstrumentVersion]) -> None:
    _ = ctx.gettext
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
            format_func=lambda i: version_label(ctx, by_id[i]),
            key=keys.QUESTIONNAIRE_VERSION,
        )
        row = by_id[chosen]
        instrument = pulse_instrument(row)
        item_list(ctx, instrument)
        own_items_form(ctx, row, instrument)
