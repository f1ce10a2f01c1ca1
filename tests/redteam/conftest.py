"""One hostile org per database for the whole red-team module: building it (two waves
answered through the real services) and collecting everything every viewer can see take
most of the module's time, and every test only reads them."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from ee_app.db import make_engine
from tests.conftest import PG_SERVER, _pg_url
from tests.redteam import published
from tests.redteam.org import HostileOrg, build


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def rt_url(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("redteam") / "ee_app.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("pg_templates")["empty"]
    name = f"ee_rt_{secrets.token_hex(4)}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield _pg_url(name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def hostile(rt_url: str) -> Iterator[HostileOrg]:
    engine = make_engine(rt_url)
    yield build(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def seen(hostile: HostileOrg, rt_url: str, tmp_path_factory) -> published.Published:  # type: ignore[no-untyped-def]
    # The command line runs against SQLite only: it reads the same views (tested on both
    # databases by tests/test_cli_report.py), and 150 runs would double the module's time.
    sqlite = rt_url.startswith("sqlite")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EE_DATABASE_URL", rt_url)
        patch.setenv("EE_LANG", "en")
        patch.delenv("EE_ENV", raising=False)
        folder = tmp_path_factory.mktemp("reports") if sqlite else None
        return published.everything(hostile, folder)
