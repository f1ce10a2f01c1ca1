"""Mystery shopping (神秘顾客暗访): checklist template versions, visits and their evidence.

A visit is scheduled by HR for a store, a date window, a template version and a shopper; the
shopper saves drafts and submits; HR approves or rejects it with a reason, and only approved
visits count in results. Scores are computed when a visit is submitted (from the template
version it was filled in, which never changes) and stored with it, so results read them
instead of recomputing every answer. Evidence files (photos, receipts) live in the database
beside the visit, so every replica of the app sees them and a backup holds them.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ee_app.models.base import Base, Versioned, str_enum, utcnow

__all__ = ["ChecklistVersion", "ShopVisit", "VisitEvidence", "VisitSource", "VisitStatus"]


class VisitStatus(enum.StrEnum):
    DRAFT = "draft"  # scheduled, or being filled in by the shopper
    SUBMITTED = "submitted"  # waiting for HR's review
    APPROVED = "approved"  # counts in results
    REJECTED = "rejected"  # sent back with a reason; the shopper may correct and resubmit
    CANCELLED = "cancelled"  # withdrawn by HR before it was approved


class VisitSource(enum.StrEnum):
    APP = "app"  # filled in by a shopper on the visit page
    IMPORT = "import"  # delivered by an agency as Excel


class ChecklistVersion(Versioned, Base):
    """One immutable version of a checklist template (JSON) and its content hash."""

    __tablename__ = "checklist_version"
    __table_args__ = (Index("uq_checklist_version_key_version", "key", "version", unique=True),)

    key: Mapped[str] = mapped_column(String(40), sort_order=-1)


class ShopVisit(Base):
    """One mystery-shopper visit to a store.

    ``answers`` is ``{item id: {"value": …, "comment": …}}``. The scores (percentages with one
    decimal) are set on submission: ``raw_score`` is the weighted score whatever happened,
    ``score`` is 0 when a critical item failed and ``raw_score`` otherwise; ``section_scores``
    is ``{section id: percentage or None}``.
    """

    __tablename__ = "shop_visit"
    __table_args__ = (
        CheckConstraint("window_start <= window_end", name="window_order"),
        Index("ix_shop_visit_store_status", "store_id", "status"),
        Index("ix_shop_visit_shopper_status", "shopper_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_version.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    shopper_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    agency: Mapped[str] = mapped_column(String(100), default="")  # who shopped, for imports
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)
    visited_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[VisitStatus] = mapped_column(
        str_enum(VisitStatus, "visit_status"), default=VisitStatus.DRAFT
    )
    source: Mapped[VisitSource] = mapped_column(
        str_enum(VisitSource, "visit_source"), default=VisitSource.APP
    )
    source_id: Mapped[str | None] = mapped_column(String(64), unique=True)  # an agency's id
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    served_by_note: Mapped[str] = mapped_column(String(200), default="")  # as the shopper saw it
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    raw_score: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    score: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    passed: Mapped[bool | None] = mapped_column(Boolean)
    critical_failed: Mapped[bool | None] = mapped_column(Boolean)
    section_scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    review_reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(254))
    submitted_at: Mapped[datetime | None] = mapped_column()
    reviewed_at: Mapped[datetime | None] = mapped_column()
    reviewed_by: Mapped[str] = mapped_column(String(254), default="")


class VisitEvidence(Base):
    """A photo or receipt a shopper attached to one item of a visit (size-limited)."""

    __tablename__ = "visit_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(
        ForeignKey("shop_visit.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[str] = mapped_column(String(40))
    file_name: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
