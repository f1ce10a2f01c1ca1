"""What parsing an agency's visits file (:mod:`ee_app.imports.visits`) takes from the
database and gives back: the templates, stores and staff periods to look up, and the visits
ready to store with every problem found."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ee_app.errors import Problem
from ee_app.imports.roster import UnitIndex
from ee_app.instruments.checklist import Checklist

__all__ = ["Period", "Template", "VisitLookups", "VisitRecord", "VisitsParsed"]


@dataclass(frozen=True)
class Template:
    """A stored template version: its row id and its checklist."""

    id: int
    checklist: Checklist

    @property
    def label(self) -> str:
        return f"{self.checklist.key} v{self.checklist.version}"


@dataclass(frozen=True)
class Period:
    """A staff member at a store from ``start`` until before ``end`` (hire and leave dates
    already applied)."""

    staff_id: int
    store_id: int
    start: date
    end: date | None = None

    def covers(self, store_id: int, day: date) -> bool:
        started = self.store_id == store_id and self.start <= day
        return started and (self.end is None or day < self.end)


@dataclass(frozen=True)
class VisitLookups:
    """What parsing needs from the database, and the day after which dates are refused."""

    units: UnitIndex
    templates: Mapping[str, Mapping[int, Template]]  # key → version → template
    staff: Mapping[str, Sequence[Period]]  # employee number → periods at stores
    today: date


@dataclass(frozen=True)
class VisitRecord:
    """One visit, ready to store. ``served_by`` is what the file said about who served (the
    employee number when it matched, else the text), to compare with a stored visit."""

    source_id: str
    row: int  # the visit's first row
    rows: int  # how many rows of the file it spans
    store_id: int
    visited_on: date
    template: Template
    answers: dict[str, dict[str, Any]]
    agency: str
    staff_id: int | None
    served_by_note: str
    served_by: str


@dataclass
class VisitsParsed:
    """The visits (usable only if there are no problems), every problem, the warnings that do
    not stop the import, and the file's header of each field."""

    visits: list[VisitRecord]
    rows: int
    problems: list[Problem]
    warnings: list[Problem] = field(default_factory=list)
    headers: Mapping[str, str] = field(default_factory=dict)
