"""``ee-app bank import|export|list``: question banks (题库) of training assessments in Excel.

``bank import FILE`` checks the workbook (every problem with its sheet, row and column, and
nothing saved on any) and saves it as the next version of its key, or version 1 of a new key;
the same workbook twice says "no change". ``bank export KEY`` writes a version back to the
same workbook, ``bank list`` prints every version with the number of people assigned it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ee_app.cli import Context, as_option, command
from ee_app.config import LANGUAGES
from ee_app.errors import N_

__all__ = ["register"]


def _import(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.cli.common import read_file
    from ee_app.db import write_session
    from ee_app.imports.question_bank import read_question_bank
    from ee_app.imports.tabular import file_label
    from ee_app.services.question_banks import save_bank

    ctx.migrate()
    path = Path(args.file)
    definition = read_question_bank(read_file(path), key=args.key)
    with write_session(ctx.engine) as session:
        result = save_bank(
            session, ctx.actor(args.as_email), definition, source=file_label(path.name)
        )
    if result.created:
        ctx.say(
            N_("Saved {key} version {version}: {questions} questions."),
            key=result.key,
            version=result.version,
            questions=len(definition["questions"]),
        )
    else:
        ctx.say(
            N_("No change: {key} version {version} already holds this question bank."),
            key=result.key,
            version=result.version,
        )
    return 0


def _export(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.cli.common import write_file
    from ee_app.db import read_session
    from ee_app.exports.question_bank import question_bank_xlsx
    from ee_app.services.question_banks import version_definition

    ctx.migrate()
    with read_session(ctx.engine) as session:
        definition = version_definition(session, ctx.actor(args.as_email), args.key, args.version)
    write_file(Path(args.out), question_bank_xlsx(definition, args.language or ctx.settings.lang))
    ctx.say(
        N_("Wrote {key} version {version} to {file}."),
        key=definition["key"],
        version=definition["version"],
        file=args.out,
    )
    return 0


def _list(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import read_session
    from ee_app.services.question_banks import list_versions

    ctx.migrate()
    with read_session(ctx.engine) as session:
        versions = list_versions(session, ctx.actor(args.as_email))
    language = ctx.settings.lang
    for info in versions:
        print(
            "\t".join(
                (
                    info.key,
                    f"v{info.version}",
                    info.name.get(language) or info.name.get("en", ""),
                    ctx.ngettext("{count} question", "{count} questions", info.questions).format(
                        count=info.questions
                    ),
                    ctx.ngettext(
                        "assigned to {count} person", "assigned to {count} people", info.assigned
                    ).format(count=info.assigned),
                    ctx.gettext(N_("newest")) if info.newest else "",
                )
            ).rstrip("\t")
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    group = command(sub, "bank", "question banks of training assessments (Excel)")
    imp = group.add_parser("import", help="save a workbook as a new assessment version")
    imp.add_argument("file", metavar="FILE.xlsx")
    imp.add_argument(
        "--key", metavar="KEY", help="save under this assessment key (default: the Settings key)"
    )
    as_option(imp)
    imp.set_defaults(fn=_import)
    exp = group.add_parser("export", help="write a version as the workbook to edit")
    exp.add_argument("key", metavar="KEY")
    exp.add_argument("--version", type=int, metavar="N", help="default: the newest")
    exp.add_argument("-o", "--out", required=True, metavar="FILE.xlsx")
    exp.add_argument("--language", choices=LANGUAGES, help="headers' language (default: EE_LANG)")
    as_option(exp)
    exp.set_defaults(fn=_export)
    ls = group.add_parser("list", help="every version, with the people assigned it")
    as_option(ls)
    ls.set_defaults(fn=_list)
