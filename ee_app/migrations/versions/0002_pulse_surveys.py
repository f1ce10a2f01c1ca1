"""pulse surveys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 19:36:47.837040
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "instrument_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instrument_version")),
    )
    with op.batch_alter_table("instrument_version", schema=None) as batch_op:
        batch_op.create_index(
            "uq_instrument_version_kind_version", ["kind", "version"], unique=True
        )

    op.create_table(
        "survey_wave",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column(
            "mode",
            sa.Enum(
                "anonymous",
                "confidential",
                name="wave_mode",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("k", sa.SmallInteger(), nullable=False),
        sa.Column("k_comments", sa.SmallInteger(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "open",
                "closed",
                name="wave_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instrument_version.id"],
            name=op.f("fk_survey_wave_instrument_id_instrument_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_wave")),
        sa.UniqueConstraint("code", name=op.f("uq_survey_wave_code")),
    )
    op.create_table(
        "survey_comment",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_survey_comment_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"],
            ["survey_wave.id"],
            name=op.f("fk_survey_comment_wave_id_survey_wave"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_comment")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("survey_comment", schema=None) as batch_op:
        batch_op.create_index("ix_survey_comment_wave_unit", ["wave_id", "unit_id"], unique=False)

    op.create_table(
        "survey_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "beautician",
                "consultant",
                "doctor",
                "nurse",
                "front_desk",
                "store_manager",
                name="staff_role",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("generation", sa.SmallInteger(), nullable=False),
        sa.Column("responded", sa.Boolean(), nullable=False),
        sa.Column("report_unit_id", sa.Integer(), nullable=False),
        sa.Column("report_role", sa.String(length=16), nullable=True),
        sa.Column("report_band", sa.String(length=8), nullable=True),
        sa.Column("comment_unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_unit_id"],
            ["org_unit.id"],
            name=op.f("fk_survey_invitation_comment_unit_id_org_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["report_unit_id"],
            ["org_unit.id"],
            name=op.f("fk_survey_invitation_report_unit_id_org_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_survey_invitation_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_survey_invitation_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"],
            ["survey_wave.id"],
            name=op.f("fk_survey_invitation_wave_id_survey_wave"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_survey_invitation_token_hash")),
    )
    with op.batch_alter_table("survey_invitation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_invitation_staff_id"), ["staff_id"], unique=False
        )
        batch_op.create_index(
            "uq_survey_invitation_wave_staff", ["wave_id", "staff_id"], unique=True
        )

    op.create_table(
        "survey_response",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("band", sa.String(length=8), nullable=True),
        sa.Column("a01", sa.SmallInteger(), nullable=True),
        sa.Column("a02", sa.SmallInteger(), nullable=True),
        sa.Column("a03", sa.SmallInteger(), nullable=True),
        sa.Column("a04", sa.SmallInteger(), nullable=True),
        sa.Column("a05", sa.SmallInteger(), nullable=True),
        sa.Column("a06", sa.SmallInteger(), nullable=True),
        sa.Column("a07", sa.SmallInteger(), nullable=True),
        sa.Column("a08", sa.SmallInteger(), nullable=True),
        sa.Column("a09", sa.SmallInteger(), nullable=True),
        sa.Column("a10", sa.SmallInteger(), nullable=True),
        sa.Column("a11", sa.SmallInteger(), nullable=True),
        sa.Column("a12", sa.SmallInteger(), nullable=True),
        sa.Column("x1", sa.SmallInteger(), nullable=True),
        sa.Column("x2", sa.SmallInteger(), nullable=True),
        sa.Column("x3", sa.SmallInteger(), nullable=True),
        sa.Column("x4", sa.SmallInteger(), nullable=True),
        sa.Column("x5", sa.SmallInteger(), nullable=True),
        sa.Column("enps", sa.SmallInteger(), nullable=True),
        sa.CheckConstraint(
            "a01 IS NULL OR a01 BETWEEN 1 AND 5", name=op.f("ck_survey_response_a01_range")
        ),
        sa.CheckConstraint(
            "a02 IS NULL OR a02 BETWEEN 1 AND 5", name=op.f("ck_survey_response_a02_range")
        ),
        sa.CheckConstraint(
            "a03 IS NULL OR a03 BETWEEN 1 AND 5", name=op.f("ck_survey_response_a03_range")
        ),
        sa.CheckConstraint(
            "a04 IS NULL OR a04 BETWEEN 1 AND 5", name=op.f("ck_survey_response_a04_range")
        ),
        sa.CheckConstraint(
            "a05 IS NULL OR a05 BETWEEN 1 AND 5", name=op.f("ck_survey_response_a05_range")
        ),
        sa.CheckConstraint(
            "a06 IS NULL OR a06 BETWEEN 1 AND 5", name=op.f("ck_survey_response_a06_range")
        ),
        sa.CheckConstraint(
            "a07 IS NULL OR a07 BETWEEN 1 AND 5", name=op.f("ck_survey_response_a07_range")
        ),
        sa.CheckConstraint(
            "a08 IS NULL OR a08 BETWEEN 1 AND 5", name=op.f("ck_survey_response_a08_range")
        ),
        sa.CheckConstraint(
            "a09 IS NULL OR a09 BETWEEN 1 AND 5", name=op.f("ck_survey_response_a09_range")
        ),
        sa.CheckConstraint(
            "a10 IS NULL OR a10 BETWEEN 1 AND 5", name=op.f("ck_survey_response_a10_range")
        ),
        sa.CheckConstraint(
            "a11 IS NULL OR a11 BETWEEN 1 AND 5", name=op.f("ck_survey_response_a11_range")
        ),
        sa.CheckConstraint(
            "a12 IS NULL OR a12 BETWEEN 1 AND 5", name=op.f("ck_survey_response_a12_range")
        ),
        sa.CheckConstraint(
            "enps IS NULL OR enps BETWEEN 0 AND 10", name=op.f("ck_survey_response_enps_range")
        ),
        sa.CheckConstraint(
            "x1 IS NULL OR x1 BETWEEN 1 AND 5", name=op.f("ck_survey_response_x1_range")
        ),
        sa.CheckConstraint(
            "x2 IS NULL OR x2 BETWEEN 1 AND 5", name=op.f("ck_survey_response_x2_range")
        ),
        sa.CheckConstraint(
            "x3 IS NULL OR x3 BETWEEN 1 AND 5", name=op.f("ck_survey_response_x3_range")
        ),
        sa.CheckConstraint(
            "x4 IS NULL OR x4 BETWEEN 1 AND 5", name=op.f("ck_survey_response_x4_range")
        ),
        sa.CheckConstraint(
            "x5 IS NULL OR x5 BETWEEN 1 AND 5", name=op.f("ck_survey_response_x5_range")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_survey_response_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"],
            ["survey_wave.id"],
            name=op.f("fk_survey_response_wave_id_survey_wave"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_response")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.create_index("ix_survey_response_wave_unit", ["wave_id", "unit_id"], unique=False)

    op.create_table(
        "survey_wave_unit",
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_survey_wave_unit_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"],
            ["survey_wave.id"],
            name=op.f("fk_survey_wave_unit_wave_id_survey_wave"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("wave_id", "unit_id", name=op.f("pk_survey_wave_unit")),
    )
    op.create_table(
        "survey_response_link",
        sa.Column("response_id", sa.String(length=32), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["survey_response.id"],
            name=op.f("fk_survey_response_link_response_id_survey_response"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_survey_response_link_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("response_id", name=op.f("pk_survey_response_link")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("survey_response_link")
    op.drop_table("survey_wave_unit")
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_response_wave_unit")

    op.drop_table("survey_response")
    with op.batch_alter_table("survey_invitation", schema=None) as batch_op:
        batch_op.drop_index("uq_survey_invitation_wave_staff")
        batch_op.drop_index(batch_op.f("ix_survey_invitation_staff_id"))

    op.drop_table("survey_invitation")
    with op.batch_alter_table("survey_comment", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_comment_wave_unit")

    op.drop_table("survey_comment")
    op.drop_table("survey_wave")
    with op.batch_alter_table("instrument_version", schema=None) as batch_op:
        batch_op.drop_index("uq_instrument_version_kind_version")

    op.drop_table("instrument_version")
