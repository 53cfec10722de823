"""The web chat's messages in the database, for bot.adapters.web (which does no database work of its own)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import repo, webchat
from storage.db import Database
from storage.models import utcnow
from storage.webchat import NOTIFY_CHANNEL, Stored

log = logging.getLogger(__name__)
RELISTEN_SECONDS = 2.0  # the listening connection broke: meanwhile the pages' once-a-second look still finds all


class WebMessages:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.shared = not db.single_process

    async def store(
        self, user_key: str, payload: dict[str, Any], outbox_id: int | None = None, ref: str | None = None
    ) -> Stored | None:
        """Keep a message for the family's browser; with outbox_id, that outbox row is marked sent in the same
        transaction (one commit per delivered message, and never kept without being marked or marked without)."""

        def work(tx: Session) -> Stored | None:
            stored = webchat.store(tx, user_key, payload)
            if stored is not None and outbox_id is not None:
                repo.mark_sent(tx, [{"id": outbox_id, "now": utcnow(), "ref": ref or str(stored.id)}])
            return stored

        return await self.db.run(work)

    async def after(self, user_key: str, last_id: int) -> list[Stored]:
        return await self.db.run(lambda tx: webchat.after(tx, user_key, last_id))

    async def after_many(self, lasts: dict[str, int]) -> list[tuple[str, Stored]]:
        return await self.db.run(lambda tx: webchat.after_many(tx, lasts))

    async def language(self, user_key: str) -> tuple[bool, str | None]:
        return await self.db.run(lambda tx: webchat.language(tx, user_key))

    async def secret(self) -> str:
        try:
            return await self.db.run(webchat.secret)
        except IntegrityError:  # another process made it at the same moment: use theirs
            return await self.db.run(webchat.secret)

    async def listen(self, heard: Callable[[str], None]) -> None:
        """PostgreSQL: heard(key) for each message any process keeps for a family, as it is committed; until
        cancelled. A connection of its own (LISTEN holds it), opened again when it breaks."""
        dsn = make_url(self.db.url).set(drivername="postgresql").render_as_string(hide_password=False)
        while True:
            await _listen_once(dsn, heard)
            await asyncio.sleep(RELISTEN_SECONDS)


async def _listen_once(dsn: str, heard: Callable[[str], None]) -> None:
    """Listen on one connection until it breaks (or fails to open)."""
    import asyncpg  # the PostgreSQL driver: only installed where PostgreSQL is used

    connection = None
    broken = asyncio.Event()
    try:
        connection = await asyncpg.connect(dsn)
        connection.add_termination_listener(lambda _connection: broken.set())
        await connection.add_listener(NOTIFY_CHANNEL, lambda _c, _pid, _channel, key: heard(key))
        await broken.wait()
        log.warning("web chat: the connection that listens for new messages broke")
    except (OSError, asyncpg.PostgresError) as exc:
        log.warning("web chat: listening for new messages failed (%s)", type(exc).__name__)
    finally:
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close(timeout=1)
