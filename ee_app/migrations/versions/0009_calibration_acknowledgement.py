"""calibration warnings acknowledged before a run is approved

An incentive run gains ``calibration``: when its calibration had warnings, the approver's
acknowledgement (who, when, and the warnings as they were shown), kept with the run. Runs
approved before have none.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incentive_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calibration", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incentive_run", schema=None) as batch_op:
        batch_op.drop_column("calibration")
