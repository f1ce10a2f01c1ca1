"""A checklist template as four tables, and back: the shape HR edits it in, on screen
(``st.data_editor``) and in Excel.

``Checklist`` holds one row (key, version, names, descriptions, pass mark), ``Sections`` a
row per section, ``Items`` a row per item with its section's id, ``Options`` a row per option
of a choice item with its item's id. :func:`to_tables` writes exactly what the definition
holds (a flag absent is "N", a number stays the number), and :func:`from_tables` writes back
only what the tables say (a flag "N" is left out, an empty points cell of a text item is left
out), so a template exported and imported unchanged is the same definition, with the same
hash: importing it again makes no new version.

:func:`from_tables` checks every cell where it is, so each problem names its sheet, row and
column in the reader's words; only then does :func:`ee_app.instruments.checklist.validate`
check the whole (its problems name items by id, and are a last guard rather than the usual
message).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ee_app.errors import N_, Problem
from ee_app.instruments.checklist import MAX_TEXT, NA

__all__ = [
    "FLAGS",
    "SHEETS",
    "TYPE_WORDS",
    "Field",
    "Sheet",
    "Tables",
    "bilingual_label",
    "from_tables",
    "parse_flag",
    "to_tables",
    "type_word",
]

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
FLAGS = ("critical", "na", "comment_on_no", "evidence")
#: Item types as a person writes them; the first spelling is the one an export writes.
TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "yes_no": ("是非题 yes_no", "是非题", "是否题", "yes/no", "yes no", "y/n"),
    "scale": ("评分题 scale", "评分题", "评分", "1-5", "1–5"),
    "choice": ("选择题 choice", "选择题", "单选题", "选择", "option"),
    "text": ("文字题 text", "文字题", "文本", "备注", "comment"),
}
_YES = {"y", "yes", "true", "1", "是", "对", "✓", "√", "x"}
_NO = {"n", "no", "false", "0", "否", "不", "×", "-", ""}


@dataclass(frozen=True)
class Field:
    """A column: its key in the row dicts, and its English and Chinese header."""

    key: str
    en: str
    zh: str

    @property
    def header(self) -> str:
        """The bilingual header an export writes: ``Points / 分值``."""
        return f"{self.en} / {self.zh}"


@dataclass(frozen=True)
class Sheet:
    key: str
    en: str
    zh: str
    fields: tuple[Field, ...]

    @property
    def title(self) -> str:
        return f"{self.en} {self.zh}"


_NAME = (
    Field("name_en", "Name (English)", "名称（英文）"),
    Field("name_zh", "Name (Chinese)", "名称（中文）"),
)
SHEETS: dict[str, Sheet] = {
    "checklist": Sheet(
        "checklist",
        "Checklist",
        "检查表",
        (
            Field("key", "Key", "检查表编号"),
            Field("version", "Version", "版本"),
            *_NAME,
            Field("description_en", "Description (English)", "说明（英文）"),
            Field("description_zh", "Description (Chinese)", "说明（中文）"),
            Field("pass_mark", "Pass mark", "合格线"),
        ),
    ),
    "sections": Sheet(
        "sections",
        "Sections",
        "部分",
        (Field("id", "Section id", "部分编号"), Field("weight", "Weight", "权重"), *_NAME),
    ),
    "items": Sheet(
        "items",
        "Items",
        "题目",
        (
            Field("section", "Section id", "部分编号"),
            Field("id", "Item id", "题目编号"),
            Field("type", "Type", "题型"),
            Field("points", "Points", "分值"),
            Field("critical", "Critical (fails the visit)", "一票否决项"),
            Field("na", "N/A allowed", "允许不适用"),
            Field("comment_on_no", "Comment on no", "答否须填备注"),
            Field("evidence", "Evidence (photo, receipt)", "可附照片或凭证"),
            Field("en", "Text (English)", "题目内容（英文）"),
            Field("zh", "Text (Chinese)", "题目内容（中文）"),
            Field("guidance_en", "Guidance (English)", "评分说明（英文）"),
            Field("guidance_zh", "Guidance (Chinese)", "评分说明（中文）"),
        ),
    ),
    "options": Sheet(
        "options",
        "Options",
        "选项",
        (
            Field("item", "Item id", "题目编号"),
            Field("id", "Option id", "选项编号"),
            Field("credit", "Credit (0–1)", "得分比例（0–1）"),
            Field("en", "Text (English)", "选项内容（英文）"),
            Field("zh", "Text (Chinese)", "选项内容（中文）"),
        ),
    ),
}

Row = dict[str, Any]


@dataclass
class Tables:
    """The four tables; each row is ``{field key: cell}``. ``numbers`` gives each row's number
    as the reader sees it (the row in Excel, the header being row 1); without it, rows count
    from 2, as in the exported workbook."""

    checklist: list[Row] = field(default_factory=list)
    sections: list[Row] = field(default_factory=list)
    items: list[Row] = field(default_factory=list)
    options: list[Row] = field(default_factory=list)
    numbers: dict[str, list[int]] = field(default_factory=dict)

    def rows(self, sheet: str) -> list[tuple[int, Row]]:
        rows = getattr(self, sheet)
        numbers = self.numbers.get(sheet) or list(range(2, len(rows) + 2))
        return list(zip(numbers, rows, strict=False))


def type_word(kind: str) -> str:
    return TYPE_WORDS[kind][0]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _norm(value: Any) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", _text(value)).lower())


def parse_flag(value: Any) -> bool | None:
    """Y/N in either language: Y, yes, TRUE, 是 … ; N, no, FALSE, 否 or empty. None if neither."""
    if isinstance(value, bool):
        return value
    word = _norm(value)
    if word in _YES:
        return True
    if word in _NO:
        return False
    return None


def _kind(value: Any) -> str | None:
    word = _norm(value)
    for kind, words in TYPE_WORDS.items():
        spellings = {kind, *(_norm(w) for w in words)}
        if word in spellings or any(part in spellings for part in word.split(" ")):
            return kind
    return None


def _number(value: Any) -> int | float | None:
    """A cell as a number: ints stay ints, 15.0 becomes 15, "0.5" becomes 0.5."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().rstrip("%")
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
        if not number.is_finite():
            return None
        if value.strip().endswith("%"):
            number /= 100
        return int(number) if number == number.to_integral_value() else float(number)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    return None


