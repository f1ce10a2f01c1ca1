"""Engagement results: built once when a wave closes, read by every screen, export and command.

:func:`build_results` sums a closed wave's responses per unit (everything beneath included)
and per store slice (role, tenure band, only the slices that pass
:func:`~ee_app.analysis.disclosure.publishable_slices`), and computes the scale's reliability.
:func:`engagement_view` turns those rows into what a reader may see: scores with intervals,
the hidden ones replaced by nothing (primary and secondary suppression, per metric), change
against the previous wave, the percentile among units of the same level, the actor's scope
only. Results exist for closed waves only: an open wave's numbers would change with each
answer, and comparing two moments would reveal the answers in between.
"""

from __future__ import annotations

import math
import random
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ee_app.analysis.disclosure import publishable_slices, suppress
from ee_app.analysis.engagement import (
    SUM_COLUMNS,
    change_frame,
    cronbach_alpha,
    mean_ci,
    percentile_ranks,
    roll_up,
    scores,
    sum_responses,
    theme_scores,
)
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, Conflict, NotFound, ValidationError
from ee_app.instruments.pulse import CORE_SLOTS
from ee_app.models import (
    ANSWER_SLOTS,
    HIDDEN_METRICS,
    OrgUnit,
    SurveyComment,
    SurveyResponse,
    SurveyResult,
    SurveyWave,
    SurveyWaveResult,
    UnitLevel,
    WaveStatus,
    utcnow,
)

__all__ = [
    "DIMENSIONS",
    "ROW_COLUMNS",
    "EngagementView",
    "build_results",
    "comments_for",
    "engagement_view",
    "trend_for",
    "unit_data",
]

DIMENSIONS = ("role", "band")
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
)
_CACHE_SIZE = 64
_cache: OrderedDict[tuple, object] = OrderedDict()


# Writing, when a wave closes ---------------------------------------------------------------


def _units(session: Session) -> dict[int, OrgUnit]:
    return {u.id: u for u in session.scalars(select(OrgUnit))}


def _ancestors(units: Mapping[int, OrgUnit]) -> dict[int, list[int]]:
    return {uid: [int(p) for p in u.path.strip("/").split("/") if p] for uid, u in units.items()}


def _store_of(unit: OrgUnit, units: Mapping[int, OrgUnit]) -> int | None:
    if unit.level is UnitLevel.STORE:
        return unit.id
    if unit.level is UnitLevel.TEAM and unit.parent_id is not None:
        return unit.parent_id
    return None


def build_results(session: Session, wave: SurveyWave) -> None:
    """(Re)write the result rows of a closed wave within the caller's transaction."""
    columns = ["unit_id", "role", "band", *ANSWER_SLOTS, "enps"]
    table = SurveyResponse.__table__
    responses = pd.DataFrame(
        session.execute(
            select(*(table.c[c] for c in columns)).where(table.c.wave_id == wave.id)
        ).all(),
        columns=columns,
    )
    session.execute(delete(SurveyResult).where(SurveyResult.wave_id == wave.id))
    units = _units(session)
    ancestors = _ancestors(units)
    rows: list[dict] = []
    if len(responses):
        # Plain Python strings: pandas' Arrow-backed strings made every per-store step slow.
        responses["role"] = responses["role"].fillna("").astype(object)
        responses["band"] = responses["band"].fillna("").astype(object)
        by_unit = sum_responses(responses, ["unit_id"])
        totals = roll_up(by_unit, "unit_id", ancestors)
        masks = _hidden_masks(totals, units, wave.k)
        rows += [
            {"wave_id": wave.id, "dim": "", "value": "", "hidden": masks[r["unit_id"]], **r}
            for r in _records(totals, ["unit_id", *SUM_COLUMNS])
        ]
        rows += _slices(responses, totals, units, ancestors, wave.k, wave.id)
    if rows:
        session.execute(insert(SurveyResult.__table__), rows)
    alpha = (
        cronbach_alpha(responses[list(CORE_SLOTS)]) if len(responses) else (math.nan,) * 3 + (0,)
    )
    result = session.get(SurveyWaveResult, wave.id)
    if result is None:
        result = SurveyWaveResult(wave_id=wave.id, version=0)
        session.add(result)
    result.version = (result.version or 0) + 1
    result.computed_at = utcnow()
    result.respondents = len(responses)
    result.alpha, result.alpha_low, result.alpha_high = (
        None if math.isnan(v) else v for v in alpha[:3]
    )
    result.alpha_n = alpha[3]
    session.flush()


