"""Performance pay (绩效工资): incentive scheme versions, monthly runs, one line per person.

A run takes a snapshot of its inputs (every staff member's measures for the month), computes
every line, and is approved by a second person (four eyes). Approving locks it: the SHA-256
of its inputs and of its lines is stored and checked whenever it is exported, and a
correction is a new run that names the one it corrects. Engagement survey results are never
an input.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ee_app.models.base import Base, Versioned, str_enum, utcnow

__all__ = ["IncentiveLine", "IncentiveRun", "IncentiveScheme", "RunStatus"]


class RunStatus(enum.StrEnum):
    DRAFT = "draft"  # computed, waiting for a second person's approval
    APPROVED = "approved"  # locked; the payroll workbook can be exported
    SUPERSEDED = "superseded"  # an approved run that a later approved correction replaced
    DISCARDED = "discarded"  # a draft thrown away


class IncentiveScheme(Versioned, Base):
    """One immutable version of an incentive scheme (JSON) and its content hash."""

    __tablename__ = "incentive_scheme"
    __table_args__ = (Index("uq_incentive_scheme_key_version", "key", "version", unique=True),)

    key: Mapped[str] = mapped_column(String(40), sort_order=-1)


class IncentiveRun(Base):
    """One month's computation under one scheme version."""

    __tablename__ = "incentive_run"
    __table_args__ = (Index("ix_incentive_run_period_status", "period", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("incentive_scheme.id"))
    period: Mapped[str] = mapped_column(String(7))  # "2026-10"
    status: Mapped[RunStatus] = mapped_column(
        str_enum(RunStatus, "run_status"), default=RunStatus.DRAFT
    )
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("incentive_run.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    inputs: Mapped[list[Any]] = mapped_column(default=list)  # the snapshot, one dict per person
    inputs_sha256: Mapped[str] = mapped_column(String(64))
    outputs_sha256: Mapped[str] = mapped_column(String(64))
    lines: Mapped[int] = mapped_column(Integer, default=0)
    total_raw: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    scale: Mapped[Decimal] = mapped_column(Numeric(12, 8))
    total: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(254))
    approved_at: Mapped[datetime | None] = mapped_column()
    approved_by: Mapped[str] = mapped_column(String(254), default="")
    # The approver's acknowledgement of the calibration warnings (who, when, which), or None
    # when the run had none (ee_app.services.calibration).
    calibration: Mapped[dict[str, Any] | None] = mapped_column(default=None)


class IncentiveLine(Base):
    """One person's pay in a run: the measures, attainment and points per component (in
    ``detail``), the flags of gates applied, and the amount in CNY (to the fen)."""

    __tablename__ = "incentive_line"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("incentive_run.id", ondelete="CASCADE"), primary_key=True
    )
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    store_code: Mapped[str] = mapped_column(String(32))
    store_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    target_bonus: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    points: Mapped[Decimal] = mapped_column(Numeric(10, 6))
    raw: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
