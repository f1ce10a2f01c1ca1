"""Killing a process (SIGKILL) in the middle of an import, of survey submissions and of an
incentive run leaves the database consistent, on SQLite and PostgreSQL: the import wholly
absent or wholly there, each submission recorded once with its invitation marked or not at
all (its sealed answer there exactly when its invitation is marked), the run absent or
complete.

Each operation runs in a child process that says "ready" once its imports are done and it is
about to start, so the kills land inside the work rather than in Python's start-up.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from ee_app.db import read_session
from ee_app.models import (
    ImportBatch,
    IncentiveLine,
    IncentiveRun,
    Sale,
    SurveyInvitation,
    SurveySealed,
    SurveyWave,
)
from ee_app.sealing import SEALED_SIZE, open_sealed
from tests.helpers import csv_file
from tests.wave_setup import open_new_wave

ROOT = Path(__file__).resolve().parents[1]
DELAYS = (0.1, 0.6, 1.5)


def run_and_kill(script: str, db_url: str, delay: float = 0.0, *, after: int = 0) -> int | None:
    """Run ``script`` in a child; SIGKILL it ``delay`` seconds after it says ready, or, with
    ``after``, as soon as it has printed ``after`` more lines (one per unit of work done).
    Returns its exit code (-9 when killed; 0 when it finished first)."""
    env = {**os.environ, "EE_DATABASE_URL": db_url, "EE_LANG": "en", "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = child.stdout.readline()
    if line.strip() != "ready":
        _out, err = child.communicate(timeout=60)
        raise AssertionError(f"the child did not start: {err}")
    for _ in range(after):
        child.stdout.readline()
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    _out, err = child.communicate(timeout=30)  # reads and closes its pipes
    assert child.returncode in (0, -signal.SIGKILL), err
    return child.returncode


def _sales_file(tmp_path: Path, demo, rows: int = 20_000) -> Path:
    staff = [s.employee_no for s in demo.chain.staff if s.leave_date is None]
    store = {s.employee_no: s.periods[-1][0].split("-")[0] for s in demo.chain.staff}
    table = [["单号", "顾客", "员工编号", "门店", "消费日期", "金额"]]
    start = date(2029, 1, 1)
    for n in range(rows):
        who = staff[n % len(staff)]
        table.append(
            [
                f"K{n}",
                f"1380000{n:04d}",
                who,
                store[who],
                (start + timedelta(days=n % 28)).isoformat(),
                "380",
            ]
        )
    path = tmp_path / "sales.csv"
    path.write_bytes(csv_file(table, "gbk"))
    return path


IMPORT = """
import sys
from datetime import date
from pathlib import Path
from ee_app.auth import system_actor
from ee_app.config import Settings
from ee_app.db import make_engine, write_session
from ee_app.services.outcomes_import import import_sales
engine = make_engine(Settings.from_env().database_url)
data = Path({path!r}).read_bytes()
print("ready", flush=True)
with write_session(engine) as session:
    import_sales(
        session, system_actor("kill"), data, "sales.csv", Settings.from_env(),
        today=date(2029, 12, 31),  # the file is dated 2029, after anything the demo holds
    )
"""


def test_a_killed_import_is_wholly_absent_or_wholly_there(db_url, demo, tmp_path, engine):
    path = _sales_file(tmp_path, demo)
    codes = []
    for delay in DELAYS:
        codes.append(run_and_kill(IMPORT.format(path=str(path)), db_url, delay))
        with read_session(engine) as session:
            batches = session.scalars(
                select(ImportBatch).where(ImportBatch.file_name == "sales.csv")
            ).all()
            rows = session.scalar(
                select(func.count()).select_from(Sale).where(Sale.source_id.like("K%"))
            )
        assert len(batches) <= 1
        assert rows == (20_000 if batches else 0), (delay, rows, len(batches))
    assert -signal.SIGKILL in codes  # at least one kill landed while it worked


SUBMIT = """
from datetime import date
from ee_app.config import Settings
from ee_app.db import make_engine
from ee_app.instruments.pulse import CORE_SLOTS
from ee_app.keys import secret_key
from ee_app.services import answering
settings = Settings.from_env()
engine = make_engine(settings.database_url)
key = secret_key(settings)
tokens = {tokens!r}
day = date.fromisoformat({day!r})
print("ready", flush=True)
for token in tokens:
    answering.submit(engine, token, {{s: 4 for s in CORE_SLOTS}}, 8, "", key=key, today=day)
    print("done", flush=True)
