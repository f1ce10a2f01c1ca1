"""The template an agency fills in to deliver mystery-shopper visits (暗访结果导入模板).

One checklist version per template: the headers of
:data:`ee_app.imports.visit_columns.VISIT_COLUMNS` in the chosen language and one example
visit, a row for every item of the checklist with the item's wording in a read-only hint column
(the import ignores it). The example answers show each kind of answer (yes, a "no" with its
comment, not applicable, a score, an option, a text) and import as they are into the demo chain
(store SH01 and its staff), so the agency sees a working file before replacing the rows with
its own visits. The Excel version adds a sheet explaining the columns, the accepted answers and
the rules.
"""

from __future__ import annotations

from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from ee_app.exports.fill_in import ZH, add_notes_sheet, example_csv, pick
from ee_app.exports.xlsx import DATE_FORMAT, add_table_sheet, workbook_bytes
from ee_app.imports.visit_columns import VISIT_COLUMNS
from ee_app.instruments.checklist import Checklist, ChecklistItem

__all__ = [
    "ANSWER_RULES",
    "EXAMPLE_DATE",
    "EXAMPLE_STAFF",
    "EXAMPLE_STORE",
    "EXAMPLE_VISIT",
    "HINT_KEY",
    "NOTES",
    "RULES",
    "visit_headers",
    "visit_template_csv",
    "visit_template_rows",
    "visit_template_xlsx",
]

#: The column that shows each item's wording; the import reads nothing from it.
HINT_KEY = "item_text"
EXAMPLE_DATE = date(2026, 10, 16)
#: The example visit: to the demo's store SH01, served by its front desk E10002.
EXAMPLE_VISIT, EXAMPLE_STORE, EXAMPLE_STAFF = "AG-2026-10-0001", "SH01", "E10002"
EXAMPLE_AGENCY = ("Example Research Co.", "示例调研公司")
_HINT_FILL = PatternFill("solid", fgColor="EEEEEE")
_HINT_FONT = Font(italic=True, color="666666")

#: One line per field on the "How to fill in" sheet: (English, 中文).
NOTES = {
    "visit_id": (
        "The agency's id of the visit, at most 64 characters; every row of one visit carries "
        "it. A visit id is imported once.",
        "暗访机构的暗访编号，最多64个字符；同一次暗访的每一行都填写该编号。同一编号只导入一次。",
    ),
    "store": ("Store code (or a unique store name).", "门店代码（或唯一的门店名称）。"),
    "visited_on": (
        "The day of the visit: 2026-03-05, 2026/3/5 or a date cell; not in the future.",
        "暗访当天的日期，如2026-03-05、2026/3/5或日期单元格；不能是将来的日期。",
    ),
    "template": (
        "The checklist's key, e.g. service-process; add v1 (service-process v1) for a version "
        "other than the newest.",
        "检查表的编号，如service-process；如需指定版本，加上版本号（service-process v1），"
        "否则按最新版本导入。",
    ),
    "item_id": (
        "One row per item: the item ids are those of this template.",
        "每个题目一行：题目编号见本模板。",
    ),
    "answer": ("See Accepted answers below.", "见下方“答案填写方式”。"),
    "comment": (
        "What happened. Required for a “no” to a critical item (一票否决项) or to an item whose "
        "text is marked “comment on no”.",
        "当时的情况。一票否决项，以及题目内容列注明“答否须填备注”的题目，答“否”时必须填写。",
    ),
    "served_by": (
        "Who served: the employee number (if the agency knows it) or the name on the badge.",
        "服务员工：员工编号（如已知）或工牌上的姓名。",
    ),
    "agency": ("The agency's name.", "暗访机构名称。"),
    HINT_KEY: (
        "The item's wording, for reference only: the import ignores this column.",
        "题目内容，仅供参考：导入时不读取此列。",
    ),
}

