"""Mystery-shopper visits delivered by an agency as a file (暗访机构的暗访结果).

The file is *long*: one row per answered item, so that every problem has a row number::

    暗访编号    门店  暗访日期    模板             题目编号           答案  备注  服务员工  暗访机构
    AG-0001    SH01  2026-10-16  service-process  booking-needs      是
    AG-0001    SH01  2026-10-16  service-process  reception-warmth   4
    …

The rows of one visit id make one visit. Store, date, template, served-by and agency are
properties of the visit: a cell may be left empty on some of its rows (or merged in Excel),
but two rows that fill it in must agree. Each visit is then checked as a shopper's submission
is (:func:`ee_app.instruments.checklist.check_answers` with ``complete=True``), and every
problem is reported at the row of its item, or at the visit's first row for an item that has
no row.

Parsing is pure: stores, templates and who worked where come in :class:`VisitLookups`, which
the service builds from the database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ee_app.errors import N_, Problem
from ee_app.imports.cells import EARLIEST_DATE, CellError, parse_date, parse_int, parse_text
from ee_app.imports.columns import Column, RowReader, map_columns, normalise_header
from ee_app.imports.roster import UnitIndex
from ee_app.imports.tabular import Table
from ee_app.instruments.checklist import (
    MAX_COMMENT,
    NA,
    Checklist,
    ChecklistItem,
    ChecklistOption,
    check_answers,
)

__all__ = [
    "MAX_AGENCY",
    "MAX_SERVED_BY",
    "MAX_VISIT_ID",
    "NA_WORDS",
    "NO_WORDS",
    "VISIT_COLUMNS",
    "YES_WORDS",
    "Period",
    "Template",
    "VisitLookups",
    "VisitRecord",
    "VisitsParsed",
    "parse_answer",
    "parse_template",
    "parse_visits",
]

MAX_VISIT_ID = 64
MAX_AGENCY = 100
MAX_SERVED_BY = 200

VISIT_COLUMNS: tuple[Column, ...] = (
    Column(
        "visit_id",
        "Visit ID",
        "暗访编号",
        ("访问编号", "暗访单号", "报告编号", "编号", "visit no", "visit number", "id"),
    ),
    Column("store", "Store", "门店", ("门店编号", "门店代码", "门店名称", "店铺", "store code")),
    Column(
        "visited_on",
        "Visit date",
        "暗访日期",
        ("访问日期", "到店日期", "日期", "visited on", "visit day", "date"),
    ),
    Column(
        "template",
        "Template",
        "模板",
        ("检查表", "评估表", "模板编号", "checklist", "template key"),
    ),
    Column("item_id", "Item ID", "题目编号", ("题号", "题目id", "item no", "question id")),
    Column("answer", "Answer", "答案", ("回答", "结果", "answer value", "result")),
    Column(
        "comment",
        "Comment",
        "备注",
        ("说明", "意见", "留言", "comments", "note", "notes"),
        required=False,
    ),
    Column(
        "served_by",
        "Served by",
        "服务员工",
        ("服务员工编号", "服务人员", "接待人员", "员工编号", "工号", "staff", "employee no"),
        required=False,
    ),
    Column(
        "agency",
        "Agency",
        "暗访机构",
        ("机构", "调研公司", "暗访公司", "agency name", "vendor"),
        required=False,
    ),
    # The template's read-only hint (the item's wording); read by nobody, claimed so that
    # it is not mistaken for another field.
    Column("item_text", "Item text", "题目内容", ("题目", "question", "item"), required=False),
)

#: How an agency may write yes, no and not applicable (compared after normalise_header).
YES_WORDS = ("是", "yes", "y", "true", "√", "✓", "✔")
NO_WORDS = ("否", "no", "n", "false", "×", "✗", "✘")
NA_WORDS = ("不适用", "na", "n/a", "不涉及")
_YES = frozenset(normalise_header(w) for w in YES_WORDS)
_NO = frozenset(normalise_header(w) for w in NO_WORDS)
_NA = frozenset(normalise_header(w) for w in NA_WORDS)
_TEMPLATE = re.compile(
    r"^(?P<key>[a-z0-9][a-z0-9_-]{0,39}?)(?:\s*@\s*v?(?P<at>\d{1,4})|\s+v(?P<v>\d{1,4}))?$"
)
_SUFFIXED = re.compile(r"^(?P<key>.+)-v(?P<v>\d{1,4})$")
_POINTS = re.compile(r"\s*分$")  # "4分"


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


# Cells --------------------------------------------------------------------------------------


def _clean(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_template(value: object) -> tuple[str, int | None]:
    """``service-process`` → (key, None: the newest version); ``service-process v2`` or
    ``service-process@2`` → (key, 2)."""
    text = parse_text(value, max_length=60) or ""  # never empty: parse_text says so first
    match = _TEMPLATE.match(_clean(text).lower())
    if match is None:
        raise CellError(
            N_(
                "“{value}” is not a template key; write it as service-process or service-process v2"
            ),
            value=text,
        )
    version = match.group("at") or match.group("v")
    return match.group("key"), None if version is None else int(version)


def _option_words(item: ChecklistItem) -> dict[str, ChecklistOption]:
    """Each option by its id and by its English and Chinese text; a text two options share
    (after normalising) is left out rather than guessed."""
    found: dict[str, ChecklistOption | None] = {}
    for option in item.options:
        for word in {normalise_header(w) for w in (option.id, option.text.en, option.text.zh)}:
            if word and found.get(word, option) is not option:
                found[word] = None
            else:
                found[word] = option
    for option in item.options:  # an exact id always wins
        found[option.id] = option
    return {w: o for w, o in found.items() if o is not None}


def parse_answer(item: ChecklistItem, value: object) -> object | None:
    """The stored answer to ``item`` that a cell means, or None for an empty cell.

    Yes/no items take 是/否/不适用, yes/no/na, Y/N (and ticks); a scale item a whole number
    from 1 to 5 ("4分" too); a choice an option's id or its English or Chinese text; a text
    item any text of up to 1000 characters. Not applicable (不适用, na) is accepted for items
    that allow it.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if item.type == "text":
        return parse_text(value, max_length=MAX_COMMENT)
    word = normalise_header(_clean(value))
    if word in _NA:
        if not item.na:
            raise CellError(N_("“not applicable” is not allowed for this item"))
        return NA
    if item.type == "yes_no":
        if word in _YES:
            return "yes"
        if word in _NO:
            return "no"
        raise CellError(
            N_("“{value}” is not a yes/no answer; write 是, 否 or 不适用 (yes, no, na)"),
            value=value,
        )
    if item.type == "scale":
        try:
            number = parse_int(_POINTS.sub("", _clean(value)))
        except CellError:
            number = None
        if number is None or not 1 <= number <= 5:
            raise CellError(N_("“{value}” is not a score from 1 to 5"), value=value)
        return number
    options = _option_words(item)
    option = options.get(_clean(value).lower()) or options.get(word)
    if option is None:
        raise CellError(
            N_("“{value}” is not an option of this item; use one of: {options}"),
            value=value,
            options=", ".join(o.id for o in item.options),
        )
    return option.id


# The file -----------------------------------------------------------------------------------


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


class _Parser:
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
            "served_by": None if texts["served_by"] is None else _clean(texts["served_by"]),
            "agency": None if texts["agency"] is None else _clean(texts["agency"]),
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


def parse_visits(table: Table, lookups: VisitLookups) -> VisitsParsed:
    """Every visit of the file, or every problem in it (see the module docstring)."""
    positions, problems = map_columns(table.header, VISIT_COLUMNS)
    if problems:
        return VisitsParsed([], len(table), problems)
    if not table.rows:
        return VisitsParsed([], 0, [Problem(N_("The file has a header but no rows."))])
    parser = _Parser(table, positions, lookups)
    for number, record in table.rows:
        parser.row(number, record)
    visits = [v for v in (parser.visit(d) for d in parser.visits.values()) if v is not None]
    return VisitsParsed(
        visits,
        len(table),
        parser.sorted(parser.problems),
        parser.sorted(parser.warnings),
        parser.headers,
    )
