"""The engagement-and-outcomes analysis as Excel: a sheet that says what was analysed and how
to read it, the units (only those whose results are published), the relations for each
outcome, the theme drivers and the ICC. Every number beside its n."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from openpyxl import Workbook

from ee_app.clock import format_time, zone_name
from ee_app.exports.xlsx import add_table_sheet, workbook_bytes

__all__ = ["linkage_xlsx"]

Gettext = Callable[[str], str]


def _number(value: Any) -> Any:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return None if number != number else round(number, 4)


def _months(months: Any) -> str:
    """The months a relation rests on: "2026-06, 2026-07"; lagged pairs "2026-06 → 2026-07"."""
    if not months:
        return "—"
    return ", ".join(" → ".join(m) if isinstance(m, tuple | list) else str(m) for m in months)


def _pending(found: Mapping[str, Any], _: Gettext) -> str:
    return _(
        "Not yet decidable: customers of {month} can still come back until {date}, so their "
        "repurchase rate is not known yet."
    ).format(month=found["month"], date=f"{found['until']:%Y-%m-%d}")


def linkage_xlsx(
    units: pd.DataFrame,
    relations: Mapping[str, Mapping[str, Any]],
    icc: Mapping[str, Any],
    *,
    outcome_names: Mapping[str, str],
    theme_names: Mapping[str, str],
    gettext: Gettext,
) -> bytes:
    """``relations`` maps an outcome to what
    :func:`ee_app.services.linkage_relations.outcome_relations` returned for it; ``units`` is
    the published store × wave table."""
    _ = gettext
    book = Workbook()
    about = [
        [_("What"), _("Engagement against customer outcomes, by store")],
        [_("Generated ({zone})").format(zone=zone_name(_)), format_time(datetime.now(UTC))],
        [
            _("Units"),
            _(
                "Only stores whose engagement results are published (at least k respondents, "
                "not hidden to protect a smaller group) are included."
            ),
        ],
        [
            _("Months"),
            _(
                "Each relation is computed on the months in its Months column, each wave's "
                "engagement against the same month's outcomes. Repurchase enters only from "
                "months whose 90-day windows have ended for every customer; the lagged relation "
                "pairs each store's adjacent waves only."
            ),
        ],
        [
            _("Reading"),
            _(
                "A correlation is not a cause, and a relation between stores need not hold for "
                "the people in them. Intervals are 95%; n is the number of stores (or store-"
                "waves) each figure rests on."
            ),
        ],
    ]
    add_table_sheet(book, _("About"), [_("Item"), _("Value")], about, first=True)
    unit_rows = [
        [
            row["wave"],
            row["month"],
            row["code"],
            row["name"],
            _number(row["n"]),
            _number(row["engagement"]),
            _number(row["csat"]),
            _number(row["csat_n"]),
            _number(row["repurchase"]),
            _number(row["repurchase_n"]),
            _number(row["visit_score"]),
            _number(row["visits"]),
            _number(row["headcount"]),
            _number(row["tenure"]),
        ]
        for row in units.to_dict("records")
    ]
    add_table_sheet(
        book,
        _("Stores"),
        [
            _("Wave"),
            _("Month"),
            _("Store code"),
            _("Store"),
            _("Respondents"),
            _("Engagement index"),
            _("CSAT top-2 (shrunken)"),
            _("CSAT n"),
            _("Repurchase rate"),
            _("Customers decided"),
            _("Mystery-shopper score"),
            _("Visits"),
            _("Headcount"),
            _("Mean tenure (years)"),
        ],
        unit_rows,
        formats={5: "0.00", 6: "0.0%", 8: "0.0%", 10: "0.0", 13: "0.0"},
    )
    stats_rows = []
    for outcome, found in relations.items():
        name = outcome_names.get(outcome, outcome)
        unit, within, lagged, partial = (
            found["unit"],
            found["within"],
            found["lagged"],
            found["partial"],
        )
        months = found.get("months", {})
        # The within-store relation pools the months that are decided, so it is written
        # also when the chosen month is not yet decidable.
        within_row = [
            name,
            _("Within stores across waves (rm_corr)"),
            "",
            within["observations"],
            within["r"],
            within["r_low"],
            within["r_high"],
            within["p"],
            _months(months.get("within")),
        ]
        if not found.get("decidable", True) and found.get("until") is not None:
            stats_rows.append(
                [
                    name,
                    _("Between stores (Pearson)"),
                    found["wave"],
                    None,
                    None,
                    None,
                    None,
                    None,
                    _pending(found, _),
                ]
            )
            stats_rows.append(within_row)
            continue
        one = _months(months.get("unit"))
        stats_rows += [
            [
                name,
                _("Between stores (Pearson)"),
                found["wave"],
                unit["n"],
                unit["r"],
                unit["r_low"],
                unit["r_high"],
                unit["r_p"],
                one,
            ],
            [
                name,
                _("Between stores (Spearman)"),
                found["wave"],
                unit["n"],
                unit["rho"],
                unit["rho_low"],
                unit["rho_high"],
                unit["rho_p"],
                one,
            ],
            within_row,
            [
                name,
                _("Engagement, then the next period"),
                found["wave"],
                lagged["n"],
                lagged["r"],
                lagged["r_low"],
                lagged["r_high"],
                lagged["r_p"],
                _months(months.get("lagged")),
            ],
            [
                name,
                _("Controlling for size and tenure"),
                found["wave"],
                partial["n"],
                partial["r"],
                partial["r_low"],
                partial["r_high"],
                partial["p"],
                _months(months.get("partial")),
            ],
            [
                name,
                _("Smallest r detectable (80% power)"),
                found["wave"],
                unit["n"],
                unit["detectable_r"],
                None,
                None,
                None,
                one,
            ],
        ]
    add_table_sheet(
        book,
        _("Relations"),
        [
            _("Outcome"),
            _("Analysis"),
            _("Wave"),
            "n",
            "r",
            _("95% low"),
            _("95% high"),
            "p",
            _("Months"),
        ],
        [[*r[:3], *(_number(v) for v in r[3:8]), r[8]] for r in stats_rows],
        formats={4: "0.00", 5: "0.00", 6: "0.00", 7: "0.0000"},
    )
    driver_rows = []
    for outcome, found in relations.items():
        for row in found["drivers"].to_dict("records"):
            driver_rows.append(
                [
                    outcome_names.get(outcome, outcome),
                    theme_names.get(row["theme"], row["theme"]),
                    _number(row["n"]),
                    _number(row["r"]),
                    _number(row["r_low"]),
                    _number(row["r_high"]),
                    _number(row["p"]),
                    _number(row["p_adjusted"]),
                    _("yes") if row["significant"] else _("no"),
                ]
            )
    add_table_sheet(
        book,
        _("Themes"),
        [
            _("Outcome"),
            _("Theme"),
            "n",
            "r",
            _("95% low"),
            _("95% high"),
            "p",
            _("p (BH adjusted)"),
            _("Holds after adjustment"),
        ],
        driver_rows,
        formats={3: "0.00", 4: "0.00", 5: "0.00", 6: "0.0000", 7: "0.0000"},
    )
    add_table_sheet(
        book,
        "ICC",
        [_("Statistic"), _("Value")],
        [
            [key, _number(icc.get(key))]
            for key in (
                "icc1",
                "icc2",
                "f",
                "df_between",
                "df_within",
                "p",
                "units",
                "people",
                "k0",
            )
        ],
    )
    return workbook_bytes(book)
