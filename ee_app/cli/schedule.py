"""``ee-app schedule create|list|pause|resume|run`` and ``ee-app wave extend``.

``ee-app schedule run`` is what a systemd timer or cron calls (docs/deploy.md): it closes the
scheduled waves whose day has passed and opens the ones due today, and may run on several
machines at once. It exits 1 when HR should look (a wave not opened or not closed, a clean-up
not verified); a shared audience is a warning only.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from ee_app.choices import Cadence, WaveMode
from ee_app.cli.common import (
    Context,
    actions_of,
    as_option,
    command,
    mode_options,
    parse_day,
    print_row,
    unit_option,
)
from ee_app.errors import N_, NotFound, Problem, ValidationError

__all__ = ["print_overlaps", "register"]


def _instrument_id(ctx: Context, version: int | None) -> int | None:
    from sqlalchemy import select

    from ee_app.db import read_session
    from ee_app.models import InstrumentVersion

    if version is None:
        return None
    with read_session(ctx.engine) as session:
        found = session.scalar(
            select(InstrumentVersion.id).where(
                InstrumentVersion.kind == "pulse", InstrumentVersion.version == version
            )
        )
    if found is None:
        raise NotFound(N_("No questionnaire version {version}."), version=version)
    return found


def _create(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import write_session
    from ee_app.services.schedule_setup import create_schedule

    ctx.migrate()
    problems: list[Problem] = []
    first = parse_day(args.first, problems)
    ends = parse_day(args.ends, problems)
    if problems or first is None:
        raise ValidationError(N_("The schedule was not created."), problems)
    actor = ctx.actor(args.as_email)
    with write_session(ctx.engine) as session:
        row = create_schedule(
            session,
            actor,
            code=args.code,
            name=args.name,
            unit_codes=args.unit,
            first_opens_on=first,
            cadence=Cadence(args.cadence),
            every=args.every,
            open_days=args.open_days,
            ends_on=ends,
            instrument_id=_instrument_id(ctx, args.questionnaire),
            mode=WaveMode(args.mode),
            k=args.k,
            k_comments=args.k_comments,
            language=args.language or ctx.settings.lang,
        )
    ctx.say(
        N_("Created schedule {code}: {cadence}, first wave {first}."),
        code=row.code,
        cadence=_cadence(ctx, row),
        first=row.next_opening or "-",
    )
    return 0


def _cadence(ctx: Context, row) -> str:  # type: ignore[no-untyped-def]
    from ee_app.services.schedules import describe_cadence

    return describe_cadence(row.cadence, row.every, row.open_days, ctx.ngettext)


def _list(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import read_session
    from ee_app.services.schedules import list_schedules

    actor = ctx.acting(args.as_email)
    with read_session(ctx.engine) as session:
        rows = list_schedules(session, actor, today=args.today)
    if not rows:
        ctx.say(N_("No schedules yet. Create one with: ee-app schedule create"))
        return 0
    for row in rows:
        state = ctx.gettext(N_("active") if row.active else N_("paused"))
        print_row(
            row.code,
            row.name,
            _cadence(ctx, row),
            ", ".join(row.unit_codes),
            row.next_opening.isoformat() if row.next_opening else "-",
            state,
        )
    return 0


def _pause_or_resume(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import write_session
    from ee_app.services.schedules import pause_schedule, resume_schedule

    actor = ctx.acting(args.as_email)
    pause = args.schedule_command == "pause"
    with write_session(ctx.engine) as session:
        row = (pause_schedule if pause else resume_schedule)(session, actor, args.schedule)
    if pause:
        ctx.say(
            N_("Paused schedule {code}: no new waves; an open wave still closes on its day."),
            code=row.code,
        )
    else:
        ctx.say(
            N_("Resumed schedule {code}: next wave {next}."),
            code=row.code,
            next=row.next_opening or "-",
        )
    return 0


def _run(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.services.schedule_runs import run_schedules

    ctx.migrate()
    report = run_schedules(ctx.engine, ctx.settings, today=args.today, timeout=args.timeout)
    if not report.events:
        ctx.say(N_("Schedules: nothing to open or close on {day}."), day=report.today)
    for event in report.events:
        lines = event.lines(ctx.gettext, ctx.ngettext)
        print(lines[0], file=sys.stderr if event.problem else sys.stdout)
        for line in lines[1:]:
            print(line, file=sys.stderr)
    return 1 if any(event.failed for event in report.events) else 0


def print_overlaps(ctx: Context, actor, wave: str) -> None:  # type: ignore[no-untyped-def]
    """Warn (on stderr) before ``ee-app wave open`` about open waves reaching the same
    people; it does not stop the opening."""
    from ee_app.db import read_session
    from ee_app.services.overlap import overlapping_waves

    with read_session(ctx.engine) as session:
        overlaps = overlapping_waves(session, actor, wave)
    for o in overlaps:
        print(
            ctx.ngettext(
                "Warning: {count} person in this wave's audience is also invited to open wave "
                "{other} (open until {closes}).",
                "Warning: {count} people in this wave's audience are also invited to open wave "
                "{other} (open until {closes}).",
                o.people,
            ).format(count=o.people, other=o.code, closes=o.closes_on),
            file=sys.stderr,
        )


def _extend(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import write_session
    from ee_app.services.wave_dates import set_close_date

    ctx.migrate()
    problems: list[Problem] = []
    closes = parse_day(args.closes, problems)
    if problems or closes is None:
        raise ValidationError(N_("The close date was not changed."), problems)
    actor = ctx.actor(args.as_email)
    with write_session(ctx.engine) as session:
        row = set_close_date(session, actor, args.wave, closes, today=args.today)
    ctx.say(
        N_("Wave {code} now closes on {closes} (answers are accepted until that day ends)."),
        code=row.code,
        closes=row.closes_on,
    )
    return 0


def _today_option(p: argparse.ArgumentParser, help_: str) -> None:
    p.add_argument(
        "--today", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD", help=help_
    )


def register(sub: argparse._SubParsersAction) -> None:
    group = command(sub, "schedule", "recurring pulse surveys that open and close on time")
    create = group.add_parser("create", help="a schedule that makes a wave every N months/weeks")
    create.add_argument("--code", required=True, help="short code; waves are CODE-2026-11")
    create.add_argument("--name", required=True)
    unit_option(create)
    create.add_argument(
        "--first", required=True, metavar="YYYY-MM-DD", help="the first wave's opening day"
    )
    create.add_argument(
        "--cadence", choices=[c.value for c in Cadence], default=Cadence.MONTHLY.value
    )
    create.add_argument("--every", type=int, default=1, metavar="N", help="every N months/weeks")
    create.add_argument(
        "--open-days", type=int, default=7, metavar="N", help="days each wave stays open"
    )
    create.add_argument("--ends", metavar="YYYY-MM-DD", help="no wave opens after this day")
    create.add_argument(
        "--questionnaire",
        type=int,
        metavar="VERSION",
        help="questionnaire version (default: the newest when each wave is made)",
    )
    mode_options(create)
    create.add_argument("--k-comments", type=int, default=None, metavar="N")
    create.add_argument("--language", default=None)
    as_option(create)
    create.set_defaults(fn=_create)

    listing = group.add_parser("list", help="schedules with their next opening day")
    _today_option(listing, "count the next opening from this day (default: today)")
    as_option(listing)
    listing.set_defaults(fn=_list)

    for action, help_ in (
        ("pause", "no new waves until resumed (an open wave still closes)"),
        ("resume", "make waves again from the next run"),
    ):
        p = group.add_parser(action, help=help_)
        p.add_argument("schedule", metavar="SCHEDULE", help="the schedule's code")
        as_option(p)
        p.set_defaults(fn=_pause_or_resume)

    run = group.add_parser(
        "run", help="close the waves due to close and open those due today (for a timer)"
    )
    _today_option(run, "act as if today were this day (default: today)")
    run.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="how long each clean-up after closing waits for other connections (default 10)",
    )
    run.set_defaults(fn=_run)

    extend = actions_of(sub, "wave").add_parser(
        "extend", help="change the close date of a draft or open wave"
    )
    extend.add_argument("wave", metavar="WAVE", help="the wave's code")
    extend.add_argument("--closes", required=True, metavar="YYYY-MM-DD")
    _today_option(extend, "the day it is (default: today)")
    as_option(extend)
    extend.set_defaults(fn=_extend)
