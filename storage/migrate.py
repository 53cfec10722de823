"""Run Alembic migrations on a connection we already hold (works inside a running event loop)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

MIGRATION_LOCK = 0x454C5400  # "ELT\0": the advisory lock key for migrations
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(connection: Connection) -> None:
    """Upgrade to head through the given synchronous connection.

    On PostgreSQL several processes may start at once: a transaction-scoped advisory lock lets one migrate while
    the others wait, then find nothing left to do.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
    command.upgrade(alembic_config(connection), "head")
