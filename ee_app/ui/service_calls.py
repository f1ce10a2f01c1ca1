"""A service called from a screen, in its own session, with its refusal shown.

Nearly every tab reads or writes the same way: open a session, call one service with the
signed-in actor, and on an :class:`~ee_app.errors.EeError` show it in the error box and go no
further. These helpers are that one shape, so a screen says only what it calls and what it does
next: ``row = write(ctx, save_scheme, definition)``, then ``if row is None: return`` (or
``st.stop()`` at a page's top level). The service's own session rules (one transaction per
write, nothing left half-done on an error) are unchanged: the session is opened and closed here
exactly as the screens did.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from ee_app.auth import Actor
from ee_app.errors import EeError
from ee_app.ui.components import error_box

__all__ = ["read", "write", "wrote"]

P = ParamSpec("P")
T = TypeVar("T")


def _called(
    ctx: Any, open_session: Callable[[], Any], call: Callable[..., T], args: Any, kwargs: Any
) -> tuple[bool, T | None]:
    try:
        with open_session() as session:
            return True, call(session, ctx.actor, *args, **kwargs)
    except EeError as error:
        error_box(error, ctx.gettext)
        return False, None


def read(
    ctx: Any, call: Callable[Concatenate[Any, Actor, P], T], *args: P.args, **kwargs: P.kwargs
) -> T | None:
    """``call(session, ctx.actor, *args, **kwargs)`` in a read session: what it returns, or
    None once its error is shown."""
    return _called(ctx, ctx.read, call, args, kwargs)[1]


def write(
    ctx: Any, call: Callable[Concatenate[Any, Actor, P], T], *args: P.args, **kwargs: P.kwargs
) -> T | None:
    """``call(session, ctx.actor, *args, **kwargs)`` in a write session (one transaction):
    what it returns, or None once its error is shown (nothing was written)."""
    return _called(ctx, ctx.write, call, args, kwargs)[1]


def wrote(
    ctx: Any, call: Callable[Concatenate[Any, Actor, P], Any], *args: P.args, **kwargs: P.kwargs
) -> bool:
    """:func:`write` for a service whose result the screen does not use (or that returns
    nothing): True once written, False once its error is shown."""
    return _called(ctx, ctx.write, call, args, kwargs)[0]
