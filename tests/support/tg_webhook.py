"""Telegram's side of a webhook, for the emulator: POST each pending update to the bot's URL until it answers 200.

What Telegram does and this copies: every update is POSTed as JSON with the secret token header set by
`setWebhook`; an answer other than 2xx, or no answer, means "deliver again later" (with a growing pause); at most
`max_connections` requests are open at once. Updates of one chat go one at a time, in order (Telegram keeps a
chat's updates in order; different chats are delivered in parallel).

Tests run the bot behind a public HTTPS URL they cannot serve, so the emulator is told where that URL really
leads (`TelegramEmulator.route_webhook`), like the TLS proxy in front of a real deployment.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable

import aiohttp

from tests.support.tg_emulator_state import JSON, UpdateQueue, wait_event

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
FIRST_RETRY_SECONDS = 0.5
MAX_RETRY_SECONDS = 8.0


def chat_of(update: JSON) -> object:
    """The chat an update belongs to (its delivery order is kept), or the update itself."""
    body = next((value for key, value in update.items() if key != "update_id"), {})
    if isinstance(body, dict):
        chat = body.get("chat") or (body.get("message") or {}).get("chat") or body.get("from")
        if isinstance(chat, dict) and "id" in chat:
            return chat["id"]
    return ("update", update["update_id"])


class WebhookPusher:
    """Delivers the queue's updates to `target()` until stopped; `answers` records (update_id, status or error)."""

    def __init__(self, queue: UpdateQueue, target: Callable[[], str], secret: str, max_connections: int = 40) -> None:
        self.queue, self.target, self.secret = queue, target, secret
        self.max_connections = max(1, min(max_connections, 100))
        self.answers: list[tuple[int, str]] = []
        self._busy: dict[object, int] = {}  # chat -> update being delivered
        self._retry_at: dict[int, float] = {}
        self._failures: dict[int, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        tasks = [t for t in (self._task, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._task = None

    async def _run(self) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
            while True:
                event = self.queue.signal.event
                now = time.monotonic()
                waits: list[float] = []
                for update in self.queue.take(1000):
                    if len(self._busy) >= self.max_connections:
                        break
                    chat, update_id = chat_of(update), update["update_id"]
                    if chat in self._busy:
                        continue
                    if self._retry_at.get(update_id, 0.0) > now:
                        waits.append(self._retry_at[update_id] - now)
                        self._busy[chat] = -1  # later updates of this chat wait for this one
                        continue
                    self._busy[chat] = update_id
                    task = asyncio.create_task(self._post(session, chat, update))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
                for chat in [c for c, u in self._busy.items() if u == -1]:
                    del self._busy[chat]
                await wait_event(event, min([1.0, *waits]))

    async def _post(self, session: aiohttp.ClientSession, chat: object, update: JSON) -> None:
        update_id = update["update_id"]
        headers = {"Content-Type": "application/json", SECRET_HEADER: self.secret}
        try:
            async with session.post(self.target(), data=json.dumps(update), headers=headers) as response:
                await response.read()
                outcome = str(response.status)
                delivered = 200 <= response.status < 300
        except (aiohttp.ClientError, TimeoutError) as exc:
            outcome, delivered = type(exc).__name__, False
        self.answers.append((update_id, outcome))
        if delivered:
            self.queue.remove(update_id)
            self._retry_at.pop(update_id, None)
        else:
            failures = self._failures[update_id] = self._failures.get(update_id, 0) + 1
            pause = min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** (failures - 1))
            self._retry_at[update_id] = time.monotonic() + pause
        self._busy.pop(chat, None)
        self.queue.signal.fire()
