"""Several `elternlotse run` processes on one PostgreSQL database, behind a load balancer, in webhook mode.

What a city running two instances needs: every update handled once, every reply and card sent once, the scheduled
jobs run by one process, and when one process dies (SIGKILL) the other carries on with its work.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import CallbackRequest, OutboxMessage
from tests.conftest import POSTGRES_URL, reset_postgres
from tests.support.balancer import Balancer
from tests.support.tg_emulator import TelegramEmulator
from tests.telegram.conftest import STAFF_GROUP, BotProcess
from tests.telegram.test_webhook import SECRET, free_port

needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="needs ELTERNLOTSE_TEST_POSTGRES_URL")

PUBLIC = "https://elternlotse.example.org/telegram/hook"
LEADS = "elternlotse: this instance runs the scheduled jobs"
JOURNEY: list[tuple[str, str]] = [
    ("command", "start"), ("press", "Deutsch"), ("press", "📞 Rückruf anfordern"), ("press", "💶 Geld und Leistungen"),
    ("press", "📞 Bitte anrufen"), ("text", "0234 1234567"), ("press", "Mitte"), ("press", "Vormittags (9–12 Uhr)"),
    ("press", "In den nächsten Tagen"), ("press", "Überspringen"), ("press", "Überspringen"),
    ("press", "Ja, ich bin einverstanden"),
]  # fmt: skip
CRASH_WINDOW = 1.0  # seconds before the kill in which an accepted message may not have been recorded yet
# A request the killed process wrote before it died may reach the emulator's handler (same event loop as the test) a
# moment after the test saw the process gone (seen in CI: 3 ms after the signal).
KILL_GRACE = 0.5
REFERENCE = re.compile(r"R-\d{4}-\d{4}")


async def journey(emu: TelegramEmulator, uid: int, done: list[int]) -> str:
    """A parent files a callback request; returns the reference the bot confirmed."""
    user = emu.add_user(uid, f"P{uid}", language_code="de")
    last = None
    for kind, value in JOURNEY:
        before = len(emu.messages(uid))
        shown = {m.raw_text for m in emu.messages(uid)}
        if kind == "command":
            user.send_command(value)
        elif kind == "text":
            user.send_text(value)
        else:
            message = next((m for m in reversed(emu.messages(uid)) if m.find_button(value) is not None), None)
            assert message is not None, f"no button {value!r}:\n{emu.transcript(uid)}"
            user.press(message, value)
        # The answer, not a second copy of an earlier screen: a reply the killed process sent but had not recorded
        # is sent once more by the survivor (README: at least once), and may arrive after the parent's next press.
        last = await emu.wait_for_message(uid, lambda m, seen=shown: m.raw_text not in seen, after=before, timeout=90)
    assert last is not None
    found = REFERENCE.search(last.text)
    assert found, last.text
    done.append(uid)
    return found.group(0)


async def sent_refs(db: Database) -> dict[str, set[str]]:
    """What the database says was delivered: each destination's message ids."""

    def read(tx: object) -> dict[str, set[str]]:
        rows = tx.execute(select(OutboxMessage.destination, OutboxMessage.platform_ref, OutboxMessage.status))  # type: ignore[attr-defined]
        refs: dict[str, set[str]] = {}
        for destination, ref, status in rows:
            assert status == "sent", f"an outbox row is {status}"
            refs.setdefault(destination, set()).add(ref)
        return refs

    return await db.run(read)


