"""The Matrix adapter paces its sending like the Telegram one: a broadcast (Outgoing.bulk, reminders) takes its
moments one at a time, so a reply a family waits for goes out before the rest of the broadcast. Our adapter, in this
process, against the real Synapse."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.adapters.base import Inbound, Outgoing
from bot.adapters.matrix import MatrixAdapter
from bot.adapters.matrix_login import Credentials
from bot.core.events import ChatKey, Reply
from storage.kinds import Outcome
from tests.support.matrix_people import MatrixPerson
from tests.support.synapse import Account, Synapse

pytestmark = pytest.mark.slow
People = Callable[..., Awaitable[MatrixPerson]]


async def ignore(inbound: Inbound) -> None:
    return None


async def test_a_reply_goes_out_before_a_broadcast_queued_earlier(
    synapse: Synapse, bot_account: Account, people: People, tmp_path: Path
) -> None:
    credentials = Credentials(synapse.url, bot_account.user_id, bot_account.password)
    adapter = MatrixAdapter(credentials, tmp_path / "store", send_rate=20)
    await adapter.connect()
    listening = asyncio.create_task(adapter.listen(ignore))  # accepts the invite
    try:
        parent = await people("emine")
        room = await parent.create_room([bot_account.user_id])
        await parent.wait_until(lambda: bot_account.user_id in parent.client.rooms[room].users
                                and not parent.client.rooms[room].invited_users)  # fmt: skip
        chat = ChatKey(f"matrix:{room}")
        for _ in range(100):  # until the bot's own sync knows the room
            if (await adapter.send(chat, Outgoing(Reply("Hallo"), txn_id="hello"))).status == Outcome.SENT:
                break
            await asyncio.sleep(0.2)

        broadcast = [
            asyncio.create_task(adapter.send(chat, Outgoing(Reply(f"Erinnerung {n}"), txn_id=f"r{n}", bulk=True)))
            for n in range(30)
        ]
        await asyncio.sleep(0.15)  # the broadcast is under way
        reply = await adapter.send(chat, Outgoing(Reply("Antwort an die Familie"), txn_id="reply"))
        assert reply.status == Outcome.SENT
        assert all(d.status == Outcome.SENT for d in await asyncio.gather(*broadcast))
        await parent.wait_until(lambda: parent.count(room) == 32)
        bodies = [m.body for m in parent.rooms[room]]
        assert sorted(bodies) == sorted(["Hallo", "Antwort an die Familie", *(f"Erinnerung {n}" for n in range(30))])
        # Behind only the reminders already on their way (one at a time), not the whole broadcast.
        assert bodies.index("Antwort an die Familie") <= bodies.index("Hallo") + 6, bodies
    finally:
        listening.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listening
        await adapter.disconnect()