#: The "Accepted answers" table: item type, what to write (English, 中文).
ANSWER_RULES = (
    (
        ("Yes / no", "是非题"),
        (
            "是 / 否 / 不适用, or yes / no / na, or Y / N. Not applicable only where the item "
            "allows it.",
            "是 / 否 / 不适用，或 yes / no / na、Y / N。仅允许“不适用”的题目可填“不适用”。",
        ),
    ),
    (
        ("Scale", "评分题"),
        ("A whole number from 1 to 5 (5 = best).", "1至5的整数（5分最好）。"),
    ),
    (
        ("Choice", "选择题"),
        (
            "The option's id, or its English or Chinese text, as listed in the item column.",
            "选项编号，或选项的中文或英文内容（见题目内容列）。",
        ),
    ),
    (
        ("Text", "文字题"),
        ("Free text, at most 1000 characters; never scored.", "自由填写，最多1000字；不计分。"),
    ),
)

RULES = (
    (
        "Every scored item of the template needs a row with an answer.",
        "模板中每个计分题目都必须有一行并填写答案。",
    ),
    (
        "A critical item (一票否决项) answered “no” fails the whole visit.",
        "一票否决项答“否”，本次暗访判为不合格。",
    ),
    (
        "All rows of one visit give the same store, date, template, served-by and agency; "
        "these cells may be left empty on the rows after the first.",
        "同一次暗访的各行门店、日期、模板、服务员工和暗访机构必须一致；第一行之后可以留空。",
    ),
    (
        "If any row is wrong, nothing is imported and every problem is listed with its row.",
        "任何一行有误，整个文件都不导入，并逐行列出所有问题。",
    ),
    (
        "Importing the same file again adds nothing; a visit id that comes back with other "
        "answers is refused until its earlier import is undone.",
        "重复导入同一文件不会新增记录；已导入的暗访编号如内容不同，需先撤销原导入批次。",
    ),
    (
        "Imported visits wait for HR's review before they count in results.",
        "导入的暗访须经人力资源部审核通过后才计入结果。",
    ),
)


def visit_headers(language: str) -> list[str]:
    """The template's header row; the hint column says that it is not imported."""
    zh = language == ZH
    headers = []
    for column in VISIT_COLUMNS:
        text = column.zh if zh else column.en
        if column.key == HINT_KEY:
            text += "（仅供参考，不导入）" if zh else " (for reference, not imported)"
        headers.append(text)
    return headers


def _hint(item: ChecklistItem, language: str) -> str:
    zh = language == ZH
    kind = {
        "yes_no": ("yes / no", "是 / 否"),
        "scale": ("1–5", "1–5分"),
        "choice": ("choice", "选择"),
        "text": ("text", "文字"),
    }[item.type]
    marks = [pick(kind, language)]
    if item.na:
        marks.append(pick(("na allowed", "可填“不适用”"), language))
    if item.critical:
        marks.append(pick(("critical (一票否决项)", "一票否决项"), language))
    if item.comment_on_no:
        marks.append(pick(("comment on no", "答否须填备注"), language))
    separator, opening, closing, offered = (
        ("；", "【", "】", "选项：") if zh else ("; ", " [", "]", " Options: ")
    )
    hint = item.text.get(language) + opening + separator.join(marks) + closing
    if item.options:
        hint += offered + separator.join(f"{o.id} = {o.text.get(language)}" for o in item.options)
    return hint


