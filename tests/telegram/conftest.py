"""The real bot process (`elternlotse run`) against the Bot API emulator on loopback."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.core.i18n import load_i18n
from tests.support.tg_emulator import SentMessage, TelegramEmulator, UserHandle

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "4242:TEST-token"
STAFF_GROUP = -1001234
ANNA, BEN = 2001, 2002
LANGS = "de,en,ar"


@dataclass
class BotProcess:
    """`elternlotse run` in its own process, started, killed and restarted by the test."""

    emu: TelegramEmulator
    tmp: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    runs: int = 0

    @property
    def log_path(self) -> Path:
        return self.tmp / "bot.log"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "ELTERNLOTSE_TELEGRAM_TOKEN": TOKEN,
            "ELTERNLOTSE_TELEGRAM_API_URL": self.emu.api_url,
            "ELTERNLOTSE_TELEGRAM_STAFF_CHAT_ID": str(STAFF_GROUP),
            "ELTERNLOTSE_DATABASE_URL": f"sqlite+aiosqlite:///{self.tmp / 'bot.db'}",
            "ELTERNLOTSE_LANGUAGES": LANGS,
            # Journeys run faster than a person taps; the limits themselves have their own test.
            "ELTERNLOTSE_TELEGRAM_CHAT_INTERVAL": "0.02",
            "ELTERNLOTSE_TELEGRAM_GROUP_INTERVAL": "0.02",
            **self.extra_env,
        }

    async def start(self, wait_for_poll: bool = True, **env: str) -> None:
        assert self.proc is None or self.proc.poll() is not None
        self.runs += 1
        with self.log_path.open("ab") as log:
            command = [sys.executable, "-m", "bot.cli", "run"]
            self.proc = subprocess.Popen(command, cwd=ROOT, env={**self.env(), **env}, stdout=log, stderr=log)  # noqa: ASYNC220 - returns at once
        if wait_for_poll:
            await self.emu.wait_for_poll(timeout=30)

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await asyncio.to_thread(self.proc.wait, 10)

    async def stop(self) -> int:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.to_thread(self.proc.wait, 15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return -9

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""


@pytest.fixture
async def emu() -> AsyncIterator[TelegramEmulator]:
    async with TelegramEmulator(token=TOKEN) as emulator:
        emulator.add_group(STAFF_GROUP, "Kita-Sozialarbeit Team", supergroup=True)
        for uid, name in ((ANNA, "Anna"), (BEN, "Ben")):
            emulator.add_user(uid, name, language_code="de")
            emulator.set_member(STAFF_GROUP, uid, "member")
        yield emulator


@pytest.fixture
async def bot(emu: TelegramEmulator, tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(emu, tmp_path)
    await process.start()
    yield process
    await process.stop()
    for secret in ("+492341234567", "0234 1234567", "+49 234 1234567", "Zeynep", "Brief vom Jobcenter"):
        assert secret not in process.log, "personal data in the bot's log"
    assert TOKEN not in process.log, "the bot token in the bot's log"  # regression: httpx logged request URLs


TRANSLATIONS = load_i18n(ROOT / "locales", LANGS.split(","))


def tr(lang: str) -> Callable[[str], str]:
    return lambda german: TRANSLATIONS.t(lang, german)


class Person:
    """Someone on Telegram: acts, then waits for the bot's next message in a chat."""

    def __init__(self, emu: TelegramEmulator, user: UserHandle, lang: str = "de") -> None:
        self.emu, self.user, self.t = emu, user, tr(lang)

    def count(self, chat: int | None = None) -> int:
        return len(self.emu.messages(self.user.id if chat is None else chat))

    async def next(self, before: int, chat: int | None = None, wait: float = 15.0) -> SentMessage:
        return await self.emu.wait_for_message(self.user.id if chat is None else chat, after=before, timeout=wait)

    async def command(self, name: str, args: str = "") -> SentMessage:
        before = self.count()
        self.user.send_command(name, args)
        return await self.next(before)

    async def say(self, text: str) -> SentMessage:
        before = self.count()
        self.user.send_text(text)
        return await self.next(before)

    async def press(self, german_label: str, translate: bool = True) -> SentMessage:
        label = self.t(german_label) if translate else german_label
        message = next(
            m
            for m in reversed(self.emu.messages(self.user.id))
            if any(b.label == label for row in m.buttons for b in row)
        )
        before = self.count()
        self.user.press(message, label)
        return await self.next(before)
