"""`elternlotse run`: start the configured transports, the outbox sender and the scheduled jobs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import traceback
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.adapters.base import (
    Adapter,
    Describes,
    HostsStaffChannel,
    KeepsCursor,
    KeepsMessages,
    ResolvesStaffChannel,
)
from bot.app import App, open_app
from bot.config import ConfigError, Settings
from bot.core import texts as T
from bot.core.events import ChatKey
from bot.core.i18n import load_i18n
from bot.cursors import DatabaseCursors
from bot.leader import Leadership, single_instance
from bot.privacy import purge
from bot.web_store import WebMessages

log = logging.getLogger(__name__)
RECONNECT_MAX_SECONDS = 300.0
STAFF_COMMANDS = [
    ("offen", "Offene und übernommene Anfragen"),
    ("uebernehmen", "Anfrage übernehmen: /uebernehmen R-…"),
    ("vorlagen", "Antwortvorlagen: /vorlagen R-…"),
    ("antwort", "Freie Antwort an die Familie: /antwort R-… Text"),
    ("erledigt", "Anfrage abschließen: /erledigt R-…"),
    ("team", "Hilfe für das Team"),
]


def telegram_commands(settings: Settings) -> dict[str, list[tuple[str, str]]]:
    """The parents' command menu per Telegram language code; "" is the default (German)."""
    i18n = load_i18n(settings.locales_dir, settings.language_list)
    menus: dict[str, list[tuple[str, str]]] = {}
    for lang in ["", *settings.language_list]:
        if len(lang) not in (0, 2):  # Telegram knows two-letter codes only (Easy German and Sorani have none)
            continue
        menus[lang] = [(name, i18n.t(lang or "de", description)) for name, description in T.COMMANDS.items()]
    return menus


def telegram_descriptions(settings: Settings) -> dict[str, tuple[str, str]]:
    """What a parent sees before pressing Start, per Telegram language code: (description, short description)."""
    i18n = load_i18n(settings.locales_dir, settings.language_list)
    return {
        lang: (i18n.t(lang or "de", T.BOT_DESCRIPTION), i18n.t(lang or "de", T.BOT_SHORT_DESCRIPTION))
        for lang in ["", *settings.language_list]
        if len(lang) in (0, 2)  # Telegram knows two-letter codes only (Easy German and Sorani have none)
    }


def build_adapters(settings: Settings) -> list[Adapter]:
    adapters: list[Adapter] = []
    if settings.telegram_token:
        from bot.adapters.telegram import TelegramAdapter
        from bot.adapters.telegram_limits import SendLimiter
        from bot.adapters.telegram_webhook import webhook_config

        webhook = None
        if settings.telegram_webhook_url and settings.telegram_webhook_secret:
            webhook = webhook_config(
                settings.telegram_webhook_url, settings.telegram_webhook_secret, settings.telegram_webhook_listen
            )

        adapters.append(
            TelegramAdapter(
                settings.telegram_token,
                settings.telegram_api_url,
                telegram_commands(settings),
                settings.telegram_staff_chat_id,
                STAFF_COMMANDS,
                SendLimiter(
                    settings.telegram_global_rate, settings.telegram_chat_interval, settings.telegram_group_interval
                ),
                webhook,
                descriptions=telegram_descriptions(settings),
            )
        )
    if settings.matrix_homeserver and settings.matrix_user_id:
        from bot.adapters.matrix import MatrixAdapter
        from bot.adapters.matrix_login import Credentials

        credentials = Credentials(
            settings.matrix_homeserver,
            settings.matrix_user_id,
            settings.matrix_password,
            settings.matrix_access_token,
            settings.matrix_device_id,
        )
        adapters.append(
            MatrixAdapter(credentials, settings.matrix_store_dir, settings.matrix_staff_room, settings.matrix_send_rate)
        )
    if settings.web_listen and settings.web_public_url:
        adapters.append(web_adapter(settings))
    if not adapters:
        raise ConfigError(
            "ELTERNLOTSE_TELEGRAM_TOKEN: no transport is configured; set it, ELTERNLOTSE_MATRIX_HOMESERVER or "
            "ELTERNLOTSE_WEB_LISTEN (or use `elternlotse demo`)"
        )
    return adapters


def web_adapter(settings: Settings) -> Adapter:
    from bot.adapters.web import WebAdapter, web_config
    from bot.adapters.web_guard import Limits
    from bot.web_chrome import chrome

    assert settings.web_listen and settings.web_public_url
    limits = Limits(
        posts_per_minute=settings.web_posts_per_minute,
        address_posts_per_minute=settings.web_address_posts_per_minute,
        streams_per_address=settings.web_streams_per_address,
    )
    config = web_config(settings.web_listen, settings.web_public_url, settings.web_frame_ancestors, limits,
                        settings.web_shared_recheck_seconds)  # fmt: skip
    i18n = load_i18n(settings.locales_dir, settings.language_list)
    return WebAdapter(config, chrome(i18n, settings.language_list), settings.language_list)


async def run(settings: Settings) -> int:
    """Run until SIGTERM or SIGINT; a failing background task stops the process with exit code 1."""
    adapters = build_adapters(settings)
    settings = settings.model_copy(update={"staff_channel": settings.staff_channel_for([a.name for a in adapters])})
    lock = single_instance(settings.database_url)  # SQLite: refuse a second process before touching anything
    try:
        return await _run(settings, adapters)
    finally:
        if lock is not None:
            lock.close()


