"""Roster import of the chain (≈10,000 staff) into an org tree with no staff yet, against
pandas reading the same file alone. Target (issue 2): within 1.5× of pandas."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.chain import TODAY, chain, write_roster
from ee_app.auth import system_actor
from ee_app.db import make_engine, upgrade, write_session
from ee_app.services.demo import load_demo
from ee_app.services.roster import import_roster

REPEATS = 5


def _fresh_database(folder: Path, seed: int) -> str:
    url = f"sqlite:///{folder / f'bench-{time.monotonic_ns()}.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with write_session(engine) as session:
        load_demo(
            session, system_actor("bench"), seed=seed, size="chain", today=TODAY, parts={"org"}
        )
    engine.dispose()
    return url


def _time(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(seed: int = 7) -> list[dict[str, object]]:
    demo = chain(seed)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = write_roster(demo, folder)
        readers = {
            "xlsx": lambda p: pd.read_excel(p, engine="openpyxl"),
            "csv": lambda p: pd.read_csv(p, encoding="gb18030"),
        }
        for kind, path in files.items():
            data = path.read_bytes()
            ours, reference = [], []
            for _ in range(REPEATS):
                url = _fresh_database(folder, seed)
                engine = make_engine(url)

                def load(engine=engine, data=data, name=path.name) -> None:
                    with write_session(engine) as session:
                        result = import_roster(
                            session, system_actor("bench"), data, name, effective=TODAY
                        )
                    assert result.inserted == len(demo.staff), result

                ours.append(_time(load))
                engine.dispose()
                reference.append(_time(lambda path=path, read=readers[kind]: read(path)))
            mine, ref = statistics.median(ours), statistics.median(reference)
            results.append(
                {
                    "benchmark": f"roster import, {len(demo.staff):,} staff, .{kind}",
                    "ours_s": round(mine, 3),
                    "reference": f"pandas.read_{'excel' if kind == 'xlsx' else 'csv'} alone",
                    "reference_s": round(ref, 3),
                    "ratio": round(mine / ref, 2),
                }
            )
        results.append(_raw_reference(folder, files["csv"], seed, demo))
    return results


def _raw_reference(folder: Path, path: Path, seed: int, demo) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """A floor for the .csv case: pandas reads the file and raw sqlite3 inserts the same rows,
    with no validation, no lookups by name and no history logic."""
    import sqlite3

    ours, reference = [], []
    data = path.read_bytes()
    for _ in range(REPEATS):
        url = _fresh_database(folder, seed)
        file = url.removeprefix("sqlite:///")
        engine = make_engine(url)
        start = time.perf_counter()
        with write_session(engine) as session:
            import_roster(session, system_actor("bench"), data, path.name, effective=TODAY)
        ours.append(time.perf_counter() - start)
        engine.dispose()

        url = _fresh_database(folder, seed)
        file = url.removeprefix("sqlite:///")
        start = time.perf_counter()
        frame = pd.read_csv(path, encoding="gb18030", dtype=str)
        conn = sqlite3.connect(file)
        units = dict(conn.execute("SELECT code, id FROM org_unit"))
        with conn:
            conn.executemany(
                "INSERT INTO staff (employee_no, name, hire_date, leave_date, updated_at) "
                "VALUES (?, ?, ?, ?, '2026-11-02')",
                frame[["员工编号", "姓名", "入职日期", "离职日期"]].itertuples(index=False),
            )
            ids = dict(conn.execute("SELECT employee_no, id FROM staff"))
            conn.executemany(
                "INSERT INTO staff_assignment (staff_id, unit_id, role, valid_from) "
                "VALUES (?, ?, 'beautician', ?)",
                [
                    (ids[r[0]], units[r[2] if isinstance(r[2], str) else r[1]], r[3])
                    for r in frame[["员工编号", "门店", "团队", "入职日期"]].itertuples(index=False)
                ],
            )
        conn.close()
        reference.append(time.perf_counter() - start)
    mine, ref = statistics.median(ours), statistics.median(reference)
    return {
        "benchmark": f"roster import, {len(demo.staff):,} staff, .csv",
        "ours_s": round(mine, 3),
        "reference": "pandas.read_csv + raw sqlite3 inserts of the same rows",
        "reference_s": round(ref, 3),
        "ratio": round(mine / ref, 2),
    }


if __name__ == "__main__":
    for row in run():
        print(row)
