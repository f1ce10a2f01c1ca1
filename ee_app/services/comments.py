"""A closed wave's comments: which units show them, HR's export, and HR's theme tags.

Comments are stored when the wave closes in buckets of at least k_c respondents
(:func:`~ee_app.analysis.comment_groups.comment_buckets`, the lowest unit that reaches k_c).
A unit shows the comments stored at it or beneath it when it has at least k_c respondents and
all of them are stored at it or beneath it (:func:`~ee_app.analysis.comment_groups.shown_units`):
then every shown unit is a union of whole buckets, and "a region minus one of its stores" is
too. The decision depends only on the wave's respondents per comment unit, never on the
viewer, so no two viewers' lists can be combined to isolate fewer than k_c people.

Comments are returned in a fresh random order on every read, without dates. Tags are themes
(of the 12) HR attaches to a comment; the audit log records how many comments and tags
changed, never a text.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from ee_app.analysis.comment_groups import comment_buckets, shown_units
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, NotFound, ValidationError
from ee_app.instruments.pulse import THEMES
from ee_app.models import (
    OrgUnit,
    SurveyComment,
    SurveyCommentTag,
    SurveyInvitation,
    SurveyWave,
)
from ee_app.services import audit
from ee_app.services._tx import transactional

__all__ = [
    "Comment",
    "CommentGroups",
    "comment_groups",
    "comments_of_unit",
    "set_comment_tags",
    "theme_counts",
    "wave_comments",
]


@dataclass(frozen=True)
class Comment:
    """One comment as a reader sees it: no date, no respondent, its bucket and its tags."""

    id: str
    text: str
    group_code: str
    group_name: str
    themes: tuple[str, ...]


@dataclass(frozen=True)
class CommentGroups:
    """Per unit id: respondents (by comment unit, everything beneath included), whether it
    may show comments, and where each comment unit's comments are stored."""

    respondents: dict[int, int]
    shown: frozenset[int]
    buckets: dict[int, int]
    sitting: dict[int, int]  # respondents attached to each comment unit itself


def _respondents(session: Session, wave: SurveyWave, column) -> Counter[int]:  # type: ignore[no-untyped-def]
    return Counter(
        {
            unit: count
            for unit, count in session.execute(
                select(column, func.count())
                .where(SurveyInvitation.wave_id == wave.id, SurveyInvitation.responded)
                .group_by(column)
            )
            if unit is not None
        }
    )


def _totals(sitting: Mapping[int, int], parents: Mapping[int, int | None]) -> Counter[int]:
    totals: Counter[int] = Counter()
    for unit, count in sitting.items():
        current: int | None = unit
        while current is not None:
            totals[current] += count
            current = parents.get(current)
    return totals


def comment_groups(session: Session, wave: SurveyWave) -> CommentGroups:
    """The same decision as at closing, on the same counts (respondents per comment unit,
    the unit each invitee's comments were assigned to when the wave opened). A unit some of
    whose respondents were assigned above it at opening is not shown either: its list would
    silently leave them out."""
    from ee_app.services.wave_audience import unit_parents

    sitting = _respondents(session, wave, SurveyInvitation.comment_unit_id)
    if not sitting:
        return CommentGroups({}, frozenset(), {}, {})
    people = _respondents(session, wave, SurveyInvitation.unit_id)
    parents = unit_parents(session, set(sitting) | set(people))
    assigned, actual = _totals(sitting, parents), _totals(people, parents)
    candidates = shown_units(parents, sitting, wave.k_comments)
    return CommentGroups(
        dict(actual),
        frozenset(u for u in candidates if assigned[u] == actual[u]),
        comment_buckets(parents, sitting, wave.k_comments),
        dict(sitting),
    )


