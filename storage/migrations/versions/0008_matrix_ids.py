"""Matrix: key columns wide enough for Matrix ids (up to 255 bytes, plus the transport prefix), and the sync
cursors a transport stores once a batch's events are committed

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

KEY, REF = 300, 600  # "matrix:" + a 255-byte id; a message ref is "<chat key>|<event id>"
WIDER = {
    "users": {"key": (200, KEY), "chat": (200, KEY)},
    "staff_members": {"key": (200, KEY), "private_chat": (200, KEY)},
    "details_copies": {"chat": (200, KEY), "message_ref": (200, REF)},
    "chat_aliases": {"old": (200, KEY), "new": (200, KEY)},
    "processed_inbound": {"key": (300, KEY + 20)},
    "callback_requests": {"claimed_by": (200, KEY), "card_ref": (200, REF)},
    "request_events": {"actor": (200, KEY), "action": (32, KEY + 20)},
    "outbox": {"destination": (200, KEY), "platform_ref": (200, REF)},
}


def upgrade() -> None:
    op.create_table(
        "sync_cursors",
        sa.Column("name", sa.String(length=64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    # SQLite does not enforce a VARCHAR's length, and altering would rebuild every table: PostgreSQL only.
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, columns in WIDER.items():
        for column, (old, new) in columns.items():
            op.alter_column(table, column, type_=sa.String(length=new), existing_type=sa.String(length=old))


def downgrade() -> None:
    op.drop_table("sync_cursors")
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, columns in WIDER.items():
        for column, (old, new) in columns.items():
            op.alter_column(table, column, type_=sa.String(length=old), existing_type=sa.String(length=new))