async def _run(settings: Settings, adapters: list[Adapter]) -> int:
    async with open_app(settings, adapters) as app:
        try:
            for adapter in adapters:
                if isinstance(adapter, HostsStaffChannel):
                    adapter.use_staff_channel(ChatKey(app.staff_channel))
                if isinstance(adapter, KeepsCursor):
                    adapter.use_cursors(DatabaseCursors(app.db))
                if isinstance(adapter, KeepsMessages):
                    adapter.use_store(WebMessages(app.db))
            # Every transport tries once now; one that cannot connect is retried by its own task, never stopping the
            # others (a homeserver being updated must not keep Telegram families waiting).
            connected = await asyncio.gather(*(_connect(app, adapter) for adapter in adapters))
            await app.sender.flush(with_bulk=False)  # what a crash left undelivered goes out first; reminders after
            now = datetime.now(UTC)
            await app.db.run(lambda tx: purge(tx, now, settings.retention_days, settings.session_ttl_hours))
            leadership = Leadership(settings.database_url)
            scheduler = _scheduler(app, settings, leadership)

            def leads(now_leading: bool) -> None:
                app.metrics.leader.set(now_leading)
                # What fell due while nobody led (a restart, a dead leader) is looked at at once, not a minute later.
                if now_leading:
                    scheduler.modify_job("reminders", next_run_time=datetime.now(settings.zone))

            leadership.on_change = leads
            modes = [
                (f"{a.name} ({a.receiving()})" if isinstance(a, Describes) else a.name) + ("" if up else " (retrying)")
                for a, up in zip(adapters, connected, strict=True)
            ]
            print(f"elternlotse: started {', '.join(modes)}; staff channel on {app.staff_channel.split(':')[0]}")
            sys.stdout.flush()
            try:
                jobs = [app.sender.run(), leadership.hold()]
                jobs += [_transport(app, adapter, up) for adapter, up in zip(adapters, connected, strict=True)]
                if settings.metrics_listen:
                    from bot.metrics import serve

                    window = settings.health_window_seconds
                    jobs.append(serve(settings.metrics_listen, app.metrics, app.db, list(adapters), window))
                return await _supervise(jobs)
            finally:
                scheduler.shutdown(wait=False)
        finally:
            for adapter in adapters:
                with contextlib.suppress(Exception):
                    await adapter.disconnect()


async def _connect(app: App, adapter: Adapter) -> bool:
    """Connect once; False (logged, without the exception's message) if the platform could not be reached."""
    try:
        await adapter.connect()
    except Exception as exc:
        reason = str(exc) if isinstance(exc, RuntimeError) and "ELTERNLOTSE_" in str(exc) else type(exc).__name__
        log.error("%s could not connect: %s", adapter.name, reason)
        return False
    if isinstance(adapter, ResolvesStaffChannel) and app.staff_channel.startswith(f"{adapter.name}:"):
        resolved = adapter.resolved_staff_channel()
        if resolved is not None:
            await app.move_staff_channel(resolved)
    app.sender.wake()
    return True


async def _transport(app: App, adapter: Adapter, connected: bool) -> None:
    """Keep one transport running: connect (with backoff) and listen; if listening fails, reconnect."""
    failures = 0
    while True:
        if not connected:
            failures += 1
            wait = min(RECONNECT_MAX_SECONDS, 2.0**failures)
            log.warning("%s: connecting again in %.0f s", adapter.name, wait)
            await asyncio.sleep(wait)
            connected = await _connect(app, adapter)
            continue
        failures = 0
        try:
            await adapter.listen(app.handle)
        except Exception as exc:  # the type only: a message could carry what a family typed
            log.error("%s stopped receiving (%s); reconnecting", adapter.name, type(exc).__name__)
        connected = False


def _scheduler(app: App, settings: Settings, leadership: Leadership) -> AsyncIOScheduler:
    """Escalation and retention as periodic jobs; they read everything they need from the database.

    Every process schedules them; only the leader (see bot.leader) runs them, so with several processes on one
    database each job runs once, and another process takes over when the leader dies.
    """
    scheduler = AsyncIOScheduler(timezone=settings.zone)

    def led(job: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
        async def run_if_leading() -> None:
            if leadership.is_leader:
                await job()

        return run_if_leading

    async def retention() -> None:
        result = await app.db.run(
            lambda tx: purge(tx, datetime.now(UTC), settings.retention_days, settings.session_ttl_hours)
        )
        log.info("retention purge: %s", result)

    async def escalation() -> None:
        raised = await app.followup.escalate()
        if raised:
            app.sender.wake()

    async def reminders() -> None:
        queued = (await app.reminders.run_once()).queued
        if await app.digest.run_once() or queued:  # the team's morning overview, once each office day
            app.sender.wake()

    # One stable job for every family (no job per family, no personal data in its arguments): it looks each
    # minute for what is due. A wall-clock cron per family would fire twice when the clocks go back.
    scheduler.add_job(led(reminders), "interval", minutes=1, id="reminders", coalesce=True, max_instances=1)
    scheduler.add_job(led(escalation), "interval", minutes=5, id="escalate", coalesce=True, max_instances=1)
    scheduler.add_job(led(retention), "interval", hours=1, id="retention", coalesce=True, max_instances=1)
    scheduler.start()
    return scheduler


async def _supervise(jobs: list[Coroutine[Any, Any, None]]) -> int:
    tasks = [asyncio.create_task(job) for job in jobs]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
    code = 0
    for task in done:
        if task is not stopper and task.exception() is not None:
            error = task.exception()
            assert error is not None
            # The type and where, not the message: a message could carry what a family typed.
            where = "".join(traceback.format_tb(error.__traceback__)[-3:])
            log.error("a background task failed: %s\n%s", type(error).__name__, where)
            code = 1
    # Last started, first stopped: the transports take no more updates before the sender (the first job) winds
    # down, letting sends under way finish (OutboxSender.close gives back the rest).
    for task in [stopper, *reversed(tasks)]:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    return code
