"""ix_outbox_pending_kind: the sender reads interactive and bulk rows apart, each in id order, without reading the
whole queue during a broadcast

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_pending_kind", "outbox", ["status", "kind", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_pending_kind", table_name="outbox")
