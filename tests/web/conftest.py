"""The real bot process (`elternlotse run`) with the web chat for families and the Telegram emulator's group as the
staff channel."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from tests.support.synapse import free_port
from tests.support.tg_emulator import TelegramEmulator
from tests.support.web_client import WebFamily
from tests.telegram.conftest import ANNA, BEN, STAFF_GROUP, TOKEN, BotProcess

SECRETS = ("+492341234567", "0234 1234567", "+49 234 1234567", "Zeynep", "Brief vom Jobcenter")


@dataclass
class WebBot:
    process: BotProcess
    url: str

    def family(self) -> WebFamily:
        return WebFamily.open(self.url)

    @property
    def database(self) -> Path:
        return self.process.tmp / "bot.db"


async def wait_for_page(url: str, process: BotProcess, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            assert process.proc is not None and process.proc.poll() is None, process.log
            assert time.monotonic() < deadline, process.log
            await asyncio.sleep(0.1)


async def start_web_bot(emu: TelegramEmulator, tmp_path: Path, **env: str) -> WebBot:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    process = BotProcess(emu, tmp_path, extra_env={
        "ELTERNLOTSE_WEB_LISTEN": f"127.0.0.1:{port}", "ELTERNLOTSE_WEB_PUBLIC_URL": url,
        "ELTERNLOTSE_FAMILY_MESSAGES_PER_MINUTE": "600", **env,
    })  # fmt: skip
    await process.start()
    await wait_for_page(url, process)
    return WebBot(process, url)


async def stop_web_bot(bot: WebBot) -> None:
    await bot.process.stop()
    for secret in SECRETS:
        assert secret not in bot.process.log, "personal data in the bot's log"
    # A family's key (web: and 32 characters) never; inbound ids (web:msg:<hash>) name no session.
    assert not re.search(r"web:[A-Za-z0-9_-]{32}(?![A-Za-z0-9_-])", bot.process.log), "a family's key in the log"
    assert "127.0.0.1:" + bot.url.rsplit(":", 1)[1].strip("/") in bot.process.log  # it says where it listens


@pytest.fixture
async def emu() -> AsyncIterator[TelegramEmulator]:
    """The staff group on the Telegram emulator (the web chat has no staff channel of its own)."""
    async with TelegramEmulator(token=TOKEN) as emulator:
        emulator.add_group(STAFF_GROUP, "Kita-Sozialarbeit Team", supergroup=True)
        for uid, name in ((ANNA, "Anna"), (BEN, "Ben")):
            emulator.add_user(uid, name, language_code="de")
            emulator.set_member(STAFF_GROUP, uid, "member")
        yield emulator


@pytest.fixture
async def web_bot(emu: TelegramEmulator, tmp_path: Path) -> AsyncIterator[WebBot]:
    bot = await start_web_bot(emu, tmp_path)
    yield bot
    await stop_web_bot(bot)


@pytest.fixture
async def family(web_bot: WebBot) -> AsyncIterator[WebFamily]:
    page = web_bot.family()
    yield page
    await page.close()
