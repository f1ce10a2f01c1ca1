"""Settings and the production gate: every refusal of docs/deploy.md's table, with its own
message, and the real values the gate must let through."""

import base64
import secrets
import tomllib
from pathlib import Path

import pytest

from ee_app.cli import main
from ee_app.config import Settings
from ee_app.errors import ConfigError
from ee_app.keys import key_problems, secret_key
from ee_app.placeholders import MIN_SECRET_BITS, estimated_entropy_bits, secret_problems
from ee_app.production import AUTH_KEYS, production_problems

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = tomllib.loads((ROOT / ".streamlit" / "secrets.toml.example").read_text())["auth"]

# Real-looking values, made once with the secrets module (fixed: the tests never drift, and
# parallel workers collect the same parameters).
KEY = "41f85eaaefe7110368825378b5181caf80d437fefcbda3c4cac446d93dcc0f0c"
COOKIE = "c570a66f37bbbd3e0b773b690bd86473d771a266f61539fa90b726604f4e12e1"
KEY48 = (  # 48 bytes
    "a271358e0ee9c803d03ad65d1aa414cbea8a1cb0b07533a8d34bb611eaec524e"
    "06d7951132235aad79817987c252ec42"
)
PUBLIC = "https://ee.meili-clinic.cn"
GOOD_ENV = {"EE_ENV": "production", "EE_SECRET_KEY": KEY, "EE_PUBLIC_URL": PUBLIC}
GOOD_AUTH = {
    "redirect_uri": f"{PUBLIC}/oauth2callback",
    "cookie_secret": COOKIE,
    "client_id": "ee-app",
    "client_secret": "7cW2pQk9LmR4",
    "server_metadata_url": "https://sso.meili-clinic.cn/realms/clinic/.well-known/openid-configuration",
}


def problems(env=None, auth=None, *, no_auth=False):
    """The gate's messages (English) for the good configuration with ``env`` and ``auth``
    changed (a value of ``None`` removes the entry)."""
    environ = {k: v for k, v in {**GOOD_ENV, **(env or {})}.items() if v is not None}
    section = {k: v for k, v in {**GOOD_AUTH, **(auth or {})}.items() if v is not None}
    settings = Settings.from_env(environ)
    return [
        p.render() for p in production_problems(settings, None if no_auth else section, environ)
    ]


def test_the_good_configuration_passes():
    assert problems() == []