def _hidden_masks(totals: pd.DataFrame, units: Mapping[int, OrgUnit], k: int) -> dict[int, int]:
    """For every unit, the bit mask of metrics that must stay hidden: primary and secondary
    suppression on respondents, and again on each question's answers (skipped questions
    make those counts smaller), all hidden where the respondents are."""
    present = set(totals["unit_id"].astype(int))
    parents = {u: (units[u].parent_id if units[u].parent_id in present else None) for u in present}
    respondents = {int(u): int(n) for u, n in zip(totals["unit_id"], totals["n"], strict=True)}
    base = suppress(respondents, parents, k)
    masks = dict.fromkeys(present, 0)
    for bit, metric in enumerate(HIDDEN_METRICS):
        if metric == "n":
            hidden = base
        elif metric == "index":
            continue
        else:
            counts = {
                int(u): int(n)
                for u, n in zip(totals["unit_id"], totals[f"{metric}_n"], strict=True)
            }
            answered = {u: n for u, n in counts.items() if n > 0}
            tree = {u: (parents[u] if parents[u] in answered else None) for u in answered}
            hidden = base | {u for u, n in counts.items() if n < k}
            if answered:
                hidden |= suppress(answered, tree, k)
        for unit in hidden:
            masks[unit] |= 1 << bit
    return _with_index_bit(masks)


def _with_index_bit(masks: dict[int, int]) -> dict[int, int]:
    """The index and overall % favourable rest on every theme: hidden where any is."""
    core = 0
    for bit, metric in enumerate(HIDDEN_METRICS):
        if metric == "n" or metric in CORE_SLOTS:
            core |= 1 << bit
    index_bit = 1 << HIDDEN_METRICS.index("index")
    return {u: m | index_bit if m & core else m for u, m in masks.items()}


def _slice_mask(row: Mapping, k: int) -> int:
    """A published slice shows all its metrics but those answered by fewer than k."""
    mask = 0
    for bit, metric in enumerate(HIDDEN_METRICS):
        if metric not in ("n", "index") and row[f"{metric}_n"] < k:
            mask |= 1 << bit
    return _with_index_bit({0: mask})[0]


