"""A checklist's items: their four types, their options and flags, and how one is read.

:mod:`ee_app.instruments.checklist` describes the types and builds a template from its
sections; an item is read here, with every rule that ties its type to its points, flags and
options (only a yes/no item can be critical or want a comment on "no"; a choice needs options,
one of them worth the full points).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ee_app.errors import N_, Problem
from ee_app.instruments.fields import (
    ID_PATTERN,
    Text,
    bilingual,
    exact,
    read_type,
    unknown_settings,
)

__all__ = [
    "ITEM_TYPES",
    "MAX_TEXT",
    "NA",
    "NO",
    "YES",
    "ChecklistItem",
    "ChecklistOption",
    "read_item",
]

ITEM_TYPES = ("yes_no", "scale", "choice", "text")
NA = "na"
YES, NO = "yes", "no"
MAX_TEXT = 400


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


_ITEM_KEYS = frozenset(
    {"id", "type", "points", "critical", "na", "comment_on_no", "evidence", "guidance"}
    | {"options", "en", "zh-CN"}
)
_FLAGS = ("critical", "na", "comment_on_no", "evidence")


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
        if not ID_PATTERN.match(option_id) or option_id in seen or option_id == NA:
            problems.append(
                Problem(
                    N_("{where}: option ids must be short, unique and lower case."), {"where": here}
                )
            )
        seen.add(option_id)
        credit = exact(data.get("credit"))
        if credit is None or not 0 <= credit <= 1:
            problems.append(
                Problem(
                    N_("{where}: an option's credit must lie between 0 and 1."), {"where": here}
                )
            )
            credit = Fraction(0)
        options.append(
            ChecklistOption(option_id, bilingual(data, here, problems, MAX_TEXT), credit)
        )
    if options and max(o.credit for o in options) != 1:
        problems.append(
            Problem(
                N_("{where}: one option must earn the full points (credit 1)."), {"where": where}
            )
        )
    return tuple(options)


def read_item(data: Any, section: str, problems: list[Problem]) -> ChecklistItem:
    """The item ``data`` of section ``section``, its faults appended to ``problems``."""
    data = data if isinstance(data, Mapping) else {}
    item_id = str(data.get("id", ""))
    where = f"item {item_id or '?'} ({section})"
    problems.extend(unknown_settings(data, _ITEM_KEYS, where))
    for flag in _FLAGS:
        if not isinstance(data.get(flag, False), bool):
            problems.append(
                Problem(
                    N_("{where}: {flag} must be true or false."), {"where": where, "flag": flag}
                )
            )
    kind = read_type(data, ITEM_TYPES, "text", where, problems)
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
        text=bilingual(data, where, problems, MAX_TEXT),
        points=points,
        critical=critical,
        na=data.get("na", False) is True,
        comment_on_no=comment_on_no,
        evidence=data.get("evidence", False) is True,
        guidance=(
            None
            if guidance is None
            else bilingual(guidance, f"{where} guidance", problems, MAX_TEXT)
        ),
        options=_options(data.get("options"), where, problems) if kind == "choice" else (),
    )
