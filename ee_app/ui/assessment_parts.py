"""Parts of the assessment page (``ee_app/pages/assessment.py``) that forgive a slip.

A person taking an assessment on a phone can tap Submit with a question still open, lose track
of the time, or come back to the link after passing. The page asks before marking open
questions wrong (:func:`unanswered`), shows the time left as it runs out (:func:`countdown`, a
fragment that reruns on its own so the form, and what has been ticked in it, is left alone),
and after a pass shows the attempt that counts (:func:`counting_attempt`) instead of offering
another one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta  # noqa: F401 (timedelta: doctests)
from typing import Any

import streamlit as st

from ee_app.clock import format_time, zone_name
from ee_app.models import AttemptStatus

__all__ = [
    "COUNTDOWN_SECONDS",
    "WARN_MINUTES",
    "countdown",
    "counting_attempt",
    "minutes_left",
    "unanswered",
]

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]

#: How often the countdown redraws itself: often enough that "minutes left" is never a
#: minute stale, rarely enough to cost nothing.
COUNTDOWN_SECONDS = 10
#: From this many minutes left the countdown turns into a warning.
WARN_MINUTES = 5


def unanswered(answers: Mapping[int, Any]) -> list[int]:
    """The numbers of the questions without an answer, in the order shown.

    ``answers`` maps each question's number as shown to its answer: one option, a list of
    ticked options for a "choose all that apply" question, or ``None``.

    >>> unanswered({1: "a", 2: None, 3: [], 4: ["b"]})
    [2, 3]
    """
    return [number for number, given in answers.items() if given in (None, "", [])]


def counting_attempt(attempts: Sequence[Any], grading: str) -> Any | None:
    """The marked attempt whose result counts under the quiz's grading rule: the best one
    ("highest", the first of equals) or the last one ("last"); ``None`` before any."""
    marked = [a for a in attempts if a.status is not AttemptStatus.OPEN]
    if not marked:
        return None
    if grading == "last":
        return marked[-1]
    submitted = [a for a in marked if a.status is AttemptStatus.SUBMITTED]
    if not submitted:
        return marked[-1]
    return max(submitted, key=lambda a: (float(a.score or 0), -a.number))


def minutes_left(deadline: datetime, now: datetime | None = None) -> int:
    """Whole minutes left before ``deadline``, rounded up (0 once it has passed): "1 minute
    left" until the very last second, never "0 minutes left" while there is still time.

    >>> noon = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    >>> minutes_left(noon, noon - timedelta(minutes=29, seconds=59))
    30
    >>> minutes_left(noon, noon + timedelta(seconds=1))
    0
    """
    now = now or datetime.now(UTC)
    seconds = (deadline - now).total_seconds()
    return max(0, math.ceil(seconds / 60))


def _countdown_body(deadline: datetime, _: Gettext, ngettext: Ngettext) -> None:
    left = minutes_left(deadline)
    when = _("{time} {zone}").format(time=format_time(deadline, "%H:%M"), zone=zone_name(_))
    if left <= 0:
        st.error(
            _("Time is up ({time}): this attempt is no longer accepted.").format(time=when),
            icon=":material/timer_off:",
        )
        return
    text = ngettext(
        "Submit by {time}: {count} minute left.",
        "Submit by {time}: {count} minutes left.",
        left,
    ).format(time=when, count=left)
    if left <= WARN_MINUTES:
        st.warning(text, icon=":material/alarm:")
    else:
        st.info(text, icon=":material/timer:")


def countdown(deadline: Callable[[], datetime | None], _: Gettext, ngettext: Ngettext) -> None:
    """The deadline in local time and the minutes left, redrawn every
    :data:`COUNTDOWN_SECONDS` seconds; a warning from :data:`WARN_MINUTES` minutes, an error
    once the time is up. ``deadline`` reads the attempt's deadline afresh on each redraw (the
    server's is the one that counts). Drawn in a fragment outside the answers' form: its reruns
    redraw only itself, so nothing typed or ticked in the form is touched."""

    @st.fragment(run_every=COUNTDOWN_SECONDS)
    def _countdown() -> None:
        moment = deadline()
        if moment is None:
            return
        with st.container(key="ee_assessment_countdown"):
            _countdown_body(moment, _, ngettext)

    _countdown()