def _arrays(frame: pd.DataFrame, columns: list[str]):  # type: ignore[no-untyped-def]
    """The columns as lists, and each store's (first, last) row range (rows sorted by store)."""
    ordered = frame.sort_values("store", kind="stable")
    values = {c: ordered[c].tolist() for c in columns}
    ranges: dict[int, tuple[int, int]] = {}
    for position, store in enumerate(values["store"]):
        first, _ = ranges.get(store, (position, position))
        ranges[store] = (first, position + 1)
    return values, ranges


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    """Rows as dicts of plain Python values (``DataFrame.to_dict`` was the slowest step)."""
    values = [frame[c].tolist() for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def _slices(
    responses: pd.DataFrame,
    totals: pd.DataFrame,
    units: Mapping[int, OrgUnit],
    ancestors: Mapping[int, list[int]],
    k: int,
    wave_id: int,
) -> list[dict]:
    """Per store, the role and tenure-band slices that may be published."""
    counts = dict(zip(totals["unit_id"], totals["n"], strict=True))
    parent = {u.id: u.parent_id for u in units.values() if u.id in counts}
    hidden = suppress({u: int(n) for u, n in counts.items()}, parent, k)
    responses = responses.assign(store=[_store_of(units[u], units) for u in responses["unit_id"]])
    rows: list[dict] = []
    located = responses.dropna(subset=["store"]).astype({"store": int})
    if located.empty:
        return []
    per_atom = {dim: sum_responses(located, ["store", "unit_id", dim]) for dim in DIMENSIONS}
    per_value = {dim: sum_responses(located, ["store", dim]) for dim in DIMENSIONS}
    # Columns as arrays and each store's rows as a range of them: filtering the frames per
    # store was quadratic at chain size.
    metrics = ("n", *(f"{m}_n" for m in (*ANSWER_SLOTS, "enps")))
    names = tuple("n" if m == "n" else m.removesuffix("_n") for m in metrics)
    atom_arrays = {
        dim: _arrays(per_atom[dim], ["store", "unit_id", dim, *metrics]) for dim in DIMENSIONS
    }
    value_arrays = {dim: _arrays(per_value[dim], ["store", dim, "n"]) for dim in DIMENSIONS}
    children: dict[int, list[int]] = {}
    for unit in units.values():
        if unit.parent_id is not None:
            children.setdefault(unit.parent_id, []).append(unit.id)
    kept: dict[str, set[tuple[int, str]]] = {dim: set() for dim in DIMENSIONS}
    for store in sorted(set(located["store"])):
        if store in hidden:
            continue
        members = {store, *children.get(store, [])}
        shown = {
            node: frozenset({node} if node != store else members)
            for node in members
            if node in counts and node not in hidden
        }
        for dim in DIMENSIONS:
            columns, ranges = atom_arrays[dim]
            first, last = ranges.get(store, (0, 0))
            atoms = {
                (columns["unit_id"][i], str(columns[dim][i])): {
                    name: columns[m][i] for name, m in zip(names, metrics, strict=True)
                }
                for i in range(first, last)
            }
            columns, ranges = value_arrays[dim]
            first, last = ranges.get(store, (0, 0))
            store_counts = {str(columns[dim][i]): columns["n"][i] for i in range(first, last)}
            kept[dim] |= {
                (store, value) for value in publishable_slices(atoms, shown, store_counts, k)
            }
    for dim in DIMENSIONS:
        frame = per_value[dim]
        chosen = frame[
            [
                (int(st_), str(v)) in kept[dim]
                for st_, v in zip(frame["store"], frame[dim], strict=True)
            ]
        ]
        for record in _records(chosen, ["store", dim, *SUM_COLUMNS]):
            store, value = int(record.pop("store")), str(record.pop(dim))
            rows.append(
                {
                    "wave_id": wave_id,
                    "unit_id": store,
                    "dim": dim,
                    "value": value,
                    "hidden": _slice_mask(record, k),
                    **record,
                }
            )
    return rows


# Reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _WaveData:
    """Some of one closed wave's result rows and, per metric, the units that must stay hidden."""

    key: tuple  # what the cache knows it by
    frame: pd.DataFrame  # the rows loaded (unit rows and, for stores, their slices)
    units: pd.DataFrame  # dim == "": one row per unit, indexed by unit id
    hidden: dict[str, frozenset[int]]  # metric ("n", a slot, "enps") → hidden unit ids


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


def _load(session: Session, key: tuple, wave: SurveyWave, condition) -> _WaveData:  # type: ignore[no-untyped-def]
    table = SurveyResult.__table__
    numbers = ["unit_id", "hidden", *SUM_COLUMNS]
    rows = (
        session.connection()
        .execute(
            select(table.c.dim, table.c.value, *(table.c[c] for c in numbers))
            .join(OrgUnit, OrgUnit.id == table.c.unit_id)
            .where(table.c.wave_id == wave.id, condition)
        )
        .all()
    )
    # One float block and two text columns: letting pandas infer 80 mixed columns row by
    # row was most of a cold read.
    block = np.array([r[2:] for r in rows], dtype=float).reshape(len(rows), len(numbers))
    frame = pd.DataFrame(block, columns=numbers)
    frame["unit_id"] = frame["unit_id"].astype(int)
    frame["hidden"] = frame["hidden"].astype(int)
    frame["dim"] = [r[0] for r in rows]
    frame["value"] = [r[1] for r in rows]
    units = frame[frame["dim"] == ""].set_index("unit_id")
    return _WaveData(key, frame, units, _mask_sets(units))


def _wave_data(session: Session, wave: SurveyWave, level: UnitLevel) -> _WaveData:
    """The rows of one level of a closed wave (with the store slices when the level is the
    store), cached per database, wave, results version and level. Only the rows a view needs
    are read: the whole wave is a few thousand wide rows at chain size."""
    key = (*_version_key(session, wave), level)
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]  # type: ignore[return-value]
    table = SurveyResult.__table__
    condition = OrgUnit.level == level
    if level is not UnitLevel.STORE:
        condition = condition & (table.c.dim == "")
    data = _load(session, key, wave, condition)
    _cache[key] = data
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return data


def unit_data(session: Session, wave: SurveyWave, unit_ids: Iterable[int]) -> _WaveData:
    """The unit rows of a few units of a closed wave (not cached: a small read)."""
    key = (*_version_key(session, wave), "units")
    table = SurveyResult.__table__
    return _load(session, key, wave, table.c.unit_id.in_(list(unit_ids)) & (table.c.dim == ""))


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
    previous_wave: str | None
    alpha: tuple[float, float, float, int] | None
    rows: pd.DataFrame  # one row per unit: scores, or NaN with hidden=True
    themes: pd.DataFrame  # unit × theme: n, mean, interval, favourable; hidden rows blank
    headline: pd.DataFrame = field(default_factory=pd.DataFrame)  # the scope's top units


