"""The report of one mystery-shopper visit (神秘顾客暗访报告), as HR downloads it and sends it to
the store: an Excel workbook that opens the same in Excel and LibreOffice.

Three sheets:

Summary
    the store, the checklist template and version, the visit window and date, the status, who
    served the shopper, the shopper (only when the reader may see who shopped), the final and
    raw scores, the pass mark and the result, the critical items (一票否决项) that failed, the
    review reason and the shopper's notes, and when ee-app made the file.
Sections
    one row per section: weight, points earned and possible, and the section's score.
Items
    one row per item: the answer in words, points earned and possible, whether it is a
    critical item, the shopper's comment and the evidence files; failed critical items on a
    red fill, other "no" answers on light orange.

Scores are percentages from 0 to 100 (82.1, not 0.821), shown with a ``%`` sign. They are the
ones stored when the visit was submitted, which results and pay read; the report recomputes
them from the answers with :func:`ee_app.instruments.checklist.score` and refuses to show
numbers that disagree. So only a submitted or approved visit has a report: a draft's answers
may still change, and a rejected visit's stored scores belong to answers the shopper may have
corrected since.

Fixed words are English strings marked with ``N_`` and translated when the report is made;
template texts (sections, items, options) come in the reader's language from the template.
Every cell goes through :func:`ee_app.exports.xlsx.set_value`, so a comment, a note or a file
name that begins like a formula (``=HYPERLINK(…)``, ``+86 138…``) stays text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from ee_app.clock import format_time, zone_name
from ee_app.errors import N_, Conflict
from ee_app.exports.xlsx import DATE_FORMAT, add_table_sheet, set_value, workbook_bytes
from ee_app.i18n import translator
from ee_app.instruments.checklist import NA, Checklist, ChecklistItem, VisitScore, percent, score
from ee_app.models import VisitStatus
from ee_app.services.visits import VisitRow

__all__ = ["CRITICAL_FILL", "NO_FILL", "SCORE_FORMAT", "visit_report_xlsx"]

#: A percentage stored as 0–100 (82.1), shown as "82.1%" without being multiplied by 100.
SCORE_FORMAT = '0.0"%"'
POINTS_FORMAT = "0.00"
WHOLE_FORMAT = "0"
#: Items sheet: a critical item answered "no" (the visit fails), and any other "no".
CRITICAL_FILL = PatternFill("solid", fgColor="FFC7CE")
NO_FILL = PatternFill("solid", fgColor="FCE4D6")
#: Visits whose stored scores belong to their answers for good.
_REPORTABLE = (VisitStatus.SUBMITTED, VisitStatus.APPROVED)

_SHEETS = (N_("Summary"), N_("Sections"), N_("Items"))
_SECTION_HEADER = (
    N_("Section"),
    N_("Weight"),
    N_("Points earned"),
    N_("Points possible"),
    N_("Section score"),
    N_("Note"),
)
_ITEM_HEADER = (
    N_("Section"),
    N_("Item"),
    N_("Item type"),
    N_("Answer"),
    N_("Points earned"),
    N_("Points possible"),
    N_("Critical item"),
    N_("Comment"),
    N_("Evidence"),
)
# 1-based columns of the Items sheet that hold long texts
_ITEM_COLUMN, _ANSWER_COLUMN, _COMMENT_COLUMN, _EVIDENCE_COLUMN = 2, 4, 8, 9
_WRAPPED = (_ITEM_COLUMN, _ANSWER_COLUMN, _COMMENT_COLUMN, _EVIDENCE_COLUMN)
_TYPES = {
    "yes_no": N_("Yes/no"),
    "scale": N_("Scale 1–5"),
    "choice": N_("Choice"),
    "text": N_("Free text"),
}
_STATUSES = {
    VisitStatus.SUBMITTED: N_("Submitted, waiting for review"),
    VisitStatus.APPROVED: N_("Approved (counts in results)"),
}

Gettext = Callable[[str], str]


# Numbers --------------------------------------------------------------------------------------


def _round2(value: Fraction) -> float:
    """An exact number rounded once, half up, to two decimals.

    >>> _round2(Fraction(1, 8)), _round2(Fraction("3.6666")), _round2(Fraction(5))
    (0.13, 3.67, 5.0)
    """
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _weight(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def _stored(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _verify(visit: VisitRow, result: VisitScore) -> None:
    """Raise Conflict unless the stored scores are those the answers give."""
    wrong = []
    if _stored(visit.raw_score) != percent(result.raw):
        wrong.append("raw_score")
    if _stored(visit.score) != percent(result.final):
        wrong.append("score")
    if visit.passed is not result.passed:
        wrong.append("passed")
    if visit.critical_failed is not bool(result.critical_failures):
        wrong.append("critical_failed")
    for section in result.sections:
        if _stored(visit.section_scores.get(section.id)) != percent(section.share):
            wrong.append(f"section_scores[{section.id}]")
    if wrong:
        raise Conflict(
            N_(
                "The scores stored with visit {visit} do not match its answers ({fields}). "
                "Do not send this report; ask an administrator to check the visit."
            ),
            visit=visit.id,
            fields=", ".join(wrong),
        )


def _item_points(
    checklist: Checklist, item: ChecklistItem, answer: Mapping[str, Any]
) -> tuple[Fraction | None, int | None]:
    """(earned, possible) for one item; (None, None) when it is N/A, unanswered or unscored.

    The points come from :func:`score` over this item alone, so they always add up to the
    section's points on the Sections sheet.
    """
    if not item.scored or answer.get("value") in (None, "", NA):
        return None, None
    alone = score(checklist, {item.id: answer})
    section = checklist.section_of(item.id)
    earned = next(s.earned for s in alone.sections if section and s.id == section.id)
    return earned, item.points


# Words ----------------------------------------------------------------------------------------


def _yes_no(flag: bool, _: Gettext) -> str:
    return _(N_("Yes")) if flag else _(N_("No"))


def _answer(item: ChecklistItem, value: Any, language: str, _: Gettext) -> Any:
    """The answer as the reader says it: 是/否/不适用, the scale value, the option's text."""
    if value is None or value == "":
        return None
    if value == NA:
        return _(N_("N/A"))
    if item.type == "yes_no":
        return _yes_no(value == "yes", _)
    if item.type == "scale":
        return int(value)
    if item.type == "choice":
        option = item.option(str(value))
        return option.text.get(language) if option else str(value)
    return str(value)


