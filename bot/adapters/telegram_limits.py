"""Telegram's sending limits, kept on our side: per private chat, per group, and overall. Matrix uses the same pacing
for its overall rate (a homeserver limits messages per sender), its rooms named by their id."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

# A process that wakes late (a busy machine) may use the moments of the rate it missed, up to this long ago: at 25/s
# a late wake-up would otherwise cost those messages for good. The one-second window below keeps such a catch-up
# from ever exceeding the rate within a second, which is how Telegram counts.
CATCH_UP_SECONDS = 0.25
ChatId = int | str  # Telegram: a negative id is a group; Matrix: a room id (no interval of its own by default)


class SendLimiter:
    """Waits before a send so that we stay under Telegram's limits; a 429 pauses everything it names.

    Two rules hold for the global rate. The moments are spaced evenly (1/rate apart), and within any one second at
    most `rate` messages may have reached Telegram. The second rule counts what is on its way and what Telegram
    answered within the last second, by the time of the answer: Telegram counts a message when it arrives, which is
    between our request and its answer. Counted so, messages that a stalled process (or network) delays and then
    releases at once can never make more than `rate` arrive within a second.
    """

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
        self._next_chat: dict[ChatId, float] = {}
        self._paused_until = 0.0
        self._lock = asyncio.Lock()
        self._per_second = max(1, int(global_rate))
        self._answered: deque[float] = deque()  # when Telegram answered each message of the last second
        self._in_flight = 0
        self._bulk_turn = asyncio.Lock()

    @asynccontextmanager
    async def slot(self, chat_id: ChatId, bulk: bool = False) -> AsyncIterator[None]:
        """Wait for the moment a message to chat_id may go out; send it inside. Counted until its answer came.

        Bulk messages take their moments one at a time: at most one of them is ever booked ahead of an interactive
        message, which otherwise would queue behind every reminder already waiting for its moment.
        """
        if bulk:
            async with self._bulk_turn:
                await self._wait(chat_id)
        else:
            await self._wait(chat_id)
        try:
            yield
        finally:
            self._in_flight -= 1
            now = self.clock()
            self._answered.append(now)
            # The chat's interval counts from the answer: a slow request must not shrink the next gap.
            self._next_chat[chat_id] = max(self._next_chat.get(chat_id, 0.0), now + self._interval(chat_id))

    async def _wait(self, chat_id: ChatId) -> None:
        """Reserve the next allowed moment for a message to chat_id, and sleep until then.

        A message that must wait for its own chat (or a 429 pause) waits first and only then takes a moment of the
        global rate: reserving one far ahead would leave the moments before it unused by every other chat (a
        family's second message would stop a broadcast for a second).
        """
        while True:
            async with self._lock:
                now = self.clock()
                ready = max(self._next_chat.get(chat_id, 0.0), self._paused_until)
                if ready <= now:
                    at = max(now - CATCH_UP_SECONDS, ready, self._next_global)
                    self._next_global = at + self.global_interval
                    self._next_chat[chat_id] = at + self._interval(chat_id)
                    if len(self._next_chat) > 10_000:  # forget chats whose turn has long passed
                        self._next_chat = {k: v for k, v in self._next_chat.items() if v > now}
                    break
            await asyncio.sleep(ready - now)
        delay = at - now
        if delay > 0:
            await asyncio.sleep(delay)
        while True:  # no await between the check and taking the place: nothing else runs in between
            now = self.clock()
            while self._answered and self._answered[0] <= now - 1.0:
                self._answered.popleft()
            if len(self._answered) + self._in_flight < self._per_second:
                self._in_flight += 1
                return
            oldest = self._answered[0] + 1.0 - now if self._answered else self.global_interval
            await asyncio.sleep(max(oldest, 0.001))

    def _interval(self, chat_id: ChatId) -> float:
        return self.group_interval if isinstance(chat_id, int) and chat_id < 0 else self.private_interval

    def pause(self, seconds: float) -> None:
        """The platform said 429 (Telegram's RetryAfter, Matrix's M_LIMIT_EXCEEDED): nothing goes out before then."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)
