"""Imports against their floor (issue 20): the chain demo's year of sales (≈1,000,000 rows)
and CSAT answers (≈200,000) imported from GB18030 CSV by ``import_sales`` / ``import_csat``,
against pandas reading the same file plus SQLite's own bulk load of the very rows the import
stored (one transaction of ``executemany`` on a connection with the app's pragmas, into the
same schema with its indexes and foreign keys). Each run starts from a copy of one database
holding the chain's org and staff; ours and the floor alternate, so both see the same
machine. The floor's rows are read back from the database the first import wrote, so it
loads exactly what the import stored.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.chain import TODAY, chain
from bench.outcomes import SEED, _database
from ee_app.auth import system_actor
from ee_app.config import Settings
from ee_app.db import make_engine, write_session
from ee_app.demo.outcomes import generate_outcomes, write_outcome_files
from ee_app.services.outcomes_import import import_csat, import_sales

REPEATS = {"sales": 3, "csat": 3}
TABLES = {"sales": ("sale", "sale_staff"), "csat": ("csat_record",)}


def _copy(template: Path, folder: Path) -> Path:
    path = folder / f"run-{time.monotonic_ns()}.db"
    shutil.copyfile(template, path)
    return path


def _ours(path: Path, kind: str, data: bytes, name: str, settings: Settings) -> float:
    engine = make_engine(f"sqlite:///{path}")
    load = import_sales if kind == "sales" else import_csat
    start = time.perf_counter()
    with write_session(engine) as session:
        load(session, system_actor("bench"), data, name, settings)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed


def _stored(path: Path, kind: str) -> dict[str, tuple[list[str], list[tuple]]]:
    """The rows an import stored, with the import batch they point at, table by table."""
    conn = sqlite3.connect(path)
    out = {}
    for table in ("import_batch", *TABLES[kind]):
        cursor = conn.execute(f"SELECT * FROM {table}")
        out[table] = ([d[0] for d in cursor.description], cursor.fetchall())
    conn.close()
    return out


def _floor(path: Path, csv: Path, rows: dict[str, tuple[list[str], list[tuple]]]) -> float:
    """pandas.read_csv of the file, then one transaction of executemany of the same rows."""
    start = time.perf_counter()
    pd.read_csv(csv, encoding="gb18030")
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("BEGIN")
    for table, (columns, values) in rows.items():
        marks = ", ".join("?" * len(columns))
        conn.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
            values,
        )
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - start


def run() -> list[dict[str, object]]:
    os.environ.setdefault("EE_SECRET_KEY", "cd" * 32)
    settings = Settings.from_env()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generated = generate_outcomes(chain(SEED), SEED, TODAY, "chain")
        files = write_outcome_files(folder / "files", generated, "chain", xlsx=())
        url, _ = _database(folder, {"org", "staff", "users"})
        template = Path(url.removeprefix("sqlite:///"))
        for kind, repeats in REPEATS.items():
            csv = files[f"{kind}.csv"]
            data = csv.read_bytes()
            first = _copy(template, folder)
            _ours(first, kind, data, csv.name, settings)  # warm-up; its rows feed the floor
            stored = _stored(first, kind)
            first.unlink()
            ours, floor = [], []
            for _ in range(repeats):
                path = _copy(template, folder)
                ours.append(_ours(path, kind, data, csv.name, settings))
                path.unlink()
                path = _copy(template, folder)
                floor.append(_floor(path, csv, stored))
                path.unlink()
            mine, ref = statistics.median(ours), statistics.median(floor)
            count = len(stored[TABLES[kind][0]][1])
            what = "sales" if kind == "sales" else "CSAT answers"
            results.append(
                {
                    "benchmark": f"import {count:,} {what}"
                    f", .csv (GB18030), SQLite (runs {min(ours):.2f}–{max(ours):.2f} s)",
                    "ours_s": round(mine, 2),
                    "reference": "pandas.read_csv + one transaction of executemany of the same "
                    f"rows (runs {min(floor):.2f}–{max(floor):.2f} s)",
                    "reference_s": round(ref, 2),
                    "ratio": round(mine / ref, 2),
                }
            )
    return results


if __name__ == "__main__":
    for row in run():
        print(row)
