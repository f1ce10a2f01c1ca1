"""The retention plan in words, for the Personal data page and ``ee-app retention``: counts
with their plurals ("1 person", "2 people"; 1 人), sizes in KB/MB, dates as dates.

Pure text: no Streamlit, so the command line shares it.
"""

from __future__ import annotations

from collections.abc import Callable

from ee_app.errors import N_
from ee_app.services.retention import Plan

__all__ = ["file_size", "plan_lines", "policy_line"]

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]


def file_size(size: int) -> str:
    """Bytes as people read them.

    >>> file_size(900), file_size(1_536), file_size(3_145_728)
    ('900 B', '1.5 KB', '3.0 MB')
    """
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def policy_line(plan: Plan, gettext: Gettext) -> str:
    return gettext(
        N_(
            "Staff who left more than {left} months ago are anonymised; evidence files and "
            "customer references older than {data} months are deleted."
        )
    ).format(left=plan.policy.left_months, data=plan.policy.data_months)


def plan_lines(plan: Plan, gettext: Gettext, ngettext: Ngettext) -> list[str]:
    """One sentence per kind of data that goes (or a single "nothing" sentence)."""
    if plan.empty:
        return [gettext(N_("Nothing is due to go today."))]
    lines = []
    people = len(plan.people)
    if people:
        lines.append(
            ngettext(
                "{count} person who left before {day} is anonymised.",
                "{count} people who left before {day} are anonymised.",
                people,
            ).format(count=people, day=plan.left_before.isoformat())
        )
    if plan.evidence_files:
        lines.append(
            ngettext(
                "{count} evidence file ({size}) of visits from {first} to {last} is deleted.",
                "{count} evidence files ({size}) of visits from {first} to {last} are deleted.",
                plan.evidence_files,
            ).format(
                count=plan.evidence_files,
                size=file_size(plan.evidence_bytes),
                first=plan.evidence_first.isoformat() if plan.evidence_first else "",
                last=plan.evidence_last.isoformat() if plan.evidence_last else "",
            )
        )
    if plan.sales:
        lines.append(
            ngettext(
                "{count} sale before {day} loses its customer reference.",
                "{count} sales before {day} lose their customer reference.",
                plan.sales,
            ).format(count=plan.sales, day=plan.data_before.isoformat())
        )
    if plan.csat:
        lines.append(
            ngettext(
                "{count} satisfaction answer before {day} loses its customer reference.",
                "{count} satisfaction answers before {day} lose their customer reference.",
                plan.csat,
            ).format(count=plan.csat, day=plan.data_before.isoformat())
        )
    return lines
