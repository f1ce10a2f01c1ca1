"""Settings, read from environment variables, and the production gate.

Each setting is declared once, as data, with its default and a line of help; ``ee-app config``
prints them and ``docs/configuration.md`` is checked against this list by the tests. Secrets
(the sign-in provider, keys) never live here: they come from ``.streamlit/secrets.toml`` or
from environment variables named below, and are never written to the repository.

:func:`production_problems` is the gate ``EE_ENV=production`` passes before the app shows a
page: it fails closed on anything missing, copied from an example, guessable, or pointing at
the machine itself (docs/deploy.md, "the production gate's table of refusals").
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import socket
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ee_app.clock import DEFAULT_ZONE, parse_zone
from ee_app.errors import N_, ConfigError, Problem
from ee_app.messaging.settings import (
    MESSAGING_SETTINGS,
    MessagingSettings,
    messaging_problems,
    read_messaging,
)

__all__ = [
    "AUTH_KEYS",
    "LANGUAGES",
    "MIN_SECRET_BITS",
    "MIN_SECRET_BYTES",
    "SETTINGS",
    "Setting",
    "Settings",
    "auth_section_of",
    "default_database_url",
    "estimated_entropy_bits",
    "is_placeholder",
    "loads_demo_when_empty",
    "production_problems",
    "public_url_of",
    "read_secrets",
    "secret_problems",
]

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "zh-CN")


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "EE_DATABASE_URL",
        "",
        "SQLAlchemy URL of the database. Empty: the SQLite file data/ee_app.db beside the code. "
        "PostgreSQL: postgresql+psycopg://user@host:5432/dbname.",
    ),
    Setting(
        "EE_ENV",
        "development",
        "development or production. Production refuses to start without a sign-in provider, "
        "a strong EE_SECRET_KEY and a public EE_PUBLIC_URL, and never loads demo data.",
    ),
    Setting(
        "EE_DEMO",
        "0",
        "1: without a sign-in provider, offer demo identities (anyone may act as any user, "
        "admin included) even on a database that ee-app demo load did not make. Refused "
        "in production.",
    ),
    Setting("EE_LANG", "zh-CN", "Default interface language: en or zh-CN."),
    Setting(
        "EE_TIMEZONE",
        DEFAULT_ZONE,
        "Time zone (IANA name) of every time shown or written: pages, the payroll workbook, "
        "the command line. Times are stored in UTC whatever it is.",
    ),
    Setting(
        "EE_ADMIN_EMAILS",
        "",
        "Comma-separated e-mails that are made admins when they first sign in.",
    ),
    Setting(
        "EE_HOST",
        "127.0.0.1",
        "Address scripts/run serves the app on; with EE_PORT, the default of EE_PUBLIC_URL.",
    ),
    Setting("EE_PORT", "8501", "Port scripts/run serves the app on."),
    Setting(
        "EE_PUBLIC_URL",
        "",
        "The address staff use to reach the app; personal survey and training links start "
        "with it. Empty: http://EE_HOST:EE_PORT, where scripts/run serves the app.",
    ),
    Setting(
        "EE_SECRET_KEY",
        "",
        "At least 32 random bytes (hex or base64) that sign personal links, key customer "
        "hashes and seal the answers of open survey waves. Required in production and shared "
        "by all replicas; keep it apart from database backups; in development a key is "
        "created in data/secret.key.",
        secret=True,
    ),
    Setting(
        "EE_DATA_DIR",
        "",
        "Folder for the embedded SQLite database and uploads. Empty: data/ beside the code.",
    ),
    *(Setting(*entry) for entry in MESSAGING_SETTINGS),
)


def public_url_of(values: Mapping[str, str]) -> str:
    """EE_PUBLIC_URL, else the address scripts/run serves the app on (EE_HOST, EE_PORT), so
    that links written by ``ee-app wave invite`` reach the app however it was started: they
    used to name :8501 whatever EE_PORT said (issue 21)."""
    if values.get("EE_PUBLIC_URL"):
        return values["EE_PUBLIC_URL"].rstrip("/")
    host = values.get("EE_HOST") or "127.0.0.1"
    if ":" in host:  # an IPv6 address is bracketed in a URL
        host = f"[{host}]"
    return f"http://{host}:{values.get('EE_PORT') or '8501'}"


def default_database_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'ee_app.db'}"


@dataclass(frozen=True)
class Settings:
    database_url: str
    env: str
    lang: str
    admin_emails: frozenset[str]
    public_url: str
    data_dir: Path
    demo: bool = False  # EE_DEMO=1: demo identities even on a database of real data
    timezone: str = DEFAULT_ZONE  # EE_TIMEZONE, checked against the zone database
    # EE_SMTP_*, EE_WECOM_*, EE_REMINDER_RATE: how reminders leave the app
    messaging: MessagingSettings = field(default_factory=MessagingSettings)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings; raise :class:`ConfigError` naming the variable that is wrong."""
        environ = os.environ if environ is None else environ
        values = {s.name: environ.get(s.name, "").strip() or s.default for s in SETTINGS}
        env = values["EE_ENV"]
        if env not in ("development", "production"):
            raise ConfigError(
                N_("EE_ENV must be development or production, not “{value}”."), value=env
            )
        lang = values["EE_LANG"]
        if lang not in LANGUAGES:
            raise ConfigError(N_("EE_LANG must be en or zh-CN, not “{value}”."), value=lang)
        if values["EE_DEMO"] not in ("0", "1"):
            raise ConfigError(
                N_("EE_DEMO must be 1 (demo identities) or 0, not “{value}”."),
                value=values["EE_DEMO"],
            )
        demo = values["EE_DEMO"] == "1"
        timezone = parse_zone(values["EE_TIMEZONE"]).key
        if demo and env == "production":
            raise ConfigError(
                N_(
                    "EE_DEMO=1 and EE_ENV=production cannot go together: production never "
                    "offers demo identities. Unset EE_DEMO."
                )
            )
        data_dir = Path(values["EE_DATA_DIR"]) if values["EE_DATA_DIR"] else ROOT / "data"
        admins = frozenset(
            e.strip().lower() for e in values["EE_ADMIN_EMAILS"].split(",") if e.strip()
        )
        return cls(
            database_url=values["EE_DATABASE_URL"] or default_database_url(data_dir),
            env=env,
            lang=lang,
            admin_emails=admins,
            public_url=public_url_of(values),
            data_dir=data_dir,
            demo=demo,
            timezone=timezone,
            messaging=read_messaging(values),
        )


