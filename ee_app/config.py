"""Settings, read from environment variables.

Each setting is declared once, as data, with its default and a line of help; ``ee-app config``
prints them and ``docs/configuration.md`` is checked against this list by the tests. Secrets
(the sign-in provider, keys) never live here: they come from ``.streamlit/secrets.toml`` or
from environment variables named below, and are never written to the repository.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ee_app.errors import N_, ConfigError

__all__ = [
    "LANGUAGES",
    "SETTINGS",
    "Setting",
    "Settings",
    "default_database_url",
    "production_problems",
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
        "development or production. Production refuses to start without a sign-in provider "
        "and never loads demo data.",
    ),
    Setting("EE_LANG", "zh-CN", "Default interface language: en or zh-CN."),
    Setting(
        "EE_ADMIN_EMAILS",
        "",
        "Comma-separated e-mails that are made admins when they first sign in.",
    ),
    Setting(
        "EE_PUBLIC_URL",
        "http://127.0.0.1:8501",
        "The address staff use to reach the app; personal survey and training links start with it.",
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
)


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
        data_dir = Path(values["EE_DATA_DIR"]) if values["EE_DATA_DIR"] else ROOT / "data"
        admins = frozenset(
            e.strip().lower() for e in values["EE_ADMIN_EMAILS"].split(",") if e.strip()
        )
        return cls(
            database_url=values["EE_DATABASE_URL"] or default_database_url(data_dir),
            env=env,
            lang=lang,
            admin_emails=admins,
            public_url=values["EE_PUBLIC_URL"].rstrip("/"),
            data_dir=data_dir,
        )


def production_problems(settings: Settings, *, auth_configured: bool) -> list[str]:
    """What production lacks, one message per missing secret or setting (empty: ready).

    Production must have a sign-in provider, its own secret key (the same on every replica,
    or personal links break), and the public address staff reach it at.
    """
    problems = []
    if not auth_configured:
        problems.append(
            N_(
                "no sign-in provider: add an [auth] section to .streamlit/secrets.toml (see "
                ".streamlit/secrets.toml.example)"
            )
        )
    if not os.environ.get("EE_SECRET_KEY", "").strip():
        problems.append(
            N_("EE_SECRET_KEY is not set: at least 32 random bytes, the same on every replica")
        )
    default_url = next(s.default for s in SETTINGS if s.name == "EE_PUBLIC_URL")
    if settings.public_url in (default_url, "") or "127.0.0.1" in settings.public_url:
        problems.append(
            N_("EE_PUBLIC_URL is not set: the address staff open their personal links at")
        )
    return problems
