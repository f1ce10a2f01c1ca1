"""Shared by the command modules of ``ee-app``: the :class:`Context` a command runs in, the
helpers that build command groups and their shared options, the audit entry of a written
file, and the reading and writing of the files a command takes and makes. Imports nothing
heavier than SQLAlchemy's core, and that only when a command opens the database."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path

from ee_app.choices import WaveMode
from ee_app.config import Settings
from ee_app.errors import N_, NotFound, Problem, ValidationError
from ee_app.i18n import plural_translator, translator

__all__ = [
    "Context",
    "Gettext",
    "actions_of",
    "as_option",
    "command",
    "log_download",
    "mode_options",
    "out_path",
    "parse_day",
    "print_row",
    "read_file",
    "say_import",
    "say_new_link",
    "unit_option",
    "write_file",
    "xlsx_out",
]

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

    def acting(self, email: str | None):  # type: ignore[no-untyped-def]
        """How a command that acts for someone begins: the database brought up to date, then
        the actor of ``--as EMAIL`` (:meth:`actor`)."""
        self.migrate()
        return self.actor(email)

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


def write_file(path: Path, data: bytes) -> None:
    """Write a command's output file; a file the system refuses is a user error with its
    reason, not a traceback."""
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise ValidationError(
            N_("Cannot write {path}: {reason}"), path=str(path), reason=exc.strerror or str(exc)
        ) from exc


def xlsx_out(out: str, refusal: str) -> Path:
    """``--out``'s path when it names an Excel file; otherwise ``refusal``, before the command
    touches the database."""
    path = Path(out)
    if path.suffix.lower() != ".xlsx":
        raise ValidationError(refusal)
    return path


def out_path(out: str, formats: tuple[str, ...], refusal: str) -> tuple[Path, str]:
    """``--out``'s path and its lower-case suffix, one of ``formats``; otherwise ``refusal``
    (with ``{suffix}``), before the command touches the database."""
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in formats:
        raise ValidationError(refusal, suffix=path.suffix or path.name)
    return path, suffix


def say_import(ctx: Context, result, nothing_new: str, imported: str) -> None:  # type: ignore[no-untyped-def]
    """The last line of an import that keeps a batch: a dry run, nothing new, or the batch
    to undo (``imported`` with ``{batch}``)."""
    if result.dry_run:
        ctx.say(N_("Dry run: nothing was written."))
    elif result.batch_id is None:
        ctx.say(nothing_new)
    else:
        ctx.say(imported, batch=result.batch_id)


def say_new_link(ctx: Context, link) -> None:  # type: ignore[no-untyped-def]
    """A reissued personal link: whose it is, that the old one stopped, then the link alone
    on its line to copy."""
    ctx.say(
        N_("New personal link for {name} ({employee}); the old one no longer works:"),
        name=link.name,
        employee=link.employee_no,
    )
    print(link.link)


def print_row(*cells: object) -> None:
    """One line of a listing: its cells separated by tabs, for a script to cut."""
    print("\t".join(str(cell) for cell in cells))


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


def unit_option(p: argparse.ArgumentParser) -> None:
    """``--unit CODE`` (repeatable): the audience of a wave or a schedule."""
    p.add_argument(
        "--unit",
        action="append",
        required=True,
        metavar="CODE",
        help="audience unit (with everything beneath it); repeat for more",
    )


def mode_options(p: argparse.ArgumentParser) -> None:
    """``--mode`` and ``--k``: how a wave or a schedule's waves guard anonymity."""
    p.add_argument("--mode", choices=[m.value for m in WaveMode], default=WaveMode.ANONYMOUS.value)
    p.add_argument("--k", type=int, default=5, metavar="N", help="anonymity threshold")


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
