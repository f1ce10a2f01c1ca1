"""Loading the demo chain into an empty database.

Each part of the product adds a step to :data:`STEPS`; a step receives the generated chain and
writes its part with bulk statements, so even the 10,000-staff ``chain`` size loads in seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from ee_app.auth import Actor, Permission, require
from ee_app.config import Settings
from ee_app.demo.chain import DemoChain, generate_chain
from ee_app.errors import N_, ConfigError, Conflict
from ee_app.models import AppUser, OrgUnit, Staff, StaffAssignment, UserScope, utcnow
from ee_app.services import audit

__all__ = ["STEPS", "DemoContext", "database_is_empty", "load_demo"]


@dataclass
class DemoContext:
    """What the steps share: the chain, the seed, the day the demo is built for, and ids."""

    chain: DemoChain
    seed: int
    today: date
    unit_ids: dict[str, int]
    staff_ids: dict[str, int]
    settings: Settings  # for the secret key that personal links are derived from
    size: str = "small"


Step = Callable[[Session, DemoContext], None]


def database_is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(OrgUnit))


def _org(session: Session, ctx: DemoContext) -> None:
    by_depth = sorted(ctx.chain.units, key=lambda u: u.level.depth)
    for depth in sorted({u.level.depth for u in by_depth}):
        layer = [u for u in by_depth if u.level.depth == depth]
        session.execute(
            insert(OrgUnit.__table__),
            [
                {
                    "code": u.code,
                    "name": u.name,
                    "level": u.level,
                    "parent_id": ctx.unit_ids.get(u.parent_code or ""),
                    "path": "",
                    "active": True,
                }
                for u in layer
            ],
        )
        codes = [u.code for u in layer]
        stmt = select(OrgUnit.code, OrgUnit.id).where(OrgUnit.code.in_(codes))
        ctx.unit_ids.update({code: uid for code, uid in session.execute(stmt)})
    paths: dict[str, str] = {}
    for unit in by_depth:
        parent = paths.get(unit.parent_code or "", "/")
        paths[unit.code] = f"{parent}{ctx.unit_ids[unit.code]}/"

    session.execute(update(OrgUnit), [{"id": ctx.unit_ids[c], "path": p} for c, p in paths.items()])


def _staff(session: Session, ctx: DemoContext) -> None:
    from ee_app.services.roster import staff_ids

    people = ctx.chain.staff
    now = utcnow()
    session.execute(
        insert(Staff.__table__),
        [
            {
                "employee_no": s.employee_no,
                "name": s.name,
                "hire_date": s.hire_date,
                "leave_date": s.leave_date,
                "updated_at": now,
            }
            for s in people
        ],
    )
    ctx.staff_ids.update(staff_ids(session))
    session.execute(
        insert(StaffAssignment.__table__),
        [
            {
                "staff_id": ctx.staff_ids[s.employee_no],
                "unit_id": ctx.unit_ids[unit],
                "role": role,
                "valid_from": start,
                "valid_to": end,
            }
            for s in people
            for unit, role, start, end in s.periods
        ],
    )


def _users(session: Session, ctx: DemoContext) -> None:
    for demo_user in ctx.chain.users:
        user = AppUser(email=demo_user.email, name=demo_user.name, role=demo_user.role)
        user.scopes = [UserScope(unit_id=ctx.unit_ids[c]) for c in demo_user.unit_codes]
        session.add(user)
    session.flush()


#: The demo, part by part (name, label, step); later parts of the product append theirs.
STEPS: list[tuple[str, str, Step]] = [
    ("org", N_("Org tree"), _org),
    ("staff", N_("Staff"), _staff),
    ("users", N_("Users"), _users),
]


def load_demo(
    session: Session,
    actor: Actor,
    *,
    seed: int = 7,
    size: str = "small",
    today: date | None = None,
    production: bool = False,
    parts: Collection[str] | None = None,
    settings: Settings | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> DemoContext:
    """Generate the demo for ``seed`` and write it, all steps in one transaction.

    ``parts`` limits the load to the named steps (benchmarks load only the org tree, say).
    """
    require(actor, Permission.LOAD_DEMO)
    if production:
        raise ConfigError(N_("Demo data is never loaded when EE_ENV=production."))
    if not database_is_empty(session):
        raise Conflict(
            N_("The database already holds an org tree; demo data loads only into an empty one.")
        )
    today = today or date.today()
    settings = settings or Settings.from_env()
    ctx = DemoContext(generate_chain(seed, size, today), seed, today, {}, {}, settings, size)
    try:
        steps = [(label, step) for name, label, step in STEPS if parts is None or name in parts]
        for index, (label, step) in enumerate(steps):
            if progress:
                progress(index / len(steps), label)
            step(session, ctx)
        audit.record(session, actor, "demo.load", "database", None, seed=seed, size=size)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    if progress:
        progress(1.0, N_("Done"))
    return ctx
