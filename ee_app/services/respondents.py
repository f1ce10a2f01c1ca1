"""Who responded in each result cell of a closed wave: what the rule across waves compares.

A closed wave's answers are stored under pooled attributes (unit, role, band), pooled again by
respondents when the wave closed (:func:`~ee_app.services.waves.pool_attributes`). The same
pooling, applied to the invitations that were answered, tells which people's answers sit in
each published cell: a unit with everything beneath it, or one role or band of a store.
:func:`~ee_app.analysis.disclosure.comparable` then says whether two waves' figures of one
cell may be shown side by side (a change, a trend, the rows of a linkage table): only if the
people are the same or differ by at least k.

Only the set of people per cell is computed, never anything about their answers; HR sees who
responded anyway (participation).
"""

from __future__ import annotations

from collections import Counter, OrderedDict, defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from ee_app.analysis.disclosure import comparable
from ee_app.models import OrgUnit, SurveyInvitation, SurveyWave, SurveyWaveResult, UnitLevel

__all__ = ["Cell", "comparable_cells", "respondent_sets"]

#: (unit id, dimension, value): ("", "") for a unit with everything beneath it.
Cell = tuple[int, str, str]
_cache: OrderedDict[tuple, dict[Cell, frozenset[int]]] = OrderedDict()
_CACHE_SIZE = 32


def respondent_sets(session: Session, wave: SurveyWave) -> dict[Cell, frozenset[int]]:
    """Staff ids whose answers sit in each cell of a closed wave (cached per results
    version: the sets change only when the results are rebuilt)."""
    from ee_app.services.waves import _unit_parents, pool_attributes

    version = session.scalar(
        select(SurveyWaveResult.version).where(SurveyWaveResult.wave_id == wave.id)
    )
    key = (
        session.get_bind().url.render_as_string(hide_password=True),
        wave.id,
        version,
    )
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    answered = session.execute(
        select(
            SurveyInvitation.staff_id,
            SurveyInvitation.report_unit_id,
            SurveyInvitation.report_role,
            SurveyInvitation.report_band,
        ).where(SurveyInvitation.wave_id == wave.id, SurveyInvitation.responded)
    ).all()
    groups = Counter((unit, role, band) for _, unit, role, band in answered)
    cells: dict[Cell, set[int]] = defaultdict(set)
    if groups:
        final = pool_attributes(groups, _unit_parents(session, {u for u, _, _ in groups}), wave.k)
        units = {
            uid: (path, level, parent)
            for uid, path, level, parent in session.execute(
                select(OrgUnit.id, OrgUnit.path, OrgUnit.level, OrgUnit.parent_id)
            )
        }
        for staff_id, unit, role, band in answered:
            stored, kept_role, kept_band = final[(unit, role, band)]
            path, level, parent = units[stored]
            for ancestor in (int(p) for p in path.strip("/").split("/") if p):
                cells[(ancestor, "", "")].add(staff_id)
            store = {UnitLevel.STORE: stored, UnitLevel.TEAM: parent}.get(UnitLevel(level))
            if store is not None:
                cells[(store, "role", kept_role or "")].add(staff_id)
                cells[(store, "band", kept_band or "")].add(staff_id)
    result = {cell: frozenset(people) for cell, people in cells.items()}
    _cache[key] = result
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return result


def comparable_cells(
    session: Session, before: SurveyWave, after: SurveyWave, cells: list[Cell]
) -> set[Cell]:
    """The cells whose figures in ``before`` and ``after`` may be shown side by side
    (:func:`~ee_app.analysis.disclosure.comparable` with the larger of the two k)."""
    k = max(before.k, after.k)
    first, second = respondent_sets(session, before), respondent_sets(session, after)
    empty: frozenset[int] = frozenset()
    return {c for c in cells if comparable(first.get(c, empty), second.get(c, empty), k)}
