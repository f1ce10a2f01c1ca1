"""Outcomes at chain scale: importing a year of the chain's sales (≈1,000,000 rows) and CSAT
answers (≈200,000), and the repurchase table of one month.

* Imports: the chain demo's outcomes written as the clinic's POS and CRM export them
  (:func:`ee_app.demo.outcome_files.write_outcome_files`: GB18030 CSV, the CSAT also as .xlsx),
  imported by ``import_sales`` / ``import_csat`` into a database holding the chain's org and
  staff only, against pandas reading the same file alone, interleaved in the same run. The
  import reads, checks every row, hashes customers, compares with what is stored and writes.
* Repurchase: ``repurchase_table`` for one month with a 90-day window, on a database holding
  the chain demo's sales, against DuckDB reading the same database file (its sqlite or
  postgres scanner, issue 20), pandas from SQL, and DuckDB and pandas over in-memory tables,
  each computing the simplest equivalent (per staff member, distinct customers served in the
  month, and those who bought again within 90 days after the last time that staff member
  served them), with no scope, names, pending windows, intervals or repeat value.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select

from bench.chain import TODAY, chain
from ee_app.analysis.repurchase import repurchase
from ee_app.auth import system_actor
from ee_app.config import Settings
from ee_app.db import make_engine, read_session, upgrade, write_session
from ee_app.demo.outcome_files import write_outcome_files
from ee_app.demo.outcomes import generate_outcomes
from ee_app.models import Sale
from ee_app.services.demo import load_demo
from ee_app.services.outcomes import month_bounds, repurchase_table
from ee_app.services.outcomes_import import import_csat, import_sales
from ee_app.services.sales_read import sales_frame
from tests.sales_before import read_everything

SEED = 7
IMPORT_REPEATS = {"sales.csv": 2, "csat.csv": 3, "csat.xlsx": 2}
QUERY_REPEATS = 5
MONTH = "2026-07"  # its 90-day windows have all closed by TODAY
WINDOW = 90


def _database(folder: Path, parts: set[str]) -> tuple[str, float]:
    url = f"sqlite:///{folder / f'bench-{time.monotonic_ns()}.db'}"
    engine = make_engine(url)
    upgrade(engine)
    start = time.perf_counter()
    with write_session(engine) as session:
        load_demo(session, system_actor("bench"), seed=SEED, size="chain", today=TODAY, parts=parts)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return url, elapsed


def _time(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _imports(folder: Path) -> list[dict[str, object]]:
    generated = generate_outcomes(chain(SEED), SEED, TODAY, "chain")
    files = write_outcome_files(folder / "files", generated, "chain", xlsx=("csat",))
    settings = Settings.from_env()
    readers = {
        "csv": lambda p: pd.read_csv(p, encoding="gb18030"),
        "xlsx": lambda p: pd.read_excel(p, engine="openpyxl"),
    }
    results = []
    for key, repeats in IMPORT_REPEATS.items():
        kind, suffix = key.split(".")
        path = files[key]
        data = path.read_bytes()
        rows = len(generated.sales if kind == "sales" else generated.csat)
        load = import_sales if kind == "sales" else import_csat
        ours, reference = [], []
        for _ in range(repeats):
            url, _ = _database(folder, {"org", "staff", "users"})
            engine = make_engine(url)

            def run(engine=engine, data=data, name=path.name, load=load, rows=rows) -> None:
                with write_session(engine) as session:
                    result = load(session, system_actor("bench"), data, name, settings)
                assert result.new == rows, result

            ours.append(_time(run))
            engine.dispose()
            Path(url.removeprefix("sqlite:///")).unlink()
            reference.append(_time(lambda path=path, read=readers[suffix]: read(path)))
        mine, ref = statistics.median(ours), statistics.median(reference)
        what = "sales" if kind == "sales" else "CSAT answers"
        encoding = " (GB18030)" if suffix == "csv" else ""
        results.append(
            {
                "benchmark": f"import {rows:,} {what}, .{suffix}{encoding}, "
                f"{path.stat().st_size / 2**20:.0f} MB",
                "ours_s": round(mine, 2),
                "reference": f"pandas.read_{'excel' if suffix == 'xlsx' else 'csv'} alone",
                "reference_s": round(ref, 2),
                "ratio": round(mine / ref, 2),
            }
        )
    return results


_DUCKDB = """
WITH served AS (
    SELECT ss.staff_id, s.customer, max(s.sold_on) AS t
    FROM sale s JOIN sale_staff ss ON ss.sale_id = s.id
    WHERE s.sold_on BETWEEN ? AND ?
    GROUP BY ss.staff_id, s.customer
)
SELECT staff_id, count(*) AS customers,
       count(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM sale n
           WHERE n.customer = served.customer
             AND n.sold_on > served.t AND n.sold_on <= served.t + INTERVAL 90 DAY
       )) AS returned
