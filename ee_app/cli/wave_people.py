"""``ee-app wave add-joiners`` and ``ee-app wave reissue``: people of an open wave after it
opened (see :mod:`ee_app.services.wave_people`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ee_app.cli.common import Context, actions_of, as_option, log_download, say_new_link, write_file
from ee_app.errors import N_, ValidationError


def _add_joiners(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import read_session, write_session
    from ee_app.exports.invitations import invitations_xlsx
    from ee_app.services.wave_people import add_late_joiners
    from ee_app.services.waves import get_wave

    path = Path(args.out) if args.out else None
    if path is not None and path.suffix.lower() != ".xlsx":
        raise ValidationError(N_("The links of the people added go to an Excel file: FILE.xlsx."))
    actor = ctx.acting(args.as_email)
    with write_session(ctx.engine) as session:
        added = add_late_joiners(session, actor, args.wave, ctx.settings, unit_codes=args.unit)
    ctx.say(
        ctx.ngettext(
            "Added {count} person to wave {code}.",
            "Added {count} people to wave {code}.",
            added.count,
        ),
        count=added.count,
        code=args.wave,
    )
    if not added.count:
        return 0
    if path is None:
        for link in added.links:
            print(f"{link.employee_no}\t{link.name}\t{link.store}\t{link.link}")
        return 0
    with read_session(ctx.engine) as session:
        wave = get_wave(session, actor, args.wave)
    write_file(path, invitations_xlsx(added.links, wave, wave.language))

    log_download(ctx, actor, "links", wave.code, len(added.links), joiners=True)
    ctx.say(N_("Wrote {count} personal links to {path}."), count=len(added.links), path=str(path))
    ctx.say(N_("Keep the file private: anyone holding a link can answer in that person's place."))
    return 0


def _reissue(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import write_session
    from ee_app.services.wave_people import reissue_link

    actor = ctx.acting(args.as_email)
    with write_session(ctx.engine) as session:
        link = reissue_link(session, actor, args.wave, args.employee_no, ctx.settings)
    say_new_link(ctx, link)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    wave = actions_of(sub, "wave")
    joiners = wave.add_parser(
        "add-joiners", help="invite people who joined the audience after the wave opened"
    )
    joiners.add_argument("wave", metavar="WAVE", help="an open wave's code")
    joiners.add_argument(
        "--unit", action="append", metavar="CODE", help="only under this unit; repeat for more"
    )
    joiners.add_argument(
        "--out", metavar="FILE.xlsx", help="write their links here (default: print them)"
    )
    as_option(joiners)
    joiners.set_defaults(fn=_add_joiners)
    reissue = wave.add_parser(
        "reissue", help="replace one person's lost link (the old one stops working)"
    )
    reissue.add_argument("wave", metavar="WAVE", help="an open wave's code")
    reissue.add_argument("employee_no", metavar="EMPLOYEE_NO")
    as_option(reissue)
    reissue.set_defaults(fn=_reissue)
