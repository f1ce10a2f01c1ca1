"""Telling a value made for this installation from one copied from an example or too weak
to guard anything: placeholders, reserved example domains, this machine's own addresses and
secrets too short or too predictable.

The settings (:mod:`ee_app.config`), the key file (:mod:`ee_app.keys`), the messaging settings
(:mod:`ee_app.messaging.settings`) and the production check (:mod:`ee_app.production`) all ask
these questions, so the answers live here, below all of them.
"""

from __future__ import annotations

import ipaddress
import math
import re
import socket
from collections import Counter
from urllib.parse import urlsplit

from ee_app.errors import N_, Problem

__all__ = [
    "MIN_SECRET_BITS",
    "MIN_SECRET_BYTES",
    "estimated_entropy_bits",
    "host_of",
    "is_example_host",
    "is_loopback_host",
    "is_placeholder",
    "is_placeholder_url",
    "origin_of",
    "secret_problems",
]

#: A secret (EE_SECRET_KEY once decoded, ``[auth] cookie_secret`` as written) is refused in
#: production when shorter than this many bytes ...
MIN_SECRET_BYTES = 32
#: ... or when :func:`estimated_entropy_bits` gives it fewer bits than this. Random secrets of
#: the recommended size clear it by far (``secrets.token_hex(32)``: 216 bits or more, 32
#: random bytes: 140 or more, in 100,000 draws each); typed or repeated ones do not.
MIN_SECRET_BITS = 128
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


def is_placeholder_url(value: str) -> bool:
    """An address from an example: on a reserved domain, or with an example's words (a real
    address may well have "example" in its path, so that word alone does not count)."""
    host = host_of(value)
    return (host is not None and is_example_host(host)) or _has_words(value, _PLACEHOLDER_WORDS)


def host_of(url: str) -> str | None:
    """The host of an http(s) address (lower-case, no brackets); ``None`` if it is not one."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.hostname.rstrip(".")


def origin_of(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme, (parts.hostname or "").rstrip("."), parts.port or default


def is_example_host(host: str) -> bool:
    return any(host == d or host.endswith("." + d) for d in _EXAMPLE_DOMAINS)


def is_loopback_host(host: str) -> bool:
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
