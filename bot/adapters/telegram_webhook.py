"""Webhook mode: Telegram POSTs each update to us; we answer 200 only after the update's transaction committed.

An error answer (or no answer) makes Telegram deliver the update again later; the update id in our database
keeps a redelivery from being handled twice. The secret token header proves the request comes from Telegram.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web
from telegram import Update

from bot.adapters.base import Handler

if TYPE_CHECKING:
    from bot.adapters.telegram import TelegramAdapter

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1 << 20


@dataclass(frozen=True)
class WebhookConfig:
    url: str  # the public HTTPS URL Telegram calls (a TLS proxy forwards it to `listen`)
    secret: str
    host: str
    port: int
    path: str


def webhook_config(url: str, secret: str, listen: str) -> WebhookConfig:
    from urllib.parse import urlparse

    host, _, port = listen.rpartition(":")
    return WebhookConfig(url, secret, host or "127.0.0.1", int(port), urlparse(url).path or "/")


async def serve_webhook(adapter: TelegramAdapter, config: WebhookConfig, handle: Handler) -> None:
    """Serve the webhook until cancelled."""

    async def receive(request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), config.secret):
            log.warning("webhook call without the right secret refused")
            return web.Response(status=403)
        try:
            body = json.loads(await request.read())
            update = Update.de_json(body, adapter.bot)
        except (ValueError, KeyError, TypeError):
            return web.Response(status=400)
        inbound = await adapter.translate(update)
        if inbound is not None:
            await adapter.handle_update(update, inbound, handle)  # raises -> 500 -> Telegram delivers it again
        return web.Response(status=200)

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_post(config.path, receive)
    runner = web.AppRunner(app, access_log=None)  # access logs would show the path, which is a secret too
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.port)
    await site.start()
    log.info("webhook listening on %s:%d", config.host, config.port)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
