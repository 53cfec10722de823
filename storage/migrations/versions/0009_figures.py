"""callback_requests.outcome and daily_counts: the anonymous figures of issue 17

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("callback_requests") as batch:
        batch.add_column(sa.Column("outcome", sa.String(length=24), nullable=True))
    op.create_table(
        "daily_counts",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("metric", sa.String(length=24), primary_key=True),
        sa.Column("key", sa.String(length=160), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("daily_counts")
    with op.batch_alter_table("callback_requests") as batch:
        batch.drop_column("outcome")