def _closed_wave(session: Session, actor: Actor, wave_code: int | str) -> SurveyWave:
    from ee_app.services.waves import _visible_to, _wave

    wave = _wave(session, wave_code)
    if not _visible_to(session, actor, [wave]):
        raise NotFound(N_("No survey wave “{wave}”."), wave=wave_code)
    if wave.status is not WaveStatus.CLOSED:
        raise Conflict(
            N_(
                "Results are shown once wave “{code}” closes: while it is open, comparing two "
                "moments would reveal the answers given in between."
            ),
            code=wave.code,
        )
    return wave


def _previous(session: Session, wave: SurveyWave) -> SurveyWave | None:
    return session.scalar(
        select(SurveyWave)
        .where(SurveyWave.status == WaveStatus.CLOSED, SurveyWave.opens_on < wave.opens_on)
        .order_by(SurveyWave.opens_on.desc())
        .limit(1)
    )


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
    wave = _closed_wave(session, actor, wave_code)
    data = _wave_data(session, wave, level)
    key = ("view", data.key, actor.scope, dim, value)
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]  # type: ignore[return-value]
    view = _compute_view(session, actor, wave, data, level, dim, value)
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


def _compute_view(
    session: Session,
    actor: Actor,
    wave: SurveyWave,
    data: _WaveData,
    level: UnitLevel,
    dim: str | None,
    value: str | None,
) -> EngagementView:
    units = _unit_rows(session, OrgUnit.__table__.c.level == level.value)
    at_level = _audience_units(session, wave, level, units)
    visible = _in_scope(actor, (u.id for u in at_level))
    source = _slice_rows(data, dim, value) if dim else data.units

    masked = _mask_sets(source) if dim else data.hidden
    absent = frozenset(u for u in visible if u not in source.index)  # pooled, or unpublished
    hidden_sets = {metric: masked[metric] | absent for metric in HIDDEN_METRICS}
    hidden = hidden_sets.__getitem__

    shown_ids = [u for u in visible if u not in hidden("n")]
    scored = None
    if shown_ids:
        sums = source.loc[shown_ids, list(SUM_COLUMNS)].reset_index()
        scored = scores(sums).set_index(sums["unit_id"].to_numpy())

    previous = _previous(session, wave)
    before = _wave_data(session, previous, level) if previous is not None else None
    before_source = None
    if before is not None:
        before_source = _slice_rows(before, dim, value) if dim else before.units
    peers = _level_index(data, units, level, dim, value)

    rows = pd.DataFrame(
        {
            "unit_id": visible,
            "code": [units[u].code for u in visible],
            "name": [units[u].name for u in visible],
            "level": [units[u].level.value for u in visible],
            "hidden": [u not in shown_ids for u in visible],
        }
    )
    if scored is not None:
        shown = scored.copy()
        no_enps = shown.index.isin(list(hidden("enps")))
        shown.loc[no_enps, ["enps", "enps_low", "enps_high", "promoters", "detractors"]] = math.nan
        shown.loc[no_enps, "enps_n"] = 0
        own = [peers.get(u, math.nan) for u in shown.index]
        shown["percentile"] = percentile_ranks(list(peers.values()), own)
        comparable = [
            u
            for u in shown.index
            if before_source is not None
            and u in before_source.index
            and (dim or u not in before.hidden["n"])
        ]
        if comparable:
            shown = shown.join(change_frame(before_source.loc[comparable], source.loc[comparable]))
        rows = rows.join(shown, on="unit_id")
    rows = rows.reindex(columns=ROW_COLUMNS)
    result = session.get(SurveyWaveResult, wave.id)
    alpha = None
    if result is not None and result.alpha is not None:
        alpha = (result.alpha, result.alpha_low, result.alpha_high, result.alpha_n or 0)
    return EngagementView(
        wave.code,
        wave.name,
        wave.k,
        wave.k_comments,
        level,
        dim,
        value,
        previous.code if previous is not None else None,
        alpha,
        rows,
        _themes(source, shown_ids, hidden, visible),
        _headline(session, actor, wave),
    )


def _level_index(data: _WaveData, units, level, dim, value) -> dict[int, float]:  # type: ignore[no-untyped-def]
    """The chain's own distribution: the index of every shown unit of the same level."""
    source = _slice_rows(data, dim, value) if dim else data.units
    ids = source.index.to_numpy()
    keep = np.array([u in units and units[u].level is level for u in ids], dtype=bool)
    if not dim:
        keep &= ~np.isin(ids, list(data.hidden["n"]))
    n = source["idx_n"].to_numpy(float)
    keep &= n > 0
    means = source["idx_sum"].to_numpy(float)[keep] / n[keep]
    return dict(zip(ids[keep].tolist(), means.tolist(), strict=True))


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