OWN = "is this machine's own address"
COPIED = "is still the example's placeholder"
NOT_WEB = "is not a web address"
REFUSED = [
    # EE_SECRET_KEY
    ("EE_SECRET_KEY", None, "EE_SECRET_KEY is not set"),
    ("EE_SECRET_KEY", "", "EE_SECRET_KEY is not set"),
    ("EE_SECRET_KEY", "changeme", "EE_SECRET_KEY is a placeholder"),
    ("EE_SECRET_KEY", "change-me-to-64-random-hex-characters", "EE_SECRET_KEY is a placeholder"),
    ("EE_SECRET_KEY", "REPLACE_ME_" + "0" * 64, "EE_SECRET_KEY is a placeholder"),
    ("EE_SECRET_KEY", "deadbeef" * 3, "at least 32 random bytes, written as hex or base64"),
    (
        "EE_SECRET_KEY",
        "3c2366ac5adeb05e06604459d4273d5f",
        "at least 32 random bytes, written as hex",
    ),
    ("EE_SECRET_KEY", "correct horse battery staple!", "at least 32 random bytes"),
    ("EE_SECRET_KEY", "ab" * 32, "EE_SECRET_KEY is too predictable: about 0 bits"),
    ("EE_SECRET_KEY", "0123456789abcdef" * 4, "EE_SECRET_KEY is too predictable: about 96 bits"),
    ("EE_SECRET_KEY", base64.b64encode(b"x" * 48).decode(), "EE_SECRET_KEY is too predictable"),
    # EE_PUBLIC_URL
    ("EE_PUBLIC_URL", None, "EE_PUBLIC_URL is not set"),
    ("EE_PUBLIC_URL", "http://localhost:8501", OWN),
    ("EE_PUBLIC_URL", "http://127.0.0.1:8501", OWN),
    ("EE_PUBLIC_URL", "https://127.8.9.10", OWN),
    ("EE_PUBLIC_URL", "http://127.1:8501", OWN),
    ("EE_PUBLIC_URL", "http://[::1]:8501", OWN),
    ("EE_PUBLIC_URL", "http://[::ffff:127.0.0.1]:8501", OWN),
    ("EE_PUBLIC_URL", "http://0.0.0.0:8501", OWN),
    ("EE_PUBLIC_URL", "https://ee.localhost", OWN),
    ("EE_PUBLIC_URL", "https://ee.example.com", "is an example address"),
    ("EE_PUBLIC_URL", "https://ee.example", "is an example address"),
    ("EE_PUBLIC_URL", "https://change-me.meili-clinic.cn", "is an example address"),
    ("EE_PUBLIC_URL", "ee.meili-clinic.cn", NOT_WEB),
    ("EE_PUBLIC_URL", "ftp://ee.meili-clinic.cn", NOT_WEB),
    ("EE_PUBLIC_URL", "https://ee.meili-clinic.cn:port", NOT_WEB),
    # [auth], entry by entry
    *[("auth", {key: None}, f"[auth] {key} is missing") for key in AUTH_KEYS],
    *[("auth", {key: "  "}, f"[auth] {key} is missing") for key in AUTH_KEYS],
    *[("auth", {key: EXAMPLE[key]}, f"[auth] {key} {COPIED}") for key in AUTH_KEYS],
    ("auth", {"client_secret": "from-your-provider"}, f"[auth] client_secret {COPIED}"),
    ("auth", {"client_id": "Placeholder"}, f"[auth] client_id {COPIED}"),
    ("auth", {"cookie_secret": "Change_Me_" + COOKIE}, f"[auth] cookie_secret {COPIED}"),
    ("auth", {"cookie_secret": "x" * 64}, "cookie_secret is too predictable: about 0 bits"),
    ("auth", {"cookie_secret": "ab" * 32}, "cookie_secret is too predictable: about 64 bits"),
    ("auth", {"cookie_secret": "3f9a-q7Zk"}, "cookie_secret is too short: 9 bytes, at least 32"),
    ("auth", {"redirect_uri": "http://localhost:8501/oauth2callback"}, OWN),
    ("auth", {"redirect_uri": "http://127.0.0.1:8501/oauth2callback"}, OWN),
    ("auth", {"redirect_uri": "http://[::1]:8501/oauth2callback"}, OWN),
    ("auth", {"redirect_uri": "http://0.0.0.0:8501/oauth2callback"}, OWN),
    ("auth", {"redirect_uri": "https://ee.example.org/oauth2callback"}, COPIED),
    ("auth", {"redirect_uri": f"{PUBLIC}/callback"}, "must end in /oauth2callback"),
    ("auth", {"redirect_uri": "https://hr.meili-clinic.cn/oauth2callback"}, "EE_PUBLIC_URL's"),
    ("auth", {"redirect_uri": "http://ee.meili-clinic.cn/oauth2callback"}, "EE_PUBLIC_URL's"),
    ("auth", {"redirect_uri": "ee.meili-clinic.cn/oauth2callback"}, NOT_WEB),
    ("auth", {"server_metadata_url": "https://sso.example.com/.well-known/x"}, COPIED),
    ("auth", {"server_metadata_url": "sso/.well-known/openid-configuration"}, NOT_WEB),
]


@pytest.mark.parametrize(("where", "value", "message"), REFUSED)
def test_production_refuses_with_its_own_message(where, value, message):
    found = problems(auth=value) if where == "auth" else problems(env={where: value})
    assert len(found) == 1, found
    assert message in found[0]
    name = f"[auth] {next(iter(value))}" if where == "auth" else where
    assert found[0].startswith(name), found  # each message names what to fix


