"""Reading a checklist template's four tables (see :mod:`ee_app.instruments.checklist_tables`)
back into a definition.

:func:`from_tables` checks every cell where it is, so each problem names its sheet, row and
column in the reader's words; only then does :func:`ee_app.instruments.checklist.validate`
check the whole (its problems name items by id, and are a last guard rather than the usual
message).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ee_app.errors import N_, Problem
from ee_app.instruments.checklist_items import MAX_TEXT, NA
from ee_app.instruments.checklist_tables import (
    FLAGS,
    SHEETS,
    Tables,
    bilingual_label,
    cell_number,
    cell_text,
    is_blank,
    item_kind,
    parse_flag,
)
from ee_app.instruments.fields import ID_PATTERN

__all__ = ["Label", "from_tables"]

Row = dict[str, Any]


Label = Callable[[str, str], str]


class _Checker:
    """Collects problems located by sheet, row and column (as ``label`` names columns)."""

    def __init__(self, label: Label, sheet_name: Callable[[str], str]) -> None:
        self.label, self.sheet_name = label, sheet_name
        self.problems: list[Problem] = []

    def add(
        self, sheet: str, row: int | None, key: str | None, message: str, **params: Any
    ) -> None:
        column = None if key is None else self.label(sheet, key)
        self.problems.append(Problem(message, params, row, column, self.sheet_name(sheet)))

    def text(self, sheet: str, row: int, cells: Row, key: str, *, required: bool = True) -> str:
        value = cell_text(cells.get(key))
        if required and not value:
            self.add(sheet, row, key, N_("is empty; write the text"))
        elif len(value) > (1000 if key.startswith("description") else MAX_TEXT):
            self.add(sheet, row, key, N_("is longer than {limit} characters"), limit=MAX_TEXT)
        return value

    def ident(self, sheet: str, row: int, cells: Row, key: str, seen: set[str]) -> str:
        value = cell_text(cells.get(key))
        if not ID_PATTERN.match(value) or value == NA:
            self.add(
                sheet,
                row,
                key,
                N_("“{value}” is not an id: use 1–40 lower-case letters, digits, - or _"),
                value=value,
            )
        elif value in seen:
            self.add(sheet, row, key, N_("the id “{value}” is used twice"), value=value)
        seen.add(value)
        return value

    def flag(self, sheet: str, row: int, cells: Row, key: str) -> bool:
        value = parse_flag(cells.get(key))
        if value is None:
            self.add(
                sheet,
                row,
                key,
                N_("“{value}” is not Y or N (是 or 否)"),
                value=cell_text(cells.get(key)),
            )
            return False
        return value


def _pair(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh-CN": zh}


def _head(tables: Tables, check: _Checker) -> dict[str, Any]:
    rows = [(n, r) for n, r in tables.rows("checklist") if not is_blank(r)]
    if len(rows) != 1:
        check.add("checklist", None, None, N_("this sheet needs exactly one filled row"))
        if not rows:
            return {"kind": "checklist", "key": "", "version": 1}
    number, cells = rows[0]
    key = cell_text(cells.get("key"))
    if not ID_PATTERN.match(key):
        check.add(
            "checklist",
            number,
            "key",
            N_("“{value}” is not a key: use 1–40 lower-case letters, digits, - or _"),
            value=key,
        )
    version = 1 if cell_text(cells.get("version")) == "" else cell_number(cells.get("version"))
    if not isinstance(version, int) or version < 1:
        check.add(
            "checklist", number, "version", N_("the version must be a whole number of 1 or more")
        )
        version = 1
    head: dict[str, Any] = {"kind": "checklist", "key": key, "version": version}
    if cell_text(cells.get("pass_mark")):
        mark = cell_number(cells.get("pass_mark"))
        if isinstance(mark, int | float) and 1 < mark <= 100:
            mark = cell_number(str(Decimal(str(mark)) / 100))  # 80 means 80 %
        if mark is None or not 0 < mark <= 1:
            check.add(
                "checklist",
                number,
                "pass_mark",
                N_("the pass mark must be above 0 and at most 100%"),
            )
        else:
            head["pass_mark"] = mark
    head["name"] = _pair(
        *(check.text("checklist", number, cells, k) for k in ("name_en", "name_zh"))
    )
    head["description"] = _pair(
        *(check.text("checklist", number, cells, k) for k in ("description_en", "description_zh"))
    )
    return head


def _option_rows(tables: Tables, check: _Checker, choices: set[str]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    seen: dict[str, set[str]] = {}
    for number, cells in tables.rows("options"):
        if is_blank(cells):
            continue
        item = cell_text(cells.get("item"))
        if item not in choices:
            check.add(
                "options",
                number,
                "item",
                N_("“{value}” is not a choice item on the Items sheet"),
                value=item,
            )
        option_id = check.ident("options", number, cells, "id", seen.setdefault(item, set()))
        credit = cell_number(cells.get("credit"))
        if credit is None or not 0 <= credit <= 1:
            check.add("options", number, "credit", N_("the credit must be a number from 0 to 1"))
        option = {"id": option_id, "credit": credit}
        option |= _pair(
            check.text("options", number, cells, "en"), check.text("options", number, cells, "zh")
        )
        found.setdefault(item, []).append((number, option))
    return found


def _item(
    check: _Checker, number: int, cells: Row, kind: str | None, seen: set[str]
) -> dict[str, Any]:
    item_id = check.ident("items", number, cells, "id", seen)
    item: dict[str, Any] = {"id": item_id, "type": kind or "text"}
    if kind is None:
        check.add(
            "items",
            number,
            "type",
            N_(
                "“{value}” is not a type: write yes/no (是非题), scale (评分题), "
                "choice (选择题) or text (文字题)"
            ),
            value=cell_text(cells.get("type")),
        )
    if cell_text(cells.get("points")):
        points = cell_number(cells.get("points"))
        if not isinstance(points, int) or not 0 <= points <= 100:
            check.add("items", number, "points", N_("points must be a whole number from 0 to 100"))
        elif kind == "text" and points:
            check.add("items", number, "points", N_("a text item earns no points; leave it empty"))
        else:
            item["points"] = points
    elif kind not in (None, "text"):
        check.add("items", number, "points", N_("is empty; give the item's points (0 to 100)"))
    for flag in FLAGS:
        if check.flag("items", number, cells, flag):
            item[flag] = True
    if kind is not None and kind != "yes_no":
        for flag in ("critical", "comment_on_no"):
            if item.get(flag):
                check.add("items", number, flag, N_("only a yes/no item can have this; write N"))
    item |= _pair(
        check.text("items", number, cells, "en"), check.text("items", number, cells, "zh")
    )
    guidance = [cell_text(cells.get(k)) for k in ("guidance_en", "guidance_zh")]
    if any(guidance):
        item["guidance"] = _pair(
            *(check.text("items", number, cells, k) for k in ("guidance_en", "guidance_zh"))
        )
    return item


def from_tables(
    tables: Tables,
    *,
    label: Label = bilingual_label,
    sheet_name: Callable[[str], str] = lambda key: SHEETS[key].title,
) -> tuple[dict[str, Any], list[Problem]]:
    """The definition the tables describe, and every problem found in their cells.

    ``label(sheet, field)`` and ``sheet_name(sheet)`` name the places in the problems as the
    reader sees them (the workbook's headers by default; the editor's translated ones)."""
    check = _Checker(label, sheet_name)
    definition = _head(tables, check)
    sections: dict[str, dict[str, Any]] = {}
    section_rows: dict[str, int] = {}
    seen: set[str] = set()
    for number, cells in tables.rows("sections"):
        if is_blank(cells):
            continue
        section_id = check.ident("sections", number, cells, "id", seen)
        weight = cell_number(cells.get("weight"))
        if weight is None or weight <= 0:
            check.add("sections", number, "weight", N_("the weight must be a number above 0"))
        names = [check.text("sections", number, cells, k) for k in ("name_en", "name_zh")]
        sections[section_id] = {
            "id": section_id,
            "weight": weight,
            "name": _pair(*names),
            "items": [],
        }
        section_rows[section_id] = number
    if not sections:
        check.add("sections", None, None, N_("the checklist needs at least one section"))
    choices: dict[str, tuple[int, dict[str, Any]]] = {}
    for number, cells in tables.rows("items"):
        if is_blank(cells):
            continue
        section = cell_text(cells.get("section"))
        kind = item_kind(cells.get("type"))
        item = _item(check, number, cells, kind, seen)
        if section not in sections:
            check.add(
                "items",
                number,
                "section",
                N_("“{value}” is not a section on the Sections sheet"),
                value=section,
            )
        else:
            sections[section]["items"].append(item)
        if kind == "choice":
            choices[item["id"]] = (number, item)
    options = _option_rows(tables, check, set(choices))
    for item_id, (number, item) in choices.items():
        rows = options.get(item_id, [])
        item["options"] = [option for _n, option in rows]
        if len(rows) < 2:
            check.add(
                "items",
                number,
                "id",
                N_("a choice item needs at least two options on the Options sheet"),
            )
        elif max((o["credit"] or 0) for o in item["options"]) != 1:
            check.add("items", number, "id", N_("one of this item's options must have credit 1"))
    for section_id, section in sections.items():
        scored = [i for i in section["items"] if i["type"] != "text" and (i.get("points") or 0) > 0]
        if not scored:
            check.add(
                "sections",
                section_rows[section_id],
                "id",
                N_("section “{value}” needs at least one item with points"),
                value=section_id,
            )
    definition["sections"] = list(sections.values())
    return definition, check.problems
