"""Pre-aggregated engagement results and the action plans managers build on them.

When a wave closes, its responses are summed once into ``survey_result``: one row per unit
(everything beneath it included), and per store one row per role and per tenure band, with
counts, sums and sums of squares of every answer slot. Pages, exports and the command line
read these few thousand rows, never the answers themselves, and the disclosure rules are
applied to them on every read. ``survey_wave_result`` keeps the wave's version (for caches)
and its Cronbach's alpha.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ee_app.choices import RESULT_RULES
from ee_app.models.base import Base, str_enum, utcnow
from ee_app.models.survey import ANSWER_SLOTS

__all__ = [
    "HIDDEN_METRICS",
    "RESULT_RULES",
    "RESULT_SUMS",
    "ActionItem",
    "ActionPlan",
    "ActionStatus",
    "ConfidentialRelation",
    "SurveyResult",
    "SurveyWaveResult",
]

#: The metrics a result row can hide, in the order of the bits of ``SurveyResult.hidden``
#: (``"index"`` covers the engagement index and the overall % favourable, which rest on
#: every theme).
HIDDEN_METRICS: tuple[str, ...] = ("n", *ANSWER_SLOTS, "enps", "index")

#: The summed columns of a result row, besides its key.
RESULT_SUMS: tuple[str, ...] = (
    "n",
    "idx_n",
    "idx_sum",
    "idx_sumsq",
    "idx_yy",
    "idx_ym",
    "idx_mm",
    "enps_n",
    "enps_pro",
    "enps_det",
    *(f"{slot}_{part}" for slot in ANSWER_SLOTS for part in ("n", "sum", "sumsq", "fav")),
)

_FLOAT_SUMS = {"idx_sum", "idx_sumsq"}


class SurveyResult(Base):
    """Sums for one unit of one closed wave, optionally restricted to one role or band.

    ``dim`` is ``""`` for the whole unit, ``"role"`` or ``"band"`` for a demographic slice
    (stored for stores only), with ``value`` the role or band (``""`` where it was pooled).
    """

    __tablename__ = "survey_result"
    __table_args__ = (
        Index("ix_survey_result_wave_dim", "wave_id", "dim"),
        Index("ix_survey_result_unit", "unit_id", "dim"),
    )

    wave_id: Mapped[int] = mapped_column(
        ForeignKey("survey_wave.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True)
    dim: Mapped[str] = mapped_column(String(8), primary_key=True, default="")
    value: Mapped[str] = mapped_column(String(16), primary_key=True, default="")
    # Which metrics must not be shown (bit 0 respondents, then one bit per HIDDEN_METRICS),
    # decided once when the wave closes, by the same rules for every reader.
    hidden: Mapped[int] = mapped_column(Integer, default=0)


# Declarative classes accept columns added after the class body; 75 near-identical lines
# would hide the shape (keys, then sums) that every reader of this table relies on.
for _column in RESULT_SUMS:
    _float = _column in _FLOAT_SUMS or _column.endswith("sumsq")
    setattr(
        SurveyResult,
        _column,
        mapped_column(_column, Float if _float else Integer, nullable=False, default=0),
    )


class SurveyWaveResult(Base):
    """Wave-level results: the version caches key on, and the scale's reliability."""

    __tablename__ = "survey_wave_result"

    wave_id: Mapped[int] = mapped_column(
        ForeignKey("survey_wave.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    # RESULT_RULES when the rows were built; older rows are rebuilt on upgrade.
    rules: Mapped[int] = mapped_column(Integer, default=1)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    respondents: Mapped[int] = mapped_column(Integer, default=0)
    alpha: Mapped[float | None] = mapped_column(Float)
    alpha_low: Mapped[float | None] = mapped_column(Float)
    alpha_high: Mapped[float | None] = mapped_column(Float)
    alpha_n: Mapped[int | None] = mapped_column(Integer)


class ConfidentialRelation(Base):
    """The person-level relation of a confidential wave with one outcome, computed once and
    frozen: later imports or undos of outcome data never change it, so a viewer cannot steer
    it with data they control. ``statistics`` holds the aggregate figures only."""

    __tablename__ = "confidential_relation"

    wave_id: Mapped[int] = mapped_column(
        ForeignKey("survey_wave.id", ondelete="CASCADE"), primary_key=True
    )
    outcome: Mapped[str] = mapped_column(String(16), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    computed_by: Mapped[str] = mapped_column(String(254))
    people: Mapped[int] = mapped_column(Integer, default=0)
    statistics: Mapped[dict[str, Any]] = mapped_column(JSON)


class ActionStatus(enum.StrEnum):
    TODO = "todo"
    DOING = "doing"
    DONE = "done"


class ActionPlan(Base):
    """Up to three themes a manager chose to improve in one unit, after one wave."""

    __tablename__ = "action_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id", ondelete="CASCADE"))
    themes: Mapped[list[Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    items: Mapped[list[ActionItem]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="ActionItem.id"
    )


class ActionItem(Base):
    """One action of a plan: what, who, by when, and how far along."""

    __tablename__ = "action_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plan.id", ondelete="CASCADE"))
    theme: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(100))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(
        str_enum(ActionStatus, "action_status"), default=ActionStatus.TODO
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    plan: Mapped[ActionPlan] = relationship(back_populates="items")
