"""``ee-app backup`` and ``ee-app restore``: copies of the SQLite database."""

from __future__ import annotations

import argparse
from pathlib import Path

from ee_app.cli.common import Context
from ee_app.errors import N_


def _backup(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.backup import backup

    size = backup(ctx.engine, Path(args.out))
    ctx.say(
        N_("Backed up the database to {path} ({size} MB)."),
        path=args.out,
        size=round(size / 2**20, 1),
    )
    return 0


def _restore(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.backup import restore

    restore(ctx.engine, Path(args.file), force=args.force)
    ctx.migrate()  # a backup from an older version is brought to the newest schema
    ctx.say(N_("Restored the database from {path}."), path=args.file)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    backup = sub.add_parser("backup", help="copy the SQLite database while the app runs")
    backup.add_argument("--out", required=True, metavar="FILE")
    backup.set_defaults(fn=_backup)
    restore = sub.add_parser("restore", help="replace the SQLite database with a backup")
    restore.add_argument("file", metavar="FILE")
    restore.add_argument("--force", action="store_true", help="replace a database that holds data")
    restore.set_defaults(fn=_restore)
