"""Who works where on which day in the demo chain, for drawing the staff who serve a visit
(:mod:`ee_app.demo.outcomes`): each staff member's assignment periods as day numbers, grouped
per role and store so that a year of visits draws its staff in a few array operations."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np

from ee_app.demo.chain import DemoChain
from ee_app.models import StaffRole, UnitLevel

__all__ = ["Rota"]

#: Serving staff are drawn among those at work that day; this many tries before a fallback.
_TRIES = 60
_NEVER = 10**9  # the end day of a period that has not ended


class Rota:
    """Who works where on which day: one row per assignment period, in day numbers, with
    lookups of the periods of given roles per store."""

    def __init__(self, chain: DemoChain, stores: Mapping[str, int], origin: date) -> None:
        store_of = {}
        for unit in chain.units:
            if unit.level is UnitLevel.STORE:
                store_of[unit.code] = stores[unit.code]
            elif unit.level is UnitLevel.TEAM and unit.parent_code is not None:
                store_of[unit.code] = stores[unit.parent_code]
        self.roles = list(StaffRole)
        rows = []
        for index, person in enumerate(chain.staff):
            for unit, role, start, end in person.periods:
                ends = [d for d in (end, person.leave_date) if d is not None]
                stop = min(ends) if ends else None
                rows.append(
                    (
                        index,
                        store_of[unit],
                        self.roles.index(role),
                        (max(start, person.hire_date) - origin).days,
                        _NEVER if stop is None else (stop - origin).days,
                    )
                )
        table = np.array(rows, dtype=np.int64)
        self.staff, self.store, self.role, self.start, self.end = table.T
        self.stores = len(stores)
        self._groups: dict[tuple[StaffRole, ...], tuple[np.ndarray, ...]] = {}

    def _group(self, roles: tuple[StaffRole, ...]) -> tuple[np.ndarray, ...]:
        if roles not in self._groups:
            wanted = np.isin(self.role, [self.roles.index(r) for r in roles])
            periods = np.flatnonzero(wanted)
            periods = periods[np.argsort(self.store[periods], kind="stable")]
            counts = np.bincount(self.store[periods], minlength=self.stores)
            offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
            self._groups[roles] = (periods, offsets, counts)
        return self._groups[roles]

    def pick(
        self,
        rng: np.random.Generator,
        roles: tuple[StaffRole, ...],
        store: np.ndarray,
        day: np.ndarray,
        exclude: np.ndarray | None = None,
    ) -> np.ndarray:
        """For each (store, day), a period of a staff member of ``roles`` at work there that
        day (uniformly among them), not of the staff member ``exclude``; −1 where none."""
        periods, offsets, counts = self._group(roles)
        chosen = np.full(len(store), -1, dtype=np.int64)
        todo = np.flatnonzero(counts[store] > 0)
        for _ in range(_TRIES):
            if not todo.size:
                break
            count = counts[store[todo]]
            drawn = periods[offsets[store[todo]] + (rng.random(todo.size) * count).astype(int)]
            ok = (self.start[drawn] <= day[todo]) & (day[todo] < self.end[drawn])
            if exclude is not None:
                ok &= self.staff[drawn] != exclude[todo]
            chosen[todo[ok]] = drawn[ok]
            todo = todo[~ok]
        return chosen

    def at_work(self, period: np.ndarray, day: np.ndarray) -> np.ndarray:
        return (period >= 0) & (self.start[period] <= day) & (day < self.end[period])
