"""Hostile files through the roster, CSAT, sales and visits imports on SQLite and PostgreSQL
(see :mod:`tests.imports.fuzzing` for how they are made and the rules checked): no traceback,
no partial write, the dry run agrees with the import, every problem is located and short.

The default run is a few hundred files; ``scripts/fuzz [N]`` (or ``EE_FUZZ_FILES=N`` with
``-m slow``) runs N files per database with another seed (``EE_FUZZ_SEED``).
"""

import os
from collections import Counter
from pathlib import Path

import pytest

from tests.imports import fuzzing as fz

SEED = int(os.environ.get("EE_FUZZ_SEED", "15"))
#: Files per database in the default run: about 20 s a database on two cores.
COUNT = 160
CRASH_FILES = Path(__file__).parent / "crash_files"

#: Each file that crashed an import before issue 15, and what it now says: (row, column, words).
#: A row and column of None: the whole file is refused.
CRASHES = {
    "csat-9999-12-31.csv": (3, "服务日期", "9999-12-31 lies in the future"),
    "sales-9999-12-31.csv": (4, "消费日期", "9999-12-31 lies in the future"),
    "csat-year-0001.xlsx": (2, "服务日期", "0001-01-01 is before 2000-01-01"),
    "sales-year-0001.xlsx": (3, "消费日期", "0001-01-01 is before 2000-01-01"),
    "roster-malformed-sheet-xml.xlsx": (None, None, "not a readable .xlsx workbook"),
    "visits-malformed-sheet-xml.xlsx": (None, None, "not a readable .xlsx workbook"),
    "csat-corrupt-deflate.xlsx": (None, None, "not a readable .xlsx workbook"),
    "sales-corrupt-deflate.xlsx": (None, None, "not a readable .xlsx workbook"),
    "sales-nul-in-item.csv": (3, "项目", "control character U+0000"),
    "sales-amount-1e10.csv": (5, "金额", "too large for an amount"),
}


def run(engine, seed: int, count: int) -> Counter:
    fz.build_chain(engine)
    verdicts: Counter = Counter()
    before = None
    for hostile in fz.hostile_files(seed, count):
        verdict, before = fz.check_import(engine, hostile, before)
        verdicts[hostile.kind, verdict.accepted] += 1
    return verdicts


def test_hostile_files_fail_closed(engine):
    verdicts = run(engine, SEED, COUNT)
    # Not all of them fatal: every import both refused and accepted some.
    for kind in fz.KINDS:
        assert verdicts[kind, False] and verdicts[kind, True], verdicts


@pytest.mark.slow
@pytest.mark.timeout(0)
@pytest.mark.skipif("EE_FUZZ_FILES" not in os.environ, reason="scripts/fuzz N runs N files")
def test_many_hostile_files_fail_closed(engine):
    verdicts = run(engine, SEED + 1, int(os.environ["EE_FUZZ_FILES"]))
    print(dict(verdicts))


def test_the_crash_files_are_the_ones_kept():
    kept = {path.name: path.read_bytes() for path in CRASH_FILES.glob("*.*")}
    assert set(kept) == set(CRASHES)
    made = fz.crash_files()
    for name, data in kept.items():
        if name.endswith(".csv"):  # .xlsx carry the time they were written
            assert data == made[name], name


def test_the_crash_files_are_refused_saying_where(engine):
    fz.build_chain(engine)
    for name, (row, column, words) in CRASHES.items():
        hostile = fz.Hostile(name.split("-")[0], name, (CRASH_FILES / name).read_bytes(), ())
        verdict, _ = fz.check_import(engine, hostile)
        assert not verdict.accepted, name
        said = verdict.said[1:] if row is not None else verdict.said[:1]
        where = f"row {row}, column “{column}”: " if row is not None else ""
        assert any(s.startswith(where) and words in s for s in said), (name, said)
