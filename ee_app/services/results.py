"""Engagement results as readers see them: every screen, export and command reads them here.

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
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ee_app.analysis.engagement import change_frame
from ee_app.analysis.intervals import change_ci
from ee_app.analysis.publication import (
    published_index,
    published_index_interval,
    published_items,
    published_scores,
    published_themes,
)
from ee_app.analysis.ranks import percentile_ranks
from ee_app.analysis.sums import SUM_COLUMNS
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, Conflict, NotFound, ValidationError
from ee_app.models import (
    HIDDEN_METRICS,
    OrgUnit,
    SurveyResult,
    SurveyWave,
    SurveyWaveResult,
    SurveyWaveUnit,
    UnitLevel,
    WaveStatus,
)
from ee_app.services.respondents import comparable_cells
from ee_app.services.results_build import DIMENSIONS, build_results, rebuild_stale_results
from ee_app.services.wave_access import closed_wave

__all__ = [
    "DIMENSIONS",
    "OWN_COLUMNS",
    "ROW_COLUMNS",
    "CoveringWave",
    "EngagementView",
    "build_results",
    "comments_for",
    "covering_waves",
    "engagement_view",
    "flags",
    "own_questions",
    "previous_waves",
    "rebuild_stale_results",
    "trend_for",
    "unit_data",
]

#: The columns of ``EngagementView.rows``, present even when every unit is hidden.
ROW_COLUMNS = (
    "unit_id",
    "code",
    "name",
    "level",
    "hidden",
    "n",
    "index",
    "index_low",
    "index_high",
    "favourable",
    "favourable_low",
    "favourable_high",
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
#: The columns of ``EngagementView.own``.
OWN_COLUMNS = (
    "unit_id",
    "slot",
    "text_en",
    "text_zh",
    "n",
    "mean",
    "mean_low",
    "mean_high",
    "favourable",
    "hidden",
    "change",
    "change_low",
    "change_high",
)
_CACHE_SIZE = 64
_cache: OrderedDict[tuple, object] = OrderedDict()


# Reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _WaveData:
    """Some of one closed wave's result rows and, per metric, the units that must stay hidden."""

    key: tuple  # what the cache knows it by
    frame: pd.DataFrame  # the rows loaded (unit rows and, for stores, their slices)
    units: pd.DataFrame  # dim == "": one row per unit, indexed by unit id

    @cached_property
    def hidden(self) -> dict[str, frozenset[int]]:
        """Metric ("n", a slot, "enps") → hidden unit ids (made when first asked)."""
        return _mask_sets(self.units)


def _version_key(session: Session, wave: SurveyWave) -> tuple:
    row = session.execute(
        select(SurveyWaveResult.version, SurveyWaveResult.computed_at).where(
            SurveyWaveResult.wave_id == wave.id
        )
    ).first()
    if row is None:
        raise Conflict(N_("Results of wave “{code}” have not been computed."), code=wave.code)
    bind = session.get_bind()
    # The computation time tells a database that was reset (same URL, same ids) from before.
    return (bind.url.render_as_string(hide_password=True), wave.id, row[0], str(row[1]))


_NUMBERS = ("unit_id", "hidden", *SUM_COLUMNS)


@cache
def _rows_statement(by_level: bool):  # type: ignore[no-untyped-def]
    """The result rows of a wave: of one level and some dimensions ("" for the unit rows),
    or of some units. Built once (82 columns): building it cost about as much as running it."""
    table = SurveyResult.__table__
    statement = select(*(table.c[c] for c in _NUMBERS), table.c.dim, table.c.value)
    if by_level:
        return statement.join(OrgUnit, OrgUnit.id == table.c.unit_id).where(
            table.c.wave_id == bindparam("wave"),
            OrgUnit.level == bindparam("level"),
            table.c.dim.in_(bindparam("dims", expanding=True)),
        )
    return statement.where(
        table.c.wave_id == bindparam("wave"),
        table.c.unit_id.in_(bindparam("units", expanding=True)),
        table.c.dim == "",
    )


