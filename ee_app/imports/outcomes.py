"""The CRM's satisfaction answers and the POS's sales, as exported: English or Chinese headers,
any of the encodings and date forms of :mod:`ee_app.imports.vector`.

Parsing is pure and column-wise (a chain's year of sales is a million rows): it returns the
typed rows as a DataFrame and every problem found (row, column, reason). Staff and stores are
looked up in maps the service passes in; customer references stay raw here and are hashed by
the service before anything is stored.

Here: the columns of both files and what parsing takes and gives; :mod:`ee_app.imports.csat`
and :mod:`ee_app.imports.sales` parse each file, with the checks they share in
:mod:`ee_app.imports.outcome_checks`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from ee_app import clock
from ee_app.errors import Problem
from ee_app.imports.columns import Column

__all__ = ["CSAT_COLUMNS", "MAX_PROBLEMS", "SALE_COLUMNS", "Lookups", "Parsed"]

MAX_PROBLEMS = 500

_STORE = Column(
    "store", "Store", "门店", ("门店编号", "门店代码", "门店名称", "店铺", "store code")
)
_CUSTOMER_ALIASES = (
    "客户",
    "会员号",
    "会员编号",
    "顾客编号",
    "客户编号",
    "手机号",
    "手机",
    "customer id",
    "member",
    "member id",
    "phone",
)

CSAT_COLUMNS: tuple[Column, ...] = (
    Column(
        "source_id",
        "Record ID",
        "记录编号",
        ("问卷编号", "回访编号", "评价编号", "编号", "id", "record", "survey id"),
    ),
    Column(
        "employee_no",
        "Employee number",
        "员工编号",
        ("工号", "服务员工", "服务人员工号", "技师工号", "员工", "employee no", "staff no"),
    ),
    _STORE,
    Column(
        "service_date",
        "Service date",
        "服务日期",
        ("日期", "到店日期", "消费日期", "回访日期", "date"),
    ),
    Column("score", "Score", "评分", ("满意度", "分数", "满意度评分", "得分", "rating")),
    Column("touchpoint", "Touchpoint", "触点", ("环节", "服务环节", "touch point"), required=False),
    Column("customer", "Customer", "顾客", _CUSTOMER_ALIASES, required=False),
    Column("scale", "Scale", "量表", ("满分", "scale max"), required=False),
)

SALE_COLUMNS: tuple[Column, ...] = (
    Column(
        "source_id",
        "Transaction ID",
        "单号",
        ("流水号", "订单号", "交易编号", "小票号", "transaction", "order id", "receipt"),
    ),
    Column("customer", "Customer", "顾客", _CUSTOMER_ALIASES),
    Column(
        "employee_no",
        "Employee number",
        "员工编号",
        ("工号", "服务员工", "服务人员", "员工", "staff", "staff no"),
    ),
    _STORE,
    Column("date", "Date", "消费日期", ("日期", "交易日期", "sold on", "sale date")),
    Column("amount", "Amount", "金额", ("实收金额", "消费金额", "金额（元）", "amount cny")),
    Column("item", "Item", "项目", ("品项", "商品", "服务项目"), required=False),
    Column("category", "Category", "类别", ("品类", "分类"), required=False),
    Column(
        "owner",
        "Designated owner",
        "指定客顾问",
        ("归属顾问", "指定客", "客户归属", "owner", "customer owner"),
        required=False,
    ),
)


@dataclass(frozen=True)
class Lookups:
    """Employee number (as :func:`~ee_app.imports.cells.employee_number` writes it) → staff
    id; normalised store code or unique name → store id; and today, after which (give or take
    :data:`~ee_app.imports.cells.FUTURE_TOLERANCE`) no outcome can have happened."""

    staff: Mapping[str, int]
    stores: Mapping[str, int]
    today: date = field(default_factory=clock.today)


@dataclass
class Parsed:
    """Typed rows (one per file row), links (for sales: one row per serving staff member),
    every problem (capped at :data:`MAX_PROBLEMS`) and how many there were in all."""

    rows: pd.DataFrame
    links: pd.DataFrame | None
    problems: list[Problem]
    problem_count: int
    detected_scale: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)  # field → the file's header