#: A secret (EE_SECRET_KEY once decoded, ``[auth] cookie_secret`` as written) is refused in
#: production when shorter than this many bytes ...
MIN_SECRET_BYTES = 32
#: ... or when :func:`estimated_entropy_bits` gives it fewer bits than this. Random secrets of
#: the recommended size clear it by far (``secrets.token_hex(32)``: 216 bits or more, 32
#: random bytes: 140 or more, in 100,000 draws each); typed or repeated ones do not.
MIN_SECRET_BITS = 128
#: The ``[auth]`` entries ``st.login`` needs (one provider, in ``[auth]`` itself).
AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
_URL_KEYS = ("redirect_uri", "server_metadata_url")
#: Words of example files (.streamlit/secrets.toml.example and the like), compared with the
#: value lower-cased and stripped of everything but letters and digits ("Change_Me" too).
_PLACEHOLDER_WORDS = ("changeme", "fromyourprovider", "replaceme", "placeholder", "yoursecret")
#: Domains reserved for examples and tests (RFC 2606, RFC 6761): never a real address.
_EXAMPLE_DOMAINS = ("example", "example.com", "example.net", "example.org", "test", "invalid")
_MAKE_ONE = 'python -c "import secrets; print(secrets.token_hex(32))"'


def estimated_entropy_bits(material: bytes) -> float:
    """The bits of a secret as estimated from itself: its length times the Shannon entropy of
    its bytes' frequencies.

    It cannot tell a random secret from a clever typed one, but it gives repeated or
    few-character values (``"x" * 32``, ``"ab" * 32``) the little they are worth.

    Examples
    --------
    >>> estimated_entropy_bits(b"x" * 32)
    0.0
    >>> estimated_entropy_bits(bytes(range(32)))
    160.0
    """
    if not material:
        return 0.0
    n = len(material)
    return abs(n * -sum(c / n * math.log2(c / n) for c in Counter(material).values()))


def is_placeholder(value: str) -> bool:
    """True for a value copied from an example rather than made for this installation.

    Examples
    --------
    >>> is_placeholder("change-me-to-64-random-hex-characters"), is_placeholder("CHANGE_ME")
    (True, True)
    >>> is_placeholder("from-your-provider"), is_placeholder("c0ffee" * 11)
    (True, False)
    """
    return _has_words(value, (*_PLACEHOLDER_WORDS, "example"))


