"""Messages that leave the app: e-mail (:mod:`.smtp`) and WeCom (:mod:`.wecom`).

Each channel is an I/O adapter behind one small interface, :class:`Channel`: it sends a batch
of messages and says, for each, whether it was sent, refused for good (an address or user the
server does not know), or given up after retries (the server stayed busy or out of reach).
Outcomes carry a *reason code*, never an address: whoever records them (the reminder log)
cannot learn from them who was written to.

Retries and the rate limit live in :class:`Pacer`, whose clock and sleep are injected so tests
run without waiting.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

__all__ = [
    "Channel",
    "Message",
    "Outcome",
    "Pacer",
    "PermanentFailure",
    "Status",
    "TransientFailure",
    "run_batch",
]

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """One message to one recipient: an e-mail address, a WeCom user id, or (group robot) the
    robot's key. ``link`` is the personal link a WeCom card opens (``None``: text only)."""

    to: str
    subject: str
    body: str
    link: str | None = None


class Status(enum.StrEnum):
    SENT = "sent"
    FAILED_PERMANENT = "failed_permanent"
    FAILED_AFTER_RETRIES = "failed_after_retries"


@dataclass(frozen=True)
class Outcome:
    """What became of one message; ``reason`` is a code such as ``invalid_user`` (see
    :data:`ee_app.services.reminders.REASONS`), empty when sent."""

    status: Status
    reason: str = ""

    @property
    def sent(self) -> bool:
        return self.status is Status.SENT


SENT = Outcome(Status.SENT)


class TransientFailure(Exception):
    """Worth trying again later: busy, rate-limited, connection lost. ``whole_batch``: the
    channel itself is down (no connection), so the rest of the batch fails the same way
    without being tried."""

    def __init__(self, reason: str, *, whole_batch: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.whole_batch = whole_batch


class PermanentFailure(Exception):
    """Trying again would fail the same way: unknown address or user, refused credentials
    (``whole_batch``: every message would be refused, e.g. a wrong password)."""

    def __init__(self, reason: str, *, whole_batch: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.whole_batch = whole_batch


Progress = Callable[[int, int], None]


class Channel(Protocol):
    """Sends personal messages; one outcome per message, in the same order."""

    name: str

    def send(
        self, messages: Sequence[Message], progress: Progress | None = None
    ) -> list[Outcome]: ...


class Pacer:
    """At most ``rate`` messages a second, and bounded exponential back-off between tries.

    ``attempt(fn)`` calls ``fn`` after waiting its turn; on :class:`TransientFailure` it sleeps
    ``base_delay * 2**n`` (at most ``max_delay``) and tries again, ``retries`` times at most,
    then raises the last failure. ``clock`` and ``sleep`` are ``time.monotonic`` and
    ``time.sleep`` unless a test passes its own.
    """

    def __init__(
        self,
        *,
        rate: float = 5.0,
        retries: int = 3,
        base_delay: float = 1.0,
        max_delay: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        if retries < 0:
            raise ValueError("retries must not be negative")
        self.interval = 1.0 / rate
        self.retries = retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.clock = clock
        self.sleep = sleep
        self._next: float | None = None

    def wait_turn(self) -> None:
        """Sleep until the next message may go."""
        now = self.clock()
        if self._next is not None and now < self._next:
            self.sleep(self._next - now)
            now = self._next
        self._next = now + self.interval

    def backoff(self, attempt: int) -> float:
        """The pause before try ``attempt + 1`` (``attempt`` counts from 0)."""
        return min(self.max_delay, self.base_delay * 2**attempt)

    def attempt(self, fn: Callable[[], T]) -> T:
        for n in range(self.retries + 1):
            self.wait_turn()
            try:
                return fn()
            except TransientFailure:
                if n == self.retries:
                    raise
                self.sleep(self.backoff(n))
        raise AssertionError("unreachable")  # pragma: no cover


def run_batch(
    messages: Sequence[Message],
    send_one: Callable[[Message], None],
    pacer: Pacer,
    progress: Progress | None = None,
) -> list[Outcome]:
    """Send each message through ``send_one`` with ``pacer``'s rate limit and retries, turning
    its exceptions into outcomes."""
    outcomes: list[Outcome] = []
    given_up: Outcome | None = None  # the channel is down: the rest fail alike, untried
    for done, message in enumerate(messages, start=1):
        if given_up is not None:
            outcomes.append(given_up)
        else:
            try:
                pacer.attempt(lambda m=message: send_one(m))
            except PermanentFailure as failure:
                outcomes.append(Outcome(Status.FAILED_PERMANENT, failure.reason))
                given_up = outcomes[-1] if failure.whole_batch else None
            except TransientFailure as failure:
                outcomes.append(Outcome(Status.FAILED_AFTER_RETRIES, failure.reason))
                given_up = outcomes[-1] if failure.whole_batch else None
            except Exception as exc:  # a bug must not stop the batch, nor log an address
                log.error("a message failed unexpectedly: %s", type(exc).__name__)
                outcomes.append(Outcome(Status.FAILED_PERMANENT, "unexpected"))
            else:
                outcomes.append(SENT)
        if progress is not None:
            progress(done, len(messages))
    return outcomes
