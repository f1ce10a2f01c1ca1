"""Results of approved mystery-shopper visits, for the stores in the actor's scope.

Only approved visits count. Each visit's scores were stored when it was submitted, so a read
is one query over visits (not over answers); the summaries come from
:mod:`ee_app.analysis.visits`. HR and admins see the whole chain, managers the stores in
their scope; shoppers see none of this (they have their own visits only).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ee_app.analysis.visits import section_summary, visit_summary
from ee_app.auth import Actor, Permission, require
from ee_app.instruments.fields import Text
from ee_app.models import ChecklistVersion, OrgUnit, ShopVisit, Staff, VisitStatus
from ee_app.services.visits import checklist_of

__all__ = [
    "VISIT_COLUMNS",
    "approved_visits",
    "section_names",
    "section_table",
    "staff_table",
    "store_table",
    "template_keys",
    "trend_table",
]

VISIT_COLUMNS = (
    "visit_id",
    "visited_on",
    "month",
    "store_id",
    "store_code",
    "store_name",
    "region_code",
    "region_name",
    "template_key",
    "template_version",
    "score",
    "raw_score",
    "passed",
    "critical_failed",
    "staff_id",
    "staff_no",
    "staff_name",
)


def template_keys(session: Session, actor: Actor) -> dict[str, dict[str, str]]:
    """The templates that approved visits in scope were made with: key → name (``en`` and
    ``zh-CN``, from the newest version used), the most used first."""
    require(actor, Permission.VIEW_VISITS)
    used = (
        select(ShopVisit.template_id, func.count().label("visits"))
        .where(ShopVisit.status == VisitStatus.APPROVED)
        .group_by(ShopVisit.template_id)
    )
    if actor.scope is not None:
        used = used.where(ShopVisit.store_id.in_(actor.scope))
    counts = dict(session.execute(used).all())
    stmt = select(
        ChecklistVersion.id,
        ChecklistVersion.key,
        ChecklistVersion.version,
        ChecklistVersion.definition,
    ).where(ChecklistVersion.id.in_(list(counts)))
    names: dict[str, tuple[int, dict[str, str]]] = {}
    visits: dict[str, int] = {}
    for version_id, key, version, definition in session.execute(stmt):
        visits[key] = visits.get(key, 0) + counts[version_id]
        if key not in names or version > names[key][0]:
            names[key] = (version, dict(definition.get("name") or {}))
    order = sorted(names, key=lambda k: (-visits[k], k))
    return {key: names[key][1] for key in order}


def section_names(session: Session, actor: Actor, template_key: str) -> dict[str, Text]:
    """Section id → name, from the newest version of the template, in the template's order."""
    require(actor, Permission.VIEW_VISITS)
    row = session.scalar(
        select(ChecklistVersion)
        .where(ChecklistVersion.key == template_key)
        .order_by(ChecklistVersion.version.desc())
    )
    if row is None:
        return {}
    return {s.id: s.name for s in checklist_of(row).sections}


