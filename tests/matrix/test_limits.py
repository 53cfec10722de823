"""The bot against Synapse's real rate limiter (a homeserver of its own, with a tight `rc_message`): M_LIMIT_EXCEEDED
is honoured with its retry_after_ms, and nothing is lost or doubled."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator

import pytest

from tests.matrix.conftest import MatrixBot, running_synapse
from tests.support.matrix_people import MatrixPerson
from tests.support.synapse import Synapse

pytestmark = pytest.mark.slow
People = Callable[..., Awaitable[MatrixPerson]]
# Synapse's own default is 0.2 a second with a burst of 10; tighter here, so that a short journey meets it.
TIGHT = {"rc_message": {"per_second": 0.3, "burst_count": 3}}


@pytest.fixture(scope="module")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    """This module's own homeserver, whose message limit every sender (the bot, the parent) meets."""
    yield from running_synapse(tmp_path_factory.mktemp("synapse-limited"), TIGHT)


async def test_m_limit_exceeded_is_honoured_with_its_retry_after_ms(people: People, matrix_bot: MatrixBot) -> None:
    parent = await people("jana")
    room = await parent.create_room([matrix_bot.user_id])
    await parent.next(room, 0)  # the greeting
    for typed in ("!emergency", "/privacy", "!emergency"):
        before = parent.count(room)
        await parent.say(room, typed)
        await parent.next(room, before, timeout=60)
    query = "SELECT status, error, attempts FROM outbox WHERE destination = ? ORDER BY id"
    await parent.wait_until(lambda: all(r[0] == "sent" for r in matrix_bot.query(query, f"matrix:{room}")), 60)
    await asyncio.sleep(4)  # anything doubled would arrive now
    rows = matrix_bot.query(query, f"matrix:{room}")
    assert parent.count(room) == len(rows)  # every message once: none lost, none doubled
    assert all(status == "sent" for status, _, _ in rows), rows
    limited = [attempts for _, error, attempts in rows if error == "429"]
    assert limited, "the homeserver's limit was never met: the test proves nothing"
    # Each message that met the limit went out at its second attempt: the bot waited as long as the homeserver
    # said (a shorter wait meets the limit again, and a third attempt would be counted).
    assert limited == [2] * len(limited), rows
    assert "Traceback" not in matrix_bot.log
