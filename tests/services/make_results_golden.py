"""Write ``tests/services/data/results_golden.json.gz``: what the results read published before
issue 20 made it faster, for ``tests/services/test_results_reference.py`` to compare with.

Issue 20 rewrote the results read (fewer rows, frames from the driver's tuples, the rule across
waves counted in the database) and proved it publishes exactly what the code before it did by
running a frozen copy of that code next to it. The frozen copies were
``tests/services/reference_results.py``, ``reference_respondents.py`` and
``reference_publication.py``; they were the repository's biggest duplicates, and issue 21
replaced them by their outputs, written once by this script. The last commit that has them
is ``cba8dda``; to write the file again from them::

    git archive cba8dda | tar -x -C /tmp/old
    cp tests/services/make_results_golden.py /tmp/old/tests/services/
    cd /tmp/old && python -m tests.services.make_results_golden OUT.json.gz

It builds the small demo (``tests/conftest.py``: seed, day) on SQLite (PostgreSQL gives the same
figures: the test compares both with this file) and records every case the test asks: every
view of the three newest closed waves for HR, at every level and every slice; the two newest
for two managers; every unit's trend. Frames are stored column by column with their dtypes,
floats as :meth:`float.hex`, so the comparison stays exact to the last bit.
"""

from __future__ import annotations

import gzip
import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ee_app.auth import Actor, system_actor
from ee_app.models import OrgUnit, SurveyResult, SurveyWave, UnitLevel, WaveStatus

GOLDEN = Path(__file__).parent / "data" / "results_golden.json.gz"
MANAGERS = ("manager.east@demo.example", "manager.sh01@demo.example")
VIEW_SCALARS = ("wave_code", "wave_name", "k", "k_comments", "dim", "value")
VIEW_FRAMES = ("rows", "themes", "headline", "own")


def _cell(value: Any) -> Any:
    """One value as JSON keeps it exactly: floats as hex, missing values tagged."""
    if value is pd.NA:
        return {"na": True}
    if value is pd.NaT:
        return {"nat": True}
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return {"f": value.hex()}
    if isinstance(value, tuple):
        return {"t": [_cell(v) for v in value]}
    if isinstance(value, pd.Timestamp):
        return {"ts": value.isoformat()}
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _uncell(value: Any) -> Any:
    if isinstance(value, dict):
        if "f" in value:
            return float.fromhex(value["f"])
        if "t" in value:
            return tuple(_uncell(v) for v in value["t"])
        if "ts" in value:
            return pd.Timestamp(value["ts"])
        if "dt" in value:
            return datetime.fromisoformat(value["dt"])
        if "d" in value:
            return date.fromisoformat(value["d"])
        return pd.NA if "na" in value else pd.NaT
    return value


def _column(values: pd.Index | pd.Series) -> dict[str, Any]:
    return {
        "name": _cell(values.name),
        "dtype": str(values.dtype),
        "values": [_cell(v) for v in values.tolist()],
    }


def _uncolumn(column: dict[str, Any]) -> pd.Series:
    values = [_uncell(v) for v in column["values"]]
    return pd.Series(values, dtype=column["dtype"], name=_uncell(column["name"]))


def encode_frame(frame: pd.DataFrame) -> dict[str, Any]:
    """A frame as JSON: its columns (name, dtype, values) and its index."""
    index = frame.index
    if isinstance(index, pd.RangeIndex):
        encoded_index: Any = {"range": [index.start, index.stop, index.step]}
    else:
        encoded_index = _column(index)
    return {
        "columns": [_column(frame.iloc[:, i].rename(name)) for i, name in enumerate(frame.columns)],
        "columns_dtype": str(frame.columns.dtype),
        "index": encoded_index,
    }


def decode_frame(encoded: dict[str, Any]) -> pd.DataFrame:
    """The frame :func:`encode_frame` wrote, dtypes included."""
    index_spec = encoded["index"]
    if "range" in index_spec:
        index: pd.Index = pd.RangeIndex(*index_spec["range"])
    else:
        index = pd.Index(_uncolumn(index_spec))
    columns = [_uncolumn(c) for c in encoded["columns"]]
    frame = pd.DataFrame({i: c.set_axis(index) for i, c in enumerate(columns)}, index=index)
    frame.columns = pd.Index([c.name for c in columns], dtype=encoded["columns_dtype"])
    return frame


def encode_view(view: Any) -> dict[str, Any]:
    return {
        **{name: getattr(view, name) for name in VIEW_SCALARS},
        "level": view.level.value,
        "previous_waves": [list(p) for p in view.previous_waves],
        "alpha": None if view.alpha is None else [_cell(a) for a in view.alpha],
        **{name: encode_frame(getattr(view, name)) for name in VIEW_FRAMES},
    }


