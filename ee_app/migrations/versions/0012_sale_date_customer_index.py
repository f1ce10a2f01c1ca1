"""Index the sales by date and customer (issue 20)

The repurchase tables start from the customers who bought in a period (``sale.sold_on``
between two dates, with the customer's hash); no index began with the date, so each month's
table scanned all sales. ``ix_sale_date_customer`` (sold_on, customer) makes that a range scan
of an index that holds both columns (and the sale id). Measured on the chain demo's year of
sales (docs/benchmarks.md, "Repurchase and results (issue 20)").
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_sale_date_customer", "sale", ["sold_on", "customer"])


def downgrade() -> None:
    op.drop_index("ix_sale_date_customer", table_name="sale")
