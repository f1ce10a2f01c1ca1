"""SQLAlchemy declarative base, naming convention and helpers shared by every model module."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, ClassVar, Self

from sqlalchemy import JSON, DateTime, Enum, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["Base", "Versioned", "str_enum", "utcnow"]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar = {
        dict[str, Any]: JSON,
        list[Any]: JSON,
        datetime: DateTime(timezone=True),
    }


class Versioned:
    """The columns of an immutable, numbered version of a definition kept as JSON with its
    content hash (a checklist, an assessment, an incentive scheme, the pulse instrument):
    what a visit, an attempt, a pay run or a wave was made under never changes. The model adds
    the column the versions are numbered within (``key`` or ``kind``) with ``sort_order=-1``,
    after the id."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-2)
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(254))

    @classmethod
    def of(cls, definition: dict[str, Any], created_by: str, **number: str) -> Self:
        """A new version row for ``definition`` (checked by the caller, numbered by its own
        ``version``) with its content hash taken now; ``number`` names what the versions are
        numbered within (``key=…`` or ``kind=…``)."""
        from ee_app.instruments.fields import definition_hash

        return cls(
            **number,
            version=definition["version"],
            definition=definition,
            sha256=definition_hash(definition),
            created_by=created_by,
        )


def str_enum(cls: type[enum.StrEnum], name: str) -> Enum:
    """A string enumeration stored as short text with a CHECK constraint (same on every DB)."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
