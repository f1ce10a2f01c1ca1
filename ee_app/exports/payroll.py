"""The payroll workbook of an incentive run, for the payroll clerk (薪资发放).

Four sheets: **Payroll** (one row per staff member: employee number, name, store, role,
period, each component's measure, attainment and points, the gates applied, the scale factor
and the amount in CNY), **By store** (totals, and the grand total that equals the run's),
**Scheme** (what was paid for, with weights, targets and curves) and **Sign-off** (prepared
by, approved by, when, and the hashes of the run's inputs and lines). Headers in the chosen
language; amounts with two decimals; frozen header and filters; every text cell that begins
with = + - @ stays text. The payroll sheet is written in openpyxl's write-only mode: a chain's
10,000 lines should cost little more than the cells themselves (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from ee_app.clock import format_time, zone_name
from ee_app.exports.write_only import FastCells, header_row, styled_cell
from ee_app.exports.xlsx import MONEY_FORMAT, workbook_bytes
from ee_app.i18n import translator
from ee_app.instruments.scheme import Scheme
from ee_app.models import RunStatus
from ee_app.words.labels import (
    component_labels,
    curve_text,
    flag_text,
    measure_label,
    missing_rule_label,
    pool_mode_label,
    role_label,
)

__all__ = ["payroll_xlsx"]

Gettext = Callable[[str], str]
_BOLD = Font(bold=True)
_DRAFT_FILL = PatternFill("solid", fgColor="FFC7CE")

_SHARE_MEASURES = {"csat_top2", "repurchase_rate"}


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if number != number else number


def _flags(detail: Mapping[str, Any], _: Gettext, names: Mapping[str, str]) -> str:
    """A line's notes in words: components and roles by their names, never their keys."""
    return _("; ").join(flag_text(flag, _, names) for flag in detail.get("flags") or [])


def _payroll_sheet(
    book: Workbook,
    scheme: Scheme,
    lines: Sequence[Mapping[str, Any]],
    period: str,
    scale: Decimal,
    _: Gettext,
) -> None:
    sheet = book.create_sheet(_("Payroll"))
    titles = [_("Employee number"), _("Name"), _("Store code"), _("Store"), _("Role"), _("Period")]
    formats: list[str | None] = [None] * len(titles)
    names = component_labels(scheme.components, _)
    for component in scheme.components:
        measure = names[component.id]
        titles += [
            f"{measure}",
            _("{measure}: attainment").format(measure=measure),
            _("{measure}: points").format(measure=measure),
        ]
        value_format = "0.0%" if component.measure in _SHARE_MEASURES else "#,##0.00"
        formats += [value_format, "0.0%", "0.0%"]
    titles += [
        _("Target bonus (CNY)"),
        _("Points"),
        _("Gates and notes"),
        _("Scale factor"),
        _("Amount (CNY)"),
    ]
    formats += [MONEY_FORMAT, "0.0%", None, "0.0000", MONEY_FORMAT]
    widths = [14, 10, 11, 16, 12, 9] + [14, 12, 12] * len(scheme.components) + [14, 10, 40, 11, 14]
    for position, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(titles))}{len(lines) + 1}"
    header_row(sheet, titles)
    cells = FastCells(sheet)
    factor = float(scale)
    for line in lines:
        detail = line["detail"]
        values: list[Any] = [
            line["employee_no"],
            line["name"],
            line["store_code"],
            line["store_name"],
            role_label(line["role"], _),
            period,
        ]
        for component in scheme.components:
            values += [
                _number(detail.get(f"{component.id}_value")),
                _number(detail.get(f"{component.id}_attainment")),
                _number(detail.get(f"{component.id}_points")),
            ]
        values += [
            _number(line["target_bonus"]),
            _number(line["points"]),
            _flags(detail, _, names),
            factor,
            Decimal(line["amount"]),
        ]
        sheet.append([cells(v, f) for v, f in zip(values, formats, strict=True)])


