"""The POS's sales, as exported: :func:`parse_sales` reads the columns of
:data:`~ee_app.imports.outcomes.SALE_COLUMNS`, amounts in CNY, and the serving staff of a
sale, several to a cell."""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ee_app.errors import N_
from ee_app.imports.outcome_checks import (
    check_required,
    check_storable,
    look_up_staff,
    look_up_stores,
    read_columns,
    read_dates,
    read_source_ids,
    read_texts,
)
from ee_app.imports.outcomes import SALE_COLUMNS, Lookups, Parsed
from ee_app.imports.tabular import Frame
from ee_app.imports.vector import parse_amounts, parse_texts

__all__ = ["MAX_AMOUNT", "parse_sales"]

#: Amounts are stored to the fen in NUMERIC(12, 2): below ten billion yuan either way.
MAX_AMOUNT = 10**10
_SEPARATORS = re.compile(r"[,，;；、/|\s]+")


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
    refused, problems, headers, cells = read_columns(frame, SALE_COLUMNS, mapping)
    if refused is not None:
        return refused
    check_required(
        problems, cells, ("source_id", "customer", "employee_no", "store", "date", "amount")
    )
    check_storable(problems, cells, ("date", "amount"))
    ids = read_source_ids(problems, cells, headers)
    customers = read_texts(problems, cells, "customer", 64)
    stores = look_up_stores(problems, cells, lookups.stores)
    dates = read_dates(problems, cells, "date", lookups.today)
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
        look_up_staff(problems, cells, "owner", lookups.staff)
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
    item = read_texts(problems, cells, "item", 200) if "item" in cells else None
    category = read_texts(problems, cells, "category", 100) if "category" in cells else None
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