def _example_answers(checklist: Checklist, language: str) -> dict[str, tuple[object, str]]:
    """Item id → (answer, comment): mostly yes, one "no" with its comment, one N/A, a score
    of 4, the best option, a short text: every scored item answered, as the import wants."""
    zh = language == ZH
    yes, no, na = ("是", "否", "不适用") if zh else ("yes", "no", "na")
    said_no = next(
        (
            i.id
            for i in checklist.items
            if i.type == "yes_no" and i.comment_on_no and not i.critical
        ),
        None,
    )
    said_na = next(
        (i.id for i in checklist.items if i.type == "yes_no" and i.na and i.id != said_no), None
    )
    answers: dict[str, tuple[object, str]] = {}
    for item in checklist.items:
        if item.id == said_no:
            comment = (
                "示例：当时没有做到，也没有人说明原因。"
                if zh
                else "Example: this was not done, and nobody said why."
            )
            answers[item.id] = (no, comment)
        elif item.id == said_na:
            answers[item.id] = (na, "")
        elif item.type == "yes_no":
            answers[item.id] = (yes, "")
        elif item.type == "scale":
            answers[item.id] = (4, "")
        elif item.type == "choice":
            best = max(item.options, key=lambda o: o.credit)
            answers[item.id] = (best.id, "")
        else:
            answers[item.id] = (
                "整体体验良好。" if zh else "A pleasant visit overall.",
                "",
            )
    return answers


def visit_template_rows(checklist: Checklist, language: str) -> list[list[object]]:
    """The example visit: one row per item, in the order of :data:`VISIT_COLUMNS`."""
    template = f"{checklist.key} v{checklist.version}"
    agency = pick(EXAMPLE_AGENCY, language)
    answers = _example_answers(checklist, language)
    rows = []
    for item in checklist.items:
        answer, comment = answers[item.id]
        values = {
            "visit_id": EXAMPLE_VISIT,
            "store": EXAMPLE_STORE,
            "visited_on": EXAMPLE_DATE,
            "template": template,
            "item_id": item.id,
            "answer": answer,
            "comment": comment,
            "served_by": EXAMPLE_STAFF,
            "agency": agency,
            HINT_KEY: _hint(item, language),
        }
        rows.append([values[c.key] for c in VISIT_COLUMNS])
    return rows


def _notes_sheet(book: Workbook, checklist: Checklist, language: str) -> None:
    zh = language == ZH
    sheet = add_notes_sheet(book, VISIT_COLUMNS, NOTES, language)
    sheet.append([])
    sheet.append(["答案填写方式" if zh else "Accepted answers"])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    for kind, rule in ANSWER_RULES:
        sheet.append([pick(kind, language), "", pick(rule, language)])
    sheet.append([])
    sheet.append(["规则" if zh else "Rules"])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    for line in RULES:
        sheet.append([pick(line, language)])
    sheet.append([])
    name = checklist.name.get(language)
    sheet.append(
        [("检查表：" if zh else "Checklist: ") + f"{name} ({checklist.key} v{checklist.version})"]
    )


def visit_template_xlsx(checklist: Checklist, language: str) -> bytes:
    """The visits template for one checklist version: the example visit, then the sheet that
    explains the columns, the answers and the rules."""
    zh = language == ZH
    book = Workbook()
    header = visit_headers(language)
    rows = visit_template_rows(checklist, language)
    keys = [c.key for c in VISIT_COLUMNS]
    sheet = add_table_sheet(
        book,
        "暗访结果" if zh else "Visits",
        header,
        rows,
        formats={keys.index("visited_on"): DATE_FORMAT},
        first=True,
    )
    # The hint column: grey, and typing in it is refused (the import ignores it anyway).
    hint = keys.index(HINT_KEY) + 1
    for row in sheet.iter_rows(min_row=1, max_row=len(rows) + 1, min_col=hint, max_col=hint):
        for cell in row:
            cell.fill, cell.font = _HINT_FILL, _HINT_FONT
    letter = sheet.cell(row=1, column=hint).column_letter
    sheet.column_dimensions[letter].width = 80
    guard = DataValidation(
        type="custom",
        formula1="FALSE",
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="只读" if zh else "Read-only",
        error=pick(NOTES[HINT_KEY], language),
    )
    guard.add(f"{letter}2:{letter}1048576")
    sheet.add_data_validation(guard)
    _notes_sheet(book, checklist, language)
    return workbook_bytes(book)


def visit_template_csv(checklist: Checklist, language: str) -> bytes:
    """The example visit as CSV (UTF-8 with a BOM, formula-safe), with the hint column."""
    return example_csv(visit_headers(language), visit_template_rows(checklist, language))