def test_secret_values_are_never_shown():
    for value in ("x" * 64, "change-me-" + COOKIE, "q7Zk-3f9a"):
        assert not any(value in p for p in problems(auth={"cookie_secret": value}))
    assert not any("from-your" in p for p in problems(auth={"client_secret": "from-your-x"}))
    assert not any("ab" * 32 in p for p in problems(env={"EE_SECRET_KEY": "ab" * 32}))


def test_no_sign_in_provider_is_refused():
    assert problems(no_auth=True) == [
        "no sign-in provider: add an [auth] section to .streamlit/secrets.toml (see "
        ".streamlit/secrets.toml.example)"
    ]


def test_an_empty_auth_section_names_every_missing_entry():
    found = problems(auth=dict.fromkeys(AUTH_KEYS))
    assert found == [f"[auth] {key} is missing in .streamlit/secrets.toml" for key in AUTH_KEYS]


def test_the_example_files_values_are_all_refused():
    """A secrets.toml copied from the example, with a public URL and key from elsewhere:
    every one of its entries is refused, none of them accepted silently."""
    found = problems(env={"EE_PUBLIC_URL": "https://ee.example.com"}, auth=EXAMPLE)
    for key in AUTH_KEYS:
        assert f"[auth] {key} is still the example's placeholder" in "\n".join(found), key
    assert any("EE_PUBLIC_URL “https://ee.example.com” is an example address" in p for p in found)


def test_everything_wrong_at_once_is_listed_at_once():
    found = problems(
        env={"EE_SECRET_KEY": "changeme", "EE_PUBLIC_URL": "http://localhost:8501"}, no_auth=True
    )
    assert len(found) == 3


ACCEPTED = [
    ({"EE_SECRET_KEY": "82059277cd08bceccff9130065d1bb262ccf551dfb379570978396cfae10b779"}, {}),
    ({"EE_SECRET_KEY": KEY48}, {}),
    ({"EE_SECRET_KEY": "Mhc8//2CC0ERUXCx0ncp8Mhs8YQhG+NR0O3Yzh6E6Lk="}, {}),
    ({"EE_SECRET_KEY": "rb4Z0dnamj06fRR9mxQx0HF71KKYAbJNQaBlyfL6vKI="}, {}),
    ({"EE_SECRET_KEY": KEY.upper()}, {}),
    ({}, {"cookie_secret": "82059277cd08bceccff9130065d1bb262ccf551dfb379570978396cfae10b779"}),
    ({}, {"cookie_secret": "nWm92fSZau0dmIu95to4I3OxsnLUZiuxGv0csykzoqQ"}),
    # An intranet address is not this machine's: staff on the clinic's network reach it.
    (
        {"EE_PUBLIC_URL": "http://10.20.0.5:8501"},
        {"redirect_uri": "http://10.20.0.5:8501/oauth2callback"},
    ),
    # Behind a path prefix; a port written out that is the scheme's default.
    ({"EE_PUBLIC_URL": f"{PUBLIC}/ee/"}, {"redirect_uri": f"{PUBLIC}/ee/oauth2callback"}),
    ({"EE_PUBLIC_URL": f"{PUBLIC}:443"}, {}),
    (
        {"EE_PUBLIC_URL": "https://ee.example-group.cn"},
        {"redirect_uri": "https://ee.example-group.cn/oauth2callback"},
    ),
    # "example" in a path is not an example address; a client id chosen by the admin.
    ({}, {"server_metadata_url": "https://sso.meili-clinic.cn/realms/example/x"}),
    ({}, {"client_id": "ee-app-production"}),
    # Provider secrets are the provider's: only placeholders are refused, not their length.
    ({}, {"client_secret": "Kc7-2f"}),
    # The server fetches the discovery document itself: a provider on this machine is fine.
    ({}, {"server_metadata_url": "http://127.0.0.1:8080/realms/c/.well-known/x"}),
]


