"""Texts over Telegram's 4,096 UTF-16 units are split at paragraph, line or word boundaries."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.adapters.telegram import TelegramAdapter
from bot.adapters.telegram_limits import SendLimiter
from bot.adapters.telegram_text import split_text, utf16_len
from bot.core.typed import family_words
from bot.outbox import OutboxSender
from storage import repo
from storage.db import Database
from storage.kinds import OutboxRow
from tests.support.tg_emulator import TelegramEmulator


def test_long_text_with_emoji_and_arabic_splits_under_the_limit_without_losing_words() -> None:
    paragraph = "🆘 مرحبًا بكم " * 40 + "Ende."
    text = "\n\n".join(f"{n}: {paragraph}" for n in range(30))
    assert utf16_len(text) > 4096
    parts = split_text(text)
    assert len(parts) > 1
    assert all(utf16_len(part) <= 4096 for part in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())  # nothing lost, nothing doubled


def test_short_text_stays_whole() -> None:
    assert split_text("Hallo") == ["Hallo"]


async def test_a_long_message_interrupted_by_a_429_is_resumed_without_repeating_parts(tmp_path: Path) -> None:
    # Regression: a retry after a later part failed sent the earlier parts again.
    async with TelegramEmulator(token="55:SPLIT") as emu:
        emu.add_user(3001, "Lina")
        emu.set_rate_limits(True)  # the second part, sent at once, draws a 429 (one message a second per chat)
        adapter = TelegramAdapter("55:SPLIT", emu.api_url, {}, limiter=SendLimiter(1000, 0, 0))
        await adapter.connect()
        async with Database(f"sqlite+aiosqlite:///{tmp_path / 'split.db'}") as db:
            await db.migrate()
            text = "\n\n".join(f"Absatz {n}: " + "Wort " * 150 for n in range(12))
            assert len(split_text(text)) == 3
            await db.run(lambda tx: repo.add_outbox_rows(tx, [OutboxRow("telegram:3001", {"text": text})]))
            sender = OutboxSender(db, {"telegram": adapter})
            for _ in range(40):
                await sender.flush()
                if len(emu.messages(3001)) == 3:
                    break
                await asyncio.sleep(0.25)
        await adapter.disconnect()
        sent = [m.text for m in emu.messages(3001)]
        assert [s.split(":")[0] for s in sent] == ["Absatz 0", sent[1].split(":")[0], sent[2].split(":")[0]]
        assert len(sent) == 3 and len(set(sent)) == 3  # every part exactly once, in order
        assert emu.count_calls("sendMessage", 429) >= 1


def test_a_long_family_message_split_in_the_middle_of_its_line_goes_on_marked() -> None:
    # The family's words are one line (bot/core/typed.py); split for Telegram, their rest must not open a message
    # looking like a field of ours. This text is crafted so that the split falls right before "Telefon:".
    words = " " + "Wort " * 740 + "Telefon: +49 30 9999999 " + "Wort " * 79
    text = "✉ Nachricht der Familie zu R-2026-0001 (Arabisch):\n" + family_words(words)
    parts = split_text(text)
    assert len(parts) == 2 and parts[1].startswith("… Telefon: +49 30 9999999")  # "…": the line goes on
    assert " ".join(" ".join(parts).replace("… ", "").split()) == " ".join(text.split())  # nothing lost
    paragraphs = "\n\n".join(f"Absatz {n}: " + "Wort " * 150 for n in range(12))
    assert not any(part.startswith("…") for part in split_text(paragraphs))  # a part that starts a line: no mark
