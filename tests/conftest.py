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
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from ee_app.auth import Actor, system_actor
from ee_app.db import make_engine, upgrade, write_session
from ee_app.models import UserRole

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


def _pg_admin():  # type: ignore[no-untyped-def]
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        admin.dispose()
        require_or_skip(f"PostgreSQL is not reachable at {PG_SERVER}: {exc}")
    return admin


def _pg_url(name: str) -> str:
    return make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)


def _load_demo(url: str) -> None:
    from ee_app.services.demo import load_demo

    engine = make_engine(url)
    with write_session(engine) as session:
        load_demo(session, system_actor("test"), seed=DEMO_SEED, today=DEMO_TODAY)
    engine.dispose()


@pytest.fixture(scope="session")
def pg_templates() -> Iterator[dict[str, str]]:
    """Two PostgreSQL template databases for this test session (one set per xdist worker):
    migrated and empty, and migrated with the small demo. Each test gets its own copy."""
    admin = _pg_admin()
    names = {"empty": f"ee_tpl_{secrets.token_hex(4)}", "demo": f"ee_tpl_{secrets.token_hex(4)}"}
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    for name in names.values():
        engine = make_engine(_pg_url(name))
        upgrade(engine)
        engine.dispose()
    _load_demo(_pg_url(names["demo"]))
    yield names
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite database to copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def sqlite_demo_template(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """A migrated SQLite database with the small demo, built once per test session."""
    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    shutil.copy(sqlite_template, path)
    _load_demo(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def make_demo_database(template: Path, path: Path) -> str:
    """A copy of the demo template at ``path`` (``template`` is the demo template); the URL."""
    shutil.copy(template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of this test's own migrated database, on SQLite and on PostgreSQL: a copy of
    the demo template when the test asks for ``demo``, of the empty template otherwise."""
    with_demo = "demo" in request.fixturenames
    if request.param == "sqlite":
        template = "sqlite_demo_template" if with_demo else "sqlite_template"
        path = tmp_path / "ee_app.db"
        shutil.copy(request.getfixturevalue(template), path)
        yield f"sqlite:///{path}"
        return
    templates = request.getfixturevalue("pg_templates")
    name = f"ee_t_{secrets.token_hex(4)}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        source = templates["demo" if with_demo else "empty"]
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
    yield _pg_url(name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def cli_db(monkeypatch: pytest.MonkeyPatch, db_url: str) -> str:
    """The command line on this test's database, in English and outside production: what
    ``ee-app`` reads from the environment, set for this test only."""
    monkeypatch.setenv("EE_DATABASE_URL", db_url)
    monkeypatch.setenv("EE_LANG", "en")
    monkeypatch.delenv("EE_ENV", raising=False)
    return db_url


@pytest.fixture
def cli_files(cli_db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """``cli_db`` with a key and a data folder of the test's own, for the commands that make
    links or keep files."""
    monkeypatch.setenv("EE_SECRET_KEY", "ab" * 32)
    monkeypatch.setenv("EE_DATA_DIR", str(tmp_path))
    return cli_db


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
    """The small demo chain built for :data:`DEMO_TODAY` (the database is a copy of the demo
    template, see ``db_url``); returns the same context ``load_demo`` does."""
    from ee_app.config import Settings
    from ee_app.demo.chain import generate_chain
    from ee_app.models import OrgUnit, Staff
    from ee_app.services.demo_context import DemoContext

    with write_session(engine) as session:
        units = {c: i for c, i in session.execute(select(OrgUnit.code, OrgUnit.id))}
        staff = {n: i for n, i in session.execute(select(Staff.employee_no, Staff.id))}
    chain = generate_chain(DEMO_SEED, "small", DEMO_TODAY)
    return DemoContext(chain, DEMO_SEED, DEMO_TODAY, units, staff, Settings.from_env(), "small")