def _load(session: Session, key: tuple, by_level: bool, **params) -> _WaveData:  # type: ignore[no-untyped-def]
    result = session.connection().execute(_rows_statement(by_level), params)
    # The driver's own tuples (every column a plain number but the last two): one float
    # block and two text columns. SQLAlchemy rows and pandas inferring 80 mixed columns row
    # by row were most of a cold read.
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    width = len(_NUMBERS)
    block = np.array([r[:width] for r in rows], dtype=float).reshape(len(rows), width)
    frame = pd.DataFrame(block, columns=list(_NUMBERS))
    frame["unit_id"] = frame["unit_id"].astype(int)
    frame["hidden"] = frame["hidden"].astype(int)
    frame["dim"] = [r[width] for r in rows]
    frame["value"] = [r[width + 1] for r in rows]
    units = frame[frame["dim"] == ""].set_index("unit_id")
    return _WaveData(key, frame, units)


def _wave_data(
    session: Session, wave: SurveyWave, level: UnitLevel, dim: str | None = None
) -> _WaveData:
    """The unit rows of one level of a closed wave and, for a store slice (``dim``), the
    stores' slices of that dimension, cached per database, wave, results version, level and
    dimension. Only the rows a view needs are read: the whole wave is a few thousand wide
    rows at chain size."""
    key = (*_version_key(session, wave), level, dim or "")
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]  # type: ignore[return-value]
    dims = ["", dim] if dim and level is UnitLevel.STORE else [""]
    data = _load(session, key, True, wave=wave.id, level=level, dims=dims)
    _cache[key] = data
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return data


def unit_data(session: Session, wave: SurveyWave, unit_ids: Iterable[int]) -> _WaveData:
    """The unit rows of a few units of a closed wave (not cached: a small read)."""
    key = (*_version_key(session, wave), "units")
    return _load(session, key, False, wave=wave.id, units=list(unit_ids))


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


@dataclass(frozen=True)
class CoveringWave:
    """A closed wave with computed results and the paths of its audience units."""

    wave: SurveyWave
    roots: tuple[str, ...]
    version: tuple  # its results version, for the caches

    def covers(self, path: str) -> bool:
        """The whole unit at ``path`` was asked: it is one of the audience units or lies
        beneath one (a region is not covered by a pilot of two of its stores)."""
        return path.startswith(self.roots) if self.roots else False


def covering_waves(session: Session, wave: SurveyWave, *, later: bool) -> list[CoveringWave]:
    """The closed waves of ``wave``'s mode with computed results, opened before it (newest
    first) or after it (oldest first), each with its audience."""
    if later:
        when, order = SurveyWave.opens_on > wave.opens_on, (SurveyWave.opens_on, SurveyWave.id)
    else:
        when = SurveyWave.opens_on < wave.opens_on
        order = (SurveyWave.opens_on.desc(), SurveyWave.id.desc())
    found = session.execute(
        select(SurveyWave, SurveyWaveResult.version, SurveyWaveResult.computed_at)
        .join(SurveyWaveResult, SurveyWaveResult.wave_id == SurveyWave.id)
        .where(SurveyWave.status == WaveStatus.CLOSED, SurveyWave.mode == wave.mode, when)
        .order_by(*order)
    ).all()
    roots: dict[int, list[str]] = {}
    for wave_id, path in session.execute(
        select(SurveyWaveUnit.wave_id, OrgUnit.path)
        .join(OrgUnit, OrgUnit.id == SurveyWaveUnit.unit_id)
        .where(SurveyWaveUnit.wave_id.in_([w.id for w, _, _ in found]))
    ):
        roots.setdefault(wave_id, []).append(path)
    return [
        CoveringWave(w, tuple(sorted(roots.get(w.id, ()))), (w.id, version, str(at)))
        for w, version, at in found
    ]


