"""The audit log: who did what to which object, and reading it back as a tool.

It must never hold survey answers, nor anything that tells who responded to a survey or when;
callers pass counts and ids of objects, not content (an entry naming the person who got a
new survey link would tell that they had not answered yet, so it names no one).

:func:`list_entries` reads it with filters (who, which actions, from and to a local date,
what object), newest first, a page at a time with the total; :func:`export_entries` reads
the same for a file and logs that the log was exported; :func:`record_download` logs a file
handed out (personal links, QR slips, a payroll workbook, survey results): who, what, which
wave or run, how many rows. HR and administrators only, as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ee_app import clock
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, ValidationError
from ee_app.models import AuditLog, SurveyWave
from ee_app.services._tx import transactional

__all__ = [
    "DOWNLOADS",
    "AuditChoices",
    "AuditFilter",
    "AuditPage",
    "export_entries",
    "filter_choices",
    "list_entries",
    "record",
    "record_download",
]

#: What a download is of: its action and the object it is taken from.
DOWNLOADS: dict[str, tuple[str, str]] = {
    "links": ("download.links", "survey_wave"),
    "slips": ("download.slips", "survey_wave"),
    "reminders": ("download.reminders", "survey_wave"),
    "payroll": ("download.payroll", "incentive_run"),
    "results": ("download.results", "survey_wave"),
    "comments": ("download.comments", "survey_wave"),
    "quiz_links": ("download.quiz_links", "quiz_version"),
}


def record(
    session: Session,
    actor: Actor | str,
    action: str,
    object_type: str,
    object_id: object = None,
    **detail: Any,
) -> None:
    """Add an entry to the caller's transaction (it commits with the change it describes)."""
    session.add(
        AuditLog(
            actor=actor if isinstance(actor, str) else actor.email,
            action=action,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id),
            detail=detail,
        )
    )


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to read; every part is optional. Dates are local days, both included."""

    who: str | None = None  # the actor's e-mail, exactly (case-insensitive)
    actions: tuple[str, ...] = ()  # any of these actions
    since: date | None = None
    until: date | None = None
    object_type: str | None = None
    object_id: str | None = None

    def described(self) -> dict[str, Any]:
        """The filter as details of an audit entry (only the parts that are set)."""
        parts = {
            "who": self.who,
            "actions": list(self.actions),
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "object": " ".join(p for p in (self.object_type, self.object_id) if p) or None,
        }
        return {k: v for k, v in parts.items() if v}


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditLog]
    total: int  # entries matching the filter, of which ``entries`` is one page
    offset: int = 0
    filters: AuditFilter = field(default_factory=AuditFilter)


def _start_of(day: date) -> datetime:
    """The UTC moment the local ``day`` begins."""
    return datetime.combine(day, time(0), tzinfo=clock.zone()).astimezone(UTC)


def _where(stmt, filters: AuditFilter):  # type: ignore[no-untyped-def]
    if filters.since and filters.until and filters.until < filters.since:
        raise ValidationError(N_("The end date is before the start date."))
    if filters.who and filters.who.strip():
        stmt = stmt.where(func.lower(AuditLog.actor) == filters.who.strip().lower())
    if filters.actions:
        stmt = stmt.where(AuditLog.action.in_(list(filters.actions)))
    if filters.since:
        stmt = stmt.where(AuditLog.at >= _start_of(filters.since))
    if filters.until:
        stmt = stmt.where(AuditLog.at < _start_of(filters.until + timedelta(days=1)))
    if filters.object_type:
        stmt = stmt.where(AuditLog.object_type == filters.object_type)
    if filters.object_id and filters.object_id.strip():
        stmt = stmt.where(AuditLog.object_id == filters.object_id.strip())
    return stmt


def list_entries(
    session: Session,
    actor: Actor,
    filters: AuditFilter | None = None,
    *,
    limit: int = 200,
    offset: int = 0,
) -> AuditPage:
    """The entries matching ``filters``, newest first: ``limit`` of them from ``offset``,
    with how many match in all (for "showing 200 of 1,340")."""
    require(actor, Permission.VIEW_AUDIT)
    filters = filters or AuditFilter()
    total = session.scalar(_where(select(func.count()).select_from(AuditLog), filters)) or 0
    stmt = _where(select(AuditLog), filters).order_by(AuditLog.id.desc())
    entries = list(session.scalars(stmt.offset(max(offset, 0)).limit(max(limit, 0))))
    return AuditPage(entries, int(total), offset, filters)


@dataclass(frozen=True)
class AuditChoices:
    """What the filters can offer: everyone, every action and every kind of object that
    appears in the log."""

    actors: list[str]
    actions: list[str]
    object_types: list[str]


def filter_choices(session: Session, actor: Actor) -> AuditChoices:
    require(actor, Permission.VIEW_AUDIT)

    def distinct(column) -> list[str]:  # type: ignore[no-untyped-def]
        return list(session.scalars(select(column).distinct().order_by(column)))

    return AuditChoices(
        distinct(AuditLog.actor), distinct(AuditLog.action), distinct(AuditLog.object_type)
    )


#: At most this many entries go into one export.
EXPORT_LIMIT = 100_000


@transactional
def export_entries(
    session: Session, actor: Actor, filters: AuditFilter | None, file_format: str
) -> list[AuditLog]:
    """Every entry matching ``filters`` (newest first, at most :data:`EXPORT_LIMIT`) for a
    file, and an entry saying that the log was exported, by whom, with which filters."""
    page = list_entries(session, actor, filters, limit=EXPORT_LIMIT)
    session.expunge_all()  # the entries stay readable after the commit below
    record(
        session,
        actor,
        "audit.export",
        "audit_log",
        None,
        rows=len(page.entries),
        format=file_format,
        **({"filters": page.filters.described()} if page.filters.described() else {}),
    )
    return page.entries


@transactional
def record_download(
    session: Session,
    actor: Actor,
    kind: str,
    object_id: object,
    *,
    rows: int,
    **detail: Any,
) -> None:
    """Log that ``actor`` downloaded a file of ``kind`` (see :data:`DOWNLOADS`) taken from
    ``object_id`` (a wave's id or code, a pay run's id) with ``rows`` rows; ``detail`` adds
    codes, never content."""
    if kind not in DOWNLOADS:
        raise ValueError(f"unknown download {kind!r}")
    action, object_type = DOWNLOADS[kind]
    if object_type == "survey_wave" and isinstance(object_id, str):
        found = session.scalar(select(SurveyWave.id).where(SurveyWave.code == object_id))
        detail.setdefault("wave", object_id)
        object_id = found if found is not None else object_id
    record(session, actor, action, object_type, object_id, rows=rows, **detail)
