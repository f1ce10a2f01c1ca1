"""customer outcomes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 21:50:30.481187
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "csat_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("row_hash", sa.String(length=16), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("scale", sa.SmallInteger(), nullable=False),
        sa.Column(
            "touchpoint",
            sa.Enum(
                "booking",
                "reception",
                "treatment",
                "feedback",
                "aftercare",
                "other",
                name="touchpoint",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("customer", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "(scale = 5 AND score BETWEEN 1 AND 5) OR (scale = 10 AND score BETWEEN 0 AND 10)",
            name=op.f("ck_csat_record_score_on_scale"),
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batch.id"], name=op.f("fk_csat_record_batch_id_import_batch")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_csat_record_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["org_unit.id"], name=op.f("fk_csat_record_store_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_csat_record")),
        sa.UniqueConstraint("source_id", name=op.f("uq_csat_record_source_id")),
    )
    with op.batch_alter_table("csat_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_csat_record_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            "ix_csat_record_staff_date", ["staff_id", "service_date"], unique=False
        )
        batch_op.create_index(
            "ix_csat_record_store_date", ["store_id", "service_date"], unique=False
        )

    op.create_table(
        "sale",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("row_hash", sa.String(length=16), nullable=False),
        sa.Column("customer", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("sold_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("item", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("owner_staff_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batch.id"], name=op.f("fk_sale_batch_id_import_batch")
        ),
        sa.ForeignKeyConstraint(
            ["owner_staff_id"], ["staff.id"], name=op.f("fk_sale_owner_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["org_unit.id"], name=op.f("fk_sale_store_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sale")),
        sa.UniqueConstraint("source_id", name=op.f("uq_sale_source_id")),
    )
    with op.batch_alter_table("sale", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sale_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index("ix_sale_customer_date", ["customer", "sold_on"], unique=False)
        batch_op.create_index("ix_sale_store_date", ["store_id", "sold_on"], unique=False)

    op.create_table(
        "sale_staff",
        sa.Column("sale_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sale_id"], ["sale.id"], name=op.f("fk_sale_staff_sale_id_sale"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_sale_staff_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("sale_id", "staff_id", name=op.f("pk_sale_staff")),
    )
    with op.batch_alter_table("sale_staff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sale_staff_staff_id"), ["staff_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sale_staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sale_staff_staff_id"))

    op.drop_table("sale_staff")
    with op.batch_alter_table("sale", schema=None) as batch_op:
        batch_op.drop_index("ix_sale_store_date")
        batch_op.drop_index("ix_sale_customer_date")
        batch_op.drop_index(batch_op.f("ix_sale_batch_id"))

    op.drop_table("sale")
    with op.batch_alter_table("csat_record", schema=None) as batch_op:
        batch_op.drop_index("ix_csat_record_store_date")
        batch_op.drop_index("ix_csat_record_staff_date")
        batch_op.drop_index(batch_op.f("ix_csat_record_batch_id"))

    op.drop_table("csat_record")