def _blank(row: Mapping[str, Any]) -> bool:
    return all(_text(v) == "" for v in row.values())


# Definition → tables --------------------------------------------------------------------------


def _flag_cell(value: Any) -> str:
    return "Y" if value is True else "N"


def to_tables(definition: Mapping[str, Any]) -> Tables:
    """The four tables of a (valid) definition, holding exactly its content."""
    name, description = definition.get("name") or {}, definition.get("description") or {}
    tables = Tables()
    tables.checklist.append(
        {
            "key": definition.get("key", ""),
            "version": definition.get("version", 1),
            "name_en": name.get("en", ""),
            "name_zh": name.get("zh-CN", ""),
            "description_en": description.get("en", ""),
            "description_zh": description.get("zh-CN", ""),
            "pass_mark": definition.get("pass_mark"),
        }
    )
    for section in definition.get("sections") or []:
        names = section.get("name") or {}
        tables.sections.append(
            {
                "id": section.get("id", ""),
                "weight": section.get("weight"),
                "name_en": names.get("en", ""),
                "name_zh": names.get("zh-CN", ""),
            }
        )
        for item in section.get("items") or []:
            guidance = item.get("guidance") or {}
            tables.items.append(
                {
                    "section": section.get("id", ""),
                    "id": item.get("id", ""),
                    "type": type_word(item["type"]) if item.get("type") in TYPE_WORDS else "",
                    "points": item.get("points"),
                    **{flag: _flag_cell(item.get(flag)) for flag in FLAGS},
                    "en": item.get("en", ""),
                    "zh": item.get("zh-CN", ""),
                    "guidance_en": guidance.get("en", ""),
                    "guidance_zh": guidance.get("zh-CN", ""),
                }
            )
            for option in item.get("options") or []:
                tables.options.append(
                    {
                        "item": item.get("id", ""),
                        "id": option.get("id", ""),
                        "credit": option.get("credit"),
                        "en": option.get("en", ""),
                        "zh": option.get("zh-CN", ""),
                    }
                )
    return tables


# Tables → definition --------------------------------------------------------------------------


Label = Callable[[str, str], str]


def bilingual_label(sheet: str, key: str) -> str:
    """A column as the exported workbook names it."""
    return next(f.header for f in SHEETS[sheet].fields if f.key == key)


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
        value = _text(cells.get(key))
        if required and not value:
            self.add(sheet, row, key, N_("is empty; write the text"))
        elif len(value) > (1000 if key.startswith("description") else MAX_TEXT):
            self.add(sheet, row, key, N_("is longer than {limit} characters"), limit=MAX_TEXT)
        return value

    def ident(self, sheet: str, row: int, cells: Row, key: str, seen: set[str]) -> str:
        value = _text(cells.get(key))
        if not _ID.match(value) or value == NA:
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
                value=_text(cells.get(key)),
            )
            return False
        return value


def _pair(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh-CN": zh}


def _head(tables: Tables, check: _Checker) -> dict[str, Any]:
    rows = [(n, r) for n, r in tables.rows("checklist") if not _blank(r)]
    if len(rows) != 1:
        check.add("checklist", None, None, N_("this sheet needs exactly one filled row"))
        if not rows:
            return {"kind": "checklist", "key": "", "version": 1}
    number, cells = rows[0]
    key = _text(cells.get("key"))
    if not _ID.match(key):
        check.add(
            "checklist",
            number,
            "key",
            N_("“{value}” is not a key: use 1–40 lower-case letters, digits, - or _"),
            value=key,
        )
    version = 1 if _text(cells.get("version")) == "" else _number(cells.get("version"))
    if not isinstance(version, int) or version < 1:
        check.add(
            "checklist", number, "version", N_("the version must be a whole number of 1 or more")
        )
        version = 1
    head: dict[str, Any] = {"kind": "checklist", "key": key, "version": version}
    if _text(cells.get("pass_mark")):
        mark = _number(cells.get("pass_mark"))
        if isinstance(mark, int | float) and 1 < mark <= 100:
            mark = _number(str(Decimal(str(mark)) / 100))  # 80 means 80 %
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
        if _blank(cells):
            continue
        item = _text(cells.get("item"))
        if item not in choices:
            check.add(
                "options",
                number,
                "item",
                N_("“{value}” is not a choice item on the Items sheet"),
                value=item,
            )
        option_id = check.ident("options", number, cells, "id", seen.setdefault(item, set()))
        credit = _number(cells.get("credit"))
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
                "“{value}” is not a type: write yes_no (是非题), scale (评分题), "
                "choice (选择题) or text (文字题)"
            ),
            value=_text(cells.get("type")),
        )
    if _text(cells.get("points")):
        points = _number(cells.get("points"))
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
    guidance = [_text(cells.get(k)) for k in ("guidance_en", "guidance_zh")]
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
        if _blank(cells):
            continue
        section_id = check.ident("sections", number, cells, "id", seen)
        weight = _number(cells.get("weight"))
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
        if _blank(cells):
            continue
        section = _text(cells.get("section"))
        kind = _kind(cells.get("type"))
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
