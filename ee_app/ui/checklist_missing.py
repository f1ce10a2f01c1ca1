"""What a shopper still has to do before a visit can be submitted, and links to each item.

The list is the one the service would refuse the submission with
(:func:`ee_app.instruments.checklist.check_answers` with ``complete=True``), worked out from
the answers on screen, so the shopper sees it next to the Submit button before trying. Each
line links to its item: every item on the form carries an anchor (:func:`item_anchor`) that a
Markdown link ``[…](#anchor)`` scrolls to, on a phone too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ee_app.errors import Problem
from ee_app.instruments.checklist import Checklist, check_answers
from ee_app.ui.formatting import plain

__all__ = ["item_anchor", "missing_problems", "problem_links"]

Gettext = Callable[[str], str]
_UNSAFE = re.compile(r"[^a-z0-9_-]+")


def item_anchor(item_id: str) -> str:
    """The HTML id of an item on the form: ``ee-item-`` and the item id, reduced to the
    characters an id and a URL fragment take as they are.

    >>> item_anchor("booking-reminder")
    'ee-item-booking-reminder'
    >>> item_anchor("Wait Time!")
    'ee-item-wait-time-'
    """
    return "ee-item-" + _UNSAFE.sub("-", item_id.lower())


def missing_problems(
    checklist: Checklist, answers: Mapping[str, Mapping[str, Any]]
) -> list[Problem]:
    """What stops these answers being submitted, one problem per item, in the form's order
    (an unanswered item, a "no" without its comment, a critical N/A without a reason)."""
    problems = check_answers(checklist, answers, complete=True)
    order = {item.id: n for n, item in enumerate(checklist.items)}
    seen: set[str | None] = set()
    unique = []
    for problem in sorted(problems, key=lambda p: order.get(p.column or "", len(order))):
        if problem.column not in seen:
            seen.add(problem.column)
            unique.append(problem)
    return unique


def problem_links(
    checklist: Checklist, problems: Sequence[Problem], language: str, _: Gettext
) -> str:
    """Problems as Markdown bullets, each naming its item in words and linking to it."""
    lines = []
    for problem in problems:
        item = checklist.item(problem.column) if problem.column else None
        text = _(problem.message).format(**problem.params)
        if item is None:
            lines.append(f"- {text}")
            continue
        section = checklist.section_of(item.id)
        number = checklist.sections.index(section) + 1 if section else None
        where = plain(item.text.get(language))
        prefix = f"{number}. " if number else ""
        lines.append(f"- [{prefix}{where}](#{item_anchor(item.id)}): {text}")
    return "\n".join(lines)