def _themes(source: pd.DataFrame, shown_ids, hidden, visible) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    frame = source.loc[[u for u in visible if u in source.index]].reset_index()
    if frame.empty:
        return pd.DataFrame(
            columns=[
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
        )
    themes = theme_scores(frame, "unit_id")
    hidden_rows = ~themes["unit_id"].isin(shown_ids).to_numpy()
    for slot in CORE_SLOTS:
        in_slot = (themes["slot"] == slot).to_numpy()
        hidden_rows |= in_slot & themes["unit_id"].isin(list(hidden(slot))).to_numpy()
    themes["hidden"] = hidden_rows
    for column in ("n", "mean", "mean_low", "mean_high", "favourable"):
        themes[column] = themes[column].where(~themes["hidden"])
    return themes


def _headline(session: Session, actor: Actor, wave: SurveyWave) -> pd.DataFrame:
    """Scores of the actor's top units (the brand for HR; a manager's own units)."""
    table = OrgUnit.__table__
    if actor.scope is None:
        tops = list(_unit_rows(session, table.c.parent_id.is_(None)).values())
    else:
        mine = _unit_rows(session, table.c.id.in_(list(actor.scope)))
        tops = [u for u in mine.values() if u.parent_id not in actor.scope]
    units = {u.id: u for u in tops}
    data = unit_data(session, wave, [u.id for u in tops])
    shown = [u.id for u in tops if u.id in data.units.index and u.id not in data.hidden["n"]]
    if not shown:
        return pd.DataFrame()
    sums = data.units.loc[shown, list(SUM_COLUMNS)].reset_index()
    frame = scores(sums).assign(unit_id=sums["unit_id"].to_numpy())
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
    """The unit's engagement index in every closed wave that asked its people, oldest first;
    waves where it is hidden (or was pooled into a larger unit) are marked hidden."""
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
    waves = session.execute(
        select(SurveyWave.id, SurveyWave.code, SurveyWave.name, SurveyWave.opens_on)
        .join(SurveyWaveResult, SurveyWaveResult.wave_id == SurveyWave.id)
        .where(SurveyWave.status == WaveStatus.CLOSED, SurveyWave.id.in_(asked))
        .order_by(SurveyWave.opens_on)
    ).all()
    table = SurveyResult.__table__
    found = {
        row.wave_id: row
        for row in session.execute(
            select(table.c.wave_id, table.c.hidden, *(table.c[c] for c in SUM_COLUMNS)).where(
                table.c.unit_id == unit.id,
                table.c.dim == (dim or ""),
                table.c.value == (value or ""),
                table.c.wave_id.in_([w.id for w in waves]),
            )
        )
    }
    records = []
    for wave_id, code, name, opens_on in waves:
        record = {
            "wave": code,
            "name": name,
            "opens_on": opens_on,
            "hidden": True,
            "n": math.nan,
            "index": math.nan,
            "index_low": math.nan,
            "index_high": math.nan,
        }
        row = found.get(wave_id)
        if row is not None and not row.hidden & 1:
            n, index, low, high = int(row.n), *mean_ci(row.idx_n, row.idx_sum, row.idx_sumsq)
            record.update(hidden=False, n=n, index=index, index_low=low, index_high=high)
        records.append(record)
    columns = ["wave", "name", "opens_on", "hidden", "n", "index", "index_low", "index_high"]
    return pd.DataFrame.from_records(records, columns=columns)


def comments_for(
    session: Session, actor: Actor, wave_code: int | str, unit_code: str
) -> tuple[bool, list[str]]:
    """The comments of a unit's respondents, shuffled, if at least k_c of them answered.

    Returns (allowed, comments); comments are stored pooled by at least k_c respondents, so
    the comments of a unit are those stored at it or beneath it.
    """
    require(actor, Permission.VIEW_RESULTS)
    wave = _closed_wave(session, actor, wave_code)
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
    if unit is None or not actor.may_see_unit(unit.id):
        raise NotFound(N_("No unit with code “{code}” in your scope."), code=unit_code)
    data = unit_data(session, wave, [unit.id])
    if unit.id not in data.units.index or unit.id in data.hidden["n"]:
        return (False, [])
    if int(data.units.loc[unit.id, "n"]) < wave.k_comments:
        return (False, [])
    texts = list(
        session.scalars(
            select(SurveyComment.text)
            .join(OrgUnit, OrgUnit.id == SurveyComment.unit_id)
            .where(SurveyComment.wave_id == wave.id, OrgUnit.path.startswith(unit.path))
        )
    )
    random.SystemRandom().shuffle(texts)
    return (True, texts)
