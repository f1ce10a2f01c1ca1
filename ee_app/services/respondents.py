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
from collections.abc import Collection

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ee_app.analysis.disclosure import comparable
from ee_app.models import OrgUnit, SurveyInvitation, SurveyWave, SurveyWaveResult, UnitLevel

__all__ = [
    "Cell",
    "cell_respondents",
    "comparable_cells",
    "respondent_sets",
    "unit_differences",
]

#: (unit id, dimension, value): ("", "") for a unit with everything beneath it.
Cell = tuple[int, str, str]
_cache: OrderedDict[tuple, dict[Cell, frozenset[int]]] = OrderedDict()
_cells: OrderedDict[tuple, frozenset[int]] = OrderedDict()
_CACHE_SIZE = 32


def respondent_sets(session: Session, wave: SurveyWave) -> dict[Cell, frozenset[int]]:
    """Staff ids whose answers sit in each cell of a closed wave (cached per results
    version: the sets change only when the results are rebuilt)."""
    from ee_app.services.wave_audience import pool_attributes
    from ee_app.services.wave_audience import unit_parents as _unit_parents

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


def cell_respondents(session: Session, wave: SurveyWave, cell: Cell) -> frozenset[int]:
    """The people of one cell of a closed wave, read on their own: for a unit, the answered
    invitations stored under it (pooling at close moves no one above a unit that has k
    respondents, so for a published unit this is exactly its people); for a slice, from
    :func:`respondent_sets`."""
    unit_id, dim, _value = cell
    if dim:
        return respondent_sets(session, wave).get(cell, frozenset())
    key = (session.get_bind().url.render_as_string(hide_password=True), wave.id, cell)
    if key in _cells:
        _cells.move_to_end(key)
        return _cells[key]
    path = session.scalar(select(OrgUnit.path).where(OrgUnit.id == unit_id)) or ""
    people = frozenset(
        session.scalars(
            select(SurveyInvitation.staff_id)
            .join(OrgUnit, OrgUnit.id == SurveyInvitation.report_unit_id)
            .where(
                SurveyInvitation.wave_id == wave.id,
                SurveyInvitation.responded,
                OrgUnit.path.startswith(path, autoescape=True),
            )
        )
    )
    _cells[key] = people
    if len(_cells) > _CACHE_SIZE * 64:
        _cells.popitem(last=False)
    return people


def _answered_paths(session: Session, wave: SurveyWave) -> dict[int, str]:
    """Each respondent of a wave and the path of the unit their answers were stored under
    (for units, pooling at close moves no one above a unit with k respondents)."""
    return {
        staff: path
        for staff, path in session.execute(
            select(SurveyInvitation.staff_id, OrgUnit.path)
            .join(OrgUnit, OrgUnit.id == SurveyInvitation.report_unit_id)
            .where(SurveyInvitation.wave_id == wave.id, SurveyInvitation.responded)
        )
    }


def unit_differences(
    session: Session, before: SurveyWave, after: SurveyWave, units: Collection[int]
) -> dict[int, int]:
    """For each of ``units`` (none above another), how many people answered one wave but not
    the other (the size of the symmetric difference), counted without a set per unit:
    |A| + |B| − 2·|A ∩ B|.

    The database counts: respondents per stored unit in each wave, and those who answered
    both per pair of stored units, so a few hundred rows leave it instead of every
    respondent twice."""
    wanted = set(units)
    owner: dict[str, int | None] = {}

    def unit_of(path: str) -> int | None:  # the wanted unit above a stored unit, if any
        if path not in owner:
            found = [int(p) for p in path.strip("/").split("/") if p and int(p) in wanted]
            owner[path] = found[0] if found else None
        return owner[path]

    invitation = SurveyInvitation.__table__

    def answered(wave: SurveyWave) -> np.ndarray:  # (staff id, stored unit id) per respondent
        result = session.connection().execute(
            select(invitation.c.staff_id, invitation.c.report_unit_id).where(
                invitation.c.wave_id == wave.id,
                invitation.c.responded,
                invitation.c.report_unit_id.is_not(None),
            )
        )
        rows = result.cursor.fetchall() if result.cursor is not None else []
        result.close()
        return np.array(rows, dtype=np.int64).reshape(len(rows), 2)

    one, two = answered(before), answered(after)
    stored = np.union1d(one[:, 1], two[:, 1])
    # Every unit's path (a chain has a few thousand units; naming the stored ones in an IN
    # list costs more to compile than reading them all).
    result = session.connection().execute(select(OrgUnit.id, OrgUnit.path))
    paths = dict(result.cursor.fetchall() if result.cursor is not None else [])
    result.close()
    # Each stored unit's wanted unit (−1: none, or a unit that is gone and counts nowhere).
    above = np.array(
        [-1 if u not in paths or (w := unit_of(paths[u])) is None else w for u in stored.tolist()],
        dtype=np.int64,
    )
    unit_one = above[np.searchsorted(stored, one[:, 1])]
    unit_two = above[np.searchsorted(stored, two[:, 1])]
    _common, at_one, at_two = np.intersect1d(
        one[:, 0], two[:, 0], assume_unique=True, return_indices=True
    )
    same = unit_one[at_one]
    same = same[(same >= 0) & (same == unit_two[at_two])]

    def counted(ids: np.ndarray) -> Counter[int]:
        found, counts = np.unique(ids[ids >= 0], return_counts=True)
        return Counter(dict(zip(found.tolist(), counts.tolist(), strict=True)))

    in_first, in_second, in_both = counted(unit_one), counted(unit_two), counted(same)
    return {unit: in_first[unit] + in_second[unit] - 2 * in_both[unit] for unit in wanted}


def comparable_cells(
    session: Session,
    before: SurveyWave,
    after: SurveyWave,
    cells: list[Cell],
    counts: tuple[int, int] | None = None,
) -> set[Cell]:
    """The cells whose figures in ``before`` and ``after`` may be shown side by side
    (:func:`~ee_app.analysis.disclosure.comparable` with the larger of the two k).

    ``counts``, for a single cell, are its respondents in the two waves: when they differ by
    k or more, so do the people, and nothing needs reading. A few cells are read one by one,
    many at once for the whole wave."""
    k = max(before.k, after.k)
    if counts is not None and len(cells) == 1 and abs(counts[0] - counts[1]) >= k:
        return set(cells)
    if len(cells) <= 4:
        return {
            c
            for c in cells
            if comparable(
                cell_respondents(session, before, c), cell_respondents(session, after, c), k
            )
        }
    if all(not dim for _unit, dim, _value in cells):  # the units of one level
        changed = unit_differences(session, before, after, [unit for unit, _, _ in cells])
        return {c for c in cells if changed.get(c[0], 0) == 0 or changed.get(c[0], 0) >= k}
    first, second = respondent_sets(session, before), respondent_sets(session, after)
    empty: frozenset[int] = frozenset()
    return {c for c in cells if comparable(first.get(c, empty), second.get(c, empty), k)}
