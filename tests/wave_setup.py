"""A wave created and opened through the services, as HR does it, for tests that need
people invited before they can act (answer, remind, lose a link, be cleaned up)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from urllib.parse import parse_qs, urlparse

from sqlalchemy import Engine

from ee_app.auth import Actor
from ee_app.config import Settings
from ee_app.db import read_session, write_session
from ee_app.services import waves


def open_new_wave(
    engine: Engine,
    actor: Actor,
    code: str,
    units: Iterable[str],
    *,
    opens_on: date,
    closes_on: date,
    settings: Settings,
    today: date | None = None,
    name: str | None = None,
    **options,
):
    """Create the wave (named ``code`` unless ``name``) and open it on ``today``, each in a
    transaction of its own as on the page; ``options`` go to ``create_wave`` (mode, k, …).
    Returns the opened wave."""
    with write_session(engine) as session:
        waves.create_wave(
            session,
            actor,
            code=code,
            name=name or code,
            unit_codes=list(units),
            opens_on=opens_on,
            closes_on=closes_on,
            **options,
        )
    with write_session(engine) as session:
        return waves.open_wave(session, actor, code, settings, today=today)


def token_of(link: str) -> str:
    """The personal token in an invitation link (its ``t`` parameter)."""
    return parse_qs(urlparse(link).query)["t"][0]


def tokens(engine: Engine, actor: Actor, code: str, settings: Settings) -> list[str]:
    """The personal tokens of the wave's invitations, in the order the service lists them."""
    with read_session(engine) as session:
        links = waves.invitation_links(session, actor, code, settings)
    return [token_of(link.link) for link in links]
