"""A unit's engagement index across every closed wave that asked its people.

Each point is shown only where the wave shows the unit's index and its respondents differ
from those of every earlier point shown by none or at least k people: otherwise two points of
the trend could be subtracted to isolate the few who joined or left.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ee_app.analysis.publication import published_index_interval
from ee_app.analysis.sums import SUM_COLUMNS
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, NotFound
from ee_app.models import OrgUnit, SurveyResult, SurveyWave, SurveyWaveResult, WaveStatus
from ee_app.services.respondents import comparable_cells
from ee_app.services.results_rows import CACHE, CACHE_SIZE, flags

__all__ = ["trend_for"]


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
    if key in CACHE:  # the same waves and results versions: the same trend
        CACHE.move_to_end(key)
        return CACHE[key].copy()  # type: ignore[union-attr]
    table = SurveyResult.__table__
    result = session.connection().execute(
        select(table.c.wave_id, table.c.hidden, *(table.c[c] for c in SUM_COLUMNS)).where(
            table.c.unit_id == unit.id,
            table.c.dim == (dim or ""),
            table.c.value == (value or ""),
            table.c.wave_id.in_([w.id for w in waves]),
        )
    )
    # The driver's tuples as one float block, as in load_rows (pandas inferring 80 columns from
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
    CACHE[key] = trend
    if len(CACHE) > CACHE_SIZE:
        CACHE.popitem(last=False)
    return trend.copy()
