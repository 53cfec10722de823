"""A SIGKILL of the real `elternlotse run` between two messages: no replay, no loss, the same device afterwards."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import aiohttp
import pytest
from nio import RoomSendError

from tests.matrix.conftest import MatrixBot
from tests.support.matrix_people import MatrixPerson

pytestmark = pytest.mark.slow
People = Callable[..., Awaitable[MatrixPerson]]


async def devices(bot: MatrixBot) -> list[str]:
    session = json.loads((bot.tmp / "store" / "session.json").read_text())
    headers = {"Authorization": f"Bearer {session['access_token']}"}
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{bot.synapse.url}/_matrix/client/v3/devices", headers=headers) as response:
            assert response.status == 200
            return [device["device_id"] for device in (await response.json())["devices"]]


def emergencies(parent: MatrixPerson, room: str) -> int:
    """Emergency screens after the greeting (whose picker has the emergency line too)."""
    return sum("112" in message.body for message in parent.rooms.get(room, [])[1:])


async def test_a_sigkill_between_two_messages_replays_nothing_loses_nothing_and_keeps_the_device(
    people: People, matrix_bot: MatrixBot
) -> None:
    parent = await people("layla")
    room = await parent.create_room([matrix_bot.user_id])
    await parent.next(room, 0)  # the greeting
    device = json.loads((matrix_bot.tmp / "store" / "session.json").read_text())["device_id"]
    known = await devices(matrix_bot)  # the bot's device (and the one the account was registered with)
    assert device in known
    await matrix_bot.stop()

    # The bot dies hard right after committing its answer to the first message, before sending it, and before the
    # sync token moved on. The second message arrives while it is down.
    await matrix_bot.start(ELTERNLOTSE_TEST_CRASH_AFTER_COMMITS="1")
    await parent.say(room, "!emergency")
    assert matrix_bot.proc is not None
    await asyncio.to_thread(matrix_bot.proc.wait, 30)
    assert matrix_bot.proc.returncode == -9
    assert emergencies(parent, room) == 0
    await parent.say(room, "/emergency")

    await matrix_bot.start()
    await parent.wait_until(lambda: emergencies(parent, room) >= 2)
    await asyncio.sleep(3)  # anything replayed would arrive now
    assert emergencies(parent, room) == 2  # each message answered once: none lost, none replayed
    assert matrix_bot.query("SELECT count(*) FROM processed_inbound WHERE key LIKE 'matrix:event:%'") == [(3,)]
    assert json.loads((matrix_bot.tmp / "store" / "session.json").read_text())["device_id"] == device
    assert await devices(matrix_bot) == known  # no new device per start, no logout on SIGTERM
    assert matrix_bot.log.count("logged in to Matrix as a new device") == 1


async def test_more_events_than_one_sync_holds_missed_while_down_none_lost_none_replayed(
    people: People, matrix_bot: MatrixBot
) -> None:
    # Regression: the sync filter holds 500 events per room; the timeline came back `limited` and everything
    # before its last 500 events was skipped, a family's message with it.
    parent = await people("samira")
    room = await parent.create_room([matrix_bot.user_id])
    await parent.next(room, 0)  # the greeting
    await matrix_bot.stop()

    command = await parent.say(room, "!emergency")
    limit = asyncio.Semaphore(8)

    async def react(n: int) -> None:  # reactions (the bot ignores them) fill the gap cheaply
        reaction = {"m.relates_to": {"rel_type": "m.annotation", "event_id": command, "key": f"👍{n}"}}
        async with limit:
            sent = await parent.client.room_send(room, "m.reaction", reaction)
            assert not isinstance(sent, RoomSendError), sent

    await asyncio.gather(*(react(n) for n in range(520)))
    await parent.say(room, "/privacy")

    await matrix_bot.start()
    # The emergency screen and the language picker after it (nobody chose a language), then the picker again.
    await parent.wait_until(lambda: parent.count(room) >= 4, timeout=60)
    await asyncio.sleep(3)  # anything replayed would arrive now
    assert [m.body[0] for m in parent.rooms[room]] == ["🌐", "🆘", "🌐", "🌐"]  # each message answered once
    assert matrix_bot.query("SELECT count(*) FROM processed_inbound WHERE key LIKE 'matrix:event:%'") == [(3,)]
    assert "a sync gap was closed" in matrix_bot.log

    await matrix_bot.stop()  # and a restart after the gap was closed replays none of it
    await matrix_bot.start()
    marker = await parent.ask(room, "/privacy")
    assert parent.rooms[room][-1] is marker and parent.count(room) == 5
