"""/metrics and /healthz of the real `elternlotse run` process: counters by transport and kind, never a person."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import aiohttp

from tests.support.tg_emulator import TelegramEmulator
from tests.telegram.conftest import BotProcess, Person


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def test_metrics_count_updates_and_deliveries_and_health_follows_the_platform(
    emu: TelegramEmulator, tmp_path: Path
) -> None:
    port = free_port()
    bot = BotProcess(emu, tmp_path, {"ELTERNLOTSE_METRICS_LISTEN": f"127.0.0.1:{port}",
                                     "ELTERNLOTSE_HEALTH_WINDOW_SECONDS": "2"})  # fmt: skip
    await bot.start()
    parent = Person(emu, emu.add_user(1109, "Lina", language_code="de"))
    await parent.command("start")
    await parent.press("Deutsch", translate=False)
    status, body = await get(f"http://127.0.0.1:{port}/metrics")
    assert status == 200
    assert 'elternlotse_inbound_updates_total{transport="telegram"} 2.0' in body
    assert 'elternlotse_deliveries_total{kind="message",result="sent",transport="telegram"}' in body
    assert "elternlotse_reply_latency_seconds_bucket" in body and "elternlotse_outbox_oldest_pending_seconds" in body
    assert "elternlotse_scheduler_leader 1.0" in body  # one process on SQLite: it runs the scheduled jobs
    assert "1109" not in body and "Lina" not in body  # no person in any label
    assert (await get(f"http://127.0.0.1:{port}/healthz"))[0] == 200
    emu.set_unavailable(True)  # the platform stops answering: neither polls nor deliveries succeed
    await asyncio.sleep(3.5)
    status, body = await get(f"http://127.0.0.1:{port}/healthz")
    assert status == 503 and "telegram" in body
    emu.set_unavailable(False)
    await bot.stop()
