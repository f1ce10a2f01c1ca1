"""HR owns its content: assessment cycles, extra attempts, resets and re-issued links

* ``quiz_assignment`` gains ``cycle`` (a bank given again for a new period, e.g. the
  quarterly re-test, without a new version), ``generation`` (bumped when HR re-issues a lost
  or shared link: the old link stops working), ``extra_attempts`` (granted by HR with a
  reason) and ``counted_from`` (attempts numbered up to it were reset by HR: they stay in the
  history but no longer count against the limit).
* The unique pair (quiz, staff) becomes the triple (quiz, staff, cycle).

Downgrading fails once a second cycle exists (the pair would no longer be unique): restore a
backup instead.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("quiz_assignment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cycle", sa.SmallInteger(), server_default="1", nullable=False)
        )
        batch_op.add_column(
            sa.Column("generation", sa.SmallInteger(), server_default="1", nullable=False)
        )
        batch_op.add_column(
            sa.Column("extra_attempts", sa.SmallInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("counted_from", sa.SmallInteger(), server_default="0", nullable=False)
        )
        batch_op.drop_index("uq_quiz_assignment_quiz_staff")
        batch_op.create_index(
            "uq_quiz_assignment_quiz_staff_cycle", ["quiz_id", "staff_id", "cycle"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("quiz_assignment", schema=None) as batch_op:
        batch_op.drop_index("uq_quiz_assignment_quiz_staff_cycle")
        batch_op.create_index("uq_quiz_assignment_quiz_staff", ["quiz_id", "staff_id"], unique=True)
        batch_op.drop_column("counted_from")
        batch_op.drop_column("extra_attempts")
        batch_op.drop_column("generation")
        batch_op.drop_column("cycle")
