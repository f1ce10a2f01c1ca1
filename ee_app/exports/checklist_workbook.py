"""A checklist template as an Excel workbook HR can edit and import again (检查表模板).

Four table sheets (see :mod:`ee_app.instruments.checklist_tables`) with bilingual headers, so
an English-speaking manager and a Chinese HR clerk read the same file, and a "How to fill"
sheet. Y/N and type cells offer a drop-down list; every text cell is written as text, never
as a formula (:func:`ee_app.exports.xlsx.set_value`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ee_app.exports.xlsx import PERCENT_FORMAT, add_table_sheet, workbook_bytes
from ee_app.instruments.checklist_tables import FLAGS, SHEETS, TYPE_WORDS, Tables, to_tables

__all__ = ["HOW_TO_FILL", "HOW_TO_TITLE", "blank_definition", "checklist_workbook"]

HOW_TO_TITLE = "How to fill 填写说明"
#: The "How to fill" sheet: one (English, 中文) pair per line.
HOW_TO_FILL = (
    (
        "Edit the four sheets, save as .xlsx and upload the file on Mystery shopping → "
        "Checklists. Nothing is saved until you confirm.",
        "编辑以下四个工作表，保存为.xlsx后在“神秘顾客暗访 → 检查表”页面上传。确认后才会保存。",
    ),
    (
        "Checklist: one row. The key names the checklist (lower-case letters, digits, - or _). "
        "Keep the key to make a new version of this checklist; a new key makes a new checklist.",
        "检查表：只填一行。检查表编号由小写字母、数字、-或_组成。保留原编号即保存为该检查表的"
        "新版本；填写新编号即新建一个检查表。",
    ),
    (
        "Pass mark: the share of the weighted score a visit needs to pass, e.g. 80%; leave it "
        "empty for no pass mark.",
        "合格线：暗访加权得分达到该比例即为合格，如80%；不设合格线可留空。",
    ),
    (
        "Sections: one row per section, in the order the shopper sees them. The weight is "
        "the section's share of the score (weights 15, 20, 30 … need not add up to 100).",
        "部分：每个部分一行，顺序即暗访人员看到的顺序。权重为该部分在总分中的占比"
        "（如15、20、30，合计不必等于100）。",
    ),
    (
        "Items: one row per item, under its section id, in order. Type: yes/no (是非题), "
        "scale (评分题, 1–5), choice (选择题) or text (文字题, never scored). Points: a whole "
        "number from 0 to 100; empty for a text item.",
        "题目：每题一行，填写所属部分编号，按顺序排列。题型：是非题 yes/no、评分题 scale（1–5分）、"
        "选择题 choice 或文字题 text（不计分）。分值：0至100的整数；文字题留空。",
    ),
    (
        "Y/N columns: Y or N (是 or 否, yes or no, TRUE or FALSE). Critical (一票否决项): a “no” "
        "fails the whole visit; only yes/no items. Comment on no: the shopper must say what "
        "happened. Every yes/no item is worded so that “yes” is what the brand wants.",
        "是否列：填Y或N（是或否、yes或no、TRUE或FALSE均可）。一票否决项：答“否”则本次暗访"
        "不合格，仅限是非题。答否须填备注：答“否”时暗访人员必须说明情况。是非题统一表述为"
        "“是”即符合品牌标准。",
    ),
    (
        "Every text is needed in English and in Chinese. Guidance is optional (both languages "
        "or neither).",
        "所有内容须同时填写英文和中文。评分说明可不填（要填则中英文都填）。",
    ),
    (
        "Options: for each choice item at least two rows, with a credit from 0 to 1 (the share "
        "of the item's points the option earns); one option must have credit 1.",
        "选项：每个选择题至少两行，得分比例为0至1（该选项可得该题分值的比例）；"
        "必须有一个选项的得分比例为1。",
    ),
    (
        "A version used by a visit is never changed: saving always makes a new version, and "
        "visits already scheduled keep theirs. Uploading the same file twice saves nothing.",
        "已用于暗访的版本不会被修改：每次保存都生成新版本，已安排的暗访仍使用原版本。"
        "同一文件重复上传不会重复保存。",
    ),
    (
        "If any cell is wrong, nothing is saved and each problem is listed with its sheet, row "
        "and column.",
        "任何单元格有误，都不会保存，并逐条列出问题所在的工作表、行和列。",
    ),
)


def blank_definition() -> dict[str, Any]:
    """A blank template's content: one section with one yes/no item to copy."""
    return {
        "kind": "checklist",
        "key": "my-checklist",
        "version": 1,
        "pass_mark": 0.8,
        "name": {"en": "", "zh-CN": ""},
        "description": {"en": "", "zh-CN": ""},
        "sections": [
            {
                "id": "section-1",
                "weight": 1,
                "name": {"en": "", "zh-CN": ""},
                "items": [
                    {"id": "item-1", "type": "yes_no", "points": 1, "en": "", "zh-CN": ""},
                ],
            }
        ],
    }


def _rows(tables: Tables, sheet: str) -> list[list[Any]]:
    keys = [f.key for f in SHEETS[sheet].fields]
    return [[row.get(k) for k in keys] for row in getattr(tables, sheet)]


def _dropdown(sheet: Any, column: int, choices: list[str]) -> None:
    letter = get_column_letter(column)
    rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
    rule.add(f"{letter}2:{letter}1000")
    sheet.add_data_validation(rule)


def checklist_workbook(definition: Mapping[str, Any]) -> bytes:
    """The workbook of one template version (or of :func:`blank_definition`)."""
    tables = to_tables(definition)
    book = Workbook()
    for number, (key, spec) in enumerate(SHEETS.items()):
        keys = [f.key for f in spec.fields]
        formats = {keys.index("pass_mark"): PERCENT_FORMAT} if key == "checklist" else None
        sheet = add_table_sheet(
            book,
            spec.title,
            [f.header for f in spec.fields],
            _rows(tables, key),
            formats=formats,
            first=number == 0,
        )
        for cell in sheet[1]:
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        if key == "items":
            for flag in FLAGS:
                _dropdown(sheet, keys.index(flag) + 1, ["Y", "N", "是", "否"])
            _dropdown(sheet, keys.index("type") + 1, [w[0] for w in TYPE_WORDS.values()])
    notes = book.create_sheet(HOW_TO_TITLE)
    notes.append(["English", "中文"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for en, zh in HOW_TO_FILL:
        notes.append([en, zh])
    for column in ("A", "B"):
        notes.column_dimensions[column].width = 70
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return workbook_bytes(book)
