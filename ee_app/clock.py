"""Local time: every moment is stored in UTC and shown or written in the chain's time zone.

The zone is the setting ``EE_TIMEZONE`` (an IANA name, ``Asia/Shanghai`` by default), read
through :func:`zone`; :func:`local` converts a stored moment and :func:`format_time` writes
it. Pages, exports and the command line use these two, never ``strftime`` on a stored time:
SQLite hands moments back without their zone, PostgreSQL with UTC, and both mean UTC.

>>> from datetime import UTC, datetime
>>> format_time(datetime(2026, 12, 6, 17, 30, tzinfo=UTC), tz=parse_zone("Asia/Shanghai"))
'2026-12-07 01:30'
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ee_app.errors import N_, ConfigError

__all__ = [
    "DEFAULT_ZONE",
    "MINUTES",
    "SECONDS",
    "format_time",
    "local",
    "parse_zone",
    "today",
    "zone",
    "zone_name",
]

Gettext = Callable[[str], str]

#: The zone of a chain in mainland China (no daylight saving time since 1991).
DEFAULT_ZONE = "Asia/Shanghai"
MINUTES = "%Y-%m-%d %H:%M"
SECONDS = "%Y-%m-%d %H:%M:%S"

#: Plain names of the zones a chain in the region is likely to use; others are shown by
#: their IANA name with spaces for underscores ("America/New York").
_NAMES = {
    "Asia/Shanghai": N_("Beijing time"),
    "Asia/Chongqing": N_("Beijing time"),
    "Asia/Urumqi": N_("Xinjiang time"),
    "Asia/Hong_Kong": N_("Hong Kong time"),
    "Asia/Macau": N_("Macau time"),
    "Asia/Taipei": N_("Taipei time"),
    "Asia/Singapore": N_("Singapore time"),
    "Asia/Tokyo": N_("Tokyo time"),
    "Asia/Seoul": N_("Seoul time"),
    "UTC": N_("Coordinated Universal Time"),
    "Etc/UTC": N_("Coordinated Universal Time"),
}


@lru_cache(maxsize=32)
def parse_zone(name: str) -> ZoneInfo:
    """The time zone called ``name``; :class:`ConfigError` for a name the zone database does
    not know (``Beijing``, ``UTC+8``, a path).

    >>> parse_zone("Asia/Shanghai").key
    'Asia/Shanghai'
    >>> parse_zone("Beijing")
    Traceback (most recent call last):
    ...
    ee_app.errors.ConfigError: EE_TIMEZONE must be a time zone of the IANA database such as Asia/Shanghai, not “Beijing”.
    """  # noqa: E501
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # ValueError: not a relative path ("/etc/x", "../x"); OSError: a folder ("Asia")
        raise ConfigError(
            N_(
                "EE_TIMEZONE must be a time zone of the IANA database such as Asia/Shanghai, "
                "not “{value}”."
            ),
            value=name,
        ) from None


def zone(environ: Mapping[str, str] | None = None) -> ZoneInfo:
    """The configured zone: ``EE_TIMEZONE``, or :data:`DEFAULT_ZONE` when it is not set."""
    environ = os.environ if environ is None else environ
    return parse_zone(environ.get("EE_TIMEZONE", "").strip() or DEFAULT_ZONE)


def local(moment: datetime, tz: ZoneInfo | None = None) -> datetime:
    """A stored moment in the local zone (a moment without a zone is UTC, as stored).

    >>> from datetime import UTC, datetime
    >>> local(datetime(2026, 12, 31, 16, 0), tz=parse_zone("Asia/Shanghai")).isoformat()
    '2027-01-01T00:00:00+08:00'
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz or zone())


def format_time(moment: datetime | None, spec: str = MINUTES, tz: ZoneInfo | None = None) -> str:
    """``moment`` in the local zone as ``spec`` (date and minutes by default); "" for none.

    >>> from datetime import UTC, datetime
    >>> format_time(datetime(2026, 6, 30, 23, 59, 30, tzinfo=UTC), SECONDS, parse_zone("UTC"))
    '2026-06-30 23:59:30'
    >>> format_time(None)
    ''
    """
    return "" if moment is None else local(moment, tz).strftime(spec)


def today(tz: ZoneInfo | None = None, now: datetime | None = None) -> date:
    """The local date now (or at ``now``): the day a wave opens or closes on, an action is
    overdue, a file's dates may not pass. The server's own clock may run in UTC, eight hours
    behind a morning in Shanghai.

    >>> from datetime import UTC, datetime
    >>> today(parse_zone("Asia/Shanghai"), datetime(2026, 12, 6, 23, 0, tzinfo=UTC))
    datetime.date(2026, 12, 7)
    """
    return local(now or datetime.now(UTC), tz).date()


def zone_name(gettext: Gettext, tz: ZoneInfo | None = None) -> str:
    """The zone's name for a heading, in the reader's language ("Beijing time", 北京时间).

    >>> zone_name(lambda s: s, parse_zone("Asia/Shanghai"))
    'Beijing time'
    >>> zone_name(lambda s: s, parse_zone("America/New_York"))
    'America/New York'
    """
    key = (tz or zone()).key
    return gettext(_NAMES[key]) if key in _NAMES else key.replace("_", " ")
