"""``ee-app report engagement``: a closed wave's results as .xlsx or .csv."""

from __future__ import annotations

import argparse
from datetime import date

from ee_app.cli.common import Context, as_option, command, log_download, out_path, write_file
from ee_app.config import LANGUAGES
from ee_app.errors import N_, ValidationError

_REPORT_FORMATS = (".xlsx", ".csv")


def _parse_filter(text: str | None) -> tuple[str | None, str | None]:
    """``role=beautician`` → ("role", "beautician"); the service checks the rest."""
    from ee_app.models import StaffRole, TenureBand

    if text is None:
        return None, None
    key, sep, value = (part.strip() for part in text.partition("="))
    if not sep or not key or not value:
        raise ValidationError(
            N_("Write the filter as role=VALUE or band=VALUE, not “{text}”."), text=text
        )
    choices = {"role": StaffRole, "band": TenureBand}.get(key)
    if choices is not None and value not in {c.value for c in choices}:
        raise ValidationError(
            N_("Unknown {key} “{value}”: use one of {choices}."),
            key=key,
            value=value,
            choices=", ".join(c.value for c in choices),
        )
    return key, value


def _report_engagement(ctx: Context, args: argparse.Namespace) -> int:
    from ee_app.db import read_session
    from ee_app.exports.engagement import engagement_csv, engagement_xlsx
    from ee_app.models import UnitLevel
    from ee_app.services.results import engagement_view

    path, suffix = out_path(
        args.out,
        _REPORT_FORMATS,
        N_(
            "Cannot write “{suffix}”: use .xlsx (results, themes and how to read them) or "
            ".csv (the results table)."
        ),
    )
    dim, value = _parse_filter(args.filter)
    actor = ctx.acting(args.as_email)
    with read_session(ctx.engine) as session:
        view = engagement_view(
            session, actor, args.wave, level=UnitLevel(args.by), dim=dim, value=value
        )
    language = args.language or ctx.settings.lang
    if suffix == ".xlsx":
        data = engagement_xlsx(view, language, date.today())
    else:
        data = engagement_csv(view, language)
    write_file(path, data)
    log_download(
        ctx,
        actor,
        "results",
        view.wave_code,
        len(view.rows),
        format=suffix.lstrip("."),
        level=view.level.value,
        **({"filter": f"{view.dim}={view.value}"} if view.dim else {}),
    )
    hidden = int(view.rows["hidden"].sum()) if len(view.rows) else 0
    ctx.say(N_("Wrote the results of wave {code} to {path}."), code=view.wave_code, path=str(path))
    print(
        ctx.ngettext(
            "{count} unit; hidden: {hidden} (fewer than {k}, or protecting a smaller group).",
            "{count} units; hidden: {hidden} (fewer than {k}, or protecting a smaller group).",
            len(view.rows),
        ).format(count=len(view.rows), hidden=hidden, k=view.k)
    )
    compared = view.rows["previous_wave"].value_counts() if len(view.rows) else None
    if compared is None or compared.empty:
        ctx.say(N_("Change: no earlier closed wave of the same kind asked these units."))
    for code, units in compared.items() if compared is not None else ():
        print(
            ctx.ngettext(
                "Change since wave {code}: {count} unit.",
                "Change since wave {code}: {count} units.",
                int(units),
            ).format(code=code, count=int(units))
        )
    own = view.own.drop_duplicates("slot") if len(view.own) else view.own
    if len(own):
        hidden_own = int(view.own["hidden"].astype(bool).sum())
        print(
            ctx.ngettext(
                "{count} own question, in the file; hidden: {hidden} unit figures "
                "(fewer than {k} answers).",
                "{count} own questions, in the file; hidden: {hidden} unit figures "
                "(fewer than {k} answers).",
                len(own),
            ).format(count=len(own), hidden=hidden_own, k=view.k)
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    report = command(sub, "report", "results of closed survey waves")
    engagement = report.add_parser(
        "engagement", help="engagement results per unit as .xlsx or .csv, as the app shows them"
    )
    engagement.add_argument("--wave", required=True, metavar="WAVE", help="a closed wave's code")
    engagement.add_argument(
        "--by", required=True, choices=("region", "store", "team"), help="one row per unit of"
    )
    engagement.add_argument(
        "--filter",
        metavar="KEY=VALUE",
        help="role=VALUE or band=VALUE, with --by store only (e.g. role=beautician)",
    )
    engagement.add_argument(
        "--language", choices=LANGUAGES, help="language of the file (default: EE_LANG)"
    )
    engagement.add_argument("--out", required=True, metavar="FILE.xlsx|FILE.csv")
    as_option(engagement)
    engagement.set_defaults(fn=_report_engagement)
