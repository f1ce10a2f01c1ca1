"""AppTest fixtures: the real ``streamlit_app.py`` on its own SQLite database per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from ee_app.db import make_engine
from tests.conftest import make_demo_database

APP = Path(__file__).resolve().parents[2] / "streamlit_app.py"


@pytest.fixture
def app_db(tmp_path, monkeypatch, sqlite_demo_template) -> str:
    """A demo database for the app (built for DEMO_TODAY so tests never drift)."""
    url = make_demo_database(sqlite_demo_template, tmp_path / "app.db")
    monkeypatch.setenv("EE_DATABASE_URL", url)
    monkeypatch.setenv("EE_LANG", "en")
    monkeypatch.delenv("EE_ENV", raising=False)
    return url


@pytest.fixture
def engine(app_db) -> Iterator[Engine]:
    """The app's own demo database (not the suite's parametrised one), to arrange data before
    the page runs and to read what the page wrote."""
    engine = make_engine(app_db)
    yield engine
    engine.dispose()


@pytest.fixture
def link_key(monkeypatch, tmp_path) -> None:
    """Personal links are derived from this key; never the developer's data/secret.key."""
    monkeypatch.setenv("EE_SECRET_KEY", "cd" * 32)
    monkeypatch.setenv("EE_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def make_app(app_db) -> Callable[..., AppTest]:
    def make(identity: str | None = "hr@demo.example", language: str = "en") -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.session_state["ee_lang"] = language
        if identity:
            at.session_state["ee_demo_user"] = identity
        return at

    return make
