"""The columns of an agency's visits file (:mod:`ee_app.imports.visits`) and the longest text
each takes: read by the parser, and written as the headers of the blank template HR hands
the agency (:mod:`ee_app.exports.visit_templates`)."""

from __future__ import annotations

from ee_app.imports.columns import Column

__all__ = ["MAX_AGENCY", "MAX_SERVED_BY", "MAX_VISIT_ID", "VISIT_COLUMNS"]

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
