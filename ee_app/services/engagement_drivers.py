"""What drives engagement in one unit of a closed wave: which themes go with whether its
people would recommend working here, and with the rest of their engagement index.

The correlations are computed over the unit's respondents (see
:mod:`ee_app.analysis.drivers` for why respondents rather than stores). The answers are read
here, inside the service, and never leave it: what is returned is twelve correlations per
outcome with their intervals and adjusted p-values. So that these aggregates cannot say
anything about a few people, a unit is analysed only when

* the reader may open it (results permission, the unit in their scope, a closed wave they
  may see), and its figures are published on the results page: not hidden or pooled into a
  larger unit, which also carries the page's secondary suppression (what a parent holds
  beyond its shown children is 0 or at least k people, so no small group can be reached by
  comparing a unit with its parent);
* it has at least :func:`~ee_app.analysis.drivers.minimum_n` (max(k, 10)) respondents, and
  each theme at least as many pairs of answers; a theme or outcome the results page hides
  (fewer than k answers to its question) is left out *before* the correlations and the
  Benjamini–Hochberg adjustment are computed, so its answers cannot move the others' figures.

Filters by role or tenure band are not offered: a filtered group and its unit's rest would
be two overlapping groups whose correlations could be compared.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ee_app.analysis.drivers import COLUMNS, engagement_drivers, minimum_n
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, NotFound
from ee_app.instruments.pulse import CORE_SLOTS
from ee_app.models import OrgUnit, SurveyResponse, SurveyWave, WaveMode
from ee_app.services.results_rows import unit_data, version_key
from ee_app.services.wave_access import closed_wave

__all__ = ["DriversView", "drivers_for"]

_CACHE_SIZE = 64
#: (database, wave, results version, unit) → the view: a closed wave's answers and its
#: published rows change only with a new results version, which is in the key.
_cache: OrderedDict[tuple, DriversView] = OrderedDict()

#: Why a unit shows no drivers: ``hidden`` (its figures are hidden or pooled on the results
#: page), ``too_few`` (fewer respondents than the minimum); ``shown`` otherwise.
STATUSES = ("shown", "hidden", "too_few")


@dataclass(frozen=True)
class DriversView:
    """The drivers of engagement in one unit, as a reader may see them.

    ``table`` has the :data:`~ee_app.analysis.drivers.COLUMNS` for every outcome and theme
    when ``status`` is "shown" (empty otherwise); where ``enough`` is False (too few pairs,
    or the theme or outcome hidden) n, r, its interval and p are NaN. ``respondents`` is
    None when the unit is hidden.
    """

    wave_code: str
    unit_code: str
    unit_name: str
    mode: WaveMode
    k: int
    min_n: int
    respondents: int | None
    status: str
    table: pd.DataFrame


def _answers(session: Session, wave_id: int, path: str) -> pd.DataFrame:
    """The theme and recommendation answers of a unit's respondents (its subtree)."""
    table = SurveyResponse.__table__
    columns = [*CORE_SLOTS, "enps"]
    rows = (
        session.connection()
        .execute(
            select(*(table.c[c] for c in columns))
            .join(OrgUnit, OrgUnit.id == table.c.unit_id)
            .where(table.c.wave_id == wave_id, OrgUnit.path.startswith(path))
        )
        .all()
    )
    block = np.array(
        [[math.nan if v is None else float(v) for v in row] for row in rows], dtype=float
    ).reshape(len(rows), len(columns))
    return pd.DataFrame(block, columns=columns)


def drivers_for(
    session: Session, actor: Actor, wave_code: int | str, unit_code: str
) -> DriversView:
    """Which themes go with recommending working here and with the engagement index in the
    unit ``unit_code`` of a closed wave, over its respondents, or a refusal (``status``)."""
    require(actor, Permission.VIEW_RESULTS)
    wave = closed_wave(session, actor, wave_code)
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
    if unit is None or not actor.may_see_unit(unit.id):
        raise NotFound(N_("No unit with code “{code}” in your scope."), code=unit_code)
    key = (*version_key(session, wave), unit.id)
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    found = _compute(session, wave, unit)
    _cache[key] = found
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return found


def _compute(session: Session, wave: SurveyWave, unit: OrgUnit) -> DriversView:
    least = minimum_n(wave.k)
    empty = pd.DataFrame(columns=list(COLUMNS))

    def view(status: str, respondents: int | None, table: pd.DataFrame) -> DriversView:
        return DriversView(
            wave.code, unit.code, unit.name, wave.mode, wave.k, least, respondents, status, table
        )

    data = unit_data(session, wave, [unit.id])
    if unit.id not in data.units.index or unit.id in data.hidden["n"]:
        return view("hidden", None, empty)
    respondents = int(data.units.loc[unit.id, "n"])
    if respondents < least:
        return view("too_few", respondents, empty)
    answers = _answers(session, wave.id, unit.path)
    if len(answers) != respondents:  # the stored sums and the answers disagree: show nothing
        return view("hidden", None, empty)
    # What the results page hides is left out before anything is computed.
    hidden_slots = [slot for slot in CORE_SLOTS if unit.id in data.hidden[slot]]
    for slot in hidden_slots:
        answers[slot] = math.nan
    if unit.id in data.hidden["enps"]:
        answers["enps"] = math.nan
    table = engagement_drivers(answers, min_n=least)
    # The index pools every theme: with one hidden, the page hides it, and so do we.
    if hidden_slots or unit.id in data.hidden["index"]:
        index_rows = table["outcome"] == "index"
        for column in ("r", "r_low", "r_high", "p", "p_adjusted"):
            table.loc[index_rows, column] = math.nan
        table.loc[index_rows, ["enough", "significant"]] = False
    table["n"] = table["n"].astype(float).where(table["enough"])
    if not table["enough"].any():
        return view("too_few", respondents, empty)
    return view("shown", respondents, table.reindex(columns=list(COLUMNS)))
