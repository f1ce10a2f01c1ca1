"""engagement results and action plans

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 21:05:49.747610
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "action_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_action_plan_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"],
            ["survey_wave.id"],
            name=op.f("fk_action_plan_wave_id_survey_wave"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_plan")),
    )
    with op.batch_alter_table("action_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_plan_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "survey_result",
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("dim", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=16), nullable=False),
        sa.Column("hidden", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("idx_n", sa.Integer(), nullable=False),
        sa.Column("idx_sum", sa.Float(), nullable=False),
        sa.Column("idx_sumsq", sa.Float(), nullable=False),
        sa.Column("enps_n", sa.Integer(), nullable=False),
        sa.Column("enps_pro", sa.Integer(), nullable=False),
        sa.Column("enps_det", sa.Integer(), nullable=False),
        sa.Column("a01_n", sa.Integer(), nullable=False),
        sa.Column("a01_sum", sa.Integer(), nullable=False),
        sa.Column("a01_sumsq", sa.Float(), nullable=False),
        sa.Column("a01_fav", sa.Integer(), nullable=False),
        sa.Column("a02_n", sa.Integer(), nullable=False),
        sa.Column("a02_sum", sa.Integer(), nullable=False),
        sa.Column("a02_sumsq", sa.Float(), nullable=False),
        sa.Column("a02_fav", sa.Integer(), nullable=False),
        sa.Column("a03_n", sa.Integer(), nullable=False),
        sa.Column("a03_sum", sa.Integer(), nullable=False),
        sa.Column("a03_sumsq", sa.Float(), nullable=False),
        sa.Column("a03_fav", sa.Integer(), nullable=False),
        sa.Column("a04_n", sa.Integer(), nullable=False),
        sa.Column("a04_sum", sa.Integer(), nullable=False),
        sa.Column("a04_sumsq", sa.Float(), nullable=False),
        sa.Column("a04_fav", sa.Integer(), nullable=False),
        sa.Column("a05_n", sa.Integer(), nullable=False),
        sa.Column("a05_sum", sa.Integer(), nullable=False),
        sa.Column("a05_sumsq", sa.Float(), nullable=False),
        sa.Column("a05_fav", sa.Integer(), nullable=False),
        sa.Column("a06_n", sa.Integer(), nullable=False),
        sa.Column("a06_sum", sa.Integer(), nullable=False),
        sa.Column("a06_sumsq", sa.Float(), nullable=False),
        sa.Column("a06_fav", sa.Integer(), nullable=False),
        sa.Column("a07_n", sa.Integer(), nullable=False),
        sa.Column("a07_sum", sa.Integer(), nullable=False),
        sa.Column("a07_sumsq", sa.Float(), nullable=False),
        sa.Column("a07_fav", sa.Integer(), nullable=False),
        sa.Column("a08_n", sa.Integer(), nullable=False),
        sa.Column("a08_sum", sa.Integer(), nullable=False),
        sa.Column("a08_sumsq", sa.Float(), nullable=False),
        sa.Column("a08_fav", sa.Integer(), nullable=False),
        sa.Column("a09_n", sa.Integer(), nullable=False),
        sa.Column("a09_sum", sa.Integer(), nullable=False),
        sa.Column("a09_sumsq", sa.Float(), nullable=False),
        sa.Column("a09_fav", sa.Integer(), nullable=False),
        sa.Column("a10_n", sa.Integer(), nullable=False),
        sa.Column("a10_sum", sa.Integer(), nullable=False),
        sa.Column("a10_sumsq", sa.Float(), nullable=False),
        sa.Column("a10_fav", sa.Integer(), nullable=False),
        sa.Column("a11_n", sa.Integer(), nullable=False),
        sa.Column("a11_sum", sa.Integer(), nullable=False),
        sa.Column("a11_sumsq", sa.Float(), nullable=False),
        sa.Column("a11_fav", sa.Integer(), nullable=False),
        sa.Column("a12_n", sa.Integer(), nullable=False),
        sa.Column("a12_sum", sa.Integer(), nullable=False),
        sa.Column("a12_sumsq", sa.Float(), nullable=False),
        sa.Column("a12_fav", sa.Integer(), nullable=False),
        sa.Column("x1_n", sa.Integer(), nullable=False),
        sa.Column("x1_sum", sa.Integer(), nullable=False),
        sa.Column("x1_sumsq", sa.Float(), nullable=False),
        sa.Column("x1_fav", sa.Integer(), nullable=False),
        sa.Column("x2_n", sa.Integer(), nullable=False),
        sa.Column("x2_sum", sa.Integer(), nullable=False),
        sa.Column("x2_sumsq", sa.Float(), nullable=False),
        sa.Column("x2_fav", sa.Integer(), nullable=False),
        sa.Column("x3_n", sa.Integer(), nullable=False),
        sa.Column("x3_sum", sa.Integer(), nullable=False),
        sa.Column("x3_sumsq", sa.Float(), nullable=False),
        sa.Column("x3_fav", sa.Integer(), nullable=False),
        sa.Column("x4_n", sa.Integer(), nullable=False),
        sa.Column("x4_sum", sa.Integer(), nullable=False),
        sa.Column("x4_sumsq", sa.Float(), nullable=False),
        sa.Column("x4_fav", sa.Integer(), nullable=False),
        sa.Column("x5_n", sa.Integer(), nullable=False),
        sa.Column("x5_sum", sa.Integer(), nullable=False),
        sa.Column("x5_sumsq", sa.Float(), nullable=False),
        sa.Column("x5_fav", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_survey_result_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"],
            ["survey_wave.id"],
            name=op.f("fk_survey_result_wave_id_survey_wave"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "wave_id", "unit_id", "dim", "value", name=op.f("pk_survey_result")
        ),
    )
    with op.batch_alter_table("survey_result", schema=None) as batch_op:
        batch_op.create_index("ix_survey_result_unit", ["unit_id", "dim"], unique=False)
        batch_op.create_index("ix_survey_result_wave_dim", ["wave_id", "dim"], unique=False)

    op.create_table(
        "survey_wave_result",
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=False),
        sa.Column("alpha", sa.Float(), nullable=True),
        sa.Column("alpha_low", sa.Float(), nullable=True),
        sa.Column("alpha_high", sa.Float(), nullable=True),
        sa.Column("alpha_n", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["wave_id"],
            ["survey_wave.id"],
            name=op.f("fk_survey_wave_result_wave_id_survey_wave"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("wave_id", name=op.f("pk_survey_wave_result")),
    )
    op.create_table(
        "action_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "todo",
                "doing",
                "done",
                name="action_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["action_plan.id"],
            name=op.f("fk_action_item_plan_id_action_plan"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_item")),
    )


def downgrade() -> None:
    op.drop_table("action_item")
    op.drop_table("survey_wave_result")
    with op.batch_alter_table("survey_result", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_result_wave_dim")
        batch_op.drop_index("ix_survey_result_unit")

    op.drop_table("survey_result")
    with op.batch_alter_table("action_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_plan_unit_id"))

    op.drop_table("action_plan")
