"""``ee-app db upgrade`` and ``ee-app demo load``."""

from __future__ import annotations

import argparse
import sys

from ee_app.cli.common import Context, command
from ee_app.errors import N_


def _db_upgrade(ctx: Context, _args: argparse.Namespace) -> int:
    """Say what the upgrade did: a new database used to be told it was "already up to date"
    (issue 21), which hid that the schema had just been created."""
    from ee_app.db import current_revision

    before = current_revision(ctx.engine)
    ctx.migrate(always=True)
    after = current_revision(ctx.engine)
    if before is None:
        ctx.say(N_("Created the schema at revision {after}."), after=after)
    elif before != after:
        ctx.say(
            N_("Migrated the schema from revision {before} to {after}."), before=before, after=after
        )
    else:
        ctx.say(N_("The schema is already at the newest revision, {after}."), after=after)
    return 0


def _demo_load(ctx: Context, args: argparse.Namespace) -> int:
    if args.if_demo_mode:
        from ee_app.config import auth_section_of, loads_demo_when_empty, read_secrets

        if not loads_demo_when_empty(ctx.settings, auth_section_of(read_secrets())):
            ctx.say(
                N_(
                    "Not in demo mode (a sign-in provider is configured in "
                    ".streamlit/secrets.toml, or EE_ENV=production): the demo is not loaded."
                )
            )
            return 0
    ctx.migrate()
    if args.if_empty:
        from ee_app.db import read_session
        from ee_app.services.demo_state import database_is_empty

        with read_session(ctx.engine) as session:
            empty = database_is_empty(session)
        if not empty:
            ctx.say(N_("The database already holds an org tree: the demo is not loaded."))
            return 0
    from ee_app.db import write_session
    from ee_app.services.demo import load_demo

    def progress(fraction: float, step: str) -> None:  # on stderr: stdout keeps the result
        line = ctx.gettext(N_("Loading the demo: {percent}% {step}")).format(
            percent=round(fraction * 100), step=ctx.gettext(step)
        )
        print(line, file=sys.stderr, flush=True)

    with write_session(ctx.engine) as session:
        demo = load_demo(
            session,
            ctx.actor(None),
            seed=args.seed,
            size=args.size,
            production=ctx.settings.production,
            progress=progress,
        )
    ctx.say(
        N_("Loaded the {size} demo: {units} units, {staff} staff, {users} users."),
        size=args.size,
        units=len(demo.chain.units),
        staff=len(demo.chain.staff),
        users=len(demo.chain.users),
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    db = command(sub, "db", "database schema")
    db.add_parser("upgrade", help="create or migrate the schema").set_defaults(fn=_db_upgrade)

    demo = command(sub, "demo", "demo data")
    load = demo.add_parser("load", help="load the demo chain into an empty database")
    load.add_argument("--seed", type=int, default=7)
    load.add_argument("--size", choices=("small", "chain"), default="small")
    load.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing (and succeed) when the database already holds an org tree",
    )
    load.add_argument(
        "--if-demo-mode",
        action="store_true",
        help="do nothing when the app would not be in demo mode: a sign-in provider in "
        ".streamlit/secrets.toml, or EE_ENV=production (scripts/run passes both flags)",
    )
    load.set_defaults(fn=_demo_load)
