"""Shared by the command modules of ``ee-app``: the :class:`Context` a command runs in, the
helpers that build command groups, the audit entry of a written file and the reading of an
input file. Imports nothing heavier than SQLAlchemy's core, and that only when a command
opens the database."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path

from ee_app.config import Settings
from ee_app.errors import N_, NotFound, Problem
from ee_app.i18n import plural_translator, translator

__all__ = ["Context", "Gettext", "actions_of", "as_option", "command", "log_download", "read_file"]

Gettext = Callable[[str], str]


class Context:
    def __init__(self, settings: Settings) -> None:
        from ee_app.db import make_engine

        self.settings = settings
        self.gettext: Gettext = translator(settings.lang)
        self.ngettext = plural_translator(settings.lang)
        self.engine = make_engine(settings.database_url)

    def migrate(self, *, always: bool = False) -> None:
        """Bring the database to what commands expect; one query when it already is (issue
        20: running Alembic on every command took seconds). ``always`` runs the full path."""
        from ee_app.services.startup import prepare

        prepare(self.engine, always=always)

    def actor(self, email: str | None):  # type: ignore[no-untyped-def]
        """Who the command acts for: ``--as EMAIL``'s active user with their scope, else the
        administrator of the shell. Read with SQLAlchemy Core, as the app's sign-in reads it
        with the ORM, so that a command that only reads never imports the ORM (issue 20)."""
        from ee_app.auth import system_actor
        from ee_app.services.users_read import actor_for_email

        if not email:
            return system_actor("cli")
        with self.engine.connect() as conn:
            actor = actor_for_email(conn, email)
        if actor is None:
            raise NotFound(N_("No active user “{email}”."), email=email)
        return actor

    def say(self, message: str, **params: object) -> None:
        print(self.gettext(message).format(**params))


def log_download(ctx: Context, actor, kind: str, object_id: object, rows: int, **detail) -> None:  # type: ignore[no-untyped-def]
    """An audit entry for a file the command wrote (ee_app.services.audit.record_download)."""
    from ee_app.db import write_session
    from ee_app.services.audit import record_download

    with write_session(ctx.engine) as session:
        record_download(session, actor, kind, object_id, rows=rows, **detail)


def read_file(path: Path) -> bytes:
    from ee_app.errors import ImportRejected
    from ee_app.imports.tabular import check_size

    try:
        check_size(path.stat().st_size)  # before reading a file of gigabytes into memory
        return path.read_bytes()
    except OSError as exc:
        raise ImportRejected(
            N_("Cannot read {path}: {reason}"), path=str(path), reason=exc.strerror or str(exc)
        ) from exc


def command(
    parent: argparse._SubParsersAction, name: str, help_: str
) -> argparse._SubParsersAction:
    """A command group (``ee-app NAME ACTION``) under ``parent``."""
    group = parent.add_parser(name, help=help_)
    return group.add_subparsers(dest=f"{name}_command", required=True, metavar="ACTION")


def actions_of(sub: argparse._SubParsersAction, name: str) -> argparse._SubParsersAction:
    """The sub-parsers of the existing command group ``name`` (e.g. ``"wave"``), so a module
    under ``ee_app/cli/`` can add actions to it."""
    group = sub.choices[name]
    for action in group._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise KeyError(name)


def as_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as", dest="as_email", metavar="EMAIL", help="act as this app user")


def parse_day(value: str | None, problems: list[Problem]) -> date | None:
    """An ISO date from the command line; a problem (not an exception) when it is not one, so
    a command reports every bad option at once. ``None`` passes through (option not given)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(
            Problem(N_("“{value}” is not a date; write it as 2026-03-05"), {"value": value})
        )
        return None
