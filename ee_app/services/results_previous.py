"""Each unit's own previous wave, and the change of its engagement index since then.

A unit compares with the most recent closed wave of the same mode whose audience covered the
whole unit: after a two-store pilot those two stores compare with the pilot and the others
with the wave before it, and a confidential spot check is no comparison for an anonymous
wave. A change is shown only where both waves show the index and the rule across waves
(:func:`~ee_app.services.respondents.comparable_cells`) allows the pair: otherwise the two
figures could be subtracted to isolate the few people who joined or left.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ee_app.analysis.engagement import change_frame
from ee_app.analysis.publication import published_index
from ee_app.models import (
    OrgUnit,
    SurveyWave,
    SurveyWaveResult,
    SurveyWaveUnit,
    UnitLevel,
    WaveStatus,
)
from ee_app.services.respondents import comparable_cells
from ee_app.services.results_rows import flags, slice_rows, wave_data

__all__ = ["CoveringWave", "covering_waves", "index_changes", "previous_waves"]


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


def index_changes(
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
        before = wave_data(session, waves[wave_id], level, dim)
        before_source = slice_rows(before, dim, value) if dim else before.units
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