@needs_postgres
async def test_two_instances_share_one_database_and_the_survivor_of_a_sigkill_finishes_everything(
    emu: TelegramEmulator, tmp_path: Path
) -> None:
    assert POSTGRES_URL
    await reset_postgres(POSTGRES_URL)
    ports = [free_port(), free_port()]
    async with Balancer([f"http://127.0.0.1:{port}" for port in ports]) as balancer:
        emu.route_webhook(PUBLIC, balancer.url + "/telegram/hook")
        bots = []
        for n, port in enumerate(ports):
            (tmp_path / f"bot{n}").mkdir()
            bots.append(BotProcess(emu, tmp_path / f"bot{n}", {
                "ELTERNLOTSE_DATABASE_URL": POSTGRES_URL,
                "ELTERNLOTSE_TELEGRAM_WEBHOOK_URL": PUBLIC,
                "ELTERNLOTSE_TELEGRAM_WEBHOOK_SECRET": SECRET,
                "ELTERNLOTSE_TELEGRAM_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
                "ELTERNLOTSE_OUTBOX_LEASE_SECONDS": "4",
                "ELTERNLOTSE_TELEGRAM_CHAT_INTERVAL": "0",
                "ELTERNLOTSE_TELEGRAM_GROUP_INTERVAL": "0",
                "ELTERNLOTSE_TELEGRAM_GLOBAL_RATE": "1000",
            }))  # fmt: skip
        try:
            for bot in bots:
                await bot.start(wait_for_poll=False)
            leader = await _leader(bots)
            survivor = bots[1 - bots.index(leader)]

            done: list[int] = []
            parents = [asyncio.create_task(journey(emu, 30_000 + n, done)) for n in range(50)]
            finished = asyncio.as_completed(parents)
            for _ in range(25):
                await next(finished)
            killed_at = time.time()
            await leader.kill()  # halfway, with the other half of the parents in the middle of their journey
            dead_at = time.time()
            references = await asyncio.gather(*parents)

            # The survivor takes over the scheduled jobs.
            for _ in range(100):
                if LEADS in survivor.log:
                    break
                await asyncio.sleep(0.1)
            assert LEADS in survivor.log
            assert balancer.served[f"http://127.0.0.1:{ports[bots.index(survivor)]}"] > 0

            # Every family has its own request, once.
            assert len(set(references)) == 50
            async with Database(POSTGRES_URL) as db:
                requests = await db.run(lambda tx: list(tx.execute(select(CallbackRequest.reference)).scalars()))
                assert sorted(requests) == sorted(references)
                await asyncio.sleep(2 * 4)  # what the dead process had leased is free after its lease
                for _ in range(50):
                    refs = await sent_refs(db)
                    if len(refs.get(f"telegram:{STAFF_GROUP}", ())) >= 50:
                        break
                    await asyncio.sleep(0.2)
                # Every message the bot sent is one the database recorded as delivered once: no second copy anywhere.
                duplicates = []
                for uid in [30_000 + n for n in range(50)] + [STAFF_GROUP]:
                    recorded = refs.get(f"telegram:{uid}", set())
                    shown = [str(m.message_id) for m in emu.messages(uid)]
                    assert recorded <= set(shown), f"chat {uid}: recorded but not shown"
                    duplicates += [(uid, m) for m in shown if m not in recorded]
            cards = {REFERENCE.search(m.text).group(0) for m in emu.messages(STAFF_GROUP) if REFERENCE.search(m.text)}  # type: ignore[union-attr]
            assert sorted(cards) == sorted(references)  # a card for every request; more than one only as below
            # Telegram has no idempotency key: a message Telegram accepted in the instant before the kill, and the dead
            # process had no time to record, is sent again by the survivor. Nothing else may be sent twice.
            for uid, message_id in duplicates:
                text = next(m.raw_text for m in emu.messages(uid) if str(m.message_id) == message_id)
                sends = [c.time for c in emu.calls if c.method == "sendMessage" and c.status == 200
                         and str(c.params.get("chat_id")) == str(uid) and c.params.get("text") == text]  # fmt: skip
                window = (killed_at - CRASH_WINDOW, dead_at + KILL_GRACE)
                assert len(sends) == 2 and window[0] <= sends[0] <= window[1], (uid, sends, window)
        finally:
            for bot in bots:
                await bot.stop()  # a failed assertion must not leave a process running


async def _leader(bots: list[BotProcess]) -> BotProcess:
    """The process that took the scheduler (exactly one does)."""
    for _ in range(300):
        leading = [bot for bot in bots if LEADS in bot.log]
        if leading:
            await asyncio.sleep(3)  # the other has had time to try as well
            leading = [bot for bot in bots if LEADS in bot.log]
            assert len(leading) == 1, "two instances run the scheduled jobs"
            return leading[0]
        await asyncio.sleep(0.1)
    raise AssertionError("no instance runs the scheduled jobs: " + bots[0].log[-2000:])


async def test_a_second_process_on_the_same_sqlite_database_refuses_to_start_with_one_line(
    emu: TelegramEmulator, bot: BotProcess, tmp_path: Path
) -> None:
    second = BotProcess(emu, tmp_path / "second", {"ELTERNLOTSE_DATABASE_URL": bot.env()["ELTERNLOTSE_DATABASE_URL"]})
    (tmp_path / "second").mkdir()
    await second.start(wait_for_poll=False)
    assert second.proc is not None
    assert await asyncio.to_thread(second.proc.wait, 30) == 2
    lines = second.log.strip().splitlines()
    assert lines == [
        "elternlotse: configuration error: ELTERNLOTSE_DATABASE_URL: another elternlotse process runs on this "
        "SQLite database; several instances need PostgreSQL (see README)"
    ]
    assert bot.proc is not None and bot.proc.poll() is None  # the first one runs on, untouched
    parent = emu.add_user(1301, "Mia", language_code="de")
    parent.send_command("start")
    assert "Sprache" in (await emu.wait_for_message(1301)).text
