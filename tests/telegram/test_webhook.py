"""Webhook mode: Telegram POSTs updates; 200 only after the commit; the secret header is checked."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

import aiohttp

from tests.support.tg_emulator import TelegramEmulator
from tests.telegram.conftest import BotProcess

SECRET = "test-webhook-secret-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def post(url: str, update: dict[str, object], secret: str) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret, "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as session, session.post(url, data=json.dumps(update), headers=headers) as r:
        return r.status


async def test_webhook_delivers_each_update_once_and_refuses_a_wrong_secret(
    emu: TelegramEmulator, tmp_path: Path
) -> None:
    port = free_port()
    public = "https://elternlotse.example.org/telegram/hook"  # what Telegram calls; a TLS proxy forwards it
    url = f"http://127.0.0.1:{port}/telegram/hook"
    bot = BotProcess(emu, tmp_path, {
        "ELTERNLOTSE_TELEGRAM_WEBHOOK_URL": public,
        "ELTERNLOTSE_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "ELTERNLOTSE_TELEGRAM_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
    })  # fmt: skip
    await bot.start(wait_for_poll=False)
    for _ in range(200):
        if emu.webhook_url == public:
            break
        await asyncio.sleep(0.05)
    assert emu.webhook_url == public  # the bot registered its webhook with Telegram
    user = emu.add_user(1201, "Sara", language_code="de")
    user.send_command("start")
    update = emu.pending_updates()[-1]  # what Telegram would POST
    for _ in range(100):
        try:
            status = await post(url, update, "wrong-secret-0000000000")
            break
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.1)
    assert status == 403
    await asyncio.sleep(0.5)
    assert emu.messages(1201) == []  # nothing handled without the secret
    assert await post(url, update, SECRET) == 200
    picker = await emu.wait_for_message(1201)
    assert "Bitte wählen Sie Ihre Sprache." in picker.text
    assert await post(url, update, SECRET) == 200  # Telegram delivers again: answered, not handled twice
    await asyncio.sleep(1.0)
    assert len(emu.messages(1201)) == 1
    await bot.stop()
    assert "telegram/hook" not in bot.log and SECRET not in bot.log
