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

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ee_app.clock import DEFAULT_ZONE, parse_zone
from ee_app.errors import N_, ConfigError
from ee_app.messaging.settings import (
    MESSAGING_SETTINGS,
    MessagingSettings,
    read_messaging,
)

__all__ = [
    "LANGUAGES",
    "SETTINGS",
    "Setting",
    "Settings",
    "auth_section_of",
    "default_database_url",
    "loads_demo_when_empty",
    "public_url_of",
    "read_secrets",
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
