"""The CRM's satisfaction answers and the POS's sales, as exported: English or Chinese headers,
any of the encodings and date forms of :mod:`ee_app.imports.vector`.

Parsing is pure and column-wise (a chain's year of sales is a million rows): it returns the
typed rows as a DataFrame and every problem found (row, column, reason). Staff and stores are
looked up in maps the service passes in; customer references stay raw here and are hashed by
the service before anything is stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from ee_app import clock
from ee_app.errors import N_, Problem
from ee_app.imports.cells import (
    EARLIEST_DATE,
    FUTURE_TOLERANCE,
    UNSTORABLE_MESSAGE,
    control_code,
)
from ee_app.imports.columns import Column, map_columns, normalise_header
from ee_app.imports.tabular import Frame
from ee_app.imports.vector import (
    blank,
    parse_amounts,
    parse_dates,
    parse_ints,
    parse_texts,
    unstorable,
)
from ee_app.models import Touchpoint

__all__ = [
    "CSAT_COLUMNS",
    "MAX_AMOUNT",
    "MAX_PROBLEMS",
    "SALE_COLUMNS",
    "Lookups",
    "Parsed",
    "parse_csat",
    "parse_sales",
]

MAX_PROBLEMS = 500
#: Amounts are stored to the fen in NUMERIC(12, 2): below ten billion yuan either way.
MAX_AMOUNT = 10**10

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

_TOUCHPOINTS: dict[str, str] = {
    normalise_header(alias): touchpoint.value
    for touchpoint, aliases in {
        Touchpoint.BOOKING: ("预约", "预约管理", "booking"),
        Touchpoint.RECEPTION: ("接待", "到店接待", "前台", "reception"),
        Touchpoint.TREATMENT: ("护理", "治疗", "护理执行", "护理/治疗", "treatment"),
        Touchpoint.FEEDBACK: ("效果反馈", "反馈", "result feedback", "feedback"),
        Touchpoint.AFTERCARE: ("售后", "回访", "售后回访", "售后跟进", "after-care", "aftercare"),
        Touchpoint.OTHER: ("其他", "other"),
    }.items()
    for alias in (*aliases, touchpoint.value)
}
_SEPARATORS = re.compile(r"[,，;；、/|\s]+")


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


class _Problems:
    def __init__(self, frame: Frame, headers: Mapping[str, str]) -> None:
        self.frame, self.headers = frame, headers
        self.items: list[Problem] = []
        self.count = 0

    def add(
        self,
        mask: np.ndarray,
        key: str,
        message: str,
        params: Callable[[int], dict] = lambda i: {},
    ) -> None:
        positions = np.flatnonzero(mask)
        self.count += len(positions)
        room = MAX_PROBLEMS - len(self.items)
        for position in positions[: max(room, 0)]:
            self.items.append(
                Problem(
                    message,
                    params(int(position)),
                    int(self.frame.rows[position]),
                    self.headers.get(key),
                )
            )

    def whole(self, problem: Problem) -> None:
        self.count += 1
        self.items.append(problem)

    def sorted(self) -> list[Problem]:
        return sorted(self.items, key=lambda p: (p.row or 0, p.column or ""))


def _columns(frame: Frame, spec: tuple[Column, ...], mapping: Mapping[str, str] | None):  # type: ignore[no-untyped-def]
    positions, problems = map_columns(frame.header, spec, mapping)
    headers = {key: frame.header[i] for key, i in positions.items()}
    cells = {
        key: frame.data[i] if i in frame.data.columns else pd.Series([None] * len(frame))
        for key, i in positions.items()
    }
    return problems, headers, cells


def _required(
    problems: _Problems, cells: Mapping[str, pd.Series], keys: tuple[str, ...]
) -> np.ndarray:
    missing = np.zeros(len(next(iter(cells.values()))), bool) if cells else np.zeros(0, bool)
    for key in keys:
        empty = blank(cells[key])
        problems.add(empty, key, N_("is empty"))
        missing |= empty
    return missing


def _storable(
    problems: _Problems, cells: Mapping[str, pd.Series], numeric: tuple[str, ...]
) -> None:
    """A problem for every text cell holding a character no database stores (NUL …): the
    dry run must refuse what PostgreSQL would refuse in the real import. Number and date
    columns are left to their own parsers, which cannot read such a cell anyway."""
    for key, values in cells.items():
        if key in numeric:
            continue
        mask = unstorable(values)
        if mask.any():
            problems.add(
                mask,
                key,
                UNSTORABLE_MESSAGE,
                lambda i, v=values: {"code": control_code(str(v.iloc[i]))},
            )


def _texts(problems: _Problems, cells: Mapping[str, pd.Series], key: str, limit: int) -> pd.Series:
    """A text column that is stored: a problem for each cell longer than its column holds."""
    text, too_long = parse_texts(cells[key], limit)
    problems.add(too_long, key, N_("is longer than {limit} characters"), lambda i: {"limit": limit})
    return text


def _dates(problems: _Problems, cells: Mapping[str, pd.Series], key: str, today: date) -> pd.Series:
    """A date column: a problem for each cell that is not a date, lies before
    :data:`~ee_app.imports.cells.EARLIEST_DATE` or after tomorrow. A sale dated 2099 would
    make every repurchase window look closed; 9999-12-31 is a placeholder, not a day."""
    dates, bad = parse_dates(cells[key])
    problems.add(
        bad,
        key,
        N_("“{value}” is not a date; write it as 2026-03-05"),
        lambda i: {"value": cells[key].iloc[i]},
    )
    latest = today + FUTURE_TOLERANCE
    early = (dates < pd.Timestamp(EARLIEST_DATE)).to_numpy()
    problems.add(
        early,
        key,
        N_("{value} is before {earliest}; check the year"),
        lambda i: {"value": dates.iloc[i].date().isoformat(), "earliest": str(EARLIEST_DATE)},
    )
    future = (dates > pd.Timestamp(latest)).to_numpy()
    problems.add(
        future,
        key,
        N_("{value} lies in the future (the latest date accepted is {latest}); check the year"),
        lambda i: {"value": dates.iloc[i].date().isoformat(), "latest": latest.isoformat()},
    )
    return dates.where(~(early | future))


def _source_ids(problems: _Problems, cells, headers) -> pd.Series:  # type: ignore[no-untyped-def]
    ids = _texts(problems, cells, "source_id", 64)
    repeated = ids.duplicated(keep="first").to_numpy() & ids.notna().to_numpy()
    first_row = {}
    if repeated.any():  # the first row of each id, looked for only when one repeats
        for position, value in enumerate(ids.tolist()):
            if value is not None and value not in first_row:
                first_row[value] = int(problems.frame.rows[position])
    problems.add(
        repeated,
        "source_id",
        N_("“{value}” appears again (first on row {first})"),
        lambda i: {"value": ids.iloc[i], "first": first_row[ids.iloc[i]]},
    )
    return ids


def _lookup(
    problems: _Problems,
    cells,
    key: str,
    table: Mapping[str, int],
    message: str,
    normalise: bool = False,
) -> pd.Series:  # type: ignore[no-untyped-def]
    text, _ = parse_texts(cells[key], 100)
    # looked up once per distinct cell (a year of sales names the same few hundred stores)
    codes, uniques = pd.factorize(text.to_numpy(dtype=object), use_na_sentinel=True)
    found = [table.get(normalise_header(v) if normalise else v) for v in uniques.tolist()]
    ids = pd.Series([found[c] if c >= 0 else None for c in codes.tolist()], index=text.index)
    unknown = text.notna().to_numpy() & ids.isna().to_numpy()
    problems.add(unknown, key, message, lambda i: {"value": text.iloc[i]})
    return ids


def _file_scale(problems: _Problems, scores: pd.Series) -> int | None:
    """The scale of a file that does not say: 1–5 when every score is from 1 to 5, 0–10 when
    none is. Both in one file (scores of 1–5 and a 7, or a 0) is not guessed: one stray 7
    would turn every 5 of a 1–5 file into "not satisfied". A problem, and None."""
    known = scores.notna().to_numpy()
    low = known & scores.between(1, 5).to_numpy()
    other = known & ~low
    if not other.any():
        return 5
    if not low.any():
        return 10
    first = int(np.flatnonzero(other)[0])
    problems.add(
        np.arange(len(scores)) == first,
        "score",
        N_(
            "{count} scores from 1 to 5 and {others} outside 1–5 (the first, {value}, here) in "
            "one file: is it the 1–5 or the 0–10 scale? Say which (--scale 5 or --scale 10; "
            "on the page, Scale of the scores) or add a Scale column"
        ),
        lambda i: {
            "count": int(low.sum()),
            "others": int(other.sum()),
            "value": int(scores.iloc[i]),
        },
    )
    return None


def parse_csat(
    frame: Frame,
    lookups: Lookups,
    mapping: Mapping[str, str] | None = None,
    scale: int | None = None,
) -> Parsed:
    """Satisfaction answers: each needs a record id, the serving staff member (employee
    number), a store, a service date and a score on the 1–5 or 0–10 scale: the row's Scale
    cell, else ``scale``, else the file's (see :func:`_file_scale`)."""
    missing, headers, cells = _columns(frame, CSAT_COLUMNS, mapping)
    if missing:
        return Parsed(pd.DataFrame(), None, missing, len(missing))
    problems = _Problems(frame, headers)
    if not len(frame):
        problems.whole(Problem(N_("The file has a header but no rows.")))
        return Parsed(pd.DataFrame(), None, problems.items, problems.count)
    _required(problems, cells, ("source_id", "employee_no", "store", "service_date", "score"))
    _storable(problems, cells, ("service_date", "score", "scale"))
    ids = _source_ids(problems, cells, headers)
    staff = _lookup(
        problems,
        cells,
        "employee_no",
        lookups.staff,
        N_("unknown employee number “{value}”; import the roster first"),
    )
    stores = _lookup(
        problems,
        cells,
        "store",
        lookups.stores,
        N_("unknown store “{value}”; use a store code from the org page"),
        True,
    )
    dates = _dates(problems, cells, "service_date", lookups.today)
    scores, bad_scores = parse_ints(cells["score"])
    problems.add(
        bad_scores,
        "score",
        N_("“{value}” is not a whole number"),
        lambda i: {"value": cells["score"].iloc[i]},
    )
    if "scale" in cells:
        scales, bad = parse_ints(cells["scale"])
        scales = scales.fillna(float(scale or 5))
        problems.add(bad | ~scales.isin([5, 10]).to_numpy(), "scale", N_("must be 5 or 10"))
        detected = None
    else:
        detected = scale or _file_scale(problems, scores)
        scales = pd.Series(float(detected or "nan"), index=scores.index)
    out_of_range = (
        scores.notna().to_numpy()
        & (
            ((scales == 5) & ~scores.between(1, 5)) | ((scales == 10) & ~scores.between(0, 10))
        ).to_numpy()
    )
    problems.add(
        out_of_range,
        "score",
        N_("{value} is outside the {scale}-point scale"),
        lambda i: {"value": int(scores.iloc[i]), "scale": int(scales.iloc[i])},
    )
    touchpoints = pd.Series(Touchpoint.OTHER.value, index=scores.index, dtype=object)
    if "touchpoint" in cells:
        text, _ = parse_texts(cells["touchpoint"], 40)
        mapped = text.map(lambda v: _TOUCHPOINTS.get(normalise_header(v)) if v else None)
        unknown = text.notna().to_numpy() & mapped.isna().to_numpy()
        problems.add(
            unknown,
            "touchpoint",
            N_(
                "“{value}” is not a touchpoint; use booking 预约, reception 接待, treatment 护理, "
                "feedback 效果反馈, after-care 售后回访 or other 其他"
            ),
            lambda i: {"value": text.iloc[i]},
        )
        touchpoints = mapped.fillna(Touchpoint.OTHER.value).astype(object)
    customers = _texts(problems, cells, "customer", 64) if "customer" in cells else None
    rows = pd.DataFrame(
        {
            "row": frame.rows,
            "source_id": ids,
            "staff_id": staff,
            "store_id": stores,
            "service_date": dates.dt.date,
            "score": scores,
            "scale": scales,
            "touchpoint": touchpoints,
            "customer": customers if customers is not None else None,
        }
    )
    return Parsed(rows, None, problems.sorted(), problems.count, detected, headers)


