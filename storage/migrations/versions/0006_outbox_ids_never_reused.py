"""outbox ids are never given out twice (SQLite AUTOINCREMENT)

SQLite gives a new row the highest rowid plus one, so after the newest rows were deleted (a family's /delete
removes every message to it) their ids came back for new rows. The sender, still holding the old row, then marked
the new one as sent: a removal of a staff member's details message never went out. PostgreSQL's sequences never
reuse an id; there nothing changes.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("outbox", recreate="always", table_kwargs={"sqlite_autoincrement": True}):
        pass


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("outbox", recreate="always", table_kwargs={"sqlite_autoincrement": False}):
        pass
