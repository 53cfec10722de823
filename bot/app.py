"""The composition root: builds storage, content, catalogs, the runtime and the sender from one Settings."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.adapters.base import Adapter, Inbound
from bot.config import ConfigError, Settings
from bot.core.check import check_graph
from bot.core.dialogs import load_content
from bot.core.hours import HoursError, load_hours
from bot.core.i18n import load_i18n
from bot.outbox import OutboxSender
from bot.runtime import Runtime, RuntimeConfig
from storage.db import Database

log = logging.getLogger(__name__)
CRASH_VARIABLE = "ELTERNLOTSE_TEST_CRASH_AFTER_COMMITS"


@dataclass
class App:
    settings: Settings
    db: Database
    runtime: Runtime
    sender: OutboxSender
    adapters: dict[str, Adapter]
    handled: int = 0

    async def handle(self, inbound: Inbound) -> None:
        """Handle one inbound event, then wake the sender (which delivers after the commit)."""
        await self.runtime.handle(inbound)
        self.handled += 1
        self._maybe_crash()
        self.sender.wake()

    async def handle_and_deliver(self, inbound: Inbound) -> None:
        """For the console: deliver the replies before reading the next line."""
        await self.runtime.handle(inbound)
        self.handled += 1
        self._maybe_crash()
        await self.sender.flush()

    def _maybe_crash(self) -> None:
        # A test hook for crash recovery: die hard right after the Nth commit, before any delivery.
        limit = os.environ.get(CRASH_VARIABLE)
        if limit and self.handled >= int(limit):
            os.kill(os.getpid(), signal.SIGKILL)


@asynccontextmanager
async def open_app(settings: Settings, adapters: list[Adapter]) -> AsyncIterator[App]:
    """Load and validate everything, migrate the database, and yield the wired application."""
    content, problems = load_content(settings.dialogs_dir / "flows")
    problems += check_graph(content)
    if problems:
        raise ConfigError(f"the dialog content has {len(problems)} problem(s); run `elternlotse check`: {problems[0]}")
    try:
        hours = load_hours(settings.dialogs_dir / "hours.yaml")
    except HoursError as exc:
        raise ConfigError(str(exc)) from None
    if hours.sample:
        log.warning("dialogs/hours.yaml holds SAMPLE consultation hours; replace them before going live")
    i18n = load_i18n(settings.locales_dir, settings.language_list)
    db = Database(settings.database_url)
    try:
        await db.migrate()
        params = {
            "office_emergency": settings.youth_office_emergency_phone,
            "retention_days": str(settings.retention_days),
        }
        runtime = Runtime(db, content, i18n, hours, RuntimeConfig(settings.staff_channel, params))
        by_name = {adapter.name: adapter for adapter in adapters}
        yield App(settings, db, runtime, OutboxSender(db, by_name), by_name)
    finally:
        await db.close()
