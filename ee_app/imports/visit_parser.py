"""The reading of an agency's visits file row by row, then visit by visit
(:mod:`ee_app.imports.visits` describes the file): :class:`VisitParser` gathers each visit's
rows, checks that they agree on the visit's store, date, template, served-by and agency, and
checks the answers as a shopper's submission is checked, each problem at its row."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ee_app.errors import N_, Problem
from ee_app.imports.cells import EARLIEST_DATE, CellError, parse_date, parse_text
from ee_app.imports.columns import RowReader, normalise_header
from ee_app.imports.tabular import Table
from ee_app.imports.visit_cells import clean_cell, parse_answer, parse_template
from ee_app.imports.visit_columns import MAX_AGENCY, MAX_SERVED_BY, MAX_VISIT_ID
from ee_app.imports.visit_records import Template, VisitLookups, VisitRecord
from ee_app.instruments.checklist import MAX_COMMENT, Checklist, ChecklistItem, check_answers

__all__ = ["VisitParser"]

#: A template key with its version as a suffix (service-process-v1).
_SUFFIXED = re.compile(r"^(?P<key>.+)-v(?P<v>\d{1,4})$")


@dataclass
class _Visit:
    """A visit as its rows come in: the first value (and its row) of each visit field."""

    source_id: str
    first_row: int
    numbers: list[int] = field(default_factory=list)  # its rows
    fields: dict[str, tuple[Any, int, str]] = field(default_factory=dict)  # value, row, text
    # row, item id, answer cell, comment
    items: list[tuple[int, str, object, str]] = field(default_factory=list)
    other_template: set[int] = field(default_factory=set)  # rows naming another template


_VISIT_FIELDS = ("store", "visited_on", "template", "served_by", "agency")
_DIFFERS = N_(
    "“{value}” differs from “{first}” on row {first_row}: every row of visit “{visit}” must "
    "give the same store, date, template, served-by and agency"
)


def _item_of(checklist: Checklist, text: str) -> ChecklistItem | None:
    wanted = text.strip().lower()
    found = checklist.item(wanted)
    if found is None:
        loose = normalise_header(wanted)
        found = next((i for i in checklist.items if normalise_header(i.id) == loose), None)
    return found


class VisitParser:
    def __init__(self, table: Table, positions: Mapping[str, int], lookups: VisitLookups):
        self.lookups = lookups
        self.headers = {key: table.header[i] for key, i in positions.items()}
        self.order = {key: i for key, i in positions.items()}
        self.reader = RowReader(table.header, positions)
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.visits: dict[str, _Visit] = {}
        self.visit_headers = {self.headers[k] for k in _VISIT_FIELDS if k in self.headers}
        self.said: set[tuple[str, str | None, str, str]] = set()
        self.flagged: set[tuple[int | None, str | None]] | None = None

    def problem(self, row: int, key: str, message: str, **params: object) -> None:
        self.problems.append(Problem(message, params, row, self.headers.get(key)))

    # One row ----------------------------------------------------------------------------

    def _store(self, text: str | None) -> int | None:
        if text is None:
            return None
        key = normalise_header(text)
        store_id = self.lookups.units.stores.get(key)
        if store_id is None:
            message = (
                N_("store “{value}” matches more than one store; use its code")
                if key in self.lookups.units.ambiguous_stores
                else N_("unknown store “{value}”; use a store code from the org page")
            )
            self.reader.problem("store", message, value=text)
        return store_id

    def _template(self, text: str | None) -> Template | None:
        if text is None:
            return None
        try:
            key, version = parse_template(text)
        except CellError as exc:
            self.reader.problem("template", exc.message, **exc.params)
            return None
        versions = self.lookups.templates.get(key)
        suffixed = _SUFFIXED.match(key)
        if not versions and version is None and suffixed:  # service-process-v1, as the file
            key, version = suffixed.group("key"), int(suffixed.group("v"))
            versions = self.lookups.templates.get(key)
        if not versions:
            self.reader.problem(
                "template",
                N_("unknown template “{value}”; use one of: {keys}"),
                value=text,
                keys=", ".join(sorted(self.lookups.templates)),
            )
            return None
        if version is None:
            return versions[max(versions)]
        if version not in versions:
            self.reader.problem(
                "template",
                N_("template “{key}” has no version {version}; it has {versions}"),
                key=key,
                version=version,
                versions=", ".join(f"v{v}" for v in sorted(versions)),
            )
            return None
        return versions[version]

    def _visited_on(self, day: date | None) -> date | None:
        if day is not None and day < EARLIEST_DATE:
            self.reader.problem(
                "visited_on",
                N_("{value} is before {earliest}; check the year"),
                value=day.isoformat(),
                earliest=EARLIEST_DATE.isoformat(),
            )
            return None
        if day is not None and day > self.lookups.today:
            self.reader.problem(
                "visited_on",
                N_("{value} lies in the future; import a visit once it has been made"),
                value=day.isoformat(),
            )
            return None
        return day

    def row(self, number: int, record: Sequence[object]) -> None:
        reader = self.reader
        reader.start(number, record)
        source_id = reader.read("visit_id", parse_text, max_length=MAX_VISIT_ID)
        texts = {
            "store": reader.read("store", parse_text, max_length=100, required=False),
            "template": reader.read("template", parse_text, max_length=60, required=False),
            "served_by": reader.read(
                "served_by", parse_text, max_length=MAX_SERVED_BY, required=False
            ),
            "agency": reader.read("agency", parse_text, max_length=MAX_AGENCY, required=False),
        }
        day = reader.read("visited_on", parse_date, required=False)
        item_id = reader.read("item_id", parse_text, max_length=40)
        comment = reader.read("comment", parse_text, max_length=MAX_COMMENT, required=False)
        values: dict[str, Any] = {
            "store": self._store(texts["store"]),
            "template": self._template(texts["template"]),
            "visited_on": self._visited_on(day),
            "served_by": None if texts["served_by"] is None else clean_cell(texts["served_by"]),
            "agency": None if texts["agency"] is None else clean_cell(texts["agency"]),
        }
        texts["visited_on"] = None if day is None else day.isoformat()
        if source_id is not None:
            visit = self.visits.get(source_id)
            if visit is None:
                visit = self.visits[source_id] = _Visit(source_id, number)
            visit.numbers.append(number)
            for key in _VISIT_FIELDS:
                if not self._agree(visit, key, values[key], texts[key]) and key == "template":
                    visit.other_template.add(number)
            if item_id is not None:
                visit.items.append((number, item_id, reader.raw("answer"), comment or ""))
        self.problems.extend(p for p in reader.problems if not self._said_before(source_id, p))

    def _said_before(self, source_id: str | None, problem: Problem) -> bool:
        """Whether the same wrong visit cell (an unknown store, say) was reported on an
        earlier row of the same visit: a long file repeats it on every row, once is enough."""
        if source_id is None or problem.column not in self.visit_headers:
            return False
        if problem.message == _DIFFERS:  # each row that disagrees is to be corrected
            return False
        said = (source_id, problem.column, problem.message, repr(sorted(problem.params.items())))
        if said in self.said:
            return True
        self.said.add(said)
        return False

    def _agree(self, visit: _Visit, key: str, value: Any, text: str | None) -> bool:
        """Keep the visit's first value of ``key``; a problem where another row differs."""
        if value is None or text is None:
            return True
        first = visit.fields.get(key)
        if first is None:
            visit.fields[key] = (value, self.reader.number, text)
        elif first[0] != value:
            self.reader.problem(
                key,
                _DIFFERS,
                value=text,
                first=first[2],
                first_row=first[1],
                visit=visit.source_id,
            )
            return False
        return True

    # One visit --------------------------------------------------------------------------

    def visit(self, visit: _Visit) -> VisitRecord | None:
        count = len(self.problems)
        for key in ("store", "visited_on", "template"):
            if key not in visit.fields and not self._failed(visit, key):
                self.problem(visit.first_row, key, N_("is empty on every row of this visit"))
        template = visit.fields.get("template", (None,))[0]
        answers = self._answers(visit, template) if template is not None else {}
        store_id = visit.fields.get("store", (None,))[0]
        day = visit.fields.get("visited_on", (None,))[0]
        if len(self.problems) > count or template is None or store_id is None or day is None:
            return None
        served = visit.fields.get("served_by")
        staff_id, note, canonical = self._served_by(served, store_id, day)
        return VisitRecord(
            source_id=visit.source_id,
            row=visit.first_row,
            rows=len(visit.numbers),
            store_id=store_id,
            visited_on=day,
            template=template,
            answers=answers,
            agency=visit.fields.get("agency", ("", 0, ""))[2],
            staff_id=staff_id,
            served_by_note=note,
            served_by=canonical,
        )

    def _failed(self, visit: _Visit, key: str) -> bool:
        """Whether some row of the visit gave ``key`` and it was wrong (said already)."""
        if self.flagged is None:  # the rows' problems are all in once visits are checked
            self.flagged = {(p.row, p.column) for p in self.problems}
        header = self.headers.get(key)
        return any((number, header) in self.flagged for number in visit.numbers)

    def _answers(self, visit: _Visit, template: Template) -> dict[str, dict[str, Any]]:
        checklist = template.checklist
        answers: dict[str, dict[str, Any]] = {}
        rows: dict[str, int] = {}
        bad: set[str] = set()
        for number, text, cell, comment in visit.items:
            item = _item_of(checklist, text)
            if number in visit.other_template:  # the row is wrong already: say nothing more
                bad.add(item.id if item else text)
                continue
            if item is None:
                self.problem(
                    number,
                    "item_id",
                    N_("“{value}” is not an item of {template}; the template lists the item ids"),
                    value=text,
                    template=template.label,
                )
                continue
            if item.id in rows:
                self.problem(
                    number,
                    "item_id",
                    N_("item “{value}” appears again in this visit (first on row {first})"),
                    value=item.id,
                    first=rows[item.id],
                )
                continue
            rows[item.id] = number
            try:
                value = parse_answer(item, cell)
            except CellError as exc:
                self.problem(number, "answer", exc.message, **exc.params)
                bad.add(item.id)
                continue
            if value is not None or comment:
                answers[item.id] = {"value": value, "comment": comment}
        for problem in check_answers(checklist, answers, complete=True):
            item_id = problem.column or ""
            if item_id in bad:
                continue
            if item_id not in rows:
                self.problem(
                    visit.first_row,
                    "item_id",
                    N_("item “{item}” is not answered: add a row for it with its answer"),
                    item=item_id,
                )
                continue
            # parse_answer checked the values already: what is left about a "no" is its
            # missing comment, anything else is about the answer.
            value = (answers.get(item_id) or {}).get("value")
            key = "comment" if value == "no" and "comment" in self.headers else "answer"
            self.problems.append(
                Problem(problem.message, problem.params, rows[item_id], self.headers[key])
            )
        return answers

    def _served_by(
        self, served: tuple[Any, int, str] | None, store_id: int, day: date
    ) -> tuple[int | None, str, str]:
        """(staff id, note, canonical text): an employee number of someone who worked at the
        store that day links the staff member; anything else is kept as a note."""
        if served is None:
            return None, "", ""
        value, row, text = served
        for number in dict.fromkeys((value, value.upper())):
            periods = self.lookups.staff.get(number)
            if periods is None:
                continue
            staff_id = next((p.staff_id for p in periods if p.covers(store_id, day)), None)
            if staff_id is not None:
                return staff_id, "", number
            self.warnings.append(
                Problem(
                    N_(
                        "employee number “{value}” did not work at this store on {day}; it is "
                        "kept as a note of who served, for HR to check when reviewing"
                    ),
                    {"value": value, "day": day.isoformat()},
                    row,
                    self.headers.get("served_by"),
                )
            )
            break
        return None, text, text

    def sorted(self, problems: list[Problem]) -> list[Problem]:
        columns = {header: self.order[key] for key, header in self.headers.items()}
        return sorted(problems, key=lambda p: (p.row or 0, columns.get(p.column or "", -1)))
