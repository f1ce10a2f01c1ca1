"""Pulse surveys: the waves, their participation, and (for HR) creating, opening and closing
waves, sending the personal links and adding own questions.

Participation comes from :func:`ee_app.services.waves.participation`, which has already hidden
every unit that could single someone out: the page shows "fewer than k" for those and computes
nothing about them. Managers see only the waves and units in their scope (the services filter).

This file is what Streamlit runs: the order of the parts. Each part lives in
``ee_app/ui/surveys_*.py`` (waves, wave actions, new wave, questionnaire).
"""

import streamlit as st

from ee_app.auth import Permission, can
from ee_app.errors import EeError
from ee_app.services.instruments import list_pulse_versions
from ee_app.services.org import list_units
from ee_app.services.waves import list_waves
from ee_app.ui import context
from ee_app.ui import schedules as schedules_ui
from ee_app.ui.components import error_box
from ee_app.ui.surveys_new_wave import new_wave_form
from ee_app.ui.surveys_questionnaire import questionnaire
from ee_app.ui.surveys_wave_actions import show_flash
from ee_app.ui.surveys_waves import wave_detail, waves_table

ctx = context.page()
_ = ctx.gettext
actor = ctx.actor
manages = can(actor, Permission.MANAGE_SURVEYS)


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
waves_table(ctx, waves)
if waves:
    st.subheader(_("Participation"))
    wave_detail(ctx, waves, units, reported)

if manages:
    st.subheader(_("New wave"))
    new_wave_form(ctx, waves, units, versions)
    questionnaire(ctx, versions)
    schedules_ui.schedules_section(ctx, units, versions)
