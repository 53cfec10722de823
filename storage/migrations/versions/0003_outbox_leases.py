"""outbox.lease_owner / lease_until: several processes share the outbox, each row delivered by one of them

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
    # A destination's oldest pending row, asked for each row a process considers taking.
    op.create_index("ix_outbox_destination_pending", "outbox", ["destination", "status", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_destination_pending", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