def previous_waves(
    session: Session,
    wave: SurveyWave,
    paths: Mapping[int, str],
    earlier: list[CoveringWave] | None = None,
) -> dict[int, SurveyWave]:
    """Each unit's own previous wave (unit id → wave), for units given as id → path: the most
    recent closed wave of the same mode (anonymous or confidential) opened before ``wave``
    whose audience covered the whole unit. Units no such wave covered are left out.

    Different units of one view may thus compare with different waves: after a pilot wave
    of two stores, those two compare with the pilot, the others with the wave before it; a
    confidential spot check of one store is no comparison for an anonymous wave."""
    if earlier is None:
        earlier = covering_waves(session, wave, later=False)
    chosen: dict[int, SurveyWave] = {}
    for unit_id, path in paths.items():
        for candidate in earlier:
            if candidate.covers(path):
                chosen[unit_id] = candidate.wave
                break
    return chosen


def _in_scope(actor: Actor, unit_ids: Iterable[int]) -> list[int]:
    return [u for u in unit_ids if actor.scope is None or u in actor.scope]


def _mask_sets(rows: pd.DataFrame) -> dict[str, frozenset[int]]:
    """Metric → ids of the rows whose ``hidden`` bit for it is set."""
    masks = rows["hidden"].astype(int)
    return {
        metric: frozenset(masks.index[(masks & (1 << bit)) != 0].tolist())
        for bit, metric in enumerate(HIDDEN_METRICS)
    }


def _slice_rows(data: _WaveData, dim: str, value: str) -> pd.DataFrame:
    frame = data.frame
    return frame[(frame["dim"] == dim) & (frame["value"] == value)].set_index("unit_id")


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
    data = _wave_data(session, wave, level, dim)
    earlier = covering_waves(session, wave, later=False)
    # The earlier waves' versions too: a rebuilt or newly closed earlier wave changes the
    # comparison.
    before = tuple((c.version, c.roots) for c in earlier)
    key = ("view", data.key, before, actor.scope, dim, value)
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]  # type: ignore[return-value]
    view = _compute_view(session, actor, wave, data, earlier, level, dim, value)
    _cache[key] = view
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return view


def _audience_units(
    session: Session, wave: SurveyWave, level: UnitLevel, units: Mapping[int, _Unit]
) -> list[_Unit]:
    """Units of ``level`` in the wave's audience (its units and everything beneath them)."""
    from ee_app.models import SurveyWaveUnit

    roots = session.scalars(
        select(SurveyWaveUnit.unit_id).where(SurveyWaveUnit.wave_id == wave.id)
    ).all()
    prefixes = tuple(session.scalars(select(OrgUnit.path).where(OrgUnit.id.in_(roots))))
    chosen = [u for u in units.values() if u.level is level and u.path.startswith(prefixes)]
    return sorted(chosen, key=lambda u: u.path)


def flags(masks: Iterable[int]) -> dict[str, np.ndarray]:
    """Metric → one flag per row: which figures must stay hidden (the stored bit masks)."""
    values = np.asarray(list(masks), dtype=np.int64)
    return {metric: (values & (1 << bit)) != 0 for bit, metric in enumerate(HIDDEN_METRICS)}


def _published(rows: pd.DataFrame) -> pd.DataFrame:
    """The figures of result rows (indexed by unit id) a reader may see."""
    return published_scores(rows, flags(rows["hidden"]))


def _compute_view(
    session: Session,
    actor: Actor,
    wave: SurveyWave,
    data: _WaveData,
    earlier: list[CoveringWave],
    level: UnitLevel,
    dim: str | None,
    value: str | None,
) -> EngagementView:
    units = _unit_rows(session, OrgUnit.__table__.c.level == level.value)
    at_level = _audience_units(session, wave, level, units)
    visible = _in_scope(actor, (u.id for u in at_level))
    source = _slice_rows(data, dim, value) if dim else data.units
    present = [u for u in visible if u in source.index]  # absent: pooled, or unpublished
    # Every unit of the level once (the chain's distribution), the visible ones taken from it.
    level_rows = source.loc[[u for u in source.index if u in units]]
    tops, top_rows = _headline_rows(session, actor, wave)
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
    shown = shown.join(_change(session, wave, previous, source, shown, level, dim, value))
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
        _headline(both.iloc[len(level_rows) :], tops),
        _own_items(session, wave, source.loc[present], previous, level, dim, value),
    )


