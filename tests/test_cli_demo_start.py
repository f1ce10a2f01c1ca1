"""``ee-app demo load --if-empty --if-demo-mode``, which ``scripts/run`` runs before the app
starts (issue 20): it loads the demo into an empty database, one line per step on stderr, only
when the app would be in demo mode, by the rule the app itself applies."""

from __future__ import annotations

import pytest

from ee_app.cli import main
from ee_app.config import Settings, auth_section_of, loads_demo_when_empty, read_secrets
from ee_app.db import make_engine, read_session
from ee_app.services.demo_state import database_is_empty, made_by_demo_load

START = ["demo", "load", "--if-empty", "--if-demo-mode"]


@pytest.fixture
def folder(monkeypatch, tmp_path):
    """A start-up folder of its own (``.streamlit/secrets.toml`` is read from there) and an
    empty home (no ``~/.streamlit/secrets.toml``), with a database not yet created."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("EE_DATABASE_URL", f"sqlite:///{tmp_path / 'data' / 'ee_app.db'}")
    monkeypatch.setenv("EE_LANG", "en")
    monkeypatch.delenv("EE_ENV", raising=False)
    return tmp_path


def empty() -> bool:
    assert main(["db", "upgrade"]) == 0  # as scripts/run does first; the command created nothing
    engine = make_engine(Settings.from_env().database_url)
    try:
        with read_session(engine) as session:
            return database_is_empty(session)
    finally:
        engine.dispose()


def test_loads_an_empty_database_once_showing_each_step(folder, capsys):
    assert main(START) == 0
    out, err = capsys.readouterr()
    assert "Loaded the small demo" in out
    steps = err.splitlines()
    assert steps[0] == "Loading the demo: 0% Generating the demo chain"
    assert "Loading the demo: 0% Org tree" in steps
    assert steps[-1] == "Loading the demo: 100% Done"
    engine = make_engine(Settings.from_env().database_url)
    with read_session(engine) as session:
        assert made_by_demo_load(session)
    engine.dispose()

    assert main(START) == 0  # the next start: nothing to do, and no error
    out, err = capsys.readouterr()
    assert out.strip() == "The database already holds an org tree: the demo is not loaded."
    assert err == ""


def test_the_steps_are_shown_in_the_commands_language(folder, monkeypatch, capsys):
    monkeypatch.setenv("EE_LANG", "zh-CN")
    assert main(START) == 0
    err = capsys.readouterr().err
    assert "正在加载演示数据：0% 组织架构" in err.splitlines()


def test_without_if_empty_a_database_with_data_is_still_refused(folder, capsys):
    assert main(START) == 0
    capsys.readouterr()
    assert main(["demo", "load"]) == 1
    assert "already holds an org tree" in capsys.readouterr().err


@pytest.mark.parametrize(
    "secrets",
    [
        '[auth]\nredirect_uri = "https://ee.example.org/oauth2callback"\n',
        'auth = "x"\n',  # configured, with nothing: still not demo mode, as in the app
    ],
)
def test_a_sign_in_provider_means_no_demo(folder, capsys, secrets):
    (folder / ".streamlit").mkdir()
    (folder / ".streamlit" / "secrets.toml").write_text(secrets)
    assert main(START) == 0
    assert "Not in demo mode" in capsys.readouterr().out
    assert empty()


def test_a_provider_in_the_users_own_secrets_counts_too(folder, capsys):
    home = folder / "home" / ".streamlit"
    home.mkdir(parents=True)
    (home / "secrets.toml").write_text("[auth]\nclient_id = 'x'\n")
    assert main(START) == 0
    assert "Not in demo mode" in capsys.readouterr().out
    assert empty()


def test_production_means_no_demo(folder, monkeypatch, capsys):
    monkeypatch.setenv("EE_ENV", "production")
    assert main(START) == 0
    assert "Not in demo mode" in capsys.readouterr().out
    assert empty()


def test_the_rule_is_the_apps(folder):
    """The app and the command read the same rule from ``ee_app.config``; a secrets file
    that cannot be parsed counts as none in both (the app's ``auth_section``)."""
    (folder / ".streamlit").mkdir()
    (folder / ".streamlit" / "secrets.toml").write_text("[auth\n")
    assert read_secrets() == {}
    assert loads_demo_when_empty(Settings.from_env(), auth_section_of(read_secrets()))
    assert not loads_demo_when_empty(Settings.from_env(), {})
