"""Every page renders for every role that may open it, in both languages, and shows only
what that role may see."""

import secrets

import pytest

from ee_app.models import UserRole
from ee_app.ui.navigation import PAGES, pages_for

IDENTITIES = {
    UserRole.ADMIN: "admin@demo.example",
    UserRole.HR: "hr@demo.example",
    UserRole.MANAGER: "manager.sh01@demo.example",
    UserRole.SHOPPER: "shopper@demo.example",
}


def texts(at) -> str:
    """Everything the page shows as text, tables included."""
    parts = [
        e.value
        for kind in (
            "title",
            "markdown",
            "caption",
            "info",
            "warning",
            "error",
            "success",
            "subheader",
        )
        for e in getattr(at, kind)
    ]
    for frame in at.dataframe:
        parts.append(frame.value.to_csv())
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("language", ["en", "zh-CN"])
@pytest.mark.parametrize("role", list(UserRole))
def test_every_page_renders_for_every_role(make_app, role, language):
    at = make_app(IDENTITIES[role], language)
    at.run()
    assert not at.exception, at.exception
    for spec in pages_for(role):
        at.switch_page(spec.path)
        at.run()
        assert not at.exception, (spec.path, at.exception)
        assert not at.error, (spec.path, [e.value for e in at.error])
        assert at.title, spec.path
        # Demo mode says so on every page.
        assert any("Demo" in w.value or "演示" in w.value for w in at.warning), spec.path


def test_navigation_offers_only_the_role_s_pages(make_app):
    at = make_app("manager.sh01@demo.example")
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("ee_app/pages/users.py")
    assert {p.path for p in pages_for(UserRole.SHOPPER)} == {
        "ee_app/pages/home.py",
        "ee_app/pages/my_visits.py",
    }
    assert all(UserRole.ADMIN in p.roles for p in PAGES)


def test_store_manager_sees_no_other_store(make_app):
    at = make_app("manager.sh01@demo.example")
    at.run()
    at.switch_page("ee_app/pages/org.py")
    at.run()
    shown = texts(at)
    assert "SH01" in shown
    for other in ("SH02", "BJ01", "GZ01", "HZ01"):
        assert other not in shown
    # The unit picker offers only the manager's own units.
    picker = at.selectbox(key="ee_staff_unit")
    assert any("SH01" in label for label in picker.options)
    assert all("BJ01" not in label and "SH02" not in label for label in picker.options)


def test_chinese_interface(make_app):
    at = make_app("hr@demo.example", "zh-CN")
    at.run()
    at.switch_page("ee_app/pages/org.py")
    at.run()
    assert at.title[0].value == "组织与员工"
    assert "员工编号" in at.dataframe[0].value.columns


@pytest.mark.parametrize(
    ("env", "missing", "present"),
    [
        ({}, ["sign-in provider", "EE_SECRET_KEY", "EE_PUBLIC_URL"], []),
        (
            {"EE_SECRET_KEY": secrets.token_hex(32), "EE_PUBLIC_URL": "https://ee.meili.cn"},
            ["sign-in provider"],
            ["EE_SECRET_KEY", "EE_PUBLIC_URL"],
        ),
    ],
)
def test_production_refuses_to_start_and_says_what_is_missing(
    make_app, monkeypatch, env, missing, present
):
    monkeypatch.setenv("EE_ENV", "production")
    monkeypatch.delenv("EE_SECRET_KEY", raising=False)
    monkeypatch.delenv("EE_PUBLIC_URL", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    at = make_app(None)
    at.run()
    assert at.error and "EE_ENV=production" in at.error[0].value
    for word in missing:
        assert word in at.error[0].value
    for word in present:
        assert word not in at.error[0].value
    assert not at.dataframe


OIDC = {
    "auth": {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "client_id": "ee-app",
        "client_secret": "s",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
}


def test_signed_out_user_sees_the_sign_in_page(make_app):
    at = make_app(None)
    at.secrets = OIDC
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert at.button[0].label in ("Sign in",)
    assert not at.warning  # no demo banner when a provider is configured


def test_signed_in_user_without_account_is_told_whom_to_ask(make_app):
    at = make_app(None)
    at.secrets = OIDC
    at.user = {"is_logged_in": True, "email": "stranger@x.example", "name": "S"}
    at.run()
    assert "stranger@x.example" in texts(at)
    assert at.title[0].value == "No access yet"


def test_signed_in_manager_gets_their_pages(make_app):
    at = make_app(None)
    at.secrets = OIDC
    at.user = {"is_logged_in": True, "email": "manager.sh01@demo.example", "name": "张店长"}
    at.run()
    assert at.title[0].value.startswith("Hello")
    at.switch_page("ee_app/pages/org.py")
    at.run()
    assert "BJ01" not in texts(at)


def test_admin_emails_become_admins_on_first_sign_in(make_app, monkeypatch):
    monkeypatch.setenv("EE_ADMIN_EMAILS", "boss@x.example")
    at = make_app(None)
    at.secrets = OIDC
    at.user = {"is_logged_in": True, "email": "boss@x.example", "name": "Boss"}
    at.run()
    at.switch_page("ee_app/pages/users.py")
    at.run()
    assert not at.exception
    assert "boss@x.example" in texts(at)


def test_language_choice_is_remembered_for_the_next_visit(make_app):
    at = make_app("manager.sh01@demo.example", "en")
    at.run()
    at.selectbox(key="ee_lang").set_value("zh-CN").run()
    assert at.title[0].value.startswith("您好")
    later = make_app("manager.sh01@demo.example", "en")  # a new session, English by default
    later.session_state["ee_lang_loaded"] = False
    later.run()
    assert later.title[0].value.startswith("您好")
