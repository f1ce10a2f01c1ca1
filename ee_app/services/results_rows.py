"""Reading a closed wave's result rows, the one read every results screen starts from.

The rows were summed and their hidden bits decided when the wave closed
(:mod:`ee_app.services.results_build`); here they are only read, as fast as a cold page needs:
the driver's own tuples into one float block, and only the rows a view asks for (one level,
one slice). :data:`CACHE` keeps the wave data, and the views and trends made from it, per
database, wave and results version, so a rebuilt or reset wave is never served from before.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ee_app.analysis.sums import SUM_COLUMNS
from ee_app.errors import N_, Conflict
from ee_app.models import (
    HIDDEN_METRICS,
    OrgUnit,
    SurveyResult,
    SurveyWave,
    SurveyWaveResult,
    UnitLevel,
)

__all__ = [
    "CACHE",
    "CACHE_SIZE",
    "WaveData",
    "flags",
    "load_rows",
    "slice_rows",
    "unit_data",
    "version_key",
    "wave_data",
]

#: How many wave data, views and trends :data:`CACHE` keeps (the least recently used go).
CACHE_SIZE = 64
#: Wave data, views and trends by key, the most recently used last. Every key holds the
#: database and the results version of each wave it reads, so nothing stale is found.
CACHE: OrderedDict[tuple, object] = OrderedDict()


@dataclass(frozen=True)
class WaveData:
    """Some of one closed wave's result rows and, per metric, the units that must stay hidden."""

    key: tuple  # what the cache knows it by
    frame: pd.DataFrame  # the rows loaded (unit rows and, for stores, their slices)
    units: pd.DataFrame  # dim == "": one row per unit, indexed by unit id

    @cached_property
    def hidden(self) -> dict[str, frozenset[int]]:
        """Metric ("n", a slot, "enps") → hidden unit ids (made when first asked)."""
        return _mask_sets(self.units)


def version_key(session: Session, wave: SurveyWave) -> tuple:
    """What the cache knows a wave's results by: database, wave, results version and when built."""
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


def load_rows(session: Session, key: tuple, by_level: bool, **params) -> WaveData:  # type: ignore[no-untyped-def]
    """The result rows of a wave (``params``: wave and level and dims, or wave and units)."""
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
    return WaveData(key, frame, units)


def wave_data(
    session: Session, wave: SurveyWave, level: UnitLevel, dim: str | None = None
) -> WaveData:
    """The unit rows of one level of a closed wave and, for a store slice (``dim``), the
    stores' slices of that dimension, cached per database, wave, results version, level and
    dimension. Only the rows a view needs are read: the whole wave is a few thousand wide
    rows at chain size."""
    key = (*version_key(session, wave), level, dim or "")
    if key in CACHE:
        CACHE.move_to_end(key)
        return CACHE[key]  # type: ignore[return-value]
    dims = ["", dim] if dim and level is UnitLevel.STORE else [""]
    data = load_rows(session, key, True, wave=wave.id, level=level, dims=dims)
    CACHE[key] = data
    if len(CACHE) > CACHE_SIZE:
        CACHE.popitem(last=False)
    return data


def unit_data(session: Session, wave: SurveyWave, unit_ids: Iterable[int]) -> WaveData:
    """The unit rows of a few units of a closed wave (not cached: a small read)."""
    key = (*version_key(session, wave), "units")
    return load_rows(session, key, False, wave=wave.id, units=list(unit_ids))


def _mask_sets(rows: pd.DataFrame) -> dict[str, frozenset[int]]:
    """Metric → ids of the rows whose ``hidden`` bit for it is set."""
    masks = rows["hidden"].astype(int)
    return {
        metric: frozenset(masks.index[(masks & (1 << bit)) != 0].tolist())
        for bit, metric in enumerate(HIDDEN_METRICS)
    }


def slice_rows(data: WaveData, dim: str, value: str) -> pd.DataFrame:
    """The stores' rows of one slice (``dim`` = ``value``), indexed by unit id."""
    frame = data.frame
    return frame[(frame["dim"] == dim) & (frame["value"] == value)].set_index("unit_id")


def flags(masks: Iterable[int]) -> dict[str, np.ndarray]:
    """Metric → one flag per row: which figures must stay hidden (the stored bit masks)."""
    values = np.asarray(list(masks), dtype=np.int64)
    return {metric: (values & (1 << bit)) != 0 for bit, metric in enumerate(HIDDEN_METRICS)}