def _served_by(visit: VisitRow, _: Gettext) -> tuple[str, str]:
    """(label, value): the staff member HR recorded, else what the shopper noted."""
    if visit.staff_name:
        who = visit.staff_name
        if visit.staff_no:
            who = _(N_("{name} (employee number {number})")).format(
                name=visit.staff_name, number=visit.staff_no
            )
        return _(N_("Served by")), who
    if visit.served_by_note:
        return _(N_("Served by (as the shopper noted it)")), visit.served_by_note
    return _(N_("Served by")), _(N_("not recorded"))


def _score_value(
    value: Any, _: Gettext, missing: str = N_("no score: every scored item was N/A")
) -> tuple[Any, str | None]:
    """(cell value, number format) of a percentage, or the words for a missing one."""
    if value is None:
        return _(missing), None
    return float(value), SCORE_FORMAT


# Sheets ---------------------------------------------------------------------------------------


def _summary(
    sheet: Worksheet,
    visit: VisitRow,
    result: VisitScore,
    language: str,
    generated_at: datetime,
    _: Gettext,
) -> None:
    checklist = visit.checklist
    failed = [checklist.item(i) for i in result.critical_failures]
    failed_texts = [i.text.get(language) for i in failed if i is not None] or [_(N_("none"))]
    served_label, served = _served_by(visit, _)
    facts: list[tuple[str, Any, str | None]] = [
        (_(N_("Store")), visit.store_name, None),
        (_(N_("Store code")), visit.store_code, None),
        (_(N_("Checklist")), checklist.name.get(language), None),
        (_(N_("Checklist version")), f"{visit.template_key} v{visit.template_version}", None),
        (
            _(N_("Visit window")),
            f"{visit.window_start.isoformat()} – {visit.window_end.isoformat()}",
            None,
        ),
        (_(N_("Visit date")), visit.visited_on, DATE_FORMAT),
        (_(N_("Status")), _(_STATUSES[visit.status]), None),
        (served_label, served, None),
    ]
    if visit.shopper:
        facts.append((_(N_("Mystery shopper")), visit.shopper, None))
    facts += [
        (_(N_("Final score")), *_score_value(visit.score, _)),
        (_(N_("Raw score (before critical items)")), *_score_value(visit.raw_score, _)),
        (_(N_("Pass mark")), *_score_value(percent(checklist.pass_mark), _, missing=N_("none"))),
        (_(N_("Result")), _(N_("Pass")) if visit.passed else _(N_("Fail")), None),
    ]
    facts += [
        (_(N_("Critical items failed")) if n == 0 else "", text, None)
        for n, text in enumerate(failed_texts)
    ]
    if visit.review_reason:
        facts.append((_(N_("Review reason")), visit.review_reason, None))
    if visit.notes:
        facts.append((_(N_("Shopper's notes")), visit.notes, None))

    title = sheet.cell(row=1, column=1)
    set_value(title, _(N_("Mystery-shopper visit report")))
    title.font = Font(bold=True, size=14)
    for r, (label, value, fmt) in enumerate(facts, start=2):
        head = sheet.cell(row=r, column=1)
        set_value(head, label)
        head.font = Font(bold=True)
        head.alignment = Alignment(vertical="top")
        cell = sheet.cell(row=r, column=2)
        set_value(cell, value)
        if fmt and not isinstance(value, str):
            cell.number_format = fmt
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
    notes = [
        _(N_("Generated by ee-app on {time} ({zone}).")).format(
            time=format_time(generated_at), zone=zone_name(_)
        ),
        _(
            N_(
                "A critical item answered “no” fails the visit with a final score of 0; the raw "
                "score is what the visit scored otherwise, kept for coaching."
            )
        ),
        _(
            N_(
                "Items answered N/A count in neither the points earned nor the points possible; "
                "a section where every item is N/A drops out and the other sections' weights "
                "are scaled up."
            )
        ),
    ]
    for r, note in enumerate(notes, start=len(facts) + 3):
        cell = sheet.cell(row=r, column=1)
        set_value(cell, note)
        cell.font = Font(italic=True)
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 70
    sheet.freeze_panes = "A2"


