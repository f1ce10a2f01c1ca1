"""Working on a question bank (题库) as data: changing its rules, counting its topics and saying
what changed between two versions.

Pure helpers for :mod:`ee_app.services.question_banks`, the Excel import and the HR page. A
definition is the dict :func:`ee_app.instruments.quiz.validate` checks; these functions never
change the one they are given (a stored version is immutable), they return a new one.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "RULE_KEYS",
    "Changes",
    "compare",
    "same_bank",
    "topic_counts",
    "with_rules",
    "without_version",
]

#: The settings that make the rules of a test (not its questions nor its texts).
RULE_KEYS = (
    "draw",
    "draw_per_category",
    "pass_mark",
    "max_attempts",
    "time_limit_minutes",
    "grading",
)
_KEEP: Any = object()


def without_version(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The definition without its version number: what two versions compare by."""
    return {k: v for k, v in definition.items() if k != "version"}


def same_bank(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two definitions hold the same questions, texts and rules (versions aside).

    >>> same_bank({"key": "k", "version": 1, "pass_mark": 0.8},
    ...           {"key": "k", "version": 3, "pass_mark": 0.8})
    True
    """
    return _plain(without_version(a)) == _plain(without_version(b))


def _plain(value: Any) -> Any:
    """Numbers compared by value whatever their type (JSON gives 1.0 for 1 at times)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def with_rules(
    definition: Mapping[str, Any],
    *,
    draw_per_category: Mapping[str, int] | None = _KEEP,
    draw: int | None = _KEEP,
    pass_mark: float = _KEEP,
    max_attempts: int = _KEEP,
    time_limit_minutes: int | None = _KEEP,
    grading: str = _KEEP,
) -> dict[str, Any]:
    """A copy of ``definition`` with the given rules changed; a rule not given is kept.

    ``draw_per_category`` replaces the whole table (``None`` or empty: draw from the whole
    bank, ``draw`` questions or all); ``time_limit_minutes=None`` removes the limit. The
    result is not validated here: the service does that when it saves it.

    >>> new = with_rules({"pass_mark": 0.8, "draw": 10, "questions": []},
    ...                  pass_mark=0.9, draw_per_category={"skin": 5})
    >>> new["pass_mark"], new["draw_per_category"], "draw" in new
    (0.9, {'skin': 5}, False)
    """
    new = copy.deepcopy(dict(definition))
    if draw_per_category is not _KEEP:
        if draw_per_category:
            new["draw_per_category"] = {str(k): int(v) for k, v in draw_per_category.items()}
            new.pop("draw", None)
        else:
            new.pop("draw_per_category", None)
    if draw is not _KEEP:
        if draw is None:
            new.pop("draw", None)
        else:
            new["draw"] = draw
    for name, value in (
        ("pass_mark", pass_mark),
        ("max_attempts", max_attempts),
        ("grading", grading),
    ):
        if value is not _KEEP:
            new[name] = value
    if time_limit_minutes is not _KEEP:
        if time_limit_minutes is None:
            new.pop("time_limit_minutes", None)
        else:
            new["time_limit_minutes"] = time_limit_minutes
    return new


def topic_counts(definition: Mapping[str, Any]) -> dict[str, int]:
    """How many questions each topic (category) has, in the order topics first appear."""
    counts = Counter(str(q.get("category", "")) for q in definition.get("questions") or [])
    return dict(counts)


@dataclass(frozen=True)
class Changes:
    """What a new definition changes against an older one, by question id and setting."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()  # the names of RULE_KEYS that differ
    texts: tuple[str, ...] = ()  # "name" and/or "description" when they differ

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.rules or self.texts)


def compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> Changes:
    """What changed from ``old`` to ``new`` (key and version aside).

    >>> q = {"id": "a", "en": "A?"}
    >>> compare({"questions": [q], "pass_mark": 0.8},
    ...         {"questions": [{**q, "en": "A!"}, {"id": "b"}], "pass_mark": 0.9})
    Changes(added=('b',), removed=(), changed=('a',), rules=('pass_mark',), texts=())
    """
    before = {q.get("id"): _plain(q) for q in old.get("questions") or []}
    after = {q.get("id"): _plain(q) for q in new.get("questions") or []}
    return Changes(
        added=tuple(i for i in after if i not in before),
        removed=tuple(i for i in before if i not in after),
        changed=tuple(i for i in after if i in before and after[i] != before[i]),
        rules=tuple(k for k in RULE_KEYS if _plain(old.get(k)) != _plain(new.get(k))),
        texts=tuple(k for k in ("name", "description") if old.get(k) != new.get(k)),
    )