def own_questions(wave: SurveyWave) -> list[tuple[str, str, str]]:
    """(slot, English text, Chinese text) of the wave's own questions, in order."""
    from ee_app.services.instruments import pulse_instrument

    instrument = pulse_instrument(wave.instrument)
    return [(i.slot, i.text.en, i.text.zh) for i in instrument.custom_items]


def _own_items(
    session: Session,
    wave: SurveyWave,
    rows: pd.DataFrame,
    previous: Mapping[int, SurveyWave],
    level: UnitLevel,
    dim: str | None,
    value: str | None,
) -> pd.DataFrame:
    """The own questions of the units in ``rows`` (result rows by unit id), as a reader may
    see them (:func:`~ee_app.analysis.publication.published_items`), with the change since
    each unit's previous wave only where that wave asked the same question (both texts
    equal), both waves show it, and the rule across waves allows the comparison."""
    questions = own_questions(wave)
    if not questions or rows.empty:
        return pd.DataFrame(columns=OWN_COLUMNS)
    slots = [slot for slot, _, _ in questions]
    items = published_items(rows.reset_index(), "unit_id", flags(rows["hidden"]), slots)
    texts = {slot: (en, zh) for slot, en, zh in questions}
    items["text_en"] = [texts[s][0] for s in items["slot"]]
    items["text_zh"] = [texts[s][1] for s in items["slot"]]
    items["change"] = items["change_low"] = items["change_high"] = math.nan
    by_wave: dict[int, list[int]] = {}
    for unit, before in previous.items():
        by_wave.setdefault(before.id, []).append(unit)
    for wave_id, units in by_wave.items():
        before_wave = session.get(SurveyWave, wave_id)
        asked = {(en, zh): slot for slot, en, zh in own_questions(before_wave)}
        pairs = {s: asked[t] for s, t in texts.items() if t in asked}
        if not pairs:
            continue
        data = _wave_data(session, before_wave, level, dim)
        then = _slice_rows(data, dim, value) if dim else data.units
        common = [u for u in units if u in then.index and u in rows.index]
        if not common:
            continue
        hidden_then = flags(then.loc[common, "hidden"])
        cells = [(u, dim or "", value or "") for u in common]
        allowed = {c[0] for c in comparable_cells(session, before_wave, wave, cells)}
        for position, record in items.iterrows():
            unit, slot = int(record["unit_id"]), record["slot"]
            if unit not in allowed or slot not in pairs or record["hidden"]:
                continue
            old = pairs[slot]
            if hidden_then["n"][common.index(unit)] or hidden_then[old][common.index(unit)]:
                continue
            items.loc[position, ["change", "change_low", "change_high"]] = change_ci(
                tuple(float(then.loc[unit, f"{old}_{p}"]) for p in ("n", "sum", "sumsq")),
                tuple(float(rows.loc[unit, f"{slot}_{p}"]) for p in ("n", "sum", "sumsq")),
            )
    return items.reindex(columns=OWN_COLUMNS)


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