@pytest.mark.parametrize(("env", "auth"), ACCEPTED)
def test_production_accepts_real_values(env, auth):
    assert problems(env=env, auth=auth) == []


def test_random_secrets_of_the_documented_size_always_pass():
    """The rule refuses typed and repeated secrets, never the ones docs tell people to make
    (``secrets.token_hex(32)``; 32 random bytes): 2,000 draws of each."""
    for _ in range(2_000):
        assert secret_problems("s", secrets.token_hex(32).encode()) == []
        assert secret_problems("s", secrets.token_bytes(32)) == []
        assert key_problems(secrets.token_hex(32)) == []


@pytest.mark.parametrize(
    ("material", "bits"),
    [
        (b"", 0),
        (b"x" * 32, 0),
        (b"ab" * 16, 32),  # one bit per byte
        (bytes(range(32)), 160),  # 32 different bytes: 5 bits each
        (bytes(range(256)), 2048),
    ],
)
def test_estimated_entropy(material, bits):
    assert estimated_entropy_bits(material) == pytest.approx(bits)
    assert (estimated_entropy_bits(material) >= MIN_SECRET_BITS) == (bits >= MIN_SECRET_BITS)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"EE_ENV": "prod"}, "EE_ENV must be development or production, not “prod”."),
        ({"EE_ENV": "Production"}, "EE_ENV must be development or production, not “Production”."),
        ({"EE_ENV": "staging"}, "EE_ENV must be development or production, not “staging”."),
        ({"EE_LANG": "fr"}, "EE_LANG must be en or zh-CN, not “fr”."),
        ({"EE_DEMO": "yes"}, "EE_DEMO must be 1 (demo identities) or 0, not “yes”."),
        ({"EE_DEMO": "true"}, "EE_DEMO must be 1 (demo identities) or 0, not “true”."),
        ({"EE_ENV": "production", "EE_DEMO": "1"}, "EE_DEMO=1 and EE_ENV=production cannot go"),
    ],
)
def test_settings_refuse_values_by_name(environ, message):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(environ)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("environ", "env", "demo"),
    [
        ({}, "development", False),
        ({"EE_ENV": " development "}, "development", False),
        ({"EE_ENV": "production"}, "production", False),
        ({"EE_DEMO": "1"}, "development", True),
        ({"EE_DEMO": "0"}, "development", False),
        ({"EE_DEMO": ""}, "development", False),
        ({"EE_ENV": "production", "EE_DEMO": "0"}, "production", False),
    ],
)
def test_settings_accept(environ, env, demo):
    settings = Settings.from_env(environ)
    assert (settings.env, settings.demo) == (env, demo)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"EE_ENV": "prod"}, "EE_ENV must be development or production, not “prod”."),
        ({"EE_DEMO": "1", "EE_ENV": "production"}, "EE_DEMO=1 and EE_ENV=production"),
    ],
)
def test_the_command_line_refuses_by_name(monkeypatch, capsys, environ, message):
    monkeypatch.setenv("EE_LANG", "en")
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert main(["config", "show"]) == 1
    assert message in capsys.readouterr().err


def test_production_never_uses_a_weak_key_even_without_the_gate(monkeypatch, tmp_path):
    """The command line does not pass the app's gate; the key itself refuses in production."""
    monkeypatch.setenv("EE_DATA_DIR", str(tmp_path))
    production = Settings.from_env({"EE_ENV": "production", "EE_DATA_DIR": str(tmp_path)})
    development = Settings.from_env({"EE_DATA_DIR": str(tmp_path)})
    monkeypatch.setenv("EE_SECRET_KEY", "ab" * 32)
    assert secret_key(development) == bytes.fromhex("ab" * 32)  # tests and demos may
    with pytest.raises(ConfigError, match="EE_SECRET_KEY is too predictable"):
        secret_key(production)
    monkeypatch.setenv("EE_SECRET_KEY", KEY)
    assert secret_key(production) == bytes.fromhex(KEY)
