"""Training assessments (培训考核): quiz versions, who must take which, and their attempts.

An assignment gives one staff member one quiz version and a personal link (a random token,
stored only as its hash). The link identifies the person: assessments are not anonymous, and
the page says so. Each attempt keeps the questions it drew (with the order of their options),
its deadline, its answers and its mark; a submitted attempt never changes.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Numeric, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ee_app.models.base import Base, Versioned, str_enum, utcnow

__all__ = ["AttemptStatus", "QuizAssignment", "QuizAttempt", "QuizVersion"]


class AttemptStatus(enum.StrEnum):
    OPEN = "open"  # started, answers being given
    SUBMITTED = "submitted"  # marked; never changes
    EXPIRED = "expired"  # the time limit passed before it was submitted: counts as failed


class QuizVersion(Versioned, Base):
    """One immutable version of an assessment (JSON) and its content hash."""

    __tablename__ = "quiz_version"
    __table_args__ = (Index("uq_quiz_version_key_version", "key", "version", unique=True),)

    key: Mapped[str] = mapped_column(String(40), sort_order=-1)


class QuizAssignment(Base):
    """A staff member who must take a quiz version in one cycle, and the hash of their link.

    ``cycle`` numbers the times the same version was given to the same person (a quarterly
    re-test is cycle 2, 3, …; only the newest cycle is active). ``generation`` is bumped when HR
    re-issues the link (the old one stops working). ``extra_attempts`` were granted by HR on top
    of the quiz's maximum; attempts numbered up to ``counted_from`` were reset by HR and no
    longer count against the limit (they stay in the history).
    """

    __tablename__ = "quiz_assignment"
    __table_args__ = (
        Index("uq_quiz_assignment_quiz_staff_cycle", "quiz_id", "staff_id", "cycle", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz_version.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_by: Mapped[str] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    cycle: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")
    generation: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")
    extra_attempts: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    counted_from: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")


class QuizAttempt(Base):
    """One attempt: the drawn questions (``[{"id": …, "options": [...]}, …]``), the answers
    (``{question id: option id or [option ids]}``), the deadline (UTC) and the mark."""

    __tablename__ = "quiz_attempt"
    __table_args__ = (
        Index("uq_quiz_attempt_assignment_number", "assignment_id", "number", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_assignment.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(SmallInteger)  # 1, 2, … per assignment
    status: Mapped[AttemptStatus] = mapped_column(
        str_enum(AttemptStatus, "attempt_status"), default=AttemptStatus.OPEN
    )
    questions: Mapped[list[Any]] = mapped_column(default=list)
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline: Mapped[datetime | None] = mapped_column()
    submitted_at: Mapped[datetime | None] = mapped_column()
    correct: Mapped[int | None] = mapped_column(SmallInteger)
    total: Mapped[int] = mapped_column(SmallInteger)
    score: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))  # percentage
    passed: Mapped[bool | None] = mapped_column(Boolean)
