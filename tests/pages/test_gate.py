"""The app fails closed: demo identities only on the demo's own database (or with EE_DEMO=1),
a "configure sign-in" page and nothing else on real data without a provider, and settings
it cannot trust refused by name before any page."""

import secrets
import shutil
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import delete

from ee_app.db import make_engine
from ee_app.models import AuditLog
from tests.pages.test_pages import OIDC, texts

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def real_data(app_db) -> str:
    """The app's database holding data the demo loader did not make: the demo's rows without
    the loader's mark stand for a chain's own roster, users and results."""
    engine = make_engine(app_db)
    with engine.begin() as conn:
        conn.execute(delete(AuditLog).where(AuditLog.action == "demo.load"))
    engine.dispose()
    return app_db


@pytest.mark.parametrize(
    ("language", "title", "words"),
    [
        ("en", "Configure sign-in", ["holds real data", "admin included"]),
        ("zh-CN", "配置登录", ["真实数据", "管理员"]),
    ],
)
def test_real_data_without_a_provider_shows_only_how_to_configure_sign_in(
    make_app, real_data, language, title, words
):
    # Even a session that asks for the admin's demo identity gets no one.
    at = make_app("admin@demo.example", language)
    at.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == [title]
    shown = texts(at)
    for word in [*words, ".streamlit/secrets.toml.example", "EE_DEMO=1"]:
        assert word in shown
    assert at.session_state["ee_actor"] is None
    assert "ee_demo_user" not in [s.key for s in at.selectbox]
    assert "@demo.example" not in shown and "王敏" not in shown
    assert not at.dataframe and not at.warning and not at.button
    at.switch_page("ee_app/pages/org.py")  # asking for a page by its address gets nothing
    at.run()
    assert not at.exception and [t.value for t in at.title] == [title]
    assert not at.dataframe and "SH01" not in texts(at)


def test_ee_demo_offers_demo_identities_on_real_data_and_says_so(make_app, real_data, monkeypatch):
    monkeypatch.setenv("EE_DEMO", "1")
    at = make_app("admin@demo.example")
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="ee_demo_user").value == "admin@demo.example"
    assert "Demo mode on real data (EE_DEMO=1)" in at.warning[0].value
    at.switch_page("ee_app/pages/users.py")
    at.run()
    assert not at.exception and "hr@demo.example" in texts(at)


def test_a_demo_database_offers_demo_identities(make_app):
    at = make_app("hr@demo.example")
    at.run()
    assert at.selectbox(key="ee_demo_user").value == "hr@demo.example"
    assert at.warning[0].value.startswith("Demo mode: no sign-in provider is configured")


def test_a_provider_on_real_data_asks_for_sign_in(make_app, real_data):
    at = make_app(None)
    at.secrets = OIDC
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.warning


def test_first_start_on_an_empty_database_loads_the_demo(
    tmp_path, monkeypatch, sqlite_template, make_app
):
    """What ``./scripts/run`` does on a fresh machine: an empty database, no provider."""
    path = tmp_path / "fresh.db"
    shutil.copy(sqlite_template, path)
    monkeypatch.setenv("EE_DATABASE_URL", f"sqlite:///{path}")
    at = make_app(None)
    at.run(timeout=180)
    assert not at.exception, at.exception
    assert at.selectbox(key="ee_demo_user").value == "hr@demo.example"
    assert at.warning[0].value.startswith("Demo mode: no sign-in provider is configured")


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"EE_ENV": "prod"}, ["EE_ENV must be development or production, not “prod”", "“prod”"]),
        ({"EE_ENV": "staging"}, ["EE_ENV must be development or production", "EE_ENV 必须为"]),
        ({"EE_DEMO": "yes"}, ["EE_DEMO must be 1 (demo identities) or 0, not “yes”"]),
        ({"EE_ENV": "production", "EE_DEMO": "1"}, ["EE_DEMO=1 and EE_ENV=production"]),
        ({"EE_LANG": "fr"}, ["EE_LANG must be en or zh-CN, not “fr”"]),
    ],
)
def test_settings_the_app_cannot_trust_are_refused_by_name_in_both_languages(
    make_app, monkeypatch, env, words
):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    at = make_app("admin@demo.example")
    at.run()
    assert not at.exception, at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert "ee-app refuses to start" in message and "ee-app 拒绝启动" in message
    for word in words:
        assert word in message
    assert not at.selectbox and not at.dataframe


def test_production_refuses_a_secrets_file_copied_from_the_example(make_app, monkeypatch):
    monkeypatch.setenv("EE_ENV", "production")
    monkeypatch.setenv("EE_SECRET_KEY", "changeme")
    monkeypatch.setenv("EE_PUBLIC_URL", "http://localhost:8501")
    at = make_app(None)
    at.secrets = tomllib.loads((ROOT / ".streamlit" / "secrets.toml.example").read_text())
    at.run()
    message = at.error[0].value
    assert "EE_ENV=production" in message
    for part in ("redirect_uri", "cookie_secret", "client_id", "client_secret"):
        assert f"[auth] {part} is still the example's placeholder" in message
    assert "EE_SECRET_KEY is a placeholder" in message
    assert "EE_PUBLIC_URL “http://localhost:8501” is this machine's own address" in message
    assert not at.button and not at.dataframe


def test_production_with_real_values_starts(make_app, monkeypatch):
    monkeypatch.setenv("EE_ENV", "production")
    monkeypatch.setenv("EE_SECRET_KEY", secrets.token_hex(32))
    monkeypatch.setenv("EE_PUBLIC_URL", "https://ee.meili.cn")
    at = make_app(None)
    at.secrets = {
        "auth": {
            "redirect_uri": "https://ee.meili.cn/oauth2callback",
            "cookie_secret": secrets.token_hex(32),
            "client_id": "ee-app",
            "client_secret": secrets.token_urlsafe(24),
            "server_metadata_url": "https://sso.meili.cn/realms/c/.well-known/openid-configuration",
        }
    }
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception and not at.error
    assert [b.label for b in at.button] == ["Sign in"]