def _visits(
    session: Session, actor: Actor, start: date, end: date, template_key: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    require(actor, Permission.VIEW_VISITS)
    store = OrgUnit.__table__.alias("store")
    region = OrgUnit.__table__.alias("region")
    stmt = (
        select(
            ShopVisit.id,
            ShopVisit.visited_on,
            ShopVisit.store_id,
            store.c.code,
            store.c.name,
            region.c.code,
            region.c.name,
            ChecklistVersion.key,
            ChecklistVersion.version,
            ShopVisit.score,
            ShopVisit.raw_score,
            ShopVisit.passed,
            ShopVisit.critical_failed,
            ShopVisit.staff_id,
            Staff.employee_no,
            Staff.name,
            ShopVisit.section_scores,
        )
        .join(ChecklistVersion, ChecklistVersion.id == ShopVisit.template_id)
        .join(store, store.c.id == ShopVisit.store_id)
        .outerjoin(region, region.c.id == store.c.parent_id)
        .outerjoin(Staff, Staff.id == ShopVisit.staff_id)
        .where(
            ShopVisit.status == VisitStatus.APPROVED,
            ChecklistVersion.key == template_key,
            ShopVisit.visited_on >= start,
            ShopVisit.visited_on <= end,
        )
        .order_by(ShopVisit.visited_on, ShopVisit.id)
    )
    if actor.scope is not None:
        stmt = stmt.where(ShopVisit.store_id.in_(actor.scope))
    rows = session.execute(stmt).all()
    visits = pd.DataFrame(
        [
            (
                r[0],
                r[1],
                f"{r[1]:%Y-%m}",
                *r[2:9],
                None if r[9] is None else float(r[9]),
                None if r[10] is None else float(r[10]),
                bool(r[11]),
                bool(r[12]),
                *r[13:16],
            )
            for r in rows
        ],
        columns=list(VISIT_COLUMNS),
    )
    visits["score"] = visits["score"].astype(float)
    visits["raw_score"] = visits["raw_score"].astype(float)
    sections = pd.DataFrame(
        [
            (r[0], r[2], f"{r[1]:%Y-%m}", r[14], section, share)
            for r in rows
            for section, share in (r[16] or {}).items()
        ],
        columns=["visit_id", "store_id", "month", "staff_no", "section", "share"],
    )
    sections["share"] = sections["share"].astype(float)
    return visits, sections


def approved_visits(
    session: Session, actor: Actor, start: date, end: date, template_key: str
) -> pd.DataFrame:
    """One row per approved visit with the template, made between the dates, in scope."""
    return _visits(session, actor, start, end, template_key)[0]


def _names(visits: pd.DataFrame, key: str, columns: list[str]) -> pd.DataFrame:
    return visits[[key, *columns]].drop_duplicates(key)


def _summary_by(visits: pd.DataFrame, key: str, columns: list[str]) -> pd.DataFrame:
    """The visits' summary per ``key``, with the ``columns`` that name it, sorted by the first."""
    summary = visit_summary(visits, [key])
    names = _names(visits, key, columns)
    return summary.merge(names, on=key).sort_values(columns[0], ignore_index=True)


def store_table(
    session: Session, actor: Actor, start: date, end: date, template_key: str
) -> pd.DataFrame:
    """Per store: visits, mean score with its interval, pass and critical-failure rates."""
    visits = approved_visits(session, actor, start, end, template_key)
    names = ["store_code", "store_name", "region_code", "region_name"]
    return _summary_by(visits, "store_id", names)


def section_table(
    session: Session,
    actor: Actor,
    start: date,
    end: date,
    template_key: str,
    *,
    by_store: bool = True,
) -> pd.DataFrame:
    """Per section (and store): visits with points possible in it, mean section score."""
    visits, sections = _visits(session, actor, start, end, template_key)
    if not by_store:
        return section_summary(sections.assign(all="all"), ["all"]).drop(columns="all")
    summary = section_summary(sections, ["store_id"])
    return summary.merge(_names(visits, "store_id", ["store_code", "store_name"]), on="store_id")


def staff_table(
    session: Session, actor: Actor, start: date, end: date, template_key: str
) -> pd.DataFrame:
    """Per staff member recorded as having served the shopper: visits and scores."""
    visits = approved_visits(session, actor, start, end, template_key)
    visits = visits[visits["staff_id"].notna()]
    names = ["staff_no", "staff_name", "store_code", "store_name"]
    return _summary_by(visits, "staff_id", names)


def trend_table(
    session: Session,
    actor: Actor,
    start: date,
    end: date,
    template_key: str,
    *,
    store_id: int | None = None,
) -> pd.DataFrame:
    """Per month: the mean score over the stores in scope (or one store) with its interval."""
    visits = approved_visits(session, actor, start, end, template_key)
    if store_id is not None:
        visits = visits[visits["store_id"] == store_id]
    return visit_summary(visits, ["month"])
