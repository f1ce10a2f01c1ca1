"""Start-up of ``ee-app`` commands (issue 20), each a fresh process as a person runs it,
against ``python -c "import sqlalchemy"`` timed in the same run, interleaved.

Goal: simple commands answer in under a second. ``db upgrade`` runs the full start-up
(Alembic, reference data, stale results) that every command ran before issue 20, so its row
shows what the one-query check saves. Wall time is the median of ``REPEATS`` runs, with the
range; CPU time (user + system of the child) is reported too, since the machine may be shared.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEATS = 5
REFERENCE = [sys.executable, "-c", "import sqlalchemy"]
COMMANDS = {
    "ee-app --help": ["--help"],
    "ee-app users list": ["users", "list"],
    "ee-app wave list": ["wave", "list"],
    "ee-app staff list": ["staff", "list"],
    "ee-app db upgrade (the full start-up every command ran before)": ["db", "upgrade"],
}


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _row(name: str, ours: list[tuple[float, float]], ref: list[tuple[float, float]]) -> dict:
    wall, cpu = [w for w, _ in ours], [c for _, c in ours]
    ref_wall, ref_cpu = [w for w, _ in ref], [c for _, c in ref]
    mine, base = statistics.median(wall), statistics.median(ref_wall)
    return {
        "benchmark": f"{name} (range {min(wall):.2f}–{max(wall):.2f} s)",
        "ours_s": round(mine, 3),
        "reference": 'python -c "import sqlalchemy"',
        "reference_s": round(base, 3),
        "ratio": round(mine / base, 2),
        "cpu_s": round(statistics.median(cpu), 3),
        "reference_cpu_s": round(statistics.median(ref_cpu), 3),
        "cpu_ratio": round(statistics.median(cpu) / statistics.median(ref_cpu), 2),
    }


def run() -> list[dict[str, object]]:
    command = [sys.executable, "-m", "ee_app.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "EE_DATABASE_URL": f"sqlite:///{Path(tmp) / 'demo.db'}"}
        env.pop("EE_ENV", None)
        subprocess.run([*command, "demo", "load"], env=env, check=True, stdout=subprocess.DEVNULL)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in COMMANDS}
        reference: list[tuple[float, float]] = []
        for _ in range(REPEATS):  # interleaved: a busy moment hits every row alike
            reference.append(_timed(REFERENCE, env))
            for name, argv in COMMANDS.items():
                times[name].append(_timed([*command, *argv], env))
    rows = [_row(name, runs, reference) for name, runs in times.items()]
    for r in rows:
        print(
            f"  {r['benchmark']}: wall {r['ours_s']} s ({r['ratio']}×), "
            f"CPU {r['cpu_s']} s vs {r['reference_cpu_s']} s ({r['cpu_ratio']}×)",
            file=sys.stderr,
        )
    return rows
