"""The org tree, staff with their assignment history, app users, the audit log, imports."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ee_app.choices import StaffRole, UserRole
from ee_app.models.base import Base, str_enum, utcnow

__all__ = [
    "AppSetting",
    "AppUser",
    "AuditLog",
    "ImportBatch",
    "OrgUnit",
    "Staff",
    "StaffAssignment",
    "StaffRole",
    "UnitLevel",
    "UserRole",
    "UserScope",
]


class UnitLevel(enum.StrEnum):
    BRAND = "brand"
    REGION = "region"
    STORE = "store"
    TEAM = "team"

    @property
    def depth(self) -> int:
        return list(UnitLevel).index(self)


class OrgUnit(Base):
    """A node of the org tree: brand → region → store → team.

    ``path`` is the materialised path of ids (``/1/4/17/``) so that "this unit and everything
    under it" is one indexed ``LIKE '/1/4/%'`` in SQL.
    """

    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[UnitLevel] = mapped_column(str_enum(UnitLevel, "unit_level"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    path: Mapped[str] = mapped_column(String(255), index=True, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    parent: Mapped[OrgUnit | None] = relationship(remote_side="OrgUnit.id")


class Staff(Base):
    """A person on the roster. Where they work, and as what, lives in :class:`StaffAssignment`."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    hire_date: Mapped[date] = mapped_column(Date)
    leave_date: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # How a reminder reaches a person without a company mailbox: any of them may be empty.
    email: Mapped[str | None] = mapped_column(String(254))
    mobile: Mapped[str | None] = mapped_column(String(32))
    wecom_userid: Mapped[str | None] = mapped_column(String(64))
    # Set when the retention policy (or an erasure request) removed the person's data.
    anonymised_at: Mapped[datetime | None] = mapped_column()

    assignments: Mapped[list[StaffAssignment]] = relationship(
        back_populates="staff", order_by="StaffAssignment.valid_from"
    )


class StaffAssignment(Base):
    """One period of a staff member in one unit and role; ``valid_to`` is exclusive.

    A move or a change of role closes the open period and starts a new one, so results that
    were computed for the old unit stay with it. At most one period per person is open.
    """

    __tablename__ = "staff_assignment"
    __table_args__ = (
        Index(
            "uq_staff_assignment_open",
            "staff_id",
            unique=True,
            sqlite_where=text("valid_to IS NULL"),
            postgresql_where=text("valid_to IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    role: Mapped[StaffRole] = mapped_column(str_enum(StaffRole, "staff_role"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    staff: Mapped[Staff] = relationship(back_populates="assignments")
    unit: Mapped[OrgUnit] = relationship()


class AppUser(Base):
    """Someone who signs in: HR, a manager, a mystery shopper or an admin.

    Staff answering surveys or assessments need no account; their personal link identifies
    exactly one invitation.
    """

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[UserRole] = mapped_column(str_enum(UserRole, "user_role"))
    language: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    scopes: Mapped[list[UserScope]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )


class UserScope(Base):
    """A unit (with everything under it) that a user may see."""

    __tablename__ = "user_scope"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True)

    user: Mapped[AppUser] = relationship(back_populates="scopes")
    unit: Mapped[OrgUnit] = relationship()


class AuditLog(Base):
    """Who did what to which object. Never holds survey answers or who responded."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ImportBatch(Base):
    """One applied import of a file; rows it inserted point back to it so it can be undone."""

    __tablename__ = "import_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(254))
    rows: Mapped[int] = mapped_column(Integer)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    undone_at: Mapped[datetime | None] = mapped_column()


class AppSetting(Base):
    """A setting HR changes in the app (e.g. the retention policy): a key and a JSON value."""

    __tablename__ = "app_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_by: Mapped[str] = mapped_column(String(254))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
