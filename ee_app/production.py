"""What stops the settings from running in production: the sign-in provider's entries, the
secret key, the public address and the messaging settings, each refused with one problem that
says what to change (``streamlit_app.py`` shows them and stops; ``ee-app config check``
prints them)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ee_app.config import Settings
from ee_app.errors import N_, Problem
from ee_app.keys import key_problems
from ee_app.messaging.settings import messaging_problems
from ee_app.placeholders import (
    host_of,
    is_loopback_host,
    is_placeholder,
    is_placeholder_url,
    origin_of,
    secret_problems,
)

__all__ = ["AUTH_KEYS", "production_problems"]

#: The ``[auth]`` entries ``st.login`` needs (one provider, in ``[auth]`` itself).
AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
_URL_KEYS = ("redirect_uri", "server_metadata_url")


def _public_url_problems(value: str) -> list[Problem]:
    if not value:
        return [
            Problem(N_("EE_PUBLIC_URL is not set: the address staff open their personal links at"))
        ]
    host = host_of(value)
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
    if is_loopback_host(host):
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
    if is_placeholder_url(value):
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
        if is_placeholder_url(value) if url else is_placeholder(value):
            problems.append(
                Problem(
                    N_(
                        "[auth] {key} is still the example's placeholder: put in your own "
                        "value (docs/configuration.md, Sign-in)"
                    ),
                    {"key": key},
                )
            )
        elif url and host_of(value) is None:
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
    if is_loopback_host(host_of(value) or ""):
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
    if public_url and origin_of(value) != origin_of(public_url):
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
    example files (:func:`~ee_app.placeholders.is_placeholder`, example.com and the other
    reserved domains), secrets shorter than :data:`~ee_app.placeholders.MIN_SECRET_BYTES` or
    estimated below :data:`~ee_app.placeholders.MIN_SECRET_BITS`, and addresses of the machine
    itself (localhost, 127.0.0.0/8, ::1, 0.0.0.0).
    """
    environ = os.environ if environ is None else environ
    public_problems = _public_url_problems(environ.get("EE_PUBLIC_URL", "").strip())
    public_url = None if public_problems else settings.public_url
    return [
        *_auth_problems(auth, public_url),
        *key_problems(environ.get("EE_SECRET_KEY", "")),
        *public_problems,
        *messaging_problems(settings.messaging),
    ]
