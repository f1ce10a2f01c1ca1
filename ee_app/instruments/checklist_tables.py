"""A checklist template as four tables, and back: the shape HR edits it in, on screen
(``st.data_editor``) and in Excel.

``Checklist`` holds one row (key, version, names, descriptions, pass mark), ``Sections`` a
row per section, ``Items`` a row per item with its section's id, ``Options`` a row per option
of a choice item with its item's id. :func:`to_tables` writes exactly what the definition
holds (a flag absent is "N", a number stays the number), and ``from_tables`` writes back
only what the tables say (a flag "N" is left out, an empty points cell of a text item is left
out), so a template exported and imported unchanged is the same definition, with the same
hash: importing it again makes no new version.

:func:`ee_app.instruments.checklist_from_tables.from_tables` reads them back.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "FLAGS",
    "SHEETS",
    "TYPE_WORDS",
    "Field",
    "Sheet",
    "Tables",
    "bilingual_label",
    "cell_number",
    "cell_text",
    "is_blank",
    "item_kind",
    "parse_flag",
    "to_tables",
    "type_word",
]

FLAGS = ("critical", "na", "comment_on_no", "evidence")
#: Item types as a person writes them; the first spelling is the one an export writes.
TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "yes_no": ("是非题 yes/no", "是非题", "是否题", "yes/no", "yes no", "y/n"),
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

    def label(self, language: str) -> str:
        """The column's name in one language (the editor's column heading)."""
        return self.zh if language == "zh-CN" else self.en

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

    def label(self, language: str) -> str:
        return self.zh if language == "zh-CN" else self.en

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)

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


def cell_text(value: Any) -> str:
    """A cell as trimmed text; an empty cell (None, NaN) is ""."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _norm(value: Any) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", cell_text(value)).lower())


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


def item_kind(value: Any) -> str | None:
    word = _norm(value)
    for kind, words in TYPE_WORDS.items():
        spellings = {kind, *(_norm(w) for w in words)}
        if word in spellings or any(part in spellings for part in word.split(" ")):
            return kind
    return None


def cell_number(value: Any) -> int | float | None:
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
    if isinstance(value, numbers.Integral):  # also numpy's, from an editor's table
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return None
        return int(number) if number.is_integer() else number
    return None


def is_blank(row: Mapping[str, Any]) -> bool:
    return all(cell_text(v) == "" for v in row.values())


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


def bilingual_label(sheet: str, key: str) -> str:
    """A column as the exported workbook names it."""
    return next(f.header for f in SHEETS[sheet].fields if f.key == key)