def _sections(
    book: Workbook, visit: VisitRow, result: VisitScore, language: str, _: Gettext
) -> None:
    scores = {s.id: s for s in result.sections}
    rows: list[Sequence[Any]] = []
    for section in visit.checklist.sections:
        points = scores[section.id]
        share = percent(points.share)
        rows.append(
            [
                section.name.get(language),
                _weight(section.weight),
                _round2(points.earned),
                points.possible,
                None if share is None else float(share),
                _(N_("All items N/A")) if not points.possible else None,
            ]
        )
    formats = {2: POINTS_FORMAT, 3: WHOLE_FORMAT, 4: SCORE_FORMAT}
    add_table_sheet(book, _(_SHEETS[1]), [_(h) for h in _SECTION_HEADER], rows, formats=formats)


def _items(book: Workbook, visit: VisitRow, language: str, _: Gettext) -> None:
    checklist = visit.checklist
    files: dict[str, list[str]] = {}
    for evidence in visit.evidence:
        files.setdefault(evidence.item_id, []).append(evidence.file_name)
    rows: list[Sequence[Any]] = []
    fills: list[PatternFill | None] = []
    for section in checklist.sections:
        for item in section.items:
            answer = visit.answers.get(item.id) or {}
            value = answer.get("value")
            earned, possible = _item_points(checklist, item, answer)
            rows.append(
                [
                    section.name.get(language),
                    item.text.get(language),
                    _(_TYPES[item.type]),
                    _answer(item, value, language, _),
                    None if earned is None else _round2(earned),
                    possible,
                    _yes_no(item.critical, _),
                    answer.get("comment") or None,
                    "; ".join(files.get(item.id, ())) or None,
                ]
            )
            if value == "no":
                fills.append(CRITICAL_FILL if item.critical else NO_FILL)
            else:
                fills.append(None)
    formats = {4: POINTS_FORMAT, 5: WHOLE_FORMAT}
    header = [_(h) for h in _ITEM_HEADER]
    sheet = add_table_sheet(book, _(_SHEETS[2]), header, rows, formats=formats)
    for column, width in ((_ITEM_COLUMN, 60), (_COMMENT_COLUMN, 45), (_EVIDENCE_COLUMN, 30)):
        letter = sheet.cell(row=1, column=column).column_letter
        sheet.column_dimensions[letter].width = width
    for r, fill in enumerate(fills, start=2):
        for c in range(1, len(header) + 1):
            cell = sheet.cell(row=r, column=c)
            cell.alignment = Alignment(vertical="top", wrap_text=c in _WRAPPED)
            if fill is not None:
                cell.fill = fill


def visit_report_xlsx(
    visit: VisitRow, language: str, *, generated_at: datetime | None = None
) -> bytes:
    """The visit's report as a workbook: "Summary", "Sections" and "Items" (see the module
    docstring), every fixed word in ``language`` ("en" or "zh-CN").

    ``generated_at`` is the time printed on the report, in the configured time zone (now by
    default; a naive time is taken to be UTC). Raises ValueError for an unknown language, and
    Conflict for a visit that is not submitted or approved, or whose stored scores disagree
    with its answers.
    """
    _ = translator(language)
    if visit.status not in _REPORTABLE:
        raise Conflict(
            N_("Visit {visit} is {status}: it has a report once it is submitted."),
            visit=visit.id,
            status=visit.status.value,
        )
    result = score(visit.checklist, visit.answers)
    _verify(visit, result)
    moment = generated_at or datetime.now(UTC)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    book = Workbook()
    summary = book.worksheets[0]
    summary.title = _(_SHEETS[0])[:31]
    _summary(summary, visit, result, language, moment, _)
    _sections(book, visit, result, language, _)
    _items(book, visit, language, _)
    return workbook_bytes(book)