def _has_words(value: str, words: tuple[str, ...]) -> bool:
    letters = re.sub(r"[^a-z0-9]", "", value.lower())
    return any(word in letters for word in words)


def _is_placeholder_url(value: str) -> bool:
    """An address from an example: on a reserved domain, or with an example's words (a real
    address may well have "example" in its path, so that word alone does not count)."""
    host = _host(value)
    return (host is not None and _is_example_host(host)) or _has_words(value, _PLACEHOLDER_WORDS)


def _host(url: str) -> str | None:
    """The host of an http(s) address (lower-case, no brackets); ``None`` if it is not one."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.hostname.rstrip(".")


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme, (parts.hostname or "").rstrip("."), parts.port or default


def _is_example_host(host: str) -> bool:
    return any(host == d or host.endswith("." + d) for d in _EXAMPLE_DOMAINS)


def _is_loopback_host(host: str) -> bool:
    """localhost, 127.0.0.0/8, ::1, 0.0.0.0 and ::, however written (``127.1``, ``0x7f.1``,
    ``::ffff:127.0.0.1``): addresses that mean "this machine" to whoever opens them."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        if not re.fullmatch(r"[0-9a-fx.]+", host):
            return False
        try:  # the short and hexadecimal IPv4 forms browsers also accept
            ip = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_unspecified


def secret_problems(name: str, material: bytes) -> list[Problem]:
    """Why the secret ``name`` is too weak for production: shorter than
    :data:`MIN_SECRET_BYTES`, or estimated below :data:`MIN_SECRET_BITS` (empty: strong)."""
    if len(material) < MIN_SECRET_BYTES:
        return [
            Problem(
                N_(
                    "{name} is too short: {length} bytes, at least {minimum} needed. Make "
                    "one with {command}"
                ),
                {
                    "name": name,
                    "length": len(material),
                    "minimum": MIN_SECRET_BYTES,
                    "command": _MAKE_ONE,
                },
            )
        ]
    bits = estimated_entropy_bits(material)
    if bits < MIN_SECRET_BITS:
        return [
            Problem(
                N_(
                    "{name} is too predictable: about {bits} bits estimated from how often its "
                    "characters repeat, at least {minimum} needed. Make one with {command}"
                ),
                {
                    "name": name,
                    "bits": int(bits),
                    "minimum": MIN_SECRET_BITS,
                    "command": _MAKE_ONE,
                },
            )
        ]
    return []


def _public_url_problems(value: str) -> list[Problem]:
    if not value:
        return [
            Problem(N_("EE_PUBLIC_URL is not set: the address staff open their personal links at"))
        ]
    host = _host(value)
    if host is None:
        return [
            Problem(
                N_(
                    "EE_PUBLIC_URL “{value}” is not a web address: it must start with https:// "
                    "and name the host staff reach"
                ),
                {"value": value},
            )
        ]
    if _is_loopback_host(host):
        return [
            Problem(
                N_(
                    "EE_PUBLIC_URL “{value}” is this machine's own address (localhost, "
                    "127.x.x.x, ::1, 0.0.0.0): staff phones cannot open links to it. Set the "
                    "address staff use"
                ),
                {"value": value},
            )
        ]
    if _is_placeholder_url(value):
        return [
            Problem(
                N_("EE_PUBLIC_URL “{value}” is an example address: set the address staff use"),
                {"value": value},
            )
        ]
    return []


def _auth_problems(auth: Mapping[str, Any] | None, public_url: str | None) -> list[Problem]:
    if auth is None:
        return [
            Problem(
                N_(
                    "no sign-in provider: add an [auth] section to .streamlit/secrets.toml "
                    "(see .streamlit/secrets.toml.example)"
                )
            )
        ]
    problems = []
    for key in AUTH_KEYS:
        value = str(auth.get(key) or "").strip()
        if not value:
            problems.append(
                Problem(N_("[auth] {key} is missing in .streamlit/secrets.toml"), {"key": key})
            )
            continue
        url = key in _URL_KEYS
        if _is_placeholder_url(value) if url else is_placeholder(value):
            problems.append(
                Problem(
                    N_(
                        "[auth] {key} is still the example's placeholder: put in your own "
                        "value (docs/configuration.md, Sign-in)"
                    ),
                    {"key": key},
                )
            )
        elif url and _host(value) is None:
            problems.append(
                Problem(
                    N_("[auth] {key} “{value}” is not a web address (https://…)"),
                    {"key": key, "value": value},
                )
            )
        elif key == "cookie_secret":
            problems += secret_problems("[auth] cookie_secret", value.encode())
        elif key == "redirect_uri":
            problems += _redirect_problems(value, public_url)
    return problems


