"""The repurchase table on PostgreSQL against DuckDB reading the same database (issue 20).

The chain demo's org, staff and a year of sales (1,011,992) are loaded into a database of
their own on the PostgreSQL server at ``EE_BENCH_PG_URL`` (dropped and made again, then
``VACUUM ANALYZE``d as autovacuum would), or an existing one is reused with
``EE_BENCH_PG_REPURCHASE_URL``. Then rounds of the table through the application
(``repurchase_table``, scope and names included) and of DuckDB's ``postgres_scanner`` running
the bench's plain query (customers and returns per staff member), in a shuffled order each
round so that neither always finds the other's pages in the cache; wall-clock medians and
best rounds (the server's CPU is not this process's, so CPU seconds say nothing here).
"""

from __future__ import annotations

import os
import random
import statistics
import time

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.chain import TODAY
from bench.outcomes import _DUCKDB, MONTH, SEED, WINDOW, _duckdb_on_file
from ee_app.auth import system_actor
from ee_app.db import make_engine, read_session, upgrade, write_session
from ee_app.services.demo import load_demo
from ee_app.services.outcomes import month_bounds, repurchase_table

ROUNDS = 11
SERVER = os.environ.get("EE_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _database() -> str:
    """A PostgreSQL database holding the chain demo's sales, made for the benchmark."""
    if reuse := os.environ.get("EE_BENCH_PG_REPURCHASE_URL"):
        return reuse
    url = make_url(SERVER).set(database="ee_bench_repurchase")
    server = make_engine(SERVER)
    with server.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("DROP DATABASE IF EXISTS ee_bench_repurchase"))
        conn.execute(text("CREATE DATABASE ee_bench_repurchase"))
    server.dispose()
    engine = make_engine(url.render_as_string(hide_password=False))
    upgrade(engine)
    parts = {"org", "staff", "users", "outcomes"}
    with write_session(engine) as session:
        load_demo(session, system_actor("bench"), seed=SEED, size="chain", today=TODAY, parts=parts)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return url.render_as_string(hide_password=False)


def run() -> list[dict[str, object]]:
    os.environ.setdefault("EE_SECRET_KEY", "cd" * 32)
    url = _database()
    engine = make_engine(url)
    start, end = month_bounds(MONTH)
    actor = system_actor("bench")
    duck = _duckdb_on_file(url)

    def ours() -> object:
        with read_session(engine) as session:
            return repurchase_table(session, actor, start, end, window_days=WINDOW)

    runs = {"ours": ours, "duck": lambda: duck.execute(_DUCKDB, [start, end]).fetchall()}
    table = ours()
    columns = (table["staff_id"], table["customers"], table["returned"])
    mine = {s: (c, r) for s, c, r in zip(*columns, strict=True) if c > 0}
    floor = {s: (c, r) for s, c, r in runs["duck"]()}  # type: ignore[union-attr]
    assert mine == floor, "the table and DuckDB disagree on customers or returns"
    times: dict[str, list[float]] = {key: [] for key in runs}
    loads = [os.getloadavg()[0]]
    for _ in range(ROUNDS):
        order = list(runs)
        random.shuffle(order)
        for key in order:
            began = time.perf_counter()
            runs[key]()
            times[key].append(time.perf_counter() - began)
        loads.append(os.getloadavg()[0])
    engine.dispose()
    ours_s, duck_s = statistics.median(times["ours"]), statistics.median(times["duck"])
    best, duck_best = min(times["ours"]), min(times["duck"])
    return [
        {
            "benchmark": f"repurchase table, {MONTH}, {WINDOW}-day window, {len(table):,} staff "
            "(PostgreSQL, the chain demo's year of sales)",
            "ours_s": round(ours_s, 3),
            "ours_best_s": round(best, 3),
            "reference": "DuckDB's postgres_scanner on the same database, customers and returns",
            "reference_s": round(duck_s, 3),
            "reference_best_s": round(duck_best, 3),
            "ratio": round(ours_s / duck_s, 2),
            "best_ratio": round(best / duck_best, 2),
            "load_average": [round(min(loads), 1), round(max(loads), 1)],
        }
    ]
