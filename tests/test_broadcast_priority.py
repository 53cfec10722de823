"""A broadcast of reminders never holds up what families are waiting for: in the outbox sender, and in the pacing
of Telegram's limits (bot/adapters/telegram_limits.py)."""

from __future__ import annotations

import asyncio

from bot.adapters.base import Delivery, Handler, Outgoing
from bot.adapters.telegram_limits import SendLimiter
from bot.core.events import ChatKey, Reply
from bot.outbox import BULK_IN_FLIGHT, OutboxSender
from storage import repo
from storage.db import Database
from storage.kinds import OutboxKind, OutboxRow, Outcome
from tests.telegram.test_reminders_restart import until


class Paced:
    """A transport that takes a moment for each message, as a platform that keeps a rate does."""

    name = "paced"

    def __init__(self) -> None:
        self.delivered: list[str] = []

    async def connect(self) -> None: ...

    async def listen(self, handle: Handler) -> None: ...

    async def disconnect(self) -> None: ...

    async def send(self, destination: ChatKey, message: Outgoing) -> Delivery:
        await asyncio.sleep(0.005)
        self.delivered.append(destination)
        return Delivery(Outcome.SENT, ref=str(len(self.delivered)))


async def test_a_reply_to_a_family_goes_out_before_a_broadcast_of_reminders_queued_earlier(db: Database) -> None:
    # Regression: every reminder of a broadcast was taken at once, and a family's reply waited behind all of them
    # (38 s for 1,000 reminders at Telegram's pace, in bench/reminders.py).
    reminders = [OutboxRow(f"paced:{n}", Reply("Erinnerung").to_payload(), OutboxKind.REMINDER) for n in range(300)]
    await db.run(lambda tx: repo.add_outbox_rows(tx, reminders))
    transport = Paced()
    sender = OutboxSender(db, {"paced": transport})
    running = asyncio.create_task(sender.run())
    try:
        await until(lambda: len(transport.delivered) >= 20, 30, "the broadcast to be under way")
        await db.run(lambda tx: repo.add_outbox_rows(tx, [OutboxRow("paced:family", Reply("Antwort").to_payload())]))
        sender.wake()
        queued_at = len(transport.delivered)
        await until(lambda: "paced:family" in transport.delivered, 30, "the reply")
        # Behind only the few reminders already on their way (not the 200-odd still waiting).
        assert transport.delivered.index("paced:family") < queued_at + 3 * BULK_IN_FLIGHT
        assert len(transport.delivered) < 150
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def send(limiter: SendLimiter, chat: int, order: list[int], bulk: bool = False) -> None:
    async with limiter.slot(chat, bulk):
        order.append(chat)


async def test_a_message_to_a_family_waits_behind_at_most_one_booked_reminder() -> None:
    # Regression: each reminder on its way had booked a moment of the global rate, and a family's message queued
    # behind all of them.
    limiter, order = SendLimiter(global_rate=100, private_interval=0), []
    await asyncio.gather(*(send(limiter, 500 + n, []) for n in range(40)))  # sending at the full rate already
    broadcast = [asyncio.create_task(send(limiter, 1000 + n, order, bulk=True)) for n in range(20)]
    await asyncio.sleep(0)  # the reminders are waiting for their moments
    await send(limiter, 1, order)
    assert order.index(1) <= 2
    await asyncio.gather(*broadcast)
    assert len(order) == 21


async def test_a_message_waiting_for_its_own_chat_does_not_hold_back_other_chats() -> None:
    # Regression: a family's second message within its second booked a global moment a second ahead, and nothing
    # went out to anyone until then.
    limiter, order = SendLimiter(global_rate=100, private_interval=1.0), []
    await send(limiter, 7, order)
    second = asyncio.create_task(send(limiter, 7, order))  # must wait for chat 7's second
    await asyncio.gather(*(send(limiter, 100 + n, order) for n in range(10)))
    assert order[:11] == [7, *range(100, 110)]  # the others went out while chat 7 waited
    await second
    assert order[-1] == 7