def _stores_sheet(
    book: Workbook, lines: Sequence[Mapping[str, Any]], total: Decimal, _: Gettext
) -> None:
    sheet = book.create_sheet(_("By store"))
    by_store: dict[tuple[str, str], list[Decimal]] = {}
    for line in lines:
        by_store.setdefault((line["store_code"], line["store_name"]), []).append(
            Decimal(line["amount"])
        )
    for position, width in enumerate([12, 18, 10, 16], start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = "A2"
    header_row(sheet, [_("Store code"), _("Store"), _("Staff"), _("Amount (CNY)")])
    for (code, name), amounts in sorted(by_store.items()):
        sheet.append(
            [
                styled_cell(sheet, code),
                styled_cell(sheet, name),
                styled_cell(sheet, len(amounts)),
                styled_cell(sheet, sum(amounts, Decimal(0)), MONEY_FORMAT),
            ]
        )
    sheet.append(
        [
            styled_cell(sheet, _("Total"), font=_BOLD),
            styled_cell(sheet, ""),
            styled_cell(sheet, len(lines), font=_BOLD),
            styled_cell(sheet, total, MONEY_FORMAT, _BOLD),
        ]
    )


def _scheme_sheet(book: Workbook, scheme: Scheme, language: str, _: Gettext) -> None:
    sheet = book.create_sheet(_("Scheme"))
    for position, width in enumerate([28, 16, 12, 60, 40, 40], start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    rows: list[list[Any]] = [
        [
            _("Scheme"),
            _("{name}, version {version}").format(
                name=scheme.name.get(language), version=scheme.version
            ),
        ],
        [
            _("Service quality weight"),
            float(scheme.service_weight),
            _("at least {floor:.0%}").format(floor=float(scheme.service_floor)),
        ],
        [
            _("Bonus pool (CNY)"),
            _number(scheme.pool) if scheme.pool is not None else _("none"),
            pool_mode_label(scheme.pool_mode, _) if scheme.pool is not None else "",
        ],
        [],
    ]
    sheet.append(
        [styled_cell(sheet, v, font=_BOLD if i == 0 else None) for i, v in enumerate(rows[0])]
    )
    sheet.append(
        [
            styled_cell(sheet, rows[1][0], font=_BOLD),
            styled_cell(sheet, rows[1][1], "0%"),
            styled_cell(sheet, rows[1][2]),
        ]
    )
    sheet.append(
        [
            styled_cell(sheet, rows[2][0], font=_BOLD),
            styled_cell(sheet, rows[2][1], MONEY_FORMAT),
            styled_cell(sheet, rows[2][2]),
        ]
    )
    sheet.append([])
    header_row(
        sheet,
        [
            _("Component"),
            _("Weight"),
            _("Target"),
            _("Pay curve (attainment → payout)"),
            _("Measure"),
            _("A person without a value"),
        ],
    )
    names = component_labels(scheme.components, _)
    for component in scheme.components:
        if component.role_targets:
            target = _("; ").join(
                f"{role_label(r, _)} {float(t):,.2f}" for r, t in component.role_targets
            )
        else:
            target = float(component.target) if component.target is not None else ""
        # The measure, and the roles paid on another one (e.g. a store manager on the store's
        # sales), in words.
        measure = measure_label(component.measure, _)
        others = getattr(component, "role_measures", ())
        if others:
            measure += _("; ") + _("; ").join(
                f"{role_label(r, _)}: {measure_label(m, _)}" for r, m in others
            )
        sheet.append(
            [
                styled_cell(sheet, names[component.id]),
                styled_cell(sheet, float(component.weight), "0%"),
                styled_cell(sheet, target),
                styled_cell(sheet, curve_text(component.curve, _)),
                styled_cell(sheet, measure),
                styled_cell(sheet, missing_rule_label(getattr(component, "missing", "zero"), _)),
            ]
        )
    sheet.append([])
    header_row(sheet, [_("Role"), _("Target bonus (CNY)")])
    for role, amount in scheme.target_bonus:
        sheet.append(
            [
                styled_cell(sheet, role_label(role, _)),
                styled_cell(sheet, float(amount), MONEY_FORMAT),
            ]
        )
    sheet.append([])
    gates = scheme.gates
    for label, value in (
        (
            _("Onboarding assessment must be passed"),
            _("yes") if gates.onboarding_required else _("no"),
        ),
        (_("CSAT answers needed for one's own CSAT"), gates.csat_min_n),
        (_("Visits needed for one's own mystery-shopper score"), gates.visit_min_n),
    ):
        sheet.append([styled_cell(sheet, label, font=_BOLD), styled_cell(sheet, value)])


def _signoff_sheet(book: Workbook, run: Any, _: Gettext) -> None:
    sheet = book.create_sheet(_("Sign-off"))
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 70
    approved = run.status is RunStatus.APPROVED
    status = _("Approved") if approved else _("DRAFT: not approved, do not pay")
    rows = [
        (_("Run"), run.id),
        (_("Period"), run.period),
        (_("Status"), status),
        (_("Prepared by"), run.created_by),
        (_("Prepared at ({zone})").format(zone=zone_name(_)), format_time(run.created_at)),
        (_("Approved by"), run.approved_by or ""),
        (
            _("Approved at ({zone})").format(zone=zone_name(_)),
            format_time(run.approved_at),
        ),
        (_("Corrects run"), run.corrects_id or ""),
        # The CSAT window the inputs were gathered with (each input row records it; runs
        # from before issue 16 used the pay month alone).
        (
            _("CSAT window (months ending with the period)"),
            int((run.inputs or [{}])[0].get("csat_months") or 1),
        ),
        (_("Lines"), run.lines),
        (_("Total before scaling (CNY)"), run.total_raw),
        (_("Scale factor"), float(run.scale)),
        (_("Total (CNY)"), run.total),
        (_("Inputs SHA-256"), run.inputs_sha256),
        (_("Lines SHA-256"), run.outputs_sha256),
    ]
    for label, value in rows:
        fmt = MONEY_FORMAT if isinstance(value, Decimal) else None
        value_cell = styled_cell(sheet, value, fmt)
        if label == _("Status") and not approved:
            value_cell.fill = _DRAFT_FILL
            value_cell.font = _BOLD
        sheet.append([styled_cell(sheet, label, font=_BOLD), value_cell])
    _calibration_rows(sheet, run, _)
    sheet.append([])
    sheet.append(
        [
            styled_cell(sheet, _("Note"), font=_BOLD),
            styled_cell(
                sheet,
                _(
                    "Amounts are rounded to the fen so that the lines add up exactly to the total. "
                    "Engagement survey results are never an input to pay."
                ),
            ),
        ]
    )


def _calibration_rows(sheet: Any, run: Any, _: Gettext) -> None:
    """The calibration warnings the approver acknowledged (ee_app.services.calibration), in
    the workbook's language; "none" when the run had none; on a draft, not yet."""
    from ee_app.services.calibration import acknowledged_warnings

    record = getattr(run, "calibration", None)
    if record:
        who = _("{who}, on approving the run").format(who=record.get("acknowledged_by", ""))
    elif run.status is RunStatus.APPROVED:
        who = _("none: the calibration had no warnings")
    else:
        who = _("not yet: the approver acknowledges any warnings on approving the run")
    sheet.append(
        [
            styled_cell(sheet, _("Calibration warnings acknowledged by"), font=_BOLD),
            styled_cell(sheet, who),
        ]
    )
    warnings = acknowledged_warnings(record)
    # The components the warnings name, by their id and measure: the names of the Payroll
    # sheet's headers (ee_app.words.labels.component_labels).
    parts = {
        w.params["component"]: {"id": w.params["component"], "measure": w.params["measure"]}
        for w in warnings
        if "component" in w.params
    }
    names = component_labels(list(parts.values()), _)
    for position, warning in enumerate(warnings, start=1):
        sheet.append(
            [
                styled_cell(sheet, _("Calibration warning {n}").format(n=position), font=_BOLD),
                styled_cell(sheet, warning.render(_, names)),
            ]
        )


def payroll_xlsx(view: Any, language: str) -> bytes:
    """The workbook of a run (a :class:`ee_app.services.incentive_runs.RunView`)."""
    _ = translator(language)
    book = Workbook(write_only=True)
    run, scheme, lines = view.run, view.scheme, view.lines
    _payroll_sheet(book, scheme, lines, run.period, run.scale, _)
    _stores_sheet(book, lines, run.total, _)
    _scheme_sheet(book, scheme, language, _)
    _signoff_sheet(book, run, _)
    return workbook_bytes(book)
