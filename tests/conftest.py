"""Shared fixtures: a migrated database on SQLite *and* PostgreSQL, and the demo chain in it.

Every test that takes ``engine`` (or ``session``, or ``demo``) runs twice, once per backend.
PostgreSQL is the server on 127.0.0.1:5432 that ``scripts/test`` starts; each test session
creates its own database with a random name and drops it at the end. Under ``CI=true`` a
missing PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from ee_app.auth import Actor, system_actor
from ee_app.db import make_engine, upgrade, write_session
from ee_app.models import Base, UserRole

PG_SERVER = os.environ.get(
    "EE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
#: The day the test demo is built for, so that dates in tests never drift.
DEMO_TODAY = date(2026, 11, 2)
DEMO_SEED = 7


def pytest_configure(config: pytest.Config) -> None:
    """A fixed secret key and a scratch data folder, so no test writes data/ in the checkout."""
    import tempfile

    os.environ.setdefault("EE_SECRET_KEY", "5e" * 32)
    os.environ.setdefault("EE_DATA_DIR", tempfile.mkdtemp(prefix="ee-test-data-"))


def require_or_skip(reason: str) -> None:
    """Skip locally, fail loudly under CI: a missing real part must never pass silently."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the project's scripts must provide it)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session (one per xdist worker)."""
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        admin.dispose()
        require_or_skip(f"PostgreSQL is not reachable at {PG_SERVER}: {exc}")
    name = f"ee_test_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def make_demo_database(template: Path, path: Path) -> str:
    """Copy the migrated template to ``path`` and load the small demo; returns the URL."""
    from ee_app.services.demo import load_demo

    shutil.copy(template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    with write_session(engine) as session:
        load_demo(session, system_actor("test"), seed=DEMO_SEED, today=DEMO_TODAY)
    engine.dispose()
    return url


def _truncate_all(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database: a copy of the SQLite template, or the session's
    PostgreSQL database emptied."""
    if request.param == "sqlite":
        path = tmp_path / "ee_app.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_database")
    engine = make_engine(url)
    _truncate_all(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with write_session(engine) as session:
        yield session


@pytest.fixture
def admin() -> Actor:
    return system_actor("test-admin")


@pytest.fixture
def hr() -> Actor:
    return Actor(email="hr@demo.example", role=UserRole.HR)


@pytest.fixture
def demo(engine: Engine):  # type: ignore[no-untyped-def]
    """The small demo chain, built for :data:`DEMO_TODAY`."""
    from ee_app.services.demo import load_demo

    with write_session(engine) as session:
        return load_demo(session, system_actor("test"), seed=DEMO_SEED, today=DEMO_TODAY)