def decode_alpha(encoded: list[Any] | None) -> tuple[Any, ...] | None:
    """The view's ``alpha`` as :func:`encode_view` wrote it."""
    return None if encoded is None else tuple(_uncell(a) for a in encoded)


def view_key(actor: str, wave: str, level: UnitLevel, dim: str | None, value: str | None) -> str:
    return f"view|{actor}|{wave}|{level.value}|{dim or ''}|{value or ''}"


def trend_key(unit: str, dim: str | None, value: str | None) -> str:
    return f"trend|{unit}|{dim or ''}|{value or ''}"


def closed_waves(session: Session) -> list[tuple[str, int]]:
    return [
        (w.code, w.id)
        for w in session.scalars(
            select(SurveyWave)
            .where(SurveyWave.status == WaveStatus.CLOSED)
            .order_by(SurveyWave.opens_on)
        )
    ]


def view_cases(
    session: Session, waves: list[tuple[str, int]], levels: tuple[UnitLevel, ...]
) -> Iterator[tuple[str, UnitLevel, str | None, str | None]]:
    """Every (wave, level, dim, value) the test compares: slices at store level only."""
    for code, wave_id in waves:
        slices = sorted(
            session.execute(
                select(SurveyResult.dim, SurveyResult.value)
                .where(SurveyResult.wave_id == wave_id, SurveyResult.dim != "")
                .distinct()
            ).all()
        )
        for level in levels:
            for dim, value in [(None, None), *slices]:
                if dim is None or level is UnitLevel.STORE:
                    yield code, level, dim, value


def trend_cases(session: Session) -> Iterator[tuple[str, str | None, str | None]]:
    """Every unit's trend, and each store's for every slice."""
    slices = sorted(
        session.execute(
            select(SurveyResult.dim, SurveyResult.value).where(SurveyResult.dim != "").distinct()
        ).all()
    )
    for code, level in session.execute(select(OrgUnit.code, OrgUnit.level).order_by(OrgUnit.code)):
        for dim, value in [(None, None), *(slices if level is UnitLevel.STORE else [])]:
            yield code, dim, value


def cases(session: Session) -> Iterator[tuple[str, Actor, str, UnitLevel, str | None, str | None]]:
    """(actor label, actor, wave, level, dim, value) of every view the test compares."""
    from ee_app.services.users import actor_for_email

    waves = closed_waves(session)
    for args in view_cases(session, waves[-3:], tuple(UnitLevel)):
        yield ("admin", system_actor("test-admin"), *args)
    for email in MANAGERS:
        manager = actor_for_email(session, email)
        for args in view_cases(session, waves[-2:], (UnitLevel.STORE, UnitLevel.TEAM)):
            yield (email, manager, *args)


def golden(
    session: Session, engagement_view: Callable, trend_for: Callable, clear: Callable
) -> dict:  # type: ignore[type-arg]
    out: dict[str, Any] = {}
    for label, actor, wave, level, dim, value in cases(session):
        clear()
        view = engagement_view(session, actor, wave, level=level, dim=dim, value=value)
        out[view_key(label, wave, level, dim, value)] = encode_view(view)
    admin = system_actor("test-admin")
    for unit, dim, value in trend_cases(session):
        clear()
        out[trend_key(unit, dim, value)] = encode_frame(
            trend_for(session, admin, unit, dim=dim, value=value)
        )
    return out


def main(target: Path) -> None:  # pragma: no cover - run by hand, with the frozen copies
    from ee_app.db import make_engine, read_session, upgrade, write_session
    from ee_app.services.demo import load_demo
    from tests.conftest import DEMO_SEED, DEMO_TODAY
    from tests.services import reference_respondents, reference_results

    def clear() -> None:
        for cache in (
            reference_results._cache,
            reference_respondents._cache,
            reference_respondents._cells,
        ):
            cache.clear()

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/golden.db")
        upgrade(engine)
        with write_session(engine) as session:
            load_demo(session, system_actor("test"), seed=DEMO_SEED, today=DEMO_TODAY)
        with read_session(engine) as session:
            data = golden(
                session, reference_results.engagement_view, reference_results.trend_for, clear
            )
        engine.dispose()
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    target.write_bytes(gzip.compress(text.encode(), mtime=0))
    print(f"{len(data)} cases, {target.stat().st_size} bytes: {target}")


def load() -> dict[str, Any]:
    """The golden cases, by :func:`view_key` / :func:`trend_key`."""
    return json.loads(gzip.decompress(GOLDEN.read_bytes()))


if __name__ == "__main__":  # pragma: no cover
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else GOLDEN)