def _serving(
    text: pd.Series, staff: Mapping[str, int]
) -> tuple[list[tuple[int, int]], list[tuple[int, str]]]:
    """(position, staff id) for every serving staff member named in ``text`` and (position,
    number) for each unknown number, in row order. Each distinct cell is split and looked up
    once (a year of sales repeats the same staff and pairs), then spread to its rows."""
    codes, uniques = pd.factorize(text.to_numpy(dtype=object), use_na_sentinel=True)
    known_of, unknown_of = [], []
    for value in uniques.tolist():
        known, missing = [], []
        for number in dict.fromkeys(n for n in _SEPARATORS.split(value) if n):
            staff_id = staff.get(number)
            if staff_id is None:
                missing.append(number)
            else:
                known.append(staff_id)
        known_of.append(known)
        unknown_of.append(missing)
    link_rows, unknown = [], []
    for position, code in enumerate(codes.tolist()):
        if code < 0:
            continue
        for staff_id in known_of[code]:
            link_rows.append((position, staff_id))
        for number in unknown_of[code]:
            unknown.append((position, number))
    return link_rows, unknown


def parse_sales(frame: Frame, lookups: Lookups, mapping: Mapping[str, str] | None = None) -> Parsed:
    """Sales: each needs a transaction id, a customer reference, the serving staff member(s)
    (several employee numbers may share a cell, separated by commas or 、), a store, a date
    and an amount in CNY; item, category and the customer's designated owner are optional."""
    missing, headers, cells = _columns(frame, SALE_COLUMNS, mapping)
    if missing:
        return Parsed(pd.DataFrame(), None, missing, len(missing))
    problems = _Problems(frame, headers)
    if not len(frame):
        problems.whole(Problem(N_("The file has a header but no rows.")))
        return Parsed(pd.DataFrame(), None, problems.items, problems.count)
    _required(problems, cells, ("source_id", "customer", "employee_no", "store", "date", "amount"))
    _storable(problems, cells, ("date", "amount"))
    ids = _source_ids(problems, cells, headers)
    customers = _texts(problems, cells, "customer", 64)
    stores = _lookup(
        problems,
        cells,
        "store",
        lookups.stores,
        N_("unknown store “{value}”; use a store code from the org page"),
        True,
    )
    dates = _dates(problems, cells, "date", lookups.today)
    amounts, bad_amounts = parse_amounts(cells["amount"])
    problems.add(
        bad_amounts,
        "amount",
        N_("“{value}” is not an amount; write it as 1280.00"),
        lambda i: {"value": cells["amount"].iloc[i]},
    )
    # Rounded to the fen: 9,999,999,999.995 would round to ten billion, too large already.
    too_large = (amounts.abs() >= MAX_AMOUNT - 0.005).to_numpy()
    problems.add(
        too_large,
        "amount",
        N_("“{value}” is too large for an amount: at most 9,999,999,999.99 either way"),
        lambda i: {"value": cells["amount"].iloc[i]},
    )
    amounts = amounts.where(~too_large).round(2)
    owners = (
        _lookup(
            problems,
            cells,
            "owner",
            lookups.staff,
            N_("unknown employee number “{value}”; import the roster first"),
        )
        if "owner" in cells
        else pd.Series([None] * len(frame), dtype=object)
    )
    text, _ = parse_texts(cells["employee_no"], 200)
    link_rows, unknown = _serving(text, lookups.staff)
    if unknown:
        mask = np.zeros(len(frame), bool)
        names = {}
        for position, number in unknown:
            mask[position] = True
            names.setdefault(position, number)
        problems.add(
            mask,
            "employee_no",
            N_("unknown employee number “{value}”; import the roster first"),
            lambda i: {"value": names[i]},
        )
    item = _texts(problems, cells, "item", 200) if "item" in cells else None
    category = _texts(problems, cells, "category", 100) if "category" in cells else None
    rows = pd.DataFrame(
        {
            "row": frame.rows,
            "source_id": ids,
            "customer": customers,
            "store_id": stores,
            "sold_on": dates.dt.date,
            "amount": amounts,
            "item": item.fillna("") if item is not None else "",
            "category": category.fillna("") if category is not None else "",
            "owner_staff_id": owners,
        }
    )
    links = pd.DataFrame(link_rows, columns=["position", "staff_id"])
    return Parsed(rows, links, problems.sorted(), problems.count, None, headers)
