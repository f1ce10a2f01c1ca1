"""Covering indexes for the repurchase table and the results' respondents (issue 20)

* ``ix_sale_customer_date_amount`` (customer, sold_on, amount) replaces
  ``ix_sale_customer_date`` (customer, sold_on). The repurchase table looks up, for each
  served (unit, customer) pair, the customer's sales in (t, t + w] and sums their amounts;
  with the amount in the index that look-up never reads the table (SQLite's plan says
  ``USING COVERING INDEX``). Every query that used the old index can use this one: it starts
  with the same two columns.
* ``ix_survey_invitation_wave_responded`` (wave_id, responded, staff_id, report_unit_id):
  a cold results view reads who answered two waves (staff id and stored unit); the unique
  (wave_id, staff_id) index found the wave's invitations but each row came from the table.

Measured on the chain demo in docs/benchmarks.md ("Repurchase and results (issue 20)").
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_sale_customer_date_amount", "sale", ["customer", "sold_on", "amount"])
    op.drop_index("ix_sale_customer_date", table_name="sale")
    op.create_index(
        "ix_survey_invitation_wave_responded",
        "survey_invitation",
        ["wave_id", "responded", "staff_id", "report_unit_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_survey_invitation_wave_responded", table_name="survey_invitation")
    op.create_index("ix_sale_customer_date", "sale", ["customer", "sold_on"])
    op.drop_index("ix_sale_customer_date_amount", table_name="sale")
