"""Which units a results view lists: those of one level in the wave's audience and the
reader's scope, and the reader's top units for the headline (the brand for HR, a manager's
own units).

Units are read as light records (:class:`~ee_app.services.org.UnitRow`): thousands of ORM
objects were the slowest part of a cold view.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ee_app.auth import Actor
from ee_app.models import OrgUnit, SurveyWave, SurveyWaveUnit, UnitLevel
from ee_app.services.org import UnitRow
from ee_app.services.results_rows import load_rows

__all__ = ["audience_units", "headline", "headline_rows", "in_scope", "unit_rows"]


def unit_rows(session: Session, condition) -> dict[int, UnitRow]:  # type: ignore[no-untyped-def]
    """Units as light records (reading thousands of ORM objects took longest cold)."""
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
    return {r[0]: UnitRow(r[0], r[1], r[2], UnitLevel(r[3]), r[4], r[5]) for r in rows}


def audience_units(
    session: Session, wave: SurveyWave, level: UnitLevel, units: Mapping[int, UnitRow]
) -> list[UnitRow]:
    """Units of ``level`` in the wave's audience (its units and everything beneath them)."""
    roots = session.scalars(
        select(SurveyWaveUnit.unit_id).where(SurveyWaveUnit.wave_id == wave.id)
    ).all()
    prefixes = tuple(session.scalars(select(OrgUnit.path).where(OrgUnit.id.in_(roots))))
    chosen = [u for u in units.values() if u.level is level and u.path.startswith(prefixes)]
    return sorted(chosen, key=lambda u: u.path)


def in_scope(actor: Actor, unit_ids: Iterable[int]) -> list[int]:
    """The units of ``unit_ids`` the actor may see (all of them for HR)."""
    return [u for u in unit_ids if actor.scope is None or u in actor.scope]


def headline_rows(
    session: Session, actor: Actor, wave: SurveyWave
) -> tuple[dict[int, UnitRow], pd.DataFrame]:
    """The actor's top units (the brand for HR; a manager's own units) and their result rows
    (by unit id) in ``wave``."""
    table = OrgUnit.__table__
    if actor.scope is None:
        tops = list(unit_rows(session, table.c.parent_id.is_(None)).values())
    else:
        mine = unit_rows(session, table.c.id.in_(list(actor.scope)))
        tops = [u for u in mine.values() if u.parent_id not in actor.scope]
    # the wave's results are known to exist (the view read them): no version to look up
    data = load_rows(session, ("units", wave.id), False, wave=wave.id, units=[u.id for u in tops])
    present = [u.id for u in tops if u.id in data.units.index]
    return {u.id: u for u in tops}, data.units.loc[present]


def headline(published: pd.DataFrame, units: Mapping[int, UnitRow]) -> pd.DataFrame:
    """Scores of the actor's top units (:func:`headline_rows`, published with the level's rows:
    decided by the same function as every other figure), the hidden ones left out."""
    frame = published[~published["hidden"]]
    if frame.empty:
        return pd.DataFrame()
    frame = frame.rename_axis("unit_id").reset_index()
    frame["code"] = [units[u].code for u in frame["unit_id"]]
    frame["name"] = [units[u].name for u in frame["unit_id"]]
    return frame
