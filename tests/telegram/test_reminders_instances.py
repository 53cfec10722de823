"""Two `elternlotse run` processes on one PostgreSQL database, 1,000 reminders due at once: each family gets its
reminder exactly once, whichever process queues or sends it, and when the leading process is killed halfway."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.kinds import OutboxKind, OutboxStatus
from storage.models import OutboxMessage, Reminder
from tests.conftest import POSTGRES_URL, reset_postgres
from tests.support.balancer import Balancer
from tests.support.reminder_world import reminder_dialogs, subscribe_families
from tests.support.tg_emulator import TelegramEmulator
from tests.telegram.conftest import BotProcess
from tests.telegram.test_instances import LEADS, PUBLIC, _leader
from tests.telegram.test_reminders_restart import received, spread, until
from tests.telegram.test_webhook import SECRET, free_port

FAMILIES = 1000


@pytest.mark.skipif(not POSTGRES_URL, reason="needs ELTERNLOTSE_TEST_POSTGRES_URL")
async def test_two_processes_on_postgresql_send_a_thousand_due_reminders_each_exactly_once_through_a_leader_kill(
    emu: TelegramEmulator, tmp_path: Path
) -> None:
    assert POSTGRES_URL
    await reset_postgres(POSTGRES_URL)
    uids = [50_000 + n for n in range(FAMILIES)]
    for uid in uids:
        emu.add_user(uid, f"P{uid}", language_code="de")
    await subscribe_families(POSTGRES_URL, uids)
    dialogs = reminder_dialogs(tmp_path / "dialogs")
    ports = [free_port(), free_port()]
    async with Balancer([f"http://127.0.0.1:{port}" for port in ports]) as balancer:
        emu.route_webhook(PUBLIC, balancer.url + "/telegram/hook")
        bots = []
        for n, port in enumerate(ports):
            (tmp_path / f"bot{n}").mkdir()
            bots.append(BotProcess(emu, tmp_path / f"bot{n}", {
                "ELTERNLOTSE_DATABASE_URL": POSTGRES_URL,
                "ELTERNLOTSE_DIALOGS_DIR": str(dialogs),
                "ELTERNLOTSE_TELEGRAM_WEBHOOK_URL": PUBLIC,
                "ELTERNLOTSE_TELEGRAM_WEBHOOK_SECRET": SECRET,
                "ELTERNLOTSE_TELEGRAM_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
                "ELTERNLOTSE_OUTBOX_LEASE_SECONDS": "4",
                # The emulator's limits are off and ours raised, so the test takes seconds (bench/reminders.py
                # sends at Telegram's real limits).
                "ELTERNLOTSE_TELEGRAM_CHAT_INTERVAL": "0",
                "ELTERNLOTSE_TELEGRAM_GLOBAL_RATE": "150",
            }))  # fmt: skip
        try:
            for bot in bots:
                await bot.start(wait_for_poll=False)
            leader = await _leader(bots)  # exactly one runs the scheduled jobs
            survivor = bots[1 - bots.index(leader)]
            total = lambda: sum(received(emu, uids).values())  # noqa: E731
            await until(lambda: total() >= FAMILIES // 2, 90, "half the reminders")
            emu.hold_sends()  # the kill lands with sends in flight, none of them delivered
            await asyncio.sleep(0.5)
            await leader.kill()
            emu.release_sends()
            assert total() < FAMILIES, "the kill came after the batch"

            await until(lambda: LEADS in survivor.log, 30, "the survivor to lead")
            await until(lambda: total() >= FAMILIES, 90, "every reminder")
            await asyncio.sleep(2)  # a second copy of anything would arrive now
            counts = received(emu, uids)
            assert sorted(set(counts.values())) == [1], spread(counts)

            async with Database(POSTGRES_URL) as db:
                queued, sent = await db.run(lambda tx: (
                    tx.scalar(select(func.count()).select_from(Reminder)),
                    tx.scalar(select(func.count()).where(OutboxMessage.kind == OutboxKind.REMINDER,
                                                         OutboxMessage.status == OutboxStatus.SENT)),
                ))  # fmt: skip
            assert (queued, sent) == (FAMILIES, FAMILIES)
            assert f"reminders queued: {FAMILIES}" in leader.log  # the leader queued all; the survivor found them
            assert "reminders queued" not in survivor.log
        finally:
            for bot in bots:
                await bot.stop()
