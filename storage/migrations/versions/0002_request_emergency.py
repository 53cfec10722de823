"""callback_requests.emergency (an emergency recognised in what the family wrote) and an index for the family's
open request

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("callback_requests") as batch:
        batch.add_column(sa.Column("emergency", sa.String(length=16), nullable=True))
    op.create_index("ix_callback_requests_user_status", "callback_requests", ["user_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_callback_requests_user_status", table_name="callback_requests")
    with op.batch_alter_table("callback_requests") as batch:
        batch.drop_column("emergency")
