"""The ``ee-app`` admin command.

Every sub-command opens the database named by ``EE_DATABASE_URL``, acts through the same
services as the app, and on a user error prints one clear message per problem (row and column
for files) and exits with status 1, leaving the database unchanged. ``--as EMAIL`` makes a
command see only what that user may see; without it the command acts as an administrator,
since whoever runs it already holds the database.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from ee_app.cli.common import Context, Gettext, actions_of, as_option, command, log_download
from ee_app.config import Settings
from ee_app.errors import EeError
from ee_app.i18n import translator

__all__ = ["Context", "actions_of", "as_option", "command", "log_download", "main"]

#: The command groups, one module each under ``ee_app/cli/``, in the order ``--help`` lists
#: them: each has a ``register(sub)`` that adds its parsers to the top-level sub-parsers.
#: A module imports its heavy dependencies inside its command functions, so a command
#: loads only what it uses (issue 20).
_GROUPS: tuple[str, ...] = (
    "db_demo",
    "imports",
    "users",
    "staff",
    "waves",
    "reports",
    "visits",
    "incentives",
    "backup",
    "config",
    "retention",
    "wave_people",
    "audit",
    "schedule",
    "remind",
    "comments",
    "question_bank",
    "training",
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ee-app",
        description="Administer ee-app: database, demo data, imports, users, surveys, results.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in _GROUPS:
        importlib.import_module(f"ee_app.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    gettext: Gettext = translator("en")
    ctx: Context | None = None
    try:
        settings = Settings.from_env()
        gettext = translator(settings.lang)
        ctx = None if getattr(args, "no_db", False) else Context(settings)
        return args.fn(ctx, args)
    except EeError as exc:
        print(exc.render(gettext), file=sys.stderr)
        return 1
    finally:
        if ctx is not None:
            ctx.engine.dispose()
