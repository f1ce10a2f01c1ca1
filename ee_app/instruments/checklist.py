"""Mystery-shopper checklists: versioned templates of weighted sections and items.

A template is a plain dict (TOML on disk, JSON in the database), checked by :func:`validate`
and identified by the SHA-256 of its canonical JSON, like the pulse instrument. Sections carry
a weight; items carry points and one of four types:

``yes_no``
    yes earns the item's points, no earns nothing; N/A (where the item allows it) leaves the
    item out of both the points earned and the points possible. Every item is worded so that
    "yes" is what the brand wants to see.
``scale``
    1–5; ``v`` earns ``points × (v − 1) / 4``.
``choice``
    one of the item's options; each option carries a credit between 0 and 1 and earns
    ``points × credit``.
``text``
    a free-text observation; never scored.

A **critical** item (一票否决项, yes/no only) answered "no" fails the whole visit: its result is
"fail" and its score 0, while the raw score is kept for coaching. Items may require a comment
when answered "no" (critical items always do) and may accept evidence (a photo or a receipt).

:func:`check_answers` says what is wrong with a set of answers, item by item, and
:func:`score` computes the visit's scores exactly (in fractions) before rounding once, half
up, to a tenth of a percentage point.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from ee_app.choices import DEFAULT_TEMPLATES
from ee_app.errors import N_, Problem, ValidationError
from ee_app.instruments.checklist_items import (
    ITEM_TYPES,
    MAX_TEXT,
    NA,
    NO,
    YES,
    ChecklistItem,
    ChecklistOption,
    read_item,
)
from ee_app.instruments.fields import (
    Text,
    bilingual,
    definition_hash,
    exact,
    key_and_version,
    shipped_definitions,
    unique_id,
    unknown_settings,
)

__all__ = [
    "DEFAULT_TEMPLATES",
    "ITEM_TYPES",
    "MAX_COMMENT",
    "NA",
    "Checklist",
    "ChecklistItem",
    "ChecklistOption",
    "ChecklistSection",
    "SectionScore",
    "VisitScore",
    "check_answers",
    "default_definitions",
    "definition_hash",
    "percent",
    "score",
    "validate",
]

MAX_COMMENT = 1000
_FOLDER = Path(__file__).resolve().parent / "checklists"


@dataclass(frozen=True)
class ChecklistSection:
    id: str
    name: Text
    weight: Fraction
    items: tuple[ChecklistItem, ...]


@dataclass(frozen=True)
class Checklist:
    key: str
    version: int
    name: Text
    description: Text
    pass_mark: Fraction | None  # share of the weighted score a visit needs to pass
    sections: tuple[ChecklistSection, ...]

    @property
    def items(self) -> tuple[ChecklistItem, ...]:
        return tuple(i for s in self.sections for i in s.items)

    def item(self, item_id: str) -> ChecklistItem | None:
        return next((i for i in self.items if i.id == item_id), None)

    def section_of(self, item_id: str) -> ChecklistSection | None:
        return next((s for s in self.sections if any(i.id == item_id for i in s.items)), None)


# Reading and checking a definition ------------------------------------------------------------


_SECTION_KEYS = frozenset({"id", "weight", "name", "items"})
_TEMPLATE_KEYS = frozenset(
    {"kind", "key", "version", "pass_mark", "name", "description", "sections"}
)


def validate(definition: Mapping[str, Any]) -> Checklist:
    """Check a definition and return the checklist; raise ValidationError listing every fault."""
    problems: list[Problem] = unknown_settings(definition, _TEMPLATE_KEYS, "template")
    key, version = key_and_version(
        definition,
        "checklist",
        problems,
        (
            N_("The template's kind must be “checklist”."),
            N_("The template needs a short lower-case key."),
            N_("The template needs a version number of 1 or more."),
        ),
    )
    pass_mark = definition.get("pass_mark")
    mark = None if pass_mark is None else exact(pass_mark)
    if pass_mark is not None and (mark is None or not 0 < mark <= 1):
        problems.append(Problem(N_("The pass mark must be a share above 0 and at most 1.")))
        mark = None
    sections, seen = [], set()
    raw_sections = definition.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        problems.append(Problem(N_("The template needs at least one section.")))
        raw_sections = []
    for data in raw_sections:
        data = data if isinstance(data, Mapping) else {}
        section_id = str(data.get("id", ""))
        where = f"section {section_id or '?'}"
        problems.extend(unknown_settings(data, _SECTION_KEYS, where))
        weight = exact(data.get("weight"))
        if weight is None or weight <= 0:
            problems.append(Problem(N_("{where}: the weight must be above 0."), {"where": where}))
            weight = Fraction(1)
        items = tuple(read_item(i, section_id, problems) for i in data.get("items") or [])
        if not any(i.scored for i in items):
            problems.append(
                Problem(N_("{where}: a section needs at least one scored item."), {"where": where})
            )
        for identifier in (section_id, *(i.id for i in items)):
            unique_id(
                identifier,
                seen,
                N_("Ids must be short, lower case and unique in the template: “{id}”."),
                problems,
            )
        sections.append(
            ChecklistSection(
                section_id, bilingual(data.get("name"), where, problems, MAX_TEXT), weight, items
            )
        )
    checklist = Checklist(
        key=key,
        version=version,
        name=bilingual(definition.get("name"), "name", problems, MAX_TEXT),
        description=bilingual(definition.get("description"), "description", problems, 1000),
        pass_mark=mark,
        sections=tuple(sections),
    )
    if problems:
        raise ValidationError(N_("The checklist template is not valid."), problems)
    return checklist


def default_definitions() -> dict[str, dict[str, Any]]:
    """The shipped templates, version 1, by key."""
    return shipped_definitions(_FOLDER, DEFAULT_TEMPLATES)


# Answers --------------------------------------------------------------------------------------


def _value_problem(item: ChecklistItem, value: Any) -> str | None:
    """Why ``value`` is no answer to ``item``, or None if it is one."""
    if value == NA and item.type != "text":
        return None if item.na else N_("“not applicable” is not allowed for this item")
    if item.type == "yes_no":
        return None if value in (YES, NO) else N_("answer yes, no or (where allowed) N/A")
    if item.type == "scale":
        ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5
        return None if ok else N_("answer with a whole number from 1 to 5")
    if item.type == "choice":
        return None if item.option(str(value)) else N_("choose one of the item's options")
    ok = isinstance(value, str) and len(value) <= MAX_COMMENT
    return None if ok else N_("a text of at most 1000 characters")


def check_answers(
    checklist: Checklist, answers: Mapping[str, Mapping[str, Any]], *, complete: bool
) -> list[Problem]:
    """Every problem with ``answers`` ({item id: {"value": …, "comment": …}}).

    A draft (``complete=False``) may leave items open and comments unwritten; a submission
    must answer every scored and every critical item, explain every "no" that needs a
    comment, and say why a critical item is not applicable. Each
    problem's ``column`` is the item id, so a page or an import can point at it.
    """
    problems = []
    for item_id in answers:
        if checklist.item(item_id) is None:
            problems.append(Problem(N_("no such item in this template"), column=item_id))
    for item in checklist.items:
        answer = answers.get(item.id) or {}
        value, comment = answer.get("value"), answer.get("comment") or ""
        if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
            problems.append(Problem(N_("a comment of at most 1000 characters"), column=item.id))
            comment = ""
        if value is None or value == "":
            if complete and (item.scored or item.critical):
                problems.append(Problem(N_("this item needs an answer"), column=item.id))
            continue
        reason = _value_problem(item, value)
        if reason:
            problems.append(Problem(reason, column=item.id))
        elif complete and value == NO and item.comment_on_no and not comment.strip():
            problems.append(
                Problem(N_("a “no” here needs a comment saying what happened"), column=item.id)
            )
        elif complete and value == NA and item.critical and not comment.strip():
            # N/A must not become a quiet way around a critical item.
            problems.append(
                Problem(
                    N_("“not applicable” on a critical item needs a comment saying why"),
                    column=item.id,
                )
            )
    return problems


# Scoring --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionScore:
    id: str
    earned: Fraction
    possible: int  # points of the answered (not N/A) scored items
    weight: Fraction

    @property
    def share(self) -> Fraction | None:
        return None if not self.possible else self.earned / self.possible


@dataclass(frozen=True)
class VisitScore:
    """A visit's scores as exact shares; :func:`percent` rounds them for display and storage.

    ``raw`` is the weighted score whatever happened; ``final`` is 0 when a critical item
    failed and ``raw`` otherwise. Either is None when every scored item was N/A.
    """

    sections: tuple[SectionScore, ...]
    raw: Fraction | None
    critical_failures: tuple[str, ...]  # item ids
    passed: bool

    @property
    def final(self) -> Fraction | None:
        if self.critical_failures:
            return Fraction(0)
        return self.raw


def _earned(item: ChecklistItem, value: Any) -> Fraction:
    if item.type == "yes_no":
        return Fraction(item.points) if value == YES else Fraction(0)
    if item.type == "scale":
        return Fraction(item.points) * (int(value) - 1) / 4
    option = item.option(str(value))
    return Fraction(item.points) * (option.credit if option else 0)


def score(checklist: Checklist, answers: Mapping[str, Mapping[str, Any]]) -> VisitScore:
    """Points earned / points possible per section, N/A and unanswered items left out of both;
    the weighted total over the sections that have points possible (a section that is all N/A
    drops out and the others' weights are renormalised); critical failures.

    >>> from ee_app.instruments.checklist import validate
    >>> c = validate({"kind": "checklist", "key": "k", "version": 1, "pass_mark": 0.8,
    ...     "name": {"en": "n", "zh-CN": "n"}, "description": {"en": "d", "zh-CN": "d"},
    ...     "sections": [{"id": "s", "weight": 1, "name": {"en": "s", "zh-CN": "s"}, "items": [
    ...         {"id": "a", "type": "yes_no", "points": 2, "en": "a", "zh-CN": "a"},
    ...         {"id": "b", "type": "yes_no", "points": 1, "na": True, "en": "b", "zh-CN": "b"},
    ...         {"id": "c", "type": "scale", "points": 4, "en": "c", "zh-CN": "c"}]}]})
    >>> s = score(c, {"a": {"value": "yes"}, "b": {"value": "na"}, "c": {"value": 4}})
    >>> s.raw, percent(s.raw), s.passed   # (2 + 4·3/4) / (2 + 4) = 5/6
    (Fraction(5, 6), Decimal('83.3'), True)
    """
    sections, failures = [], []
    for section in checklist.sections:
        earned, possible = Fraction(0), 0
        for item in section.items:
            value = (answers.get(item.id) or {}).get("value")
            if item.critical and value == NO:
                failures.append(item.id)
            if not item.scored or value in (None, "", NA):
                continue
            earned += _earned(item, value)
            possible += item.points
        sections.append(SectionScore(section.id, earned, possible, section.weight))
    counted = [s for s in sections if s.possible]
    raw = None
    if counted:
        raw = sum((s.weight * s.share for s in counted), Fraction(0)) / sum(
            s.weight for s in counted
        )
    passed = not failures and raw is not None
    if passed and checklist.pass_mark is not None:
        passed = raw >= checklist.pass_mark
    return VisitScore(tuple(sections), raw, tuple(failures), passed)


def percent(share: Fraction | None) -> Decimal | None:
    """A share as a percentage rounded half up to one decimal (5/6 → 83.3, 1/8 → 12.5,
    0.12345 → 12.3); rounding happens once, on the exact value."""
    if share is None:
        return None
    exact = Decimal(share.numerator) * 100 / Decimal(share.denominator)
    return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
