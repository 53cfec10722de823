"""Transport cursors (the Matrix sync token) in the database: saved after the events before them were committed."""

from __future__ import annotations

from storage import repo
from storage.db import Database


class DatabaseCursors:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def load(self, name: str) -> str | None:
        return await self.db.run(lambda tx: repo.load_cursor(tx, name))

    async def save(self, name: str, value: str) -> None:
        await self.db.run(lambda tx: repo.save_cursor(tx, name, value))
