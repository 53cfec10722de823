"""/healthz follows the Matrix transport's sync: healthy while idle in its long poll, unhealthy once the homeserver
stops answering, healthy again when it is back. The real `elternlotse run` and a Synapse of this module's own,
stopped and started by the test."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.matrix.conftest import MatrixBot, Team, running_synapse
from tests.support.synapse import Account, Synapse, free_port

pytestmark = pytest.mark.slow
WINDOW = 3  # ELTERNLOTSE_HEALTH_WINDOW_SECONDS, far below the sync's 30 s long poll


@pytest.fixture(scope="module")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    yield from running_synapse(tmp_path_factory.mktemp("synapse-health"))


async def health(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.text()


async def until_health(url: str, status: int, within: float = 60.0) -> str:
    deadline = time.monotonic() + within
    seen: tuple[int, str] = (0, "")
    while time.monotonic() < deadline:
        try:
            seen = await health(url)
        except aiohttp.ClientConnectionError:  # the listener opens a moment after the start-up line
            seen = (0, "not listening yet")
        if seen[0] == status:
            return seen[1]
        await asyncio.sleep(0.3)
    raise AssertionError(f"/healthz never answered {status} within {within} s; last: {seen}")


async def test_healthz_follows_the_matrix_sync(synapse: Synapse, tmp_path: Path, bot_account: Account,
                                               team: Team) -> None:  # fmt: skip
    listen = f"127.0.0.1:{free_port()}"
    url = f"http://{listen}/healthz"
    bot = MatrixBot(synapse, tmp_path, bot_account, team.room, {
        "ELTERNLOTSE_METRICS_LISTEN": listen, "ELTERNLOTSE_HEALTH_WINDOW_SECONDS": str(WINDOW),
    })  # fmt: skip
    await bot.start()
    try:
        await until_health(url, 200, within=10)
        await asyncio.sleep(WINDOW + 2)  # idle: the sync waits in its long poll, which is no outage
        assert await health(url) == (200, "ok\n")

        synapse.stop()
        try:
            problem = await until_health(url, 503, within=WINDOW + 30)
            assert problem.startswith("matrix:"), problem
        finally:
            synapse.start()
        await until_health(url, 200, within=60)  # the sync answers again
        async with aiohttp.ClientSession() as http, http.get(f"http://{listen}/metrics") as response:
            metrics = await response.text()
        assert 'elternlotse_transport_up{transport="matrix"} 1.0' in metrics
    finally:
        await bot.stop()
