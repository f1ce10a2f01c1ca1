"""Assessments given to new hires automatically when the roster import creates them.

Why: the onboarding pass gates performance pay, so a new hire who is never given the
onboarding assessment is cut off from pay without anyone noticing. HR sets rules once
(``app_setting`` key :data:`SETTING_KEY`): each rule names an assessment key and the roles it
is for (none: every role). When :func:`ee_app.services.roster.import_roster` inserts new
staff, :func:`assign_new_hires` gives each of them, in the same transaction, the newest
version of every assessment whose rule matches their role, as cycle 1 with a fresh link; the
import's result says how many were assigned. HR then downloads the links on the Training page
(only those who have not passed).

**Default: no rule.** An import made before HR decided who takes what must not silently
create personal links that nobody sends; HR turns it on (usually: the onboarding assessment
for every front-line role) on the Training page, "Assign and links" tab. Staff already on the
roster are never assigned by an import (a move is not a hire).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ee_app.auth import Actor, Permission, require
from ee_app.config import Settings
from ee_app.errors import N_, Problem, ValidationError
from ee_app.models import AppSetting, QuizVersion, StaffRole
from ee_app.services import audit
from ee_app.services._tx import transactional
from ee_app.services.training import insert_assignments

__all__ = ["SETTING_KEY", "Rule", "assign_new_hires", "get_rules", "set_rules"]

SETTING_KEY = "training.auto_assign"


@dataclass(frozen=True)
class Rule:
    """Give the newest version of ``quiz_key`` to new hires in ``roles`` (empty: every role)."""

    quiz_key: str
    roles: tuple[StaffRole, ...] = ()

    def matches(self, role: StaffRole) -> bool:
        return not self.roles or role in self.roles


def get_rules(session: Session) -> list[Rule]:
    """The saved rules; none until HR saves some. A rule naming an unknown role is read
    without that role (a role the app no longer has cannot match anyone)."""
    row = session.get(AppSetting, SETTING_KEY)
    if row is None:
        return []
    known = {r.value for r in StaffRole}
    return [
        Rule(str(r["quiz_key"]), tuple(StaffRole(x) for x in r.get("roles", ()) if x in known))
        for r in (row.value or {}).get("rules", [])
    ]


@transactional
def set_rules(session: Session, actor: Actor, rules: Sequence[Rule]) -> list[Rule]:
    """Replace the rules (HR); each key must be an installed assessment, once. Audited."""
    require(actor, Permission.MANAGE_TRAINING)
    keys = set(session.scalars(select(QuizVersion.key)))
    problems = []
    seen: set[str] = set()
    for number, rule in enumerate(rules, start=1):
        if rule.quiz_key not in keys:
            problems.append(
                Problem(N_("No assessment “{key}”."), {"key": rule.quiz_key}, row=number)
            )
        elif rule.quiz_key in seen:
            problems.append(
                Problem(
                    N_("“{key}” has two rules; give it one with all its roles."),
                    {"key": rule.quiz_key},
                    row=number,
                )
            )
        seen.add(rule.quiz_key)
    if problems:
        raise ValidationError(N_("The automatic assignments were not saved."), problems)
    value = {
        "rules": [
            {"quiz_key": r.quiz_key, "roles": sorted(x.value for x in set(r.roles))} for r in rules
        ]
    }
    # The row by its key, added the first time and changed after (updated_at follows).
    session.merge(AppSetting(key=SETTING_KEY, value=value, updated_by=actor.email))
    audit.record(
        session,
        actor,
        "quiz.auto_assign_rules",
        "app_setting",
        SETTING_KEY,
        rules=len(rules),
        keys=sorted(r.quiz_key for r in rules),
    )
    session.flush()
    return get_rules(session)


def assign_new_hires(
    session: Session, actor: Actor, hires: Mapping[int, StaffRole], settings: Settings | None
) -> int:
    """Assign the rules' assessments to the new hires (staff id → role) of an import, in the
    caller's transaction (no commit); returns how many assignments were made. Called by the
    roster import, whose own permission was checked: the rules were set by HR."""
    rules = get_rules(session)
    if not rules or not hires:
        return 0
    newest = dict(
        session.execute(
            select(QuizVersion.key, func.max(QuizVersion.version))
            .where(QuizVersion.key.in_([r.quiz_key for r in rules]))
            .group_by(QuizVersion.key)
        ).all()
    )
    made: Counter[int] = Counter()
    for rule in rules:
        if rule.quiz_key not in newest:
            continue  # the assessment was removed after the rule was saved
        quiz_id = session.scalar(
            select(QuizVersion.id).where(
                QuizVersion.key == rule.quiz_key, QuizVersion.version == newest[rule.quiz_key]
            )
        )
        people = sorted(s for s, role in hires.items() if rule.matches(role))
        if not people:
            continue
        insert_assignments(session, actor, quiz_id, dict.fromkeys(people, 1), settings)
        made[quiz_id] = len(people)
    for quiz_id, count in made.items():
        audit.record(session, actor, "quiz.auto_assign", "quiz_version", quiz_id, assigned=count)
    return sum(made.values())
