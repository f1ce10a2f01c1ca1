"""The payroll workbook for the chain (≈10,000 staff) against openpyxl in write-only mode
writing the same cells, interleaved in the same run.

The lines come from the real engine (:func:`ee_app.analysis.pay.calculate`) on synthetic
measures for the chain demo's staff, so the workbook has the shipped scheme's columns. The
reference writes exactly the payroll sheet's values (no styles, no other sheets) with
``Workbook(write_only=True)``, the fastest way openpyxl has: once with the same number
formats set the documented way, once as bare values. Target (issue 9): within 1.2×.
"""

from __future__ import annotations

import io
import statistics
import time
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from bench.chain import chain
from ee_app.analysis.pay import PERSON_AND_TOTALS, calculate
from ee_app.exports.payroll import payroll_xlsx
from ee_app.instruments.scheme import default_definition, validate
from ee_app.models import RunStatus

REPEATS = 5


def _inputs() -> pd.DataFrame:
    demo = chain()
    rng = np.random.default_rng(7)
    rows = []
    for number, person in enumerate(demo.staff):
        unit, role, _start, _end = person.periods[-1]
        store = unit.split("-")[0]
        rows.append(
            {
                "staff_id": number + 1,
                "employee_no": person.employee_no,
                "name": person.name,
                "store_code": store,
                "store_name": f"{store}店",
                "role": role.value,
                "sales_revenue": float(rng.gamma(4, 8000)),
                "csat_top2": float(rng.beta(8, 2)),
                "csat_n": int(rng.poisson(6)),
                "store_csat_top2": 0.78,
                "store_sales_revenue": 400_000.0,  # the store-level measures of store managers
                "store_repurchase_rate": 0.42,
                "repurchase_rate": float(rng.beta(4, 6)),
                "repurchase_value": float(rng.gamma(2, 3000)),
                "visit_score_store": float(rng.normal(85, 6)),
                "visit_score_staff": float("nan"),
                "visit_n_staff": 0,
                "assessment_passed": bool(rng.random() < 0.97),
                "onboarding_passed": bool(rng.random() < 0.97),
            }
        )
    return pd.DataFrame(rows)


def _view():  # type: ignore[no-untyped-def]
    scheme = validate(default_definition())
    result = calculate(scheme, _inputs())
    identity = set(PERSON_AND_TOTALS)
    lines = [
        {
            **{k: row[k] for k in identity},
            "detail": {k: v for k, v in row.items() if k not in identity},
        }
        for row in result.lines.to_dict("records")
    ]
    now = datetime.now(UTC)
    run = SimpleNamespace(
        id=1,
        period="2026-10",
        status=RunStatus.APPROVED,
        created_by="hr@demo.example",
        created_at=now,
        approved_by="hr2@demo.example",
        approved_at=now,
        corrects_id=None,
        lines=len(lines),
        total_raw=result.total_raw,
        scale=Decimal(str(result.scale)),
        total=result.total,
        inputs_sha256="0" * 64,
        inputs=None,  # the stored inputs (their CSAT window); none in this benchmark
        outputs_sha256="0" * 64,
    )
    return SimpleNamespace(run=run, scheme=scheme, lines=lines)


def _reference(view, *, formats: bool) -> bytes:  # type: ignore[no-untyped-def]
    """The payroll sheet's cells, written as plainly as openpyxl can: values only, or values
    with the same number formats set the documented way (``cell.number_format``)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Payroll")
    components = view.scheme.components
    sheet.append(["h"] * (6 + 3 * len(components) + 5))
    for line in view.lines:
        detail = line["detail"]
        row = [
            line["employee_no"],
            line["name"],
            line["store_code"],
            line["store_name"],
            line["role"],
            "2026-10",
        ]
        for component in components:
            row += [
                detail.get(f"{component.id}_{part}") for part in ("value", "attainment", "points")
            ]
        row += [float(line["target_bonus"]), float(line["points"]), "", 1.0, line["amount"]]
        if formats:
            cells = []
            for position, value in enumerate(row):
                if position < 6 or not isinstance(value, float | Decimal):
                    cells.append(value)
                    continue
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "#,##0.00" if position >= len(row) - 5 else "0.0%"
                cells.append(cell)
            row = cells
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _time(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run() -> list[dict[str, object]]:
    view = _view()
    ours, styled, plain = [], [], []
    for _ in range(REPEATS):
        ours.append(_time(lambda: payroll_xlsx(view, "zh-CN")))
        styled.append(_time(lambda: _reference(view, formats=True)))
        plain.append(_time(lambda: _reference(view, formats=False)))
    mine = statistics.median(ours)
    label = f"payroll workbook, {len(view.lines):,} staff (4 sheets, zh-CN)"
    return [
        {
            "benchmark": label,
            "ours_s": round(mine, 2),
            "reference": reference,
            "reference_s": round(statistics.median(times), 2),
            "ratio": round(mine / statistics.median(times), 2),
        }
        for reference, times in (
            ("openpyxl write-only, the payroll sheet's cells with the same number formats", styled),
            ("openpyxl write-only, the payroll sheet's values alone", plain),
        )
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
