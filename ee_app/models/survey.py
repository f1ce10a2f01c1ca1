"""Pulse surveys, stored to the anonymity model of design.md.

* ``survey_invitation`` knows a person (staff id, personal-link hash) and a responded flag.
* ``survey_response`` and ``survey_comment`` know a wave, a *reporting* unit, role and tenure
  band (each pooled at wave open so that every stored combination matches at least k
  invitees) and the answers. No column, key or index joins them to an invitation or a staff
  member; they carry no time at all; their primary keys are random, and on SQLite they are
  ``WITHOUT ROWID`` tables so that not even the physical order reveals the order of answering.
* ``survey_response_link`` exists for confidential waves only, read only by the
  individual-level analysis, which outputs aggregates alone.
* ``survey_sealed`` holds the answers of an *open* wave, each encrypted with a key derived
  from the server secret and padded to one size: a copy of the database files taken while a
  wave is open links an invitation to nothing readable. Closing the wave opens them, pools
  and shuffles them into ``survey_response`` and ``survey_comment``, and deletes them.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ee_app.choices import WaveMode
from ee_app.instruments.pulse import CORE_SLOTS, CUSTOM_SLOTS
from ee_app.models.base import Base, Versioned, str_enum, utcnow
from ee_app.models.org import StaffRole

__all__ = [
    "ANSWER_SLOTS",
    "InstrumentVersion",
    "SurveyComment",
    "SurveyCommentTag",
    "SurveyInvitation",
    "SurveyResponse",
    "SurveyResponseLink",
    "SurveySealed",
    "SurveyWave",
    "SurveyWaveUnit",
    "TenureBand",
    "WaveMode",
    "WaveStatus",
]

ANSWER_SLOTS = (*CORE_SLOTS, *CUSTOM_SLOTS)


class WaveStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class TenureBand(enum.StrEnum):
    UNDER_1 = "lt1"
    ONE_TO_3 = "1to3"
    THREE_TO_5 = "3to5"
    OVER_5 = "5plus"

    @classmethod
    def of(cls, hired: date, on: date) -> TenureBand:
        years = (on - hired).days / 365.25
        if years < 1:
            return cls.UNDER_1
        if years < 3:
            return cls.ONE_TO_3
        if years < 5:
            return cls.THREE_TO_5
        return cls.OVER_5


class InstrumentVersion(Versioned, Base):
    """One immutable version of an instrument definition (JSON) and its content hash."""

    __tablename__ = "instrument_version"
    __table_args__ = (Index("uq_instrument_version_kind_version", "kind", "version", unique=True),)

    kind: Mapped[str] = mapped_column(String(16), sort_order=-1)


class SurveyWave(Base):
    __tablename__ = "survey_wave"
    __table_args__ = (
        Index("uq_survey_wave_schedule_opens", "schedule_id", "opens_on", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument_version.id"))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    mode: Mapped[WaveMode] = mapped_column(str_enum(WaveMode, "wave_mode"))
    k: Mapped[int] = mapped_column(SmallInteger, default=5)
    k_comments: Mapped[int] = mapped_column(SmallInteger, default=5)
    language: Mapped[str] = mapped_column(String(8), default="zh-CN")
    status: Mapped[WaveStatus] = mapped_column(
        str_enum(WaveStatus, "wave_status"), default=WaveStatus.DRAFT
    )
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The schedule that made this wave, if any; (schedule, opening day) is unique, so two app
    # replicas running the schedule at once cannot make the same wave twice.
    schedule_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_schedule.id", ondelete="SET NULL")
    )
    # Set once the clean-up after closing has been verified: no sealed answer of the wave
    # left anywhere in the database files (SQLite: WAL truncated, deleted pages zeroed).
    cleanup_verified: Mapped[bool] = mapped_column(Boolean, default=False)

    instrument: Mapped[InstrumentVersion] = relationship()
    units: Mapped[list[SurveyWaveUnit]] = relationship(cascade="all, delete-orphan")


class SurveyWaveUnit(Base):
    """A unit (with everything beneath it) in a wave's audience."""

    __tablename__ = "survey_wave_unit"

    wave_id: Mapped[int] = mapped_column(
        ForeignKey("survey_wave.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True)


class SurveyInvitation(Base):
    """One person's invitation to one wave: who, where, the link's hash, and responded or not.

    ``report_*`` are the (pooled) attributes the answers will carry; they are set when the
    wave opens and are coarse by construction (see :mod:`ee_app.analysis.disclosure`).
    No time of any kind is kept here.
    """

    __tablename__ = "survey_invitation"
    __table_args__ = (
        Index("uq_survey_invitation_wave_staff", "wave_id", "staff_id", unique=True),
        # who answered a wave, from the index alone (a cold results view; issue 20, 0013)
        Index(
            "ix_survey_invitation_wave_responded",
            "wave_id",
            "responded",
            "staff_id",
            "report_unit_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id", ondelete="CASCADE"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    role: Mapped[StaffRole] = mapped_column(str_enum(StaffRole, "staff_role"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    generation: Mapped[int] = mapped_column(SmallInteger, default=1)
    responded: Mapped[bool] = mapped_column(Boolean, default=False)
    report_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    report_role: Mapped[str | None] = mapped_column(String(16))
    report_band: Mapped[str | None] = mapped_column(String(8))
    comment_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))


def _answer_checks() -> list[CheckConstraint]:
    checks = [
        CheckConstraint(f"{slot} IS NULL OR {slot} BETWEEN 1 AND 5", name=f"{slot}_range")
        for slot in ANSWER_SLOTS
    ]
    checks.append(CheckConstraint("enps IS NULL OR enps BETWEEN 0 AND 10", name="enps_range"))
    return checks


class SurveyResponse(Base):
    """One anonymous set of answers. A random id; no person, no invitation, no time."""

    __tablename__ = "survey_response"
    __table_args__ = (
        Index("ix_survey_response_wave_unit", "wave_id", "unit_id"),
        *_answer_checks(),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    role: Mapped[str | None] = mapped_column(String(16))
    band: Mapped[str | None] = mapped_column(String(8))
    a01: Mapped[int | None] = mapped_column(SmallInteger)
    a02: Mapped[int | None] = mapped_column(SmallInteger)
    a03: Mapped[int | None] = mapped_column(SmallInteger)
    a04: Mapped[int | None] = mapped_column(SmallInteger)
    a05: Mapped[int | None] = mapped_column(SmallInteger)
    a06: Mapped[int | None] = mapped_column(SmallInteger)
    a07: Mapped[int | None] = mapped_column(SmallInteger)
    a08: Mapped[int | None] = mapped_column(SmallInteger)
    a09: Mapped[int | None] = mapped_column(SmallInteger)
    a10: Mapped[int | None] = mapped_column(SmallInteger)
    a11: Mapped[int | None] = mapped_column(SmallInteger)
    a12: Mapped[int | None] = mapped_column(SmallInteger)
    x1: Mapped[int | None] = mapped_column(SmallInteger)
    x2: Mapped[int | None] = mapped_column(SmallInteger)
    x3: Mapped[int | None] = mapped_column(SmallInteger)
    x4: Mapped[int | None] = mapped_column(SmallInteger)
    x5: Mapped[int | None] = mapped_column(SmallInteger)
    enps: Mapped[int | None] = mapped_column(SmallInteger)


class SurveyComment(Base):
    """A free-text comment, stored apart from the scores it came with (no shared key)."""

    __tablename__ = "survey_comment"
    __table_args__ = (
        Index("ix_survey_comment_wave_unit", "wave_id", "unit_id"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    text: Mapped[str] = mapped_column(Text)


class SurveyCommentTag(Base):
    """A theme HR tagged a comment with (a comment may carry several)."""

    __tablename__ = "survey_comment_tag"
    __table_args__ = ({"sqlite_with_rowid": False},)

    comment_id: Mapped[str] = mapped_column(
        ForeignKey("survey_comment.id", ondelete="CASCADE"), primary_key=True
    )
    theme: Mapped[str] = mapped_column(String(16), primary_key=True)


class SurveyResponseLink(Base):
    """Confidential waves only: which staff member gave a response. Read only by the
    individual-level analysis, which outputs aggregates over at least 20 people."""

    __tablename__ = "survey_response_link"
    __table_args__ = ({"sqlite_with_rowid": False},)

    response_id: Mapped[str] = mapped_column(
        ForeignKey("survey_response.id", ondelete="CASCADE"), primary_key=True
    )
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))


class SurveySealed(Base):
    """One submitted set of answers (and comment) of an open wave, sealed: an authenticated
    encryption of a fixed-size payload under a key derived from the server secret and the
    wave. A random id, the wave, and nothing readable without the key."""

    __tablename__ = "survey_sealed"
    __table_args__ = (
        Index("ix_survey_sealed_wave", "wave_id"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id", ondelete="CASCADE"))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
