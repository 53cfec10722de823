"""Telegram's sending limits, kept on our side: per private chat, per group, and overall."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class SendLimiter:
    """Waits before a send so that we stay under Telegram's limits; a 429 pauses everything it names."""

    def __init__(
        self,
        global_rate: float = 25.0,
        private_interval: float = 1.0,
        group_interval: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.global_interval = 1.0 / global_rate
        self.private_interval = private_interval
        self.group_interval = group_interval  # 20 messages a minute
        self.clock = clock
        self._next_global = 0.0
        self._next_chat: dict[int, float] = {}
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    async def wait(self, chat_id: int) -> None:
        """Reserve the next allowed moment for a message to chat_id, and sleep until then."""
        async with self._lock:
            now = self.clock()
            at = max(now, self._next_global, self._next_chat.get(chat_id, 0.0), self._paused_until)
            self._next_global = at + self.global_interval
            self._next_chat[chat_id] = at + (self.group_interval if chat_id < 0 else self.private_interval)
            if len(self._next_chat) > 10_000:  # forget chats whose turn has long passed
                self._next_chat = {k: v for k, v in self._next_chat.items() if v > now}
        delay = at - now
        if delay > 0:
            await asyncio.sleep(delay)

    def sent(self, chat_id: int) -> None:
        """Count the interval from when Telegram answered: a slow request must not shrink the next gap."""
        interval = self.group_interval if chat_id < 0 else self.private_interval
        self._next_chat[chat_id] = max(self._next_chat.get(chat_id, 0.0), self.clock() + interval)

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nothing goes out before the time it named."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)
