"""Reminders due for many families at once, through real `elternlotse run` processes and the Bot API emulator:
a SIGKILL in the middle of the batch, a restart, and every family has exactly one reminder."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from tests.support.reminder_world import REMINDER_START, reminder_dialogs, reminders_received, subscribe_families
from tests.support.tg_emulator import TelegramEmulator
from tests.telegram.conftest import BotProcess

FAMILIES = 300


def received(emu: TelegramEmulator, uids: list[int]) -> dict[int, int]:
    return reminders_received({uid: [m.text for m in emu.messages(uid)] for uid in uids})


def spread(counts: dict[int, int]) -> dict[int, int]:
    """How many chats got how many reminders (0: missed, 2: doubled)."""
    return {n: list(counts.values()).count(n) for n in sorted(set(counts.values()))}


async def until(condition: Callable[[], bool], timeout: float, what: str) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_a_restart_in_the_middle_of_a_batch_of_due_reminders_loses_and_doubles_none(
    emu: TelegramEmulator, tmp_path: Path
) -> None:
    uids = [40_000 + n for n in range(FAMILIES)]
    for uid in uids:
        emu.add_user(uid, f"P{uid}", language_code="de")
    bot = BotProcess(emu, tmp_path, {
        "ELTERNLOTSE_DIALOGS_DIR": str(reminder_dialogs(tmp_path / "dialogs")),
        "ELTERNLOTSE_TELEGRAM_GLOBAL_RATE": "60",  # the batch takes seconds: time to kill in its middle
        "ELTERNLOTSE_TELEGRAM_CHAT_INTERVAL": "0",
    })  # fmt: skip
    await subscribe_families(bot.env()["ELTERNLOTSE_DATABASE_URL"], uids)
    try:
        await bot.start()
        total = lambda: sum(received(emu, uids).values())  # noqa: E731
        await until(lambda: total() >= FAMILIES // 3, 60, "the batch to be under way")
        # Telegram stalls for a moment and the process dies with sends in flight: those were not delivered, and
        # every one delivered before had its answer in time to be recorded.
        emu.hold_sends()
        await asyncio.sleep(0.5)
        await bot.kill()
        emu.release_sends()
        at_kill = total()
        assert FAMILIES // 3 <= at_kill < FAMILIES, "the kill came after the batch"

        await bot.start()
        await until(lambda: total() >= FAMILIES, 60, "every reminder")
        await asyncio.sleep(2)  # a second copy of anything would arrive now
        counts = received(emu, uids)
        assert sorted(set(counts.values())) == [1], spread(counts)
        first = emu.messages(uids[0])[0].text
        assert first.startswith(REMINDER_START) and "Testraum" in first
    finally:
        await bot.stop()
    # Queued once, by the first process; the second found every one queued, sent what was left, dropped none.
    assert bot.runs == 2 and bot.log.count("reminders queued: ") == 1
    assert f"reminders queued: {FAMILIES}" in bot.log and "reminders dropped" not in bot.log
