"""The bot's Matrix device is created once and reused: a first login persists it, a given access token is used as
it is, a restart keeps the device and its keys, and SIGTERM never logs out. The real `elternlotse run`, a real
Synapse."""

from __future__ import annotations

import json
import stat
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest

from tests.matrix.conftest import MatrixBot, Team
from tests.support.matrix_people import MatrixPerson
from tests.support.synapse import Account, Synapse

pytestmark = pytest.mark.slow
People = Callable[..., Awaitable[MatrixPerson]]
NEW_DEVICE = "logged in to Matrix as a new device"


async def devices(synapse: Synapse, token: str) -> list[str]:
    """The account's devices as the homeserver lists them (a logout would delete the bot's)."""
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as http:
        async with http.get(f"{synapse.url}/_matrix/client/v3/devices") as response:
            assert response.status == 200, await response.text()
            return sorted(device["device_id"] for device in (await response.json())["devices"])


def session(bot: MatrixBot) -> dict[str, str]:
    return dict(json.loads((bot.tmp / "store" / "session.json").read_text()))


async def answered_in_an_encrypted_chat(parent: MatrixPerson, room: str) -> None:
    before = parent.count(room)
    await parent.say(room, "!emergency")
    await parent.wait_until(lambda: any("112" in m.body for m in parent.rooms[room][before:]))


async def test_a_first_login_with_the_password_is_stored_and_reused_across_restarts(
    people: People, matrix_bot: MatrixBot
) -> None:
    stored = session(matrix_bot)
    path = matrix_bot.tmp / "store" / "session.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds the access token
    assert stored["user_id"] == matrix_bot.user_id and stored["access_token"] and stored["device_id"]
    known = await devices(matrix_bot.synapse, stored["access_token"])
    assert stored["device_id"] in known
    parent = await people("lina")
    room = await parent.create_room([matrix_bot.user_id])
    await parent.next(room, 0)

    for _ in range(2):  # SIGTERM and start again, twice: never a logout, never a new device
        assert await matrix_bot.stop() == 0
        assert await devices(matrix_bot.synapse, stored["access_token"]) == known  # the token still works
        await matrix_bot.start()
        assert session(matrix_bot) == stored
        await answered_in_an_encrypted_chat(parent, room)  # the parent's client still encrypts to the same keys
    assert await devices(matrix_bot.synapse, stored["access_token"]) == known
    assert matrix_bot.log.count(NEW_DEVICE) == 1


async def test_a_start_with_an_access_token_and_no_password_uses_that_device(
    synapse: Synapse, tmp_path: Path, bot_account: Account, team: Team, people: People
) -> None:
    # The account's device as the admin registered it: no password in the bot's environment at all.
    bot = MatrixBot(synapse, tmp_path, bot_account, team.room)
    token = {"ELTERNLOTSE_MATRIX_ACCESS_TOKEN": bot_account.access_token,
             "ELTERNLOTSE_MATRIX_DEVICE_ID": bot_account.device_id, "ELTERNLOTSE_MATRIX_PASSWORD": ""}  # fmt: skip
    await bot.start(**token)
    try:
        assert session(bot)["device_id"] == bot_account.device_id
        parent = await people("rana")
        room = await parent.create_room([bot.user_id])
        await parent.next(room, 0)  # the greeting, encrypted by the given device
        await bot.stop()
        await bot.start(**token)
        await answered_in_an_encrypted_chat(parent, room)
        assert await devices(synapse, bot_account.access_token) == [bot_account.device_id]
        assert NEW_DEVICE not in bot.log and bot_account.password not in bot.log
        assert bot_account.access_token not in bot.log
    finally:
        await bot.stop()