def _change(
    session: Session,
    wave: SurveyWave,
    previous: Mapping[int, SurveyWave],
    source: pd.DataFrame,
    shown: pd.DataFrame,
    level: UnitLevel,
    dim: str | None,
    value: str | None,
) -> pd.DataFrame:
    """The index's change since each unit's own previous wave (``previous``: unit id →
    wave) for units whose index both waves show and whose respondents are the same or
    changed by at least k people (the rule across waves, applied to each pair of waves)."""
    empty = pd.DataFrame(columns=["change", "change_low", "change_high"], dtype=float)
    if not previous or shown.empty:
        return empty
    now = shown.index[shown["index"].notna()]
    groups: dict[int, list[int]] = {}
    waves: dict[int, SurveyWave] = {}
    for unit in now:
        if unit in previous:
            groups.setdefault(previous[unit].id, []).append(unit)
            waves[previous[unit].id] = previous[unit]
    frames = []
    for wave_id, ids in groups.items():
        before = _wave_data(session, waves[wave_id], level, dim)
        before_source = _slice_rows(before, dim, value) if dim else before.units
        common = [u for u in ids if u in before_source.index]
        if not common:
            continue
        then = published_index(
            before_source.loc[common], flags(before_source.loc[common, "hidden"])
        )
        candidates = [u for u, shown in zip(common, np.isfinite(then), strict=True) if shown]
        cells = [(u, dim or "", value or "") for u in candidates]
        allowed = comparable_cells(session, waves[wave_id], wave, cells) if cells else set()
        comparable = [u for u in candidates if (u, dim or "", value or "") in allowed]
        if comparable:
            frames.append(change_frame(before_source.loc[comparable], source.loc[comparable]))
    return pd.concat(frames) if frames else empty


@dataclass(frozen=True)
class _Unit:
    id: int
    code: str
    name: str
    level: UnitLevel
    parent_id: int | None
    path: str


def _unit_rows(session: Session, condition) -> dict[int, _Unit]:  # type: ignore[no-untyped-def]
    """Units as light tuples (reading thousands of ORM objects took longest cold)."""
    table = OrgUnit.__table__
    rows = (
        session.connection()
        .execute(
            select(
                table.c.id,
                table.c.code,
                table.c.name,
                table.c.level,
                table.c.parent_id,
                table.c.path,
            ).where(condition)
        )
        .all()
    )
    return {r[0]: _Unit(r[0], r[1], r[2], UnitLevel(r[3]), r[4], r[5]) for r in rows}


def _headline_rows(
    session: Session, actor: Actor, wave: SurveyWave
) -> tuple[dict[int, _Unit], pd.DataFrame]:
    """The actor's top units (the brand for HR; a manager's own units) and their result rows
    (by unit id) in ``wave``."""
    table = OrgUnit.__table__
    if actor.scope is None:
        tops = list(_unit_rows(session, table.c.parent_id.is_(None)).values())
    else:
        mine = _unit_rows(session, table.c.id.in_(list(actor.scope)))
        tops = [u for u in mine.values() if u.parent_id not in actor.scope]
    # the wave's results are known to exist (the view read them): no version to look up
    data = _load(session, ("units", wave.id), False, wave=wave.id, units=[u.id for u in tops])
    present = [u.id for u in tops if u.id in data.units.index]
    return {u.id: u for u in tops}, data.units.loc[present]


def _headline(published: pd.DataFrame, units: Mapping[int, _Unit]) -> pd.DataFrame:
    """Scores of the actor's top units (:func:`_headline_rows`, published by :func:`_published`:
    decided by the same function as every other figure), the hidden ones left out."""
    frame = published[~published["hidden"]]
    if frame.empty:
        return pd.DataFrame()
    frame = frame.rename_axis("unit_id").reset_index()
    frame["code"] = [units[u].code for u in frame["unit_id"]]
    frame["name"] = [units[u].name for u in frame["unit_id"]]
    return frame


