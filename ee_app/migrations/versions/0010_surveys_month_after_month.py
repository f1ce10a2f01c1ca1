"""surveys month after month: schedules, reminders, comment tags, contacts, retention

* ``survey_schedule`` (+ ``survey_schedule_unit``): recurring pulses; ``survey_wave`` gains
  ``schedule_id``, unique with ``opens_on`` so two replicas cannot make one wave twice.
* ``reminder_run``: the delivery log of reminders, counts only.
* ``survey_comment_tag``: themes HR tags comments with.
* ``staff`` gains ``email``, ``mobile``, ``wecom_userid`` (where reminders go) and
  ``anonymised_at`` (the retention policy or an erasure request ran).
* ``app_setting``: settings HR changes in the app (the retention policy).
* ``sale.customer`` may be empty: the retention policy removes old customers' hashes.

Downgrading fails once a sale's customer has been removed (the column cannot be made
required again): restore a backup instead.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=254), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_setting")),
    )
    op.create_table(
        "survey_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "cadence",
            sa.Enum(
                "monthly",
                "weekly",
                name="cadence",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("every", sa.SmallInteger(), nullable=False),
        sa.Column("first_opens_on", sa.Date(), nullable=False),
        sa.Column("open_days", sa.SmallInteger(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("instrument_id", sa.Integer(), nullable=True),
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
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instrument_version.id"],
            name=op.f("fk_survey_schedule_instrument_id_instrument_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_schedule")),
        sa.UniqueConstraint("code", name=op.f("uq_survey_schedule_code")),
    )
    op.create_table(
        "survey_schedule_unit",
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["survey_schedule.id"],
            name=op.f("fk_survey_schedule_unit_schedule_id_survey_schedule"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_survey_schedule_unit_unit_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("schedule_id", "unit_id", name=op.f("pk_survey_schedule_unit")),
    )
    op.create_table(
        "reminder_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempted", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["wave_id"],
            ["survey_wave.id"],
            name=op.f("fk_reminder_run_wave_id_survey_wave"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_run")),
    )
    with op.batch_alter_table("reminder_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_run_wave_id"), ["wave_id"], unique=False)

    op.create_table(
        "survey_comment_tag",
        sa.Column("comment_id", sa.String(length=32), nullable=False),
        sa.Column("theme", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["survey_comment.id"],
            name=op.f("fk_survey_comment_tag_comment_id_survey_comment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("comment_id", "theme", name=op.f("pk_survey_comment_tag")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("sale", schema=None) as batch_op:
        batch_op.alter_column("customer", existing_type=sa.VARCHAR(length=64), nullable=True)

    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("mobile", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("wecom_userid", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("survey_wave", schema=None) as batch_op:
        batch_op.add_column(sa.Column("schedule_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            "uq_survey_wave_schedule_opens", ["schedule_id", "opens_on"], unique=True
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_survey_wave_schedule_id_survey_schedule"),
            "survey_schedule",
            ["schedule_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_wave", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_survey_wave_schedule_id_survey_schedule"), type_="foreignkey"
        )
        batch_op.drop_index("uq_survey_wave_schedule_opens")
        batch_op.drop_column("schedule_id")

    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("anonymised_at")
        batch_op.drop_column("wecom_userid")
        batch_op.drop_column("mobile")
        batch_op.drop_column("email")

    with op.batch_alter_table("sale", schema=None) as batch_op:
        batch_op.alter_column("customer", existing_type=sa.VARCHAR(length=64), nullable=False)

    op.drop_table("survey_comment_tag")
    with op.batch_alter_table("reminder_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_run_wave_id"))

    op.drop_table("reminder_run")
    op.drop_table("survey_schedule_unit")
    op.drop_table("survey_schedule")
    op.drop_table("app_setting")
