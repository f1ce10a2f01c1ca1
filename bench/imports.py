"""Imports against their floor (issue 20): the chain demo's year of sales (≈1,000,000 rows)
and CSAT answers (≈200,000) imported from GB18030 CSV by ``import_sales`` / ``import_csat``,
against pandas reading the same file plus the database's own bulk load of the very rows the
import stored, on both databases:

* SQLite: one transaction of ``executemany`` on a connection with the app's pragmas;
* PostgreSQL: one transaction of ``COPY … FROM STDIN`` per table (psycopg's ``write_row``).

Both go into the same schema with its indexes and foreign keys. Each run starts from a copy
of one database holding the chain's org and staff (a file copy on SQLite, ``CREATE DATABASE
… TEMPLATE`` on PostgreSQL); ours and the floor alternate, so both see the same machine. The
floor's rows are read back from the database the first import wrote, so it loads exactly what
the import stored. ``EE_BENCH_IMPORT_ROWS`` keeps only the first N rows of each file (a quick
check of the benchmark itself); the recorded runs use the whole files.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from sqlalchemy import create_engine, text

from bench.chain import TODAY, chain
from bench.outcomes import SEED, _database
from ee_app.auth import system_actor
from ee_app.config import Settings
from ee_app.db import make_engine, upgrade, write_session
from ee_app.demo.outcome_files import write_outcome_files
from ee_app.demo.outcomes import generate_outcomes
from ee_app.services.demo import load_demo
from ee_app.services.outcomes_import import import_csat, import_sales

REPEATS = {"sales": 3, "csat": 3}
TABLES = {"sales": ("sale", "sale_staff"), "csat": ("csat_record",)}
PG_SERVER = os.environ.get(
    "EE_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
Rows = dict[str, tuple[list[str], list[tuple]]]


def _timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of ``work`` in this process (SQLite runs in-process, so its CPU
    counts; PostgreSQL's server CPU does not)."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def _ours(url: str, kind: str, data: bytes, name: str, settings: Settings) -> tuple[float, float]:
    engine = make_engine(url)
    load = import_sales if kind == "sales" else import_csat

    def work() -> None:
        with write_session(engine) as session:
            load(session, system_actor("bench"), data, name, settings)

    elapsed = _timed(work)
    engine.dispose()
    return elapsed


# --- SQLite ----------------------------------------------------------------------------------


class SQLiteCopies:
    """Fresh copies of one SQLite database holding the chain's org and staff."""

    name = "SQLite"
    floor = "one transaction of executemany"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        url, _ = _database(folder, {"org", "staff", "users"})
        self.template = Path(url.removeprefix("sqlite:///"))

    @contextmanager
    def copy(self) -> Iterator[str]:
        path = self.folder / f"run-{time.monotonic_ns()}.db"
        shutil.copyfile(self.template, path)
        try:
            yield f"sqlite:///{path}"
        finally:
            for leftover in path.parent.glob(path.name + "*"):
                leftover.unlink()

    def stored(self, url: str, kind: str) -> Rows:
        """The rows an import stored, with the import batch they point at, table by table."""
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        out = {}
        for table in ("import_batch", *TABLES[kind]):
            cursor = conn.execute(f"SELECT * FROM {table}")
            out[table] = ([d[0] for d in cursor.description], cursor.fetchall())
        conn.close()
        return out

    def bulk_load(self, url: str, rows: Rows) -> None:
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
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

    def close(self) -> None:
        pass


# --- PostgreSQL ------------------------------------------------------------------------------


def _pg_url(name: str) -> str:
    return PG_SERVER.rsplit("/", 1)[0] + f"/{name}"


def _psycopg(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))


