"""Engagement results as readers see them: the view every screen, export and command reads.

Results are built once when a wave closes (:mod:`ee_app.services.results_build`, which also
decides, per row and per metric, what must stay hidden). :func:`engagement_view` turns those
rows into what a reader may see: scores with intervals, every hidden figure blank (through
:mod:`ee_app.analysis.publication`, the one decision every surface asks), the change against
each unit's own previous wave (the most recent closed wave of the same mode whose audience
covered the unit: after a two-store pilot the other stores still compare with the wave before
it), the percentile among units of the same level, the actor's scope only.
Figures of two waves are shown side by side (a change, a trend) only where the rule across
waves allows it (:mod:`ee_app.services.respondents`). Results exist for closed waves only: an
open wave's numbers would change with each answer, and comparing two moments would reveal the
answers in between.

The view is put together here from its parts: the wave's result rows
(:mod:`~ee_app.services.results_rows`), the units it lists and the headline's
(:mod:`~ee_app.services.results_scope`), the change since each unit's previous wave
(:mod:`~ee_app.services.results_previous`) and the wave's own questions
(:mod:`~ee_app.services.results_own`). A unit's trend across waves is
:mod:`~ee_app.services.results_trend`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy.orm import Session

from ee_app.analysis.publication import INDEX_COLUMNS, published_scores, published_themes
from ee_app.analysis.ranks import percentile_ranks
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, ValidationError
from ee_app.models import OrgUnit, SurveyWave, SurveyWaveResult, UnitLevel
from ee_app.services.results_build import DIMENSIONS
from ee_app.services.results_own import OWN_COLUMNS, own_items
from ee_app.services.results_previous import (
    CoveringWave,
    covering_waves,
    index_changes,
    previous_waves,
)
from ee_app.services.results_rows import CACHE, CACHE_SIZE, WaveData, flags, slice_rows, wave_data
from ee_app.services.results_scope import (
    audience_units,
    headline,
    headline_rows,
    in_scope,
    unit_rows,
)
from ee_app.services.wave_access import closed_wave

__all__ = ["DIMENSIONS", "ROW_COLUMNS", "EngagementView", "comments_for", "engagement_view"]

#: The columns of ``EngagementView.rows``, present even when every unit is hidden.
ROW_COLUMNS = (
    "unit_id",
    "code",
    "name",
    "level",
    "hidden",
    "n",
    *INDEX_COLUMNS,
    "enps_n",
    "enps",
    "enps_low",
    "enps_high",
    "promoters",
    "detractors",
    "percentile",
    "change",
    "change_low",
    "change_high",
    "previous_wave",
    "previous_name",
)


@dataclass(frozen=True)
class EngagementView:
    """What one reader may see of one wave at one level (and optionally one slice)."""

    wave_code: str
    wave_name: str
    k: int
    k_comments: int
    level: UnitLevel
    dim: str | None
    value: str | None
    #: (code, name) of every wave some row's change is measured against, newest first: each
    #: row's own is in its ``previous_wave`` (code) and ``previous_name`` columns.
    previous_waves: tuple[tuple[str, str], ...]
    alpha: tuple[float, float, float, int] | None
    rows: pd.DataFrame  # one row per unit: scores, or NaN with hidden=True
    themes: pd.DataFrame  # unit × theme: n, mean, interval, favourable; hidden rows blank
    headline: pd.DataFrame = field(default_factory=pd.DataFrame)  # the scope's top units
    #: unit × own question (HR's items x1…x5; empty when the wave has none): the texts in
    #: both languages, n, mean, interval, favourable, hidden, and the change since the unit's
    #: previous wave where that wave asked the same text.
    own: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=OWN_COLUMNS))


def engagement_view(
    session: Session,
    actor: Actor,
    wave_code: int | str,
    *,
    level: UnitLevel = UnitLevel.STORE,
    dim: str | None = None,
    value: str | None = None,
) -> EngagementView:
    """Scores per unit of ``level`` in the wave's audience and the actor's scope, as
    everybody may see them. Cached per wave version, scope and view: a warm call is a
    dictionary lookup."""
    require(actor, Permission.VIEW_RESULTS)
    if dim is not None and (dim not in DIMENSIONS or not value):
        raise ValidationError(N_("Filter by role or tenure band, with one value."))
    if dim is not None and level is not UnitLevel.STORE:
        raise ValidationError(
            N_(
                "Filters by role or tenure band are shown per store only, so that no small "
                "group can be found by subtracting one filtered total from another."
            )
        )
    wave = closed_wave(session, actor, wave_code)
    data = wave_data(session, wave, level, dim)
    earlier = covering_waves(session, wave, later=False)
    # The earlier waves' versions too: a rebuilt or newly closed earlier wave changes the
    # comparison.
    before = tuple((c.version, c.roots) for c in earlier)
    key = ("view", data.key, before, actor.scope, dim, value)
    if key in CACHE:
        CACHE.move_to_end(key)
        return CACHE[key]  # type: ignore[return-value]
    view = _compute_view(session, actor, wave, data, earlier, level, dim, value)
    CACHE[key] = view
    if len(CACHE) > CACHE_SIZE:
        CACHE.popitem(last=False)
    return view


def _published(rows: pd.DataFrame) -> pd.DataFrame:
    """The figures of result rows (indexed by unit id) a reader may see."""
    return published_scores(rows, flags(rows["hidden"]))


def _compute_view(
    session: Session,
    actor: Actor,
    wave: SurveyWave,
    data: WaveData,
    earlier: list[CoveringWave],
    level: UnitLevel,
    dim: str | None,
    value: str | None,
) -> EngagementView:
    units = unit_rows(session, OrgUnit.__table__.c.level == level.value)
    at_level = audience_units(session, wave, level, units)
    visible = in_scope(actor, (u.id for u in at_level))
    source = slice_rows(data, dim, value) if dim else data.units
    present = [u for u in visible if u in source.index]  # absent: pooled, or unpublished
    # Every unit of the level once (the chain's distribution), the visible ones taken from it.
    level_rows = source.loc[[u for u in source.index if u in units]]
    tops, top_rows = headline_rows(session, actor, wave)
    # The level's rows and the headline's in one call: its cost is mostly fixed (the eNPS
    # bisection runs the same steps for one row or a thousand), the figures are row by row.
    both = _published(pd.concat([level_rows, top_rows]))
    every = both.iloc[: len(level_rows)]  # the visible units are among them
    shown = every.loc[present]
    peers = every["index"].dropna()
    # a dictionary: a pandas look-up per unit was 5% of a cold view
    peer = dict(zip(peers.index.tolist(), peers.tolist(), strict=True))
    shown["percentile"] = percentile_ranks(
        list(peer.values()), [peer.get(u, math.nan) for u in shown.index.tolist()]
    )
    previous = previous_waves(session, wave, {u: units[u].path for u in visible}, earlier)
    shown = shown.join(index_changes(session, wave, previous, source, shown, level, dim, value))
    rows = pd.DataFrame(
        {
            "unit_id": visible,
            "code": [units[u].code for u in visible],
            "name": [units[u].name for u in visible],
            "level": [units[u].level.value for u in visible],
            "previous_wave": [previous[u].code if u in previous else None for u in visible],
            "previous_name": [previous[u].name if u in previous else None for u in visible],
        }
    )
    rows = rows.join(shown, on="unit_id")
    rows["hidden"] = rows["hidden"].fillna(True).astype(bool)
    rows = rows.reindex(columns=ROW_COLUMNS)
    result = session.get(SurveyWaveResult, wave.id)
    alpha = None
    if result is not None and result.alpha is not None:
        alpha = (result.alpha, result.alpha_low, result.alpha_high, result.alpha_n or 0)
    themes = source.loc[present]
    compared = {w.id for w in {id(w): w for w in previous.values()}.values()}
    return EngagementView(
        wave.code,
        wave.name,
        wave.k,
        wave.k_comments,
        level,
        dim,
        value,
        tuple((c.wave.code, c.wave.name) for c in earlier if c.wave.id in compared),
        alpha,
        rows,
        published_themes(themes.reset_index(), "unit_id", flags(themes["hidden"]))
        if len(themes)
        else pd.DataFrame(columns=_THEME_COLUMNS),
        headline(both.iloc[len(level_rows) :], tops),
        own_items(session, wave, source.loc[present], previous, level, dim, value),
    )


_THEME_COLUMNS = [
    "unit_id",
    "theme",
    "slot",
    "n",
    "mean",
    "mean_low",
    "mean_high",
    "favourable",
    "hidden",
]


def comments_for(
    session: Session, actor: Actor, wave_code: int | str, unit_code: str
) -> tuple[bool, list[str]]:
    """The comments of a unit's respondents, shuffled, if the unit may show comments.

    Returns (allowed, comments): see :func:`ee_app.services.comments.comments_of_unit` (at
    least k_c respondents, all of them stored at the unit or beneath it).
    """
    from ee_app.services.comments import comments_of_unit

    allowed, found = comments_of_unit(session, actor, wave_code, unit_code)
    return (allowed, [c.text for c in found])
