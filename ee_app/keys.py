"""The server's secret key and the purpose-bound keys derived from it.

Personal survey and training links are ``HMAC(key, wave:staff:generation)``, so the database
stores only their SHA-256 and HR can still download the same links again later; customer
references (phone numbers) are stored as keyed hashes. The key comes from ``EE_SECRET_KEY``
(at least 32 random bytes as hex or base64). In development, if it is not set, a key is made
once and kept in ``data/secret.key`` (git-ignored); production refuses to run without it, or
with a key that :func:`key_problems` finds weak (a placeholder, or repeated bytes), and every
replica must share it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from ee_app.config import Settings
from ee_app.errors import N_, ConfigError, Problem
from ee_app.placeholders import MIN_SECRET_BYTES, is_placeholder, secret_problems

__all__ = ["derive", "hash_token", "key_problems", "link_token", "secret_key"]

_cache: dict[tuple[str, str, bool], bytes] = {}


def _decode(text: str) -> bytes:
    text = text.strip()
    for decoder in (bytes.fromhex, base64.urlsafe_b64decode, base64.b64decode):
        try:
            raw = decoder(text)
        except (ValueError, binascii.Error):
            continue
        if len(raw) >= MIN_SECRET_BYTES:
            return raw
    raise ConfigError(
        N_("EE_SECRET_KEY must be at least 32 random bytes, written as hex or base64.")
    )


def key_problems(text: str) -> list[Problem]:
    """Why ``text`` cannot be production's EE_SECRET_KEY (empty: it can): not set, copied
    from an example, not at least 32 bytes as hex or base64, or too predictable once decoded
    (:func:`~ee_app.placeholders.secret_problems`, the rule ``[auth] cookie_secret`` follows too).
    """
    text = text.strip()
    if not text:
        return [
            Problem(
                N_("EE_SECRET_KEY is not set: at least 32 random bytes, the same on every replica")
            )
        ]
    if is_placeholder(text):
        return [
            Problem(
                N_(
                    "EE_SECRET_KEY is a placeholder, not a key: make one with "
                    'python -c "import secrets; print(secrets.token_hex(32))"'
                )
            )
        ]
    try:
        raw = _decode(text)
    except ConfigError as error:
        return [Problem(error.message, error.params)]
    return secret_problems("EE_SECRET_KEY", raw)


def secret_key(settings: Settings) -> bytes:
    """The installation's secret key (see the module docstring for where it comes from)."""
    configured = os.environ.get("EE_SECRET_KEY", "")
    cache_key = (configured, str(settings.data_dir), settings.production)
    if cache_key in _cache:
        return _cache[cache_key]
    # The production gate's rule, so that the command line refuses a weak key too.
    problems = key_problems(configured) if configured and settings.production else []
    if problems:
        raise ConfigError(problems[0].message, **problems[0].params)
    if configured:
        key = _decode(configured)
    elif settings.production:
        raise ConfigError(N_("EE_SECRET_KEY is not set; production needs it."))
    else:
        path = Path(settings.data_dir) / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
        key = _decode(path.read_text())
    _cache[cache_key] = key
    return key


def derive(key: bytes, purpose: str) -> bytes:
    """A key for one purpose only, so a leak of one use does not expose the others."""
    return hmac.new(key, f"ee-app:{purpose}".encode(), hashlib.sha256).digest()


def link_token(key: bytes, purpose: str, *parts: object) -> str:
    """A 22-character URL-safe token (132 bits) that only the key's holder can compute."""
    message = ":".join(str(p) for p in parts).encode()
    digest = hmac.new(derive(key, purpose), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:22]


def hash_token(token: str) -> str:
    """What the database keeps of a personal link."""
    return hashlib.sha256(token.encode()).hexdigest()