"""
#: Submissions a child has finished when it is killed: early, middle, late in its stream.
#: Sub-millisecond submissions outrun any timer, so the kill follows the child's progress.
KILL_AFTER = (5, 120, 300)
WAVES = 8  # of the demo chain's ~180 staff: enough links for every child to be mid-stream


def test_killed_submissions_are_each_recorded_once_or_not_at_all(db_url, demo, engine):
    from ee_app.auth import system_actor
    from ee_app.config import Settings
    from ee_app.keys import secret_key
    from ee_app.services import waves
    from tests.conftest import DEMO_TODAY

    hr = system_actor("kill")
    settings = Settings.from_env()
    opens = DEMO_TODAY
    kill_waves = [f"kill-wave-{n}" for n in range(WAVES)]
    for code in kill_waves:
        open_new_wave(
            engine,
            hr,
            code,
            ["LM"],
            opens_on=opens,
            closes_on=opens + timedelta(days=10),
            settings=settings,
            today=opens,
        )
    with read_session(engine) as session:
        wave_ids = session.scalars(
            select(SurveyWave.id).where(SurveyWave.code.in_(kill_waves))
        ).all()
        invitations = session.execute(
            select(
                SurveyInvitation.wave_id, SurveyInvitation.staff_id, SurveyInvitation.generation
            ).where(SurveyInvitation.wave_id.in_(wave_ids))
        ).all()
    key = secret_key(settings)
    tokens = [waves.survey_token(key, w, s, g) for w, s, g in invitations]
    chunk = len(tokens) // len(KILL_AFTER)
    assert chunk > max(KILL_AFTER) + 100, len(tokens)
    codes = []
    for position, after in enumerate(KILL_AFTER):
        mine = tokens[position * chunk : (position + 1) * chunk]
        script = SUBMIT.format(tokens=mine, day=opens.isoformat())
        codes.append(run_and_kill(script, db_url, after=after))
        with read_session(engine) as session:
            responded = session.scalar(
                select(func.count())
                .select_from(SurveyInvitation)
                .where(SurveyInvitation.wave_id.in_(wave_ids), SurveyInvitation.responded)
            )
            sealed = session.execute(
                select(SurveySealed.wave_id, SurveySealed.sealed).where(
                    SurveySealed.wave_id.in_(wave_ids)
                )
            ).all()
        # Every sealed answer has its invitation marked and every marked invitation its
        # sealed answer, each one whole (a killed commit leaves no half blob: each opens).
        assert len(sealed) == responded >= after, (after, len(sealed), responded)
        assert {len(blob) for _, blob in sealed} == {SEALED_SIZE}
        assert all(open_sealed(key, w, blob).enps == 8 for w, blob in sealed)
    assert codes == [-signal.SIGKILL] * len(KILL_AFTER)  # every kill landed mid-stream


RUN = """
from ee_app.auth import system_actor
from ee_app.config import Settings
from ee_app.db import make_engine, write_session
from ee_app.services.incentive_runs import create_run
engine = make_engine(Settings.from_env().database_url)
print("ready", flush=True)
with write_session(engine) as session:
    create_run(session, system_actor("kill"), {scheme}, "2026-09")
"""


def test_a_killed_incentive_run_is_absent_or_complete(db_url, demo, engine):
    from ee_app.models import IncentiveScheme

    with read_session(engine) as session:
        scheme = session.scalar(select(IncentiveScheme.id))
    codes = []
    for delay in DELAYS:
        codes.append(run_and_kill(RUN.format(scheme=scheme), db_url, delay))
        with read_session(engine) as session:
            runs = session.scalars(
                select(IncentiveRun).where(IncentiveRun.period == "2026-09")
            ).all()
            for run in runs:
                lines = session.scalar(
                    select(func.count())
                    .select_from(IncentiveLine)
                    .where(IncentiveLine.run_id == run.id)
                )
                assert lines == run.lines > 0, (delay, lines, run.lines)
    assert -signal.SIGKILL in codes