def trend_for(
    session: Session,
    actor: Actor,
    unit_code: str,
    *,
    dim: str | None = None,
    value: str | None = None,
) -> pd.DataFrame:
    """The unit's engagement index in every closed wave that asked its people, oldest first.

    A wave is marked hidden where the unit's index is hidden (``reason`` "fewer": fewer than
    k answers, or pooled into a larger unit) or where its respondents differ from those of an
    earlier point shown by fewer than k people (``reason`` "changed"), so no two points of
    the trend can be subtracted to isolate the few who joined or left."""
    require(actor, Permission.VIEW_RESULTS)
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
    if unit is None or not actor.may_see_unit(unit.id):
        raise NotFound(N_("No unit with code “{code}” in your scope."), code=unit_code)
    ancestors = [int(p) for p in unit.path.strip("/").split("/") if p]
    asked = set(
        session.scalars(
            select(SurveyResult.wave_id)
            .where(SurveyResult.unit_id.in_(ancestors), SurveyResult.dim == "")
            .distinct()
        )
    )
    waves = list(
        session.scalars(
            select(SurveyWave)
            .join(SurveyWaveResult, SurveyWaveResult.wave_id == SurveyWave.id)
            .where(SurveyWave.status == WaveStatus.CLOSED, SurveyWave.id.in_(asked))
            .order_by(SurveyWave.opens_on, SurveyWave.id)
        )
    )
    versions = session.execute(
        select(SurveyWaveResult.wave_id, SurveyWaveResult.version, SurveyWaveResult.computed_at)
        .where(SurveyWaveResult.wave_id.in_([w.id for w in waves]))
        .order_by(SurveyWaveResult.wave_id)
    ).all()
    key = (
        "trend",
        session.get_bind().url.render_as_string(hide_password=True),
        unit.id,
        dim,
        value,
        tuple((w, v, str(at)) for w, v, at in versions),
    )
    if key in _cache:  # the same waves and results versions: the same trend
        _cache.move_to_end(key)
        return _cache[key].copy()  # type: ignore[union-attr]
    table = SurveyResult.__table__
    result = session.connection().execute(
        select(table.c.wave_id, table.c.hidden, *(table.c[c] for c in SUM_COLUMNS)).where(
            table.c.unit_id == unit.id,
            table.c.dim == (dim or ""),
            table.c.value == (value or ""),
            table.c.wave_id.in_([w.id for w in waves]),
        )
    )
    # The driver's tuples as one float block, as in _load (pandas inferring 80 columns from
    # SQLAlchemy rows was a fifth of a cold trend); every figure is computed in floats anyway.
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    names = ["wave_id", "hidden", *SUM_COLUMNS]
    block = np.array(rows, dtype=float).reshape(len(rows), len(names))
    found = pd.DataFrame(block[:, 1:], columns=names[1:], index=block[:, 0].astype(int))
    found["hidden"] = found["hidden"].astype(int)  # one column (astype of a dict visits all)
    # the index and its interval only: the trend shows nothing else
    published = published_index_interval(found, flags(found["hidden"])) if len(found) else found
    # Plain values per wave: a pandas look-up per wave and figure was most of a cold trend.
    figures = (
        dict(
            zip(
                published.index.tolist(),
                zip(
                    published["n"].tolist(),
                    published["index"].tolist(),
                    published["index_low"].tolist(),
                    published["index_high"].tolist(),
                    strict=True,
                ),
                strict=True,
            )
        )
        if len(found)
        else {}
    )
    cell = (unit.id, dim or "", value or "")
    shown_before: list[tuple[SurveyWave, int]] = []
    records = []
    for wave in waves:
        record = {
            "wave": wave.code,
            "name": wave.name,
            "opens_on": wave.opens_on,
            "hidden": True,
            "reason": "fewer",
            "n": math.nan,
            "index": math.nan,
            "index_low": math.nan,
            "index_high": math.nan,
        }
        if wave.id in figures and not math.isnan(figures[wave.id][1]):
            n_now, index, low, high = figures[wave.id]
            if all(
                cell in comparable_cells(session, earlier, wave, [cell], (n, int(n_now)))
                for earlier, n in shown_before
            ):
                record.update(
                    hidden=False,
                    reason="",
                    n=int(n_now),
                    index=float(index),
                    index_low=float(low),
                    index_high=float(high),
                )
                shown_before.append((wave, int(n_now)))
            else:
                record["reason"] = "changed"
        records.append(record)
    columns = [
        "wave",
        "name",
        "opens_on",
        "hidden",
        "reason",
        "n",
        "index",
        "index_low",
        "index_high",
    ]
    trend = pd.DataFrame.from_records(records, columns=columns)
    _cache[key] = trend
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return trend.copy()


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
