"""Several processes on one PostgreSQL: a message another process kept for a family reaches the family's page that
is open on this one (within about a second), once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from storage import webchat
from storage.db import Database
from tests.conftest import POSTGRES_URL, reset_postgres
from tests.support.tg_emulator import TelegramEmulator
from tests.web.conftest import start_web_bot, stop_web_bot


@pytest.mark.skipif(not POSTGRES_URL, reason="no PostgreSQL")
async def test_a_message_kept_by_another_process_reaches_the_open_page(emu: TelegramEmulator, tmp_path: Path) -> None:
    assert POSTGRES_URL
    await reset_postgres(POSTGRES_URL)
    bot = await start_web_bot(emu, tmp_path, ELTERNLOTSE_DATABASE_URL=POSTGRES_URL)
    family = bot.family()
    try:
        await family.session()
        family.listen()
        await family.ready.wait()
        assert await family.start() == 200
        await family.next(0, lambda e: "Deutsch" in e.labels)
        key = next(iter(family.http.cookie_jar)).value
        from bot.adapters.web_guard import user_key

        count = len(family.events)
        async with Database(POSTGRES_URL) as other_process:  # what another instance's sender does on delivery
            await other_process.run(lambda tx: webchat.store(tx, user_key(key), {"text": "von nebenan", "buttons": []}))
        arrived = await family.next(count, lambda e: e.text == "von nebenan", wait=5)
        await asyncio.sleep(1.5)  # another look into the database: it is not sent twice
        assert [e.id for e in family.events].count(arrived.id) == 1
    finally:
        await family.close()
        await stop_web_bot(bot)
