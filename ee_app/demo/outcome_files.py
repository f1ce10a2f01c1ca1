"""The demo's sales and CSAT answers written as a clinic's POS and CRM export them
(:func:`write_outcome_files`): Chinese headers, customers as mobile numbers, CSV in GB18030
and .xlsx, so that the demo loads through the same imports as a real file."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from ee_app.demo.outcomes import DemoOutcomes
from ee_app.models import Touchpoint

__all__ = ["CSAT_HEADERS", "SALE_HEADERS", "TOUCHPOINT_NAMES", "write_outcome_files"]

#: The POS export's columns, as :data:`ee_app.imports.outcomes.SALE_COLUMNS` reads them.
SALE_HEADERS = (
    "单号",
    "顾客",
    "员工编号",
    "门店",
    "消费日期",
    "金额",
    "项目",
    "类别",
    "指定客顾问",
)
#: The CRM export's columns, as :data:`ee_app.imports.outcomes.CSAT_COLUMNS` reads them; 满分
#: (the scale) is there because a few stores ask on 0–10 and the others on 1–5.
CSAT_HEADERS = ("记录编号", "员工编号", "门店", "服务日期", "评分", "满分", "触点", "手机号")
#: How the CRM names the touchpoints.
TOUCHPOINT_NAMES: Mapping[Touchpoint, str] = MappingProxyType(
    {
        Touchpoint.BOOKING: "预约",
        Touchpoint.RECEPTION: "到店接待",
        Touchpoint.TREATMENT: "护理执行",
        Touchpoint.FEEDBACK: "效果反馈",
        Touchpoint.AFTERCARE: "售后回访",
        Touchpoint.OTHER: "其他",
    }
)


def write_outcome_files(
    folder: Path,
    outcomes: DemoOutcomes,
    size: str = "small",
    *,
    xlsx: Collection[str] = ("csat",),
) -> dict[str, Path]:
    """Write ``outcomes`` as the POS and the CRM export them: ``sales-{size}.csv`` and
    ``csat-{size}.csv`` in GB18030 (what Chinese Excel writes), and, for the kinds named in
    ``xlsx``, ``.xlsx`` workbooks with date cells. Returns the paths by "sales.csv",
    "csat.csv", "csat.xlsx", ….

    Several serving staff share one cell, separated by 、; amounts carry two decimals.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {"sales": _sales_export(outcomes.sales), "csat": _csat_export(outcomes.csat)}
    paths: dict[str, Path] = {}
    for kind, table in tables.items():
        path = folder / f"{kind}-{size}.csv"
        table.to_csv(path, index=False, encoding="gb18030")
        paths[f"{kind}.csv"] = path
        if kind in xlsx:
            path = folder / f"{kind}-{size}.xlsx"
            _write_xlsx(path, table, "消费记录" if kind == "sales" else "满意度回访")
            paths[f"{kind}.xlsx"] = path
    return paths


def _sales_export(sales: pd.DataFrame) -> pd.DataFrame:
    served = sales["staff"].where(sales["assist"].isna(), sales["staff"] + "、" + sales["assist"])
    return pd.DataFrame(
        dict(
            zip(
                SALE_HEADERS,
                (
                    sales["source_id"],
                    sales["customer"],
                    served,
                    sales["store"],
                    _iso(sales["sold_on"]),
                    [f"{a:.2f}" for a in sales["amount"].tolist()],
                    sales["item"],
                    sales["category"],
                    sales["owner"].fillna(""),
                ),
                strict=True,
            )
        )
    )


def _csat_export(csat: pd.DataFrame) -> pd.DataFrame:
    names = {t.value: name for t, name in TOUCHPOINT_NAMES.items()}
    return pd.DataFrame(
        dict(
            zip(
                CSAT_HEADERS,
                (
                    csat["source_id"],
                    csat["employee_no"],
                    csat["store"],
                    _iso(csat["service_date"]),
                    csat["score"],
                    csat["scale"],
                    csat["touchpoint"].map(names),
                    csat["customer"],
                ),
                strict=True,
            )
        )
    )


def _iso(dates: pd.Series) -> np.ndarray:
    return np.datetime_as_string(dates.to_numpy(dtype="datetime64[D]"), unit="D")


def _write_xlsx(path: Path, table: pd.DataFrame, title: str) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(list(table.columns))
    columns = []
    for name in table.columns:
        values = table[name].tolist()
        if name in ("服务日期", "消费日期"):
            values = [date.fromisoformat(v) for v in values]
        columns.append(values)
    for row in zip(*columns, strict=True):
        sheet.append(list(row))
    book.save(path)
