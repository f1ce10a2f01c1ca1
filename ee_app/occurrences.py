"""When a recurring pulse opens and closes: calendar arithmetic, no database.

A schedule opens a wave every ``every`` months on the day of month of its first opening (the
31st becomes the month's last day in shorter months, and comes back in longer ones: the day is
always taken from the anchor, never from the previous occurrence), or every ``every`` weeks on
the anchor's weekday. Each occurrence stays open ``open_days`` days, its opening day included,
so it closes on ``opens_on + open_days - 1`` (the last day answers are accepted). ``ends_on``
is the last day an occurrence may *open*.

>>> from datetime import date
>>> [o.opens_on.isoformat() for o in occurrences("monthly", 1, date(2026, 1, 31), 7, None,
...                                               date(2026, 1, 1), date(2026, 4, 30))]
['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30']
>>> occurrence_on("weekly", 2, date(2026, 11, 2), 5, None, date(2026, 11, 17))
Occurrence(opens_on=datetime.date(2026, 11, 16), closes_on=datetime.date(2026, 11, 20))
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "Occurrence",
    "longest_open_days",
    "next_opening",
    "nth_opening",
    "occurrence_on",
    "occurrences",
    "period_label",
]

MONTHLY = "monthly"
WEEKLY = "weekly"


@dataclass(frozen=True)
class Occurrence:
    opens_on: date
    closes_on: date


def _add_months(anchor: date, months: int) -> date:
    index = anchor.year * 12 + anchor.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(anchor.day, last))


def nth_opening(cadence: str, every: int, first: date, n: int) -> date:
    """The opening day of occurrence ``n`` (0 is ``first``)."""
    if cadence == MONTHLY:
        return _add_months(first, n * every)
    return first + timedelta(weeks=n * every)


def longest_open_days(cadence: str, every: int) -> int:
    """How many days an occurrence may stay open before it would meet the next one (the
    shortest period: 28 days a month, so February too leaves no overlap)."""
    return 28 * every if cadence == MONTHLY else 7 * every


def _last_index_on_or_before(cadence: str, every: int, first: date, day: date) -> int:
    """The index of the last occurrence opening on or before ``day`` (-1 if none)."""
    if day < first:
        return -1
    if cadence == MONTHLY:
        months = (day.year - first.year) * 12 + day.month - first.month
        n = months // every
        if nth_opening(cadence, every, first, n) > day:
            n -= 1
        return n
    return (day - first).days // (7 * every)


def _occurrence(cadence: str, every: int, first: date, open_days: int, n: int) -> Occurrence:
    opens = nth_opening(cadence, every, first, n)
    return Occurrence(opens, opens + timedelta(days=open_days - 1))


def occurrence_on(
    cadence: str, every: int, first: date, open_days: int, ends_on: date | None, day: date
) -> Occurrence | None:
    """The occurrence open on ``day`` (opened on or before it, closing on or after it), if
    any. An occurrence whose close day has passed is never returned: a wave is not opened
    late after the app was down for its whole window."""
    n = _last_index_on_or_before(cadence, every, first, day)
    if n < 0:
        return None
    found = _occurrence(cadence, every, first, open_days, n)
    if found.closes_on < day or (ends_on is not None and found.opens_on > ends_on):
        return None
    return found


def next_opening(
    cadence: str, every: int, first: date, ends_on: date | None, after: date
) -> date | None:
    """The first opening day strictly after ``after``; None when ``ends_on`` comes first."""
    n = _last_index_on_or_before(cadence, every, first, after) + 1
    opens = nth_opening(cadence, every, first, n)
    return None if ends_on is not None and opens > ends_on else opens


def occurrences(
    cadence: str,
    every: int,
    first: date,
    open_days: int,
    ends_on: date | None,
    start: date,
    end: date,
) -> Iterator[Occurrence]:
    """Every occurrence opening from ``start`` to ``end`` (both included)."""
    n = max(_last_index_on_or_before(cadence, every, first, start - timedelta(days=1)) + 1, 0)
    while True:
        found = _occurrence(cadence, every, first, open_days, n)
        if found.opens_on > end or (ends_on is not None and found.opens_on > ends_on):
            return
        yield found
        n += 1


def period_label(cadence: str, opens_on: date) -> str:
    """The period in a wave's code and name: ``2026-11`` monthly, ``2026-11-02`` weekly."""
    return opens_on.strftime("%Y-%m") if cadence == MONTHLY else opens_on.isoformat()
