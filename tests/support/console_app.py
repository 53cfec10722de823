"""Drive the real application through the console adapter, in-process: a parent and staff typing lines."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.adapters.console import ConsoleAdapter
from bot.app import App, open_app
from bot.config import load_settings


@dataclass
class ConsoleChat:
    app: App
    adapter: ConsoleAdapter
    out: io.StringIO

    async def say(self, *lines: str) -> str:
        """Type lines (parent lines, or `@name: …` staff lines); return what was printed meanwhile."""
        start = len(self.out.getvalue())
        self.adapter.script = list(lines)
        await self.adapter.listen(self.app.handle_and_deliver)
        return self.out.getvalue()[start:]

    @property
    def transcript(self) -> str:
        return self.out.getvalue()


@asynccontextmanager
async def console_app(database_url: str, **settings: Any) -> AsyncIterator[ConsoleChat]:
    out = io.StringIO()
    adapter = ConsoleAdapter(out=out, script=[], echo=True)
    # Scripted families type faster than people; the rate limit has tests of its own (test_family_limits.py).
    settings.setdefault("family_messages_per_minute", 600)
    config = load_settings(database_url=database_url, staff_channel="console:staff", **settings)
    async with open_app(config, [adapter]) as app:
        yield ConsoleChat(app, adapter, out)


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
