"""Templates for the two outcome imports: the CRM's satisfaction answers and the POS's sales.

Each template has the headers of :data:`ee_app.imports.outcomes.CSAT_COLUMNS` or
:data:`~ee_app.imports.outcomes.SALE_COLUMNS` in the chosen language and two example rows that
import as they are into the demo chain (store SH01 and its staff), so HR sees a working file
before replacing the rows with the export of their own system. The Excel versions add sheets
that explain the columns, the touchpoints and the scale rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook

from ee_app.exports.fill_in import ZH, add_notes_sheet, example_csv, pick
from ee_app.exports.xlsx import DATE_FORMAT, MONEY_FORMAT, add_table_sheet, workbook_bytes
from ee_app.imports.columns import Column
from ee_app.imports.outcomes import CSAT_COLUMNS, SALE_COLUMNS

__all__ = [
    "csat_headers",
    "csat_template_csv",
    "csat_template_xlsx",
    "sales_headers",
    "sales_template_csv",
    "sales_template_xlsx",
]


#: What to write in the touchpoint column: (English, 中文), as the import reads them.
TOUCHPOINTS = (
    ("Booking", "预约"),
    ("Reception", "接待"),
    ("Treatment", "护理/治疗"),
    ("Result feedback", "效果反馈"),
    ("After-care", "售后回访"),
    ("Other", "其他"),
)

SCALE_RULE = (
    (
        "Scores are on a 1–5 scale (5 = very satisfied) or a 0–10 scale.",
        "评分为1–5分制（5分=非常满意）或0–10分制。",
    ),
    (
        "Write 5 or 10 in the Scale column; an empty cell counts as 5.",
        "在“量表”列填写5或10；留空按5分制计。",
    ),
    (
        "Without a Scale column, a file whose scores are all from 1 to 5 is read as 1–5, one "
        "with no score from 1 to 5 as 0–10; a file with both (1–5 and a 7, say) is refused "
        "until the scale is chosen on the import page (or with --scale 5 or --scale 10).",
        "没有“量表”列时：评分全部在1–5之间的文件按1–5分制计，没有1–5分的按0–10分制计；"
        "两者都有的文件（例如1–5分中夹着一个7分）不予导入，"
        "请在导入页面选择量表（或使用 --scale 5 或 --scale 10）。",
    ),
    (
        "Satisfied (top-2): 4–5 on the 1–5 scale, 9–10 on the 0–10 scale.",
        "满意（满意率）：1–5分制的4–5分，0–10分制的9–10分。",
    ),
)

#: One line per field on the "How to fill in" sheet: (English, 中文).
CSAT_NOTES = {
    "source_id": (
        "The CRM's id of the answer; the same id is never imported twice.",
        "CRM中该条评价的编号；同一编号不会重复导入。",
    ),
    "employee_no": ("The staff member who served.", "提供服务的员工。"),
    "store": ("Store code (or a unique store name).", "门店代码（或唯一的门店名称）。"),
    "service_date": (
        "2026-03-05, 2026/3/5 or a date cell.",
        "如2026-03-05、2026/3/5或日期单元格。",
    ),
    "score": ("A whole number on the scale.", "按量表填写整数。"),
    "touchpoint": (
        "See the sheet Touchpoints and scale; empty means Other.",
        "见“触点与量表”页；留空记为“其他”。",
    ),
    "customer": (
        "Member number or phone; stored only as a keyed hash.",
        "会员号或手机号；仅以加密散列保存。",
    ),
    "scale": ("5 or 10; see the sheet Touchpoints and scale.", "5或10；见“触点与量表”页。"),
}
SALE_NOTES = {
    "source_id": (
        "The POS's transaction number; the same number is never imported twice.",
        "收银系统的单号；同一单号不会重复导入。",
    ),
    "customer": (
        "Member number or phone; stored only as a keyed hash.",
        "会员号或手机号；仅以加密散列保存。",
    ),
    "employee_no": (
        "Who served; several staff in one cell separated by , or 、 each count the sale.",
        "服务员工；多人以“,”或“、”分隔，每人均计入该笔消费。",
    ),
    "store": ("Store code (or a unique store name).", "门店代码（或唯一的门店名称）。"),
    "date": ("2026-03-05, 2026/3/5 or a date cell.", "如2026-03-05、2026/3/5或日期单元格。"),
    "amount": (
        "In CNY, e.g. 1280.00; ¥ and thousands separators are fine.",
        "金额（元），如1280.00；可带¥和千位分隔符。",
    ),
    "item": ("The service or product.", "服务项目或商品。"),
    "category": ("A category of your own.", "自定义类别。"),
    "owner": (
        "The customer's designated owner (指定客), an employee number.",
        "顾客的归属顾问（指定客），填写员工编号。",
    ),
}


def _headers(columns: Sequence[Column], language: str) -> list[str]:
    return [c.zh if language == ZH else c.en for c in columns]


def csat_headers(language: str) -> list[str]:
    return _headers(CSAT_COLUMNS, language)


def sales_headers(language: str) -> list[str]:
    return _headers(SALE_COLUMNS, language)


def _csat_examples(language: str) -> list[list[object]]:
    treatment, reception = TOUCHPOINTS[2], TOUCHPOINTS[1]
    return [
        [
            "CRM-000101",
            "E10008",
            "SH01",
            date(2026, 10, 8),
            5,
            pick(treatment, language),
            "VIP0012345",
            5,
        ],
        [
            "CRM-000102",
            "E10002",
            "SH01",
            date(2026, 10, 9),
            9,
            pick(reception, language),
            "VIP0012346",
            10,
        ],
    ]


def _sales_examples(language: str) -> list[list[object]]:
    both = "E10004、E10008" if language == ZH else "E10004, E10008"
    return [
        [
            "POS-20261008-0001",
            "VIP0012345",
            both,
            "SH01",
            date(2026, 10, 8),
            3680.0,
            pick(("Photo-rejuvenation", "光子嫩肤"), language),
            pick(("Medical aesthetics", "医美"), language),
            "E10006",
        ],
        [
            "POS-20261105-0002",
            "VIP0012345",
            "E10008",
            "SH01",
            date(2026, 11, 5),
            680.0,
            pick(("Hydrating facial", "补水护理"), language),
            pick(("Skin care", "生活美容"), language),
            "E10006",
        ],
    ]


def csat_template_xlsx(language: str) -> bytes:
    """The satisfaction template: two example rows, the touchpoints and scale rule, the columns."""
    zh = language == ZH
    book = Workbook()
    add_table_sheet(
        book,
        "满意度" if zh else "Satisfaction",
        csat_headers(language),
        _csat_examples(language),
        formats={3: DATE_FORMAT},
        first=True,
    )
    sheet = add_table_sheet(
        book,
        "触点与量表" if zh else "Touchpoints and scale",
        ["触点（填写）", "英文"] if zh else ["Touchpoint (write)", "Chinese"],
        [[zh_name, en] if zh else [en, zh_name] for en, zh_name in TOUCHPOINTS],
    )
    sheet.append([])
    sheet.append(["量表规则" if zh else "Scale rule"])
    for line in SCALE_RULE:
        sheet.append([pick(line, language)])
    add_notes_sheet(book, CSAT_COLUMNS, CSAT_NOTES, language)
    return workbook_bytes(book)


def csat_template_csv(language: str) -> bytes:
    return example_csv(csat_headers(language), _csat_examples(language))


def sales_template_xlsx(language: str) -> bytes:
    """The sales template: two example rows (one served by two staff) and the columns."""
    zh = language == ZH
    book = Workbook()
    add_table_sheet(
        book,
        "消费记录" if zh else "Sales",
        sales_headers(language),
        _sales_examples(language),
        formats={4: DATE_FORMAT, 5: MONEY_FORMAT},
        first=True,
    )
    add_notes_sheet(book, SALE_COLUMNS, SALE_NOTES, language)
    return workbook_bytes(book)


def sales_template_csv(language: str) -> bytes:
    rows = [
        [f"{v:.2f}" if isinstance(v, float) else v for v in r] for r in _sales_examples(language)
    ]
    return example_csv(sales_headers(language), rows)
