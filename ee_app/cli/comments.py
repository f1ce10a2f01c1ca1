"""``ee-app report comments``: a closed wave's comments for HR, as .xlsx or .csv.

Shuffled, without dates, one row per comment with the group it is stored with (at least k_c
respondents) and its theme tags (:mod:`ee_app.services.comments`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ee_app.cli.common import Context, actions_of, as_option, log_download, write_file
from ee_app.config import LANGUAGES
from ee_app.errors import N_, ValidationError

__all__ = ["register"]


def _report_comments(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import read_session
    from ee_app.exports.comments import comments_csv, comments_xlsx
    from ee_app.services.comments import wave_comments

    path = Path(args.out)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ValidationError(
            N_("Cannot write “{suffix}”: use .xlsx or .csv."), suffix=path.suffix or path.name
        )
    actor = ctx.acting(args.as_email)
    with read_session(ctx.engine) as session:
        found = wave_comments(session, actor, args.wave)
    language = args.language or ctx.settings.lang
    data = comments_xlsx(found, language) if suffix == ".xlsx" else comments_csv(found, language)
    write_file(path, data)
    log_download(ctx, actor, "comments", args.wave, len(found), format=suffix[1:])
    groups = len({c.group_code for c in found})
    print(
        ctx.ngettext(
            "Wrote {count} comment of wave {code} to {path}.",
            "Wrote {count} comments of wave {code} to {path}.",
            len(found),
        ).format(count=len(found), code=args.wave, path=str(path))
    )
    print(
        ctx.ngettext(
            "{count} group, each of at least the comment threshold of respondents; in random "
            "order, without dates.",
            "{count} groups, each of at least the comment threshold of respondents; in random "
            "order, without dates.",
            groups,
        ).format(count=groups)
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """``ee-app report comments --wave W --out FILE``."""
    parser = actions_of(sub, "report").add_parser(
        "comments", help="a closed wave's comments with their groups and tags (HR)"
    )
    parser.add_argument("--wave", required=True, metavar="WAVE")
    parser.add_argument("--out", required=True, metavar="FILE(.xlsx|.csv)")
    parser.add_argument(
        "--language", choices=LANGUAGES, help="language of the file (default: EE_LANG)"
    )
    as_option(parser)
    parser.set_defaults(fn=_report_comments)
