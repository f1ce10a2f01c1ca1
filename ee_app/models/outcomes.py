"""Customer outcomes imported from the clinic's CRM and POS: satisfaction answers and sales.

Every row keeps the ``source_id`` it had in the clinic's system (so importing the same file
again adds nothing), the import batch it came with (so a batch can be undone as a whole) and
a short hash of its content (so a source id arriving again with different values is refused,
not silently overwritten). Customers are stored only as a keyed hash of their reference
(often a phone number): never the reference itself.
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Numeric, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ee_app.models.base import Base, str_enum

__all__ = ["CsatRecord", "Sale", "SaleStaff", "Touchpoint"]


class Touchpoint(enum.StrEnum):
    BOOKING = "booking"
    RECEPTION = "reception"
    TREATMENT = "treatment"
    FEEDBACK = "feedback"
    AFTERCARE = "aftercare"
    OTHER = "other"


class Imported:
    """The columns every imported row starts with (see the module docstring): its id, the id
    it had in the clinic's system, its import batch and the short hash of its content. The
    ``sort_order`` keeps them first, before the model's own columns."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-4)
    source_id: Mapped[str] = mapped_column(String(64), unique=True, sort_order=-3)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True, sort_order=-2)
    row_hash: Mapped[str] = mapped_column(String(16), sort_order=-1)


class CsatRecord(Imported, Base):
    """One answer to the post-service questionnaire, with the staff member who served."""

    __tablename__ = "csat_record"
    __table_args__ = (
        CheckConstraint(
            "(scale = 5 AND score BETWEEN 1 AND 5) OR (scale = 10 AND score BETWEEN 0 AND 10)",
            name="score_on_scale",
        ),
        Index("ix_csat_record_staff_date", "staff_id", "service_date"),
        Index("ix_csat_record_store_date", "store_id", "service_date"),
    )

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    service_date: Mapped[date] = mapped_column(Date)
    score: Mapped[int] = mapped_column(SmallInteger)
    scale: Mapped[int] = mapped_column(SmallInteger)
    touchpoint: Mapped[Touchpoint] = mapped_column(str_enum(Touchpoint, "touchpoint"))
    customer: Mapped[str | None] = mapped_column(String(64))


class Sale(Imported, Base):
    """One transaction from the POS (``transaction`` is an SQL keyword, hence the name)."""

    __tablename__ = "sale"
    __table_args__ = (
        # a customer's sales by date, with the amount so that repurchase's look-up of the
        # sales after a service never reads the table (issue 20; migration 0013)
        Index("ix_sale_customer_date_amount", "customer", "sold_on", "amount"),
        Index("ix_sale_store_date", "store_id", "sold_on"),
        # a period's customers as a range scan (repurchase, issue 20; migration 0012)
        Index("ix_sale_date_customer", "sold_on", "customer"),
    )

    # Empty once the retention policy removed the customer's hash from an old sale.
    customer: Mapped[str | None] = mapped_column(String(64))
    store_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    sold_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    item: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(100), default="")
    owner_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class SaleStaff(Base):
    """A staff member who served a sale (a sale may have several)."""

    __tablename__ = "sale_staff"

    sale_id: Mapped[int] = mapped_column(
        ForeignKey("sale.id", ondelete="CASCADE"), primary_key=True
    )
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), primary_key=True, index=True)