def _tags(session: Session, ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    ids = list(ids)
    for start in range(0, len(ids), 500):
        for comment_id, theme in session.execute(
            select(SurveyCommentTag.comment_id, SurveyCommentTag.theme).where(
                SurveyCommentTag.comment_id.in_(ids[start : start + 500])
            )
        ):
            found.setdefault(comment_id, []).append(theme)
    order = {t: i for i, t in enumerate(THEMES)}
    return {c: tuple(sorted(t, key=lambda x: order.get(x, 99))) for c, t in found.items()}


def _comments(session: Session, wave: SurveyWave, path: str | None) -> list[Comment]:
    query = (
        select(SurveyComment.id, SurveyComment.text, OrgUnit.code, OrgUnit.name)
        .join(OrgUnit, OrgUnit.id == SurveyComment.unit_id)
        .where(SurveyComment.wave_id == wave.id)
    )
    if path is not None:
        query = query.where(OrgUnit.path.startswith(path))
    rows = session.execute(query).all()
    tags = _tags(session, (r[0] for r in rows))
    found = [Comment(r[0], r[1], r[2], r[3], tags.get(r[0], ())) for r in rows]
    random.SystemRandom().shuffle(found)
    return found


def comments_of_unit(
    session: Session, actor: Actor, wave_code: int | str, unit_code: str
) -> tuple[bool, list[Comment]]:
    """(allowed, comments) of one unit of a closed wave, shuffled: allowed when the unit may
    show comments (:class:`CommentGroups`), the comments stored at it or beneath it."""
    from ee_app.services.wave_access import closed_wave

    require(actor, Permission.VIEW_RESULTS)
    wave = closed_wave(session, actor, wave_code)
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
    if unit is None or not actor.may_see_unit(unit.id):
        raise NotFound(N_("No unit with code “{code}” in your scope."), code=unit_code)
    if unit.id not in comment_groups(session, wave).shown:
        return (False, [])
    return (True, _comments(session, wave, unit.path))


def wave_comments(session: Session, actor: Actor, wave_code: int | str) -> list[Comment]:
    """Every comment of a closed wave for HR's export, shuffled, each with the unit it is
    stored at (a bucket of at least k_c respondents) and its tags. A wave whose respondents
    together are fewer than k_c has nothing to export."""
    from ee_app.services.wave_access import closed_wave

    require(actor, Permission.MANAGE_SURVEYS)
    wave = closed_wave(session, actor, wave_code)
    groups = comment_groups(session, wave)
    sizes: Counter[int] = Counter()
    for origin, bucket in groups.buckets.items():
        sizes[bucket] += groups.sitting.get(origin, 0)
    allowed = {b for b, n in sizes.items() if n >= wave.k_comments}
    codes = set(session.scalars(select(OrgUnit.code).where(OrgUnit.id.in_(allowed))))
    return [c for c in _comments(session, wave, None) if c.group_code in codes]


def theme_counts(comments: Iterable[Comment]) -> dict[str, int]:
    """How many of ``comments`` carry each theme, in the themes' order (themes with none
    left out)."""
    counts = Counter(t for c in comments for t in c.themes)
    return {t: counts[t] for t in THEMES if counts[t]}


@transactional
def set_comment_tags(
    session: Session,
    actor: Actor,
    wave_code: int | str,
    tags: Mapping[str, Iterable[str]],
) -> int:
    """Replace the themes of the given comments of a closed wave (HR only); returns how many
    comments changed. Unknown themes and comments of another wave are refused and nothing
    changes. The audit records the counts, never a text or which comment."""
    from ee_app.services.wave_access import closed_wave

    require(actor, Permission.MANAGE_SURVEYS)
    wave = closed_wave(session, actor, wave_code)
    wanted = {str(c): tuple(dict.fromkeys(str(t) for t in themes)) for c, themes in tags.items()}
    unknown = sorted({t for themes in wanted.values() for t in themes} - set(THEMES))
    if unknown:
        raise ValidationError(N_("Unknown theme “{theme}”."), theme=unknown[0])
    ids = list(wanted)
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        found |= set(
            session.scalars(
                select(SurveyComment.id).where(
                    SurveyComment.wave_id == wave.id,
                    SurveyComment.id.in_(ids[start : start + 500]),
                )
            )
        )
    if found != set(ids):
        raise NotFound(N_("A comment is no longer part of wave “{code}”."), code=wave.code)
    before = _tags(session, ids)
    changed = [c for c in ids if set(before.get(c, ())) != set(wanted[c])]
    if not changed:
        return 0
    session.execute(delete(SurveyCommentTag).where(SurveyCommentTag.comment_id.in_(changed)))
    rows = [{"comment_id": c, "theme": t} for c in changed for t in wanted[c]]
    if rows:
        session.execute(insert(SurveyCommentTag.__table__), rows)
    audit.record(
        session,
        actor,
        "comments.tag",
        "survey_wave",
        wave.id,
        comments=len(changed),
        tags=len(rows),
    )
    return len(changed)
