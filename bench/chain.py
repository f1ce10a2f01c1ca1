"""The synthetic chain for benchmarks: the demo generator at ``chain`` size (≈10,000 staff in
400 stores), and files built from it the way HR and the clinic's systems deliver them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook

from ee_app.demo.chain import DemoChain, generate_chain
from ee_app.imports.roster import ROSTER_COLUMNS
from ee_app.imports.roster_cells import ROLE_NAMES
from tests.helpers import csv_file

__all__ = ["TODAY", "chain", "roster_rows", "write_roster"]

TODAY = date(2026, 11, 2)


def chain(seed: int = 7, size: str = "chain") -> DemoChain:
    return generate_chain(seed, size, TODAY)


def roster_rows(demo: DemoChain) -> list[list[object]]:
    """One row per current staff member, Chinese headers, as a Chinese HR export looks."""
    rows: list[list[object]] = [[c.zh for c in ROSTER_COLUMNS]]
    for person in demo.staff:
        unit, role, _, _ = person.periods[-1]
        store, _, team = unit.partition("-")
        rows.append(
            [
                person.employee_no,
                person.name,
                ROLE_NAMES[role][1],
                store,
                unit if team else "",
                person.hire_date,
                person.leave_date,
            ]
        )
    return rows


def write_roster(demo: DemoChain, folder: Path) -> dict[str, Path]:
    """The roster as .xlsx (dates as date cells) and as a GBK .csv (dates as text)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = roster_rows(demo)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("花名册")
    for row in rows:
        sheet.append(row)
    xlsx = folder / "roster-chain.xlsx"
    book.save(xlsx)
    csv_path = folder / "roster-chain.csv"
    text_rows = [
        [v.isoformat() if isinstance(v, date) else ("" if v is None else v) for v in row]
        for row in rows
    ]
    csv_path.write_bytes(csv_file(text_rows, "gb18030"))
    return {"xlsx": xlsx, "csv": csv_path}
