"""A rolling deploy: an instance stopped cleanly (SIGTERM) gives back the outbox rows it holds, at once.

On PostgreSQL an instance leases the replies it writes to itself in the transaction that writes them (storage/
handoff.py). Stopped before it sent them, it must not leave the families waiting for its lease to run out.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import func, select

from storage.db import Database
from storage.kinds import OutboxStatus
from storage.models import OutboxMessage
from tests.conftest import POSTGRES_URL, reset_postgres
from tests.support.balancer import Balancer
from tests.support.tg_emulator import TelegramEmulator
from tests.telegram.conftest import BotProcess
from tests.telegram.test_instances import PUBLIC, needs_postgres
from tests.telegram.test_webhook import SECRET, free_port

PARENTS = [31_000 + n for n in range(3)]
STARTS = 3  # each parent taps /start this often: three replies each, in one chat
LEASE = 60  # the default: without giving back, the survivor would wait this long


async def _until(check: Callable[[], bool | Awaitable[bool]], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if await result if inspect.isawaitable(result) else result:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _outbox(db: Database) -> Awaitable[tuple[int | None, int | None, int | None]]:
    """Rows pending, pending and leased, and sent."""
    pending = OutboxMessage.status == OutboxStatus.PENDING
    count = select(func.count()).select_from(OutboxMessage)
    return db.run(lambda tx: (
        tx.scalar(count.where(pending)),
        tx.scalar(count.where(pending, OutboxMessage.lease_owner.is_not(None))),
        tx.scalar(count.where(OutboxMessage.status == OutboxStatus.SENT)),
    ))  # fmt: skip


@needs_postgres
async def test_replies_held_by_a_stopped_instance_go_out_once_through_the_other_without_waiting_for_its_lease(
    emu: TelegramEmulator, tmp_path: Path
) -> None:
    assert POSTGRES_URL
    await reset_postgres(POSTGRES_URL)
    ports = [free_port(), free_port()]
    async with Balancer([f"http://127.0.0.1:{port}" for port in ports]) as balancer, Database(POSTGRES_URL) as db:
        emu.route_webhook(PUBLIC, balancer.url + "/telegram/hook")
        bots = []
        for n, port in enumerate(ports):
            (tmp_path / f"bot{n}").mkdir()
            bots.append(BotProcess(emu, tmp_path / f"bot{n}", {
                "ELTERNLOTSE_DATABASE_URL": POSTGRES_URL,
                "ELTERNLOTSE_TELEGRAM_WEBHOOK_URL": PUBLIC,
                "ELTERNLOTSE_TELEGRAM_WEBHOOK_SECRET": SECRET,
                "ELTERNLOTSE_TELEGRAM_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
                "ELTERNLOTSE_OUTBOX_LEASE_SECONDS": str(LEASE),
                "ELTERNLOTSE_TELEGRAM_CHAT_INTERVAL": "0",
            }))  # fmt: skip
        stopping, survivor = bots
        try:
            await stopping.start(wait_for_poll=False)  # alone for now: the balancer sends every update to it
            await _until(lambda: "elternlotse: started" in stopping.log, 60, "the first instance")

            emu.hold_sends()  # Telegram stalls: each chat's first reply hangs, the others wait behind it
            for uid in PARENTS:
                parent = emu.add_user(uid, f"P{uid}", language_code="de")
                for _ in range(STARTS):
                    parent.send_command("start")
            replies = len(PARENTS) * STARTS

            async def all_leased() -> bool:
                return await _outbox(db) == (replies, replies, 0)

            await _until(all_leased, 30, "the replies, written and leased to the first instance")

            await survivor.start(wait_for_poll=False)
            await _until(lambda: "elternlotse: started" in survivor.log, 60, "the second instance")
            assert all(not emu.messages(uid) for uid in PARENTS)  # nothing went out yet

            assert await stopping.stop() == 0  # SIGTERM: a clean stop (its hanging sends are abandoned)
            stopped_at = time.monotonic()
            # Given back: none is leased to the stopped process any more (the survivor may have leased them already;
            # its sends hang too until Telegram answers again).
            assert stopping.proc is not None
            mine = OutboxMessage.lease_owner.contains(f":{stopping.proc.pid}:")
            assert await db.run(lambda tx: tx.scalar(select(func.count()).where(mine))) == 0
            emu.release_sends()

            await _until(lambda: all(len(emu.messages(uid)) >= STARTS for uid in PARENTS), 15, "every reply")
            waited = time.monotonic() - stopped_at
            await asyncio.sleep(2)  # a second copy of anything would arrive now
            for uid in PARENTS:
                shown = emu.messages(uid)
                assert len(shown) == STARTS, emu.transcript(uid)  # each reply once
                assert len({m.raw_text for m in shown}) == 1  # the language choice, three times
            assert await _outbox(db) == (0, 0, replies)
            assert waited < LEASE / 4, waited  # given back, not waited out
        finally:
            emu.release_sends()
            for bot in bots:
                await bot.stop()