class PostgresCopies:
    """Fresh copies (``CREATE DATABASE … TEMPLATE``) of one PostgreSQL database holding the
    chain's org and staff."""

    name = "PostgreSQL"
    floor = "one transaction of COPY per table"

    def __init__(self) -> None:
        self.admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        self.template = f"ee_bench_tpl_{secrets.token_hex(3)}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.template}"'))
        engine = make_engine(_pg_url(self.template))
        upgrade(engine)
        with write_session(engine) as session:
            load_demo(
                session,
                system_actor("bench"),
                seed=SEED,
                size="chain",
                today=TODAY,
                parts={"org", "staff", "users"},
            )
        engine.dispose()

    @contextmanager
    def copy(self) -> Iterator[str]:
        name = f"ee_bench_run_{secrets.token_hex(3)}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        try:
            yield _pg_url(name)
        finally:
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def stored(self, url: str, kind: str) -> Rows:
        out = {}
        with _psycopg(url) as conn, conn.cursor() as cursor:
            for table in ("import_batch", *TABLES[kind]):
                cursor.execute(f"SELECT * FROM {table}")
                out[table] = ([d.name for d in cursor.description], cursor.fetchall())
        return out

    def bulk_load(self, url: str, rows: Rows) -> None:
        with _psycopg(url) as conn, conn.cursor() as cursor:  # one transaction, committed on exit
            for table, (columns, values) in rows.items():
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)

    def close(self) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)'))
        self.admin.dispose()


# --- the runs --------------------------------------------------------------------------------


def _floor(copies, url: str, csv: Path, rows: Rows) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """pandas.read_csv of the file, then the database's own bulk load of the same rows."""

    def work() -> None:
        pd.read_csv(csv, encoding="gb18030")
        copies.bulk_load(url, rows)

    return _timed(work)


def _measure(copies, files: dict[str, Path], settings: Settings) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    results = []
    for kind, repeats in REPEATS.items():
        csv = files[f"{kind}.csv"]
        data = csv.read_bytes()
        with copies.copy() as url:
            _ours(url, kind, data, csv.name, settings)  # warm-up; its rows feed the floor
            stored = copies.stored(url, kind)
        ours, floor = [], []
        for _ in range(repeats):
            with copies.copy() as url:
                ours.append(_ours(url, kind, data, csv.name, settings))
            with copies.copy() as url:
                floor.append(_floor(copies, url, csv, stored))
        walls = [w for w, _ in ours]
        refs = [w for w, _ in floor]
        mine, ref = statistics.median(walls), statistics.median(refs)
        cpu = statistics.median(c for _, c in ours) / statistics.median(c for _, c in floor)
        count = len(stored[TABLES[kind][0]][1])
        what = "sales" if kind == "sales" else "CSAT answers"
        results.append(
            {
                "benchmark": f"import {count:,} {what}, .csv (GB18030), {copies.name} "
                f"(runs {min(walls):.2f}–{max(walls):.2f} s"
                + (f"; CPU ratio {cpu:.2f}×)" if copies.name == "SQLite" else ")"),
                "ours_s": round(mine, 2),
                "reference": f"pandas.read_csv + {copies.floor} of the same rows "
                f"(runs {min(refs):.2f}–{max(refs):.2f} s)",
                "reference_s": round(ref, 2),
                "ratio": round(mine / ref, 2),
            }
        )
    return results


def _prefix(files: dict[str, Path], rows: int) -> None:
    """Keep only the first ``rows`` data rows of each CSV (a quick check of the benchmark)."""
    for path in files.values():
        if path.suffix == ".csv":
            lines = path.read_bytes().splitlines(keepends=True)
            path.write_bytes(b"".join(lines[: rows + 1]))


def run() -> list[dict[str, object]]:
    os.environ.setdefault("EE_SECRET_KEY", "cd" * 32)
    settings = Settings.from_env()
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generated = generate_outcomes(chain(SEED), SEED, TODAY, "chain")
        files = write_outcome_files(folder / "files", generated, "chain", xlsx=())
        if rows := int(os.environ.get("EE_BENCH_IMPORT_ROWS", "0")):
            _prefix(files, rows)
        makers: list[Callable[[], object]] = [lambda: SQLiteCopies(folder), PostgresCopies]
        for make in makers:
            try:
                copies = make()
            except Exception as exc:  # PostgreSQL not running: say so, keep SQLite's rows
                print(f"skipped: {exc}")
                continue
            try:
                results.extend(_measure(copies, files, settings))
            finally:
                copies.close()
    return results


if __name__ == "__main__":
    for row in run():
        print(row)
