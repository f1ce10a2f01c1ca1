"""``ee-app users add`` and ``ee-app users list``: app users and their roles.

The list reads with SQLAlchemy Core (:mod:`ee_app.services.users_read`), so it starts
without the ORM and the models (issue 20).
"""

from __future__ import annotations

import argparse

from ee_app.choices import UserRole
from ee_app.cli.common import Context, as_option, command
from ee_app.errors import N_


def _users_add(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import write_session
    from ee_app.services.users import save_user

    ctx.migrate()
    with write_session(ctx.engine) as session:
        user = save_user(
            session,
            ctx.actor(args.as_email),
            args.email,
            role=UserRole(args.role),
            name=args.name or "",
            unit_codes=args.unit or (),
        )
    ctx.say(N_("Saved {email} as {role}."), email=user.email, role=user.role.value)
    return 0


def _users_list(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.services.users_read import list_users

    actor = ctx.acting(args.as_email)
    with ctx.engine.connect() as conn:
        users = list_users(conn, actor)
    for user in users:
        state = "" if user.active else " (inactive)"
        units = ",".join(user.unit_codes) or "-"
        print(f"{user.email}\t{user.role}\t{units}\t{user.name}{state}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    users = command(sub, "users", "app users and their roles")
    add = users.add_parser("add", help="create or update a user")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=[r.value for r in UserRole])
    add.add_argument("--name")
    add.add_argument("--unit", action="append", metavar="CODE", help="unit in a manager's scope")
    as_option(add)
    add.set_defaults(fn=_users_add)
    ls = users.add_parser("list", help="list users")
    as_option(ls)
    ls.set_defaults(fn=_users_list)
