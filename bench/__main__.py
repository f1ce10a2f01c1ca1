"""Run every benchmark, print Markdown rows, save bench/out/results.json."""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import (
    cli_startup,
    first_visit,
    imports,
    load,
    memory,
    outcomes,
    payroll,
    phone,
    repurchase_pg,
    results,
    roster_import,
    submissions,
)

BENCHMARKS = {
    "roster_import": roster_import.run,
    "submissions": submissions.run,
    "results": results.run,
    "outcomes": outcomes.run,
    "imports": imports.run,
    "repurchase": outcomes.repurchase_run,  # issue 20: the repurchase table alone
    "repurchase_pg": repurchase_pg.run,  # issue 20: the same on PostgreSQL
    "payroll": payroll.run,
    "memory": memory.run,
    "load": load.run,
    "cli_startup": cli_startup.run,
    "phone": phone.run,  # issue 20: the staff survey on a throttled phone
    "first_visit": first_visit.run,  # issue 20: scripts/run and the demo's first request
    "memory_survey": first_visit.survey_memory_run,  # issue 20: 50 sessions on the survey
}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main(names: list[str]) -> None:
    chosen = names or list(BENCHMARKS)
    rows = []
    for name in chosen:
        rows.extend(BENCHMARKS[name]())
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"Machine: {machine()}; run at {stamp}\n")
    print("| benchmark | ee-app | reference | reference | ratio |")
    print("|---|---:|---|---:|---:|")
    for r in rows:
        unit = r.get("unit", "s")
        ratio = f"{r['ratio']}×" if r["ratio"] != "-" else "-"
        print(
            f"| {r['benchmark']} | {r['ours_s']} {unit} | {r['reference']} | "
            f"{r['reference_s']} {unit} | {ratio} |"
        )
    out = Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(
        json.dumps(
            {"machine": machine(), "at": stamp, "results": rows}, indent=2, ensure_ascii=False
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
