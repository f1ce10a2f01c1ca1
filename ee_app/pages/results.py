"""Engagement results: how engaged each unit was in a closed wave, what changed since the wave
before, what staff said, and the action plans that follow.

Every number comes from :mod:`ee_app.services.results` and :mod:`ee_app.services.actions`,
which have already hidden whatever could single someone out (primary and secondary
suppression, the exclusion rule for role and tenure filters, the comment threshold). The page
formats and draws: it marks a hidden group "fewer than k" and computes nothing about it.
Open waves are never offered: their numbers would change with every answer.

This file is what Streamlit runs: the order of the parts. Each part lives in
``ee_app/ui/results_*.py`` (headline, units, unit detail, comments).
"""

import streamlit as st

from ee_app.errors import EeError
from ee_app.models import UnitLevel, WaveStatus
from ee_app.services.actions import MAX_THEMES
from ee_app.services.org import list_units
from ee_app.services.results import (
    EngagementView,
    engagement_view,
)
from ee_app.services.waves import list_waves
from ee_app.ui import context, keys
from ee_app.ui.action_plans import plans_section
from ee_app.ui.components import error_box
from ee_app.ui.engagement_drivers import drivers_section
from ee_app.ui.feedback import show_flash
from ee_app.ui.results_headline import headline, no_results_yet, wave_picker
from ee_app.ui.results_unit_detail import known_units, ranked_themes, unit_detail, unit_picker
from ee_app.ui.results_units import downloads, heatmap, level_picker, slice_picker, units_table

LEVELS = (UnitLevel.REGION, UnitLevel.STORE, UnitLevel.TEAM)

ctx = context.page()
_ = ctx.gettext
actor = ctx.actor


# The page -------------------------------------------------------------------------------------


def level_views(wave_code: str) -> dict[UnitLevel, EngagementView]:
    with ctx.read() as session:
        return {
            level: engagement_view(session, actor, wave_code, level=level) for level in UnitLevel
        }


def sliced_view(wave_code: str, dim: str, value: str) -> EngagementView:
    with ctx.read() as session:
        return engagement_view(
            session, actor, wave_code, level=UnitLevel.STORE, dim=dim, value=value
        )


st.title(_("Engagement results"))
st.caption(
    _(
        "Scores of each unit after a closed pulse survey wave, with their 95% intervals and "
        "the number of respondents they rest on. Groups too small to keep everyone anonymous "
        "are marked, never shown."
    )
)
show_flash(keys.RESULTS_FLASH, keys.RESULTS_ERROR, _)
try:
    with ctx.read() as session:
        waves = list_waves(session, actor)
        units = list_units(session, actor)
except EeError as error:
    error_box(error, _)
    st.stop()

closed = [w for w in waves if w.status is WaveStatus.CLOSED]
if not closed:
    no_results_yet(ctx, waves)
    st.stop()

wave = wave_picker(ctx, closed, waves)
try:
    views = level_views(wave.code)
except EeError as error:
    error_box(error, _)
    st.stop()
overview = views[UnitLevel.STORE]

st.subheader(_("Headline"))
headline(ctx, overview)

st.subheader(_("Units"))
levels = [level for level in LEVELS if not views[level].rows.empty]
if not levels:
    st.info(_("No unit in your scope took part in this wave."), icon=":material/info:")
else:
    level = level_picker(ctx, levels)
    dim, value = slice_picker(ctx, wave.k) if level is UnitLevel.STORE else (None, None)
    view = views[level]
    if dim is not None and value is not None:
        try:
            view = sliced_view(wave.code, dim, value)
        except EeError as error:
            error_box(error, _)
            st.stop()
    units_table(ctx, view)
    st.markdown("**{}**".format(_("Themes")))
    heatmap(ctx, view)
    downloads(ctx, view)

st.subheader(_("Unit detail"))
known = known_units(views)
unit_code = unit_picker(ctx, units, known, overview)
if unit_code is None:
    st.info(_("No unit in your scope took part in this wave."), icon=":material/info:")
    st.stop()
record = known[unit_code]
try:
    unit_detail(ctx, wave, closed, record, wave.k)
except EeError as error:
    error_box(error, _)

drivers_section(ctx, wave.code, record["code"])

st.subheader(_("Action plans"))
weakest = ranked_themes(record["themes"]).tail(MAX_THEMES)["theme"].tolist()[::-1]
plans_section(ctx, wave, record["code"], wave.k, weakest)