FROM served
GROUP BY staff_id
"""


def _pandas_repurchase(
    sales: pd.DataFrame, links: pd.DataFrame, start: date, end: date
) -> pd.DataFrame:
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    month = sales[(sales["sold_on"] >= first) & (sales["sold_on"] <= last)]
    served = (
        month.merge(links, left_on="id", right_on="sale_id")
        .groupby(["staff_id", "customer"], as_index=False)["sold_on"]
        .max()
        .rename(columns={"sold_on": "t"})
        .sort_values("t")
    )
    later = sales[["customer", "sold_on"]].sort_values("sold_on")
    nxt = pd.merge_asof(
        served,
        later.rename(columns={"sold_on": "next"}),
        left_on="t",
        right_on="next",
        by="customer",
        direction="forward",
        allow_exact_matches=False,
    )
    nxt["returned"] = (nxt["next"] - nxt["t"]).dt.days <= WINDOW
    return nxt.groupby("staff_id").agg(customers=("customer", "size"), returned=("returned", "sum"))


def _read_everything(engine, start: date, until: date) -> pd.DataFrame:
    """The repurchase table's reader before issue 20 (every sale of the window, typed
    columns), the in-run reference for what the fast read saves."""
    with read_session(engine) as session:
        frame = read_everything(session, start, until)
        last = session.scalar(select(func.max(Sale.sold_on)))
    return repurchase(
        frame,
        period_start=start,
        period_end=until - timedelta(days=WINDOW),
        window_days=WINDOW,
        data_end=last,
    )


_FROM_SQL_SALES = "SELECT id, customer, sold_on FROM sale WHERE sold_on BETWEEN ? AND ?"
_FROM_SQL_LINKS = (
    "SELECT ss.sale_id, ss.staff_id FROM sale_staff ss JOIN sale s ON s.id = ss.sale_id "
    "WHERE s.sold_on BETWEEN ? AND ?"
)


def _pandas_from_sql(path: str, start: date, end: date) -> pd.DataFrame:
    """pandas from SQL: the window's sales and the period's serving staff read with
    ``pandas.read_sql`` over the plain sqlite3 driver, then the pandas computation."""
    until = end + timedelta(days=WINDOW)
    with sqlite3.connect(path) as conn:
        sales = pd.read_sql(_FROM_SQL_SALES, conn, params=(str(start), str(until)))
        links = pd.read_sql(_FROM_SQL_LINKS, conn, params=(str(start), str(end)))
    sales["sold_on"] = pd.to_datetime(sales["sold_on"], format="ISO8601")
    return _pandas_repurchase(sales, links, start, end)


def _repurchase(folder: Path) -> list[dict[str, object]]:
    url, load_time = _database(folder, {"org", "staff", "users", "outcomes"})
    return repurchase_on(url, load_time)


def _both(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one call (CPU of every thread of this process, so
    DuckDB's two threads count; SQLite runs in the process too)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def _duckdb_on_file(url: str):  # type: ignore[no-untyped-def]
    """DuckDB reading the database file itself: its sqlite_scanner on the SQLite file, or
    its postgres_scanner on the PostgreSQL database, the extension loaded from its wheel."""
    from bench.duck import connect

    if url.startswith("sqlite"):
        con = connect("sqlite_scanner")
        path = url.removeprefix("sqlite:///").replace("'", "''")
        con.execute(f"ATTACH '{path}' AS db (TYPE sqlite, READ_ONLY)")
    else:
        from sqlalchemy.engine import make_url

        con = connect("postgres_scanner")
        parts = make_url(url)
        dsn = (
            f"host={parts.host} port={parts.port or 5432} dbname={parts.database} "
            f"user={parts.username} password={parts.password or ''}"
        ).replace("'", "''")
        con.execute(f"ATTACH '{dsn}' AS db (TYPE postgres, READ_ONLY)")
    con.execute("USE db")
    return con


def repurchase_on(url: str, load_time: float | None = None) -> list[dict[str, object]]:
    """The repurchase table against its floors, interleaved, wall-clock and CPU seconds:
    DuckDB reading the same database file (issue 20), pandas from SQL, DuckDB and pandas over
    tables already in memory, and the two readers before issue 20's SQL path."""
    import duckdb

    engine = make_engine(url)
    start, end = month_bounds(MONTH)
    actor = system_actor("bench")
    with engine.connect() as conn:
        sales = pd.read_sql("SELECT id, customer, sold_on FROM sale", conn)
        links = pd.read_sql("SELECT sale_id, staff_id FROM sale_staff", conn)
    sales["sold_on"] = pd.to_datetime(sales["sold_on"])
    con = duckdb.connect()
    con.register("sale", sales)
    con.register("sale_staff", links)
    on_file = _duckdb_on_file(url)
    path = url.removeprefix("sqlite:///")
    sqlite = url.startswith("sqlite")
    until = end + timedelta(days=WINDOW)

    def mine() -> pd.DataFrame:
        with read_session(engine) as session:
            return repurchase_table(session, actor, start, end, window_days=WINDOW)

    def first_step() -> pd.DataFrame:
        with read_session(engine) as session:
            last = session.scalar(select(func.max(Sale.sold_on)))
            frame = sales_frame(session, start, end, until)
        period = {"period_start": start, "period_end": end, "window_days": WINDOW}
        return repurchase(frame, **period, data_end=last)

    runs: dict[str, Callable[[], object]] = {
        "ours": mine,
        "file": lambda: on_file.execute(_DUCKDB, [start, end]).fetchall(),
        "sql": (lambda: _pandas_from_sql(path, start, end)) if sqlite else None,
        "duck": lambda: con.execute(_DUCKDB, [start, end]).fetchall(),
        "panda": lambda: _pandas_repurchase(sales, links, start, end),
        "step": first_step,
        "old": lambda: _read_everything(engine, start, until),
    }
    runs = {key: fn for key, fn in runs.items() if fn is not None}
    timings: dict[str, list[tuple[float, float]]] = {k: [] for k in runs}
    loads = [os.getloadavg()[0]]
    for _ in range(QUERY_REPEATS):
        for key, fn in runs.items():
            timings[key].append(_both(fn))
        loads.append(os.getloadavg()[0])
    table = mine()
    checks = [_pandas_repurchase(sales, links, start, end)]
    if sqlite:
        checks.append(_pandas_from_sql(path, start, end))
    file_rows = on_file.execute(_DUCKDB, [start, end]).fetchall()
    checks.append(pd.DataFrame(file_rows, columns=["staff_id", "customers", "returned"]))
    for check in checks:
        check = check.set_index("staff_id") if "staff_id" in check.columns else check
        both = table.set_index("staff_id")[["customers", "returned"]].join(check, rsuffix="_ref")
        assert (both["customers"] == both["customers_ref"]).all(), "customers differ"
        assert (both["returned"] == both["returned_ref"]).all(), "returns differ"
    engine.dispose()
    label = (
        f"repurchase table, {MONTH}, {WINDOW}-day window, {len(table):,} staff "
        f"({len(sales):,} sales in the database, {engine.dialect.name})"
    )
    references = {
        "file": "DuckDB reading the same database file (its scanner), customers and returns",
        "sql": "pandas from SQL (read_sql of the window over sqlite3, then merge_asof)",
        "duck": "DuckDB, customers and returns per staff (tables in memory)",
        "panda": "pandas merge_asof, the same (tables in memory)",
        "step": "issue 20's first step (the served customers' sales read, then numpy)",
        "old": "the same table as before issue 20 (every sale of the window, typed columns)",
    }

    def median(key: str, which: int) -> float:
        return statistics.median(t[which] for t in timings[key])

    mine_s, mine_cpu = median("ours", 0), median("ours", 1)
    rows = [
        {
            "benchmark": label,
            "ours_s": round(mine_s, 3),
            "ours_range_s": [
                round(min(t[0] for t in timings["ours"]), 3),
                round(max(t[0] for t in timings["ours"]), 3),
            ],
            "ours_cpu_s": round(mine_cpu, 3),
            "reference": what,
            "reference_s": round(median(key, 0), 3),
            "reference_range_s": [
                round(min(t[0] for t in timings[key]), 3),
                round(max(t[0] for t in timings[key]), 3),
            ],
            "reference_cpu_s": round(median(key, 1), 3),
            "ratio": round(mine_s / median(key, 0), 2),
            "cpu_ratio": round(mine_cpu / median(key, 1), 2),
            "load_average": [round(min(loads), 1), round(max(loads), 1)],
        }
        for key, what in references.items()
        if key in timings
    ]
    if load_time is not None:
        rows.append(
            {
                "benchmark": "chain demo outcomes load (SQLite: org, staff, users, a year of "
                "sales and CSAT)",
                "ours_s": round(load_time, 1),
                "reference": "-",
                "reference_s": "-",
                "ratio": "-",
            }
        )
    return rows


def repurchase_run() -> list[dict[str, object]]:
    """``scripts/bench repurchase``: the repurchase table alone (no imports)."""
    os.environ.setdefault("EE_SECRET_KEY", "cd" * 32)
    with tempfile.TemporaryDirectory() as tmp:
        return _repurchase(Path(tmp))


def run() -> list[dict[str, object]]:
    os.environ.setdefault("EE_SECRET_KEY", "cd" * 32)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        return _repurchase(folder) + _imports(folder)


if __name__ == "__main__":
    for row in run():
        print(row)