def _redirect_problems(value: str, public_url: str | None) -> list[Problem]:
    if _is_loopback_host(_host(value) or ""):
        return [
            Problem(
                N_(
                    "[auth] redirect_uri “{value}” is this machine's own address: the "
                    "provider would send everyone's browser back to their own computer. Use "
                    "EE_PUBLIC_URL followed by /oauth2callback"
                ),
                {"value": value},
            )
        ]
    if not urlsplit(value).path.endswith("/oauth2callback"):
        return [
            Problem(
                N_("[auth] redirect_uri “{value}” must end in /oauth2callback"),
                {"value": value},
            )
        ]
    if public_url and _origin(value) != _origin(public_url):
        return [
            Problem(
                N_(
                    "[auth] redirect_uri “{value}” is not on EE_PUBLIC_URL's address "
                    "“{public}”: the sign-in cookie would be set on one and looked for on the "
                    "other"
                ),
                {"value": value, "public": public_url},
            )
        ]
    return []


def production_problems(
    settings: Settings,
    auth: Mapping[str, Any] | None,
    environ: Mapping[str, str] | None = None,
) -> list[Problem]:
    """What stops ``settings`` from running in production, one problem each (empty: ready).

    ``auth`` is the ``[auth]`` section of ``.streamlit/secrets.toml`` (``None``: there is
    none). Production needs a sign-in provider whose entries are all filled in with real
    values, a strong ``EE_SECRET_KEY`` (the same on every replica, or personal links break)
    and the public address staff reach. Refused everywhere: missing values, values from the
    example files (:func:`is_placeholder`, example.com and the other reserved domains),
    secrets shorter than :data:`MIN_SECRET_BYTES` or estimated below :data:`MIN_SECRET_BITS`,
    and addresses of the machine itself (localhost, 127.0.0.0/8, ::1, 0.0.0.0).
    """
    from ee_app.keys import key_problems

    environ = os.environ if environ is None else environ
    public_problems = _public_url_problems(environ.get("EE_PUBLIC_URL", "").strip())
    public_url = None if public_problems else settings.public_url
    return [
        *_auth_problems(auth, public_url),
        *key_problems(environ.get("EE_SECRET_KEY", "")),
        *public_problems,
        *messaging_problems(settings.messaging),
    ]


#: Where Streamlit reads secrets by default (its ``secrets.files`` option): the user's file,
#: then the one in the folder the app starts from, whose top-level keys win.
SECRETS_FILES = ("~/.streamlit/secrets.toml", ".streamlit/secrets.toml")


def read_secrets(files: tuple[str, ...] = SECRETS_FILES) -> dict[str, Any]:
    """The secrets Streamlit would read from ``files`` without starting Streamlit (for
    ``ee-app``): later files win per top-level key, as in ``st.secrets``; a file that cannot
    be read or parsed counts as none, as ``ui.context.auth_section`` treats it."""
    import tomllib

    merged: dict[str, Any] = {}
    for name in files:
        try:
            merged.update(tomllib.loads(Path(name).expanduser().read_text(encoding="utf-8")))
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return {}
    return merged


def auth_section_of(secrets: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The ``[auth]`` section of ``secrets``; ``None`` when there is none (an ``auth`` that
    is not a section gives an empty one: configured, but with nothing)."""
    if "auth" not in secrets:
        return None
    section = secrets["auth"]
    return dict(section) if isinstance(section, Mapping) else {}


def loads_demo_when_empty(settings: Settings, auth: Mapping[str, Any] | None) -> bool:
    """The rule for loading the demo chain into an empty database at start-up: no sign-in
    provider (``auth`` is ``None``) and not production. The app applies it on its first
    request (``ui.context.engine``) and ``ee-app demo load --if-demo-mode`` (``scripts/run``)
    before the app starts, so both decide alike."""
    return auth is None and not settings.production
