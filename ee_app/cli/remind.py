"""``ee-app wave remind`` and ``ee-app wave reminders``: reminders from the shell (a cron job
a few days before a wave closes), and their log.

Output is counts only, like the log itself: who was written to is never printed.
"""

from __future__ import annotations

import argparse

from ee_app import clock
from ee_app.cli.common import Context, actions_of, as_option, print_row
from ee_app.errors import N_

__all__ = ["register"]


def _remind(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import write_session
    from ee_app.services.reminders import send_reminders

    actor = ctx.acting(args.as_email)
    with write_session(ctx.engine) as session:
        result = send_reminders(
            session, actor, args.wave, args.by, ctx.settings, dry_run=args.dry_run
        )
    print(result.render(ctx.gettext, ctx.ngettext))
    # Exit 1 when nothing got through (the channel is down or refuses us): cron says so.
    return 1 if result.attempted and not result.sent and not result.dry_run else 0


def _reminders(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import read_session
    from ee_app.services.reminder_channels import CHANNEL_NAMES
    from ee_app.services.reminders import reminder_runs

    actor = ctx.acting(args.as_email)
    with read_session(ctx.engine) as session:
        runs = reminder_runs(session, actor, args.wave)
    if not runs:
        ctx.say(N_("No reminders were sent for this wave."))
    for run in runs:
        print_row(
            clock.format_time(run.started_at),
            ctx.gettext(CHANNEL_NAMES[run.channel]),
            run.actor,
            run.render(ctx.gettext, ctx.ngettext),
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    wave = actions_of(sub, "wave")
    remind = wave.add_parser(
        "remind",
        help="send each person who has not answered their own link (email, wecom), or a "
        "general nudge to WeCom group chats (robot)",
    )
    remind.add_argument("wave", metavar="WAVE")
    remind.add_argument("--by", required=True, choices=("email", "wecom", "robot"))
    remind.add_argument(
        "--dry-run", action="store_true", help="count the messages; send and record nothing"
    )
    as_option(remind)
    remind.set_defaults(fn=_remind)
    log = wave.add_parser("reminders", help="the reminders sent for a wave, newest first")
    log.add_argument("wave", metavar="WAVE")
    as_option(log)
    log.set_defaults(fn=_reminders)
