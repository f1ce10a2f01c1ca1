"""``ee-app staff list``: current staff in scope, read with SQLAlchemy Core
(:mod:`ee_app.services.staff_read`), so it starts without the ORM and the models (issue 20).
"""

from __future__ import annotations

import argparse

from ee_app.cli.common import Context, as_option, command


def _staff_list(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.services.staff_read import list_staff, unit_id_in_scope

    actor = ctx.acting(args.as_email)
    with ctx.engine.connect() as conn:
        unit_id = unit_id_in_scope(conn, actor, args.unit) if args.unit else None
        rows = list_staff(conn, actor, unit_id=unit_id, search=args.search or "")
    for row in rows:
        print(f"{row.employee_no}\t{row.name}\t{row.role}\t{row.store_code}\t{row.unit_code}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    staff = command(sub, "staff", "the roster")
    staff_ls = staff.add_parser("list", help="list current staff in scope")
    staff_ls.add_argument("--unit", metavar="CODE")
    staff_ls.add_argument("--search")
    as_option(staff_ls)
    staff_ls.set_defaults(fn=_staff_list)
