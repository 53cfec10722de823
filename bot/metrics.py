"""Prometheus metrics and a health check (`ELTERNLOTSE_METRICS_LISTEN`). Labels name transports and kinds only,
never a person, a chat or a text."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from time import monotonic
from typing import Protocol, runtime_checkable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from storage.db import Database
from storage.kinds import BULK_KINDS, OutboxStatus, Outcome
from storage.models import OutboxMessage

log = logging.getLogger(__name__)


@runtime_checkable
class Liveness(Protocol):
    """An adapter that can say when it last reached its platform successfully (a poll or a delivery)."""

    name: str

    def last_success(self) -> float | None: ...


class Metrics:
    """The bot's counters in a registry of its own (no global state); the sender and the app report into it."""

    def __init__(self, clock: Callable[[], float] = monotonic) -> None:
        self.clock = clock
        self.registry = CollectorRegistry()
        self.inbound = Counter(
            "elternlotse_inbound_updates", "Inbound platform updates handled", ["transport"], registry=self.registry
        )
        self.deliveries = Counter(
            "elternlotse_deliveries", "Outbox delivery attempts by outcome (sent, retry, failed)",
            ["transport", "kind", "result"], registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "elternlotse_reply_latency_seconds", "From an outbox row's creation to its delivery", ["kind"],
            buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600, 86400), registry=self.registry,
        )  # fmt: skip
        self.backlog = Gauge(
            "elternlotse_outbox_backlog", "Pending outbox rows", ["kind", "priority"], registry=self.registry
        )
        self.oldest = Gauge(
            "elternlotse_outbox_oldest_pending_seconds", "Age of the oldest pending outbox row", registry=self.registry
        )
        self.transport_up = Gauge(
            "elternlotse_transport_up", "1 if the transport reached its platform within the health window",
            ["transport"], registry=self.registry,
        )  # fmt: skip
        self.reminders_dropped = Counter(
            "elternlotse_reminders_dropped", "Reminders not sent because their consultation hour had begun "
            "(missed while the bot was down): never queued, or queued but not sent in time", ["stage"],
            registry=self.registry,
        )  # fmt: skip
        self.leader = Gauge(
            "elternlotse_scheduler_leader", "1 if this process runs the scheduled jobs", registry=self.registry
        )

    def reminders_missed(self, stage: str, count: int) -> None:
        self.reminders_dropped.labels(stage).inc(count)

    def delivered(self, transport: str, kind: str, result: str, created_at: datetime | None, now: datetime) -> None:
        self.deliveries.labels(transport, kind, result).inc()
        if result == Outcome.SENT and created_at is not None:
            self.latency.labels(kind).observe(max(0.0, (now - created_at).total_seconds()))


def _backlog(tx: Session) -> tuple[list[tuple[str, int]], datetime | None]:
    rows = tx.execute(
        select(OutboxMessage.kind, func.count())
        .where(OutboxMessage.status == OutboxStatus.PENDING)
        .group_by(OutboxMessage.kind)
    ).all()
    oldest = tx.scalar(select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status == OutboxStatus.PENDING))
    return [(str(kind), int(count)) for kind, count in rows], oldest


async def serve(listen: str, metrics: Metrics, db: Database, adapters: list[object], window: float) -> None:
    """Serve /metrics and /healthz until cancelled."""
    live = [a for a in adapters if isinstance(a, Liveness)]

    async def scrape(request: web.Request) -> web.Response:
        counts, oldest = await db.run(_backlog)
        metrics.backlog.clear()
        for kind, count in counts:
            metrics.backlog.labels(kind, "bulk" if kind in BULK_KINDS else "interactive").set(count)
        age = (datetime.now(UTC) - oldest).total_seconds() if oldest is not None else 0.0
        metrics.oldest.set(max(0.0, age))
        _transports_up(live, metrics, window)
        body = generate_latest(metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def health(request: web.Request) -> web.Response:
        problems = []
        try:
            await db.run(lambda tx: tx.execute(text("SELECT 1")))
        except Exception as exc:  # the check reports it; its message could name a host, so only the type
            problems.append(f"database: {type(exc).__name__}")
        for name, up in _transports_up(live, metrics, window).items():
            if not up:
                problems.append(f"{name}: no successful poll or delivery in {window:g} s")
        if problems:
            return web.Response(status=503, text="\n".join(problems) + "\n")
        return web.Response(text="ok\n")

    app = web.Application()
    app.router.add_get("/metrics", scrape)
    app.router.add_get("/healthz", health)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    host, _, port = listen.rpartition(":")
    site = web.TCPSite(runner, host or "127.0.0.1", int(port))
    await site.start()
    log.info("metrics and health check listening")
    try:
        await asyncio.Event().wait()  # until cancelled
    finally:
        await runner.cleanup()


def _transports_up(live: list[Liveness], metrics: Metrics, window: float) -> dict[str, bool]:
    now = metrics.clock()
    states = {}
    for adapter in live:
        last = adapter.last_success()
        states[adapter.name] = last is not None and now - last <= window
        metrics.transport_up.labels(adapter.name).set(1 if states[adapter.name] else 0)
    return states
