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

import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from ee_app.choices import DEFAULT_TEMPLATES
from ee_app.errors import N_, Problem, ValidationError
from ee_app.instruments.pulse import Text

__all__ = [
    "DEFAULT_TEMPLATES",
    "ITEM_TYPES",
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

ITEM_TYPES = ("yes_no", "scale", "choice", "text")
NA = "na"
YES, NO = "yes", "no"
MAX_TEXT = 400
MAX_COMMENT = 1000
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_FOLDER = Path(__file__).resolve().parent / "checklists"


@dataclass(frozen=True)
class ChecklistOption:
    id: str
    text: Text
    credit: Fraction  # 0 … 1 of the item's points


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    type: str
    text: Text
    points: int
    critical: bool = False
    na: bool = False  # N/A allowed
    comment_on_no: bool = False
    evidence: bool = False  # a photo or receipt may be attached
    guidance: Text | None = None
    options: tuple[ChecklistOption, ...] = ()

    @property
    def scored(self) -> bool:
        return self.type != "text" and self.points > 0

    def option(self, option_id: str) -> ChecklistOption | None:
        return next((o for o in self.options if o.id == option_id), None)


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


def _text(data: Any, where: str, problems: list[Problem], limit: int = MAX_TEXT) -> Text:
    if not isinstance(data, Mapping):
        problems.append(
            Problem(N_("{where}: needs an English and a Chinese text."), {"where": where})
        )
        return Text("", "")
    values = []
    for language in ("en", "zh-CN"):
        value = data.get(language)
        if not isinstance(value, str) or not value.strip():
            problems.append(
                Problem(
                    N_("{where}: the {language} text is missing."),
                    {"where": where, "language": language},
                )
            )
            value = ""
        elif len(value) > limit:
            problems.append(
                Problem(
                    N_("{where}: the {language} text is longer than {limit}."),
                    {"where": where, "language": language, "limit": limit},
                )
            )
        values.append(value.strip())
    return Text(*values)


def _fraction(value: Any) -> Fraction | None:
    """An exact number from a TOML int, float or decimal string ("0.5"); None if not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float | str):
        try:
            return Fraction(Decimal(str(value)))
        except (ArithmeticError, ValueError):
            return None
    return None


def _options(raw: Any, where: str, problems: list[Problem]) -> tuple[ChecklistOption, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        problems.append(
            Problem(N_("{where}: a choice needs at least two options."), {"where": where})
        )
        return ()
    options, seen = [], set()
    for position, data in enumerate(raw, start=1):
        data = data if isinstance(data, Mapping) else {}
        option_id = str(data.get("id", ""))
        here = f"{where}, option {position}"
        if not _ID.match(option_id) or option_id in seen or option_id == NA:
            problems.append(
                Problem(
                    N_("{where}: option ids must be short, unique and lower case."), {"where": here}
                )
            )
        seen.add(option_id)
        credit = _fraction(data.get("credit"))
        if credit is None or not 0 <= credit <= 1:
            problems.append(
                Problem(
                    N_("{where}: an option's credit must lie between 0 and 1."), {"where": here}
                )
            )
            credit = Fraction(0)
        options.append(ChecklistOption(option_id, _text(data, here, problems), credit))
    if options and max(o.credit for o in options) != 1:
        problems.append(
            Problem(
                N_("{where}: one option must earn the full points (credit 1)."), {"where": where}
            )
        )
    return tuple(options)


_ITEM_KEYS = frozenset(
    {"id", "type", "points", "critical", "na", "comment_on_no", "evidence", "guidance"}
    | {"options", "en", "zh-CN"}
)
_SECTION_KEYS = frozenset({"id", "weight", "name", "items"})
_TEMPLATE_KEYS = frozenset(
    {"kind", "key", "version", "pass_mark", "name", "description", "sections"}
)
_FLAGS = ("critical", "na", "comment_on_no", "evidence")


def _unknown_keys(data: Mapping[str, Any], known: frozenset[str], where: str) -> list[Problem]:
    """A misspelt key (``critcal = true``) must not silently drop a rule."""
    return [
        Problem(N_("{where}: unknown setting “{key}”."), {"where": where, "key": key})
        for key in sorted(set(data) - known)
    ]


def _item(data: Any, section: str, problems: list[Problem]) -> ChecklistItem:
    data = data if isinstance(data, Mapping) else {}
    item_id = str(data.get("id", ""))
    where = f"item {item_id or '?'} ({section})"
    problems.extend(_unknown_keys(data, _ITEM_KEYS, where))
    for flag in _FLAGS:
        if not isinstance(data.get(flag, False), bool):
            problems.append(
                Problem(
                    N_("{where}: {flag} must be true or false."), {"where": where, "flag": flag}
                )
            )
    kind = data.get("type")
    if kind not in ITEM_TYPES:
        problems.append(
            Problem(
                N_("{where}: the type must be one of {types}."),
                {"where": where, "types": ", ".join(ITEM_TYPES)},
            )
        )
        kind = "text"
    points = data.get("points", 0 if kind == "text" else None)
    if isinstance(points, bool) or not isinstance(points, int) or not 0 <= points <= 100:
        problems.append(
            Problem(N_("{where}: points must be a whole number from 0 to 100."), {"where": where})
        )
        points = 0
    if kind == "text" and points:
        problems.append(Problem(N_("{where}: a text item earns no points."), {"where": where}))
    critical = data.get("critical", False) is True
    if critical and kind != "yes_no":
        problems.append(
            Problem(N_("{where}: only a yes/no item can be critical."), {"where": where})
        )
    comment_on_no = data.get("comment_on_no", False) is True or critical
    if comment_on_no and kind != "yes_no":
        problems.append(
            Problem(
                N_("{where}: only a yes/no item can require a comment on “no”."), {"where": where}
            )
        )
    guidance = data.get("guidance")
    return ChecklistItem(
        id=item_id,
        type=kind,
        text=_text(data, where, problems),
        points=points,
        critical=critical,
        na=data.get("na", False) is True,
        comment_on_no=comment_on_no,
        evidence=data.get("evidence", False) is True,
        guidance=None if guidance is None else _text(guidance, f"{where} guidance", problems),
        options=_options(data.get("options"), where, problems) if kind == "choice" else (),
    )


def validate(definition: Mapping[str, Any]) -> Checklist:
    """Check a definition and return the checklist; raise ValidationError listing every fault."""
    problems: list[Problem] = _unknown_keys(definition, _TEMPLATE_KEYS, "template")
    if definition.get("kind") != "checklist":
        problems.append(Problem(N_("The template's kind must be “checklist”.")))
    key = str(definition.get("key", ""))
    if not _ID.match(key):
        problems.append(Problem(N_("The template needs a short lower-case key.")))
    version = definition.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        problems.append(Problem(N_("The template needs a version number of 1 or more.")))
        version = 0
    pass_mark = definition.get("pass_mark")
    mark = None if pass_mark is None else _fraction(pass_mark)
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
        problems.extend(_unknown_keys(data, _SECTION_KEYS, where))
        weight = _fraction(data.get("weight"))
        if weight is None or weight <= 0:
            problems.append(Problem(N_("{where}: the weight must be above 0."), {"where": where}))
            weight = Fraction(1)
        items = tuple(_item(i, section_id, problems) for i in data.get("items") or [])
        if not any(i.scored for i in items):
            problems.append(
                Problem(N_("{where}: a section needs at least one scored item."), {"where": where})
            )
        for identifier in (section_id, *(i.id for i in items)):
            if not _ID.match(identifier) or identifier in seen:
                problems.append(
                    Problem(
                        N_("Ids must be short, lower case and unique in the template: “{id}”."),
                        {"id": identifier},
                    )
                )
            seen.add(identifier)
        sections.append(
            ChecklistSection(section_id, _text(data.get("name"), where, problems), weight, items)
        )
    checklist = Checklist(
        key=key,
        version=version,
        name=_text(definition.get("name"), "name", problems),
        description=_text(definition.get("description"), "description", problems, 1000),
        pass_mark=mark,
        sections=tuple(sections),
    )
    if problems:
        raise ValidationError(N_("The checklist template is not valid."), problems)
    return checklist


def default_definitions() -> dict[str, dict[str, Any]]:
    """The shipped templates, version 1, by key."""
    found = {}
    for key in DEFAULT_TEMPLATES:
        with (_FOLDER / f"{key}-v1.toml").open("rb") as handle:
            definition = tomllib.load(handle)
        if (definition.get("key"), definition.get("version")) != (key, 1):
            raise ValueError(f"{key}-v1.toml must hold key = {key!r} and version = 1.")
        found[key] = definition
    return found


def definition_hash(definition: Mapping[str, Any]) -> str:
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


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
