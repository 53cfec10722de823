"""details_copies: where a request's details (and a family's relayed words) were shown to a staff member, so they
can be removed again when the request leaves that person

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "details_copies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("chat", sa.String(length=200), nullable=False),
        sa.Column("message_ref", sa.String(length=200), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["callback_requests.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_details_copies_request_id", "details_copies", ["request_id"])


def downgrade() -> None:
    op.drop_index("ix_details_copies_request_id", table_name="details_copies")
    op.drop_table("details_copies")
