"""Full dialog steps (engine, storage commit, outbox row) for N simulated parents on an SQLite file.

Prints steps/s, p50 and p99 step latency and peak RSS. Target on the reference machine: >= 1,000 steps/s,
p99 < 10 ms. The engine alone (no storage) is measured in the same run as a baseline for the ratio. Each level runs
twice, with the anonymous counters of the quarterly figures off and on (bot/figures.py), to show what counting costs.

    .venv/bin/python bench/engine.py [--parents 200] [--concurrency 1,4,8]

--concurrency lists how many parents act at the same moment; each level is a separate run on a fresh file.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.adapters.base import Inbound
from bot.core.dialogs import Content, load_content
from bot.core.engine import Context, step
from bot.core.events import ChatKey, Command, Event, HandoffDone, Pressed, Session, Text, UserKey
from bot.core.hours import HoursData
from bot.core.hours_file import load_hours
from bot.core.i18n import I18n, load_i18n
from bot.runtime import Runtime, RuntimeConfig
from storage.db import Database

ROOT = Path(__file__).resolve().parent.parent
JOURNEY: list[Event] = [
    Command("start"),
    Pressed("l:de"),
    Pressed("o:main/menu:0"),
    Pressed("o:main/offer:0"),
    Pressed("o:callback/contact_way:1"),
    Text("0234 1234567"),
    Pressed("o:callback/district:0"),
    Pressed("o:callback/time_window:0"),
    Pressed("o:callback/urgency:1"),
    Text("Ali"),
    Pressed("k:callback/note:"),
    Pressed("c:callback/consent:y"),
    Pressed("g:menu"),
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parents", type=int, default=200)
    parser.add_argument("--concurrency", default="1,4,8")
    wiped = "a PostgreSQL URL (its public schema is wiped!); default: an SQLite file"
    parser.add_argument("--database", default=None, help=wiped)
    args = parser.parse_args()
    levels = [int(level) for level in args.concurrency.split(",")]

    content, problems = load_content(ROOT / "dialogs" / "flows")
    assert not problems, problems
    hours = load_hours(ROOT / "dialogs" / "hours.yaml")
    i18n = load_i18n(ROOT / "locales", ["de", "en"])
    params = {"office_emergency": "+49 234 000000", "retention_days": "30"}

    # Baseline: the pure engine, same journey, no storage.
    ctx = Context(content, i18n, hours, datetime.now(UTC), params)
    started = time.perf_counter()
    for _ in range(args.parents):
        session = Session()
        for event in JOURNEY:
            session, effects = step(session, event, ctx)
            if any(type(e).__name__ == "CreateRequest" for e in effects):
                session, _ = step(session, HandoffDone("R-2026-0001"), ctx)
    engine_rate = args.parents * len(JOURNEY) / (time.perf_counter() - started)

    print(f"engine alone (baseline): {engine_rate:,.0f} steps/s")
    for level in levels:
        for counting in (False, True):
            await storage_run(args.parents, level, content, i18n, hours, params, engine_rate, args.database, counting)
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB")


async def storage_run(
    parents: int,
    concurrency: int,
    content: Content,
    i18n: I18n,
    hours: HoursData,
    params: dict[str, str],
    engine_rate: float,
    database: str | None = None,
    counting: bool = True,
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if database is not None:
            await _wipe(database)
        db = Database(database or f"sqlite+aiosqlite:///{tmp}/bench.db")
        await db.migrate()
        runtime = Runtime(db, content, i18n, hours, RuntimeConfig("console:staff", params), count_figures=counting)
        latencies: list[float] = []
        counter = 0

        async def parent(number: int) -> None:
            nonlocal counter
            key = f"bench:{number}"
            for event in JOURNEY:
                counter += 1
                inbound = Inbound(f"bench:{counter}", UserKey(key), ChatKey(key), event)
                t0 = time.perf_counter()
                await runtime.handle(inbound)
                latencies.append(time.perf_counter() - t0)

        started = time.perf_counter()
        queue = list(range(parents))

        async def worker() -> None:
            while queue:
                await parent(queue.pop())

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        await db.close()

    steps = len(latencies)
    rate = steps / elapsed
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    store = "PostgreSQL" if database else "SQLite"
    counters = "counters on " if counting else "counters off"
    print(
        f"{counters} · {parents} parents, {concurrency} at a time, {steps} full steps "
        f"(engine + {store} commit + outbox row): "
        f"{rate:,.0f} steps/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms, mean {statistics.mean(latencies) * 1000:.2f} ms; "
        f"storage share {1 - rate / engine_rate:.0%}"
    )


async def _wipe(url: str) -> None:
    from sqlalchemy import text

    async with Database(url) as db:
        await db.run(
            lambda tx: (tx.execute(text("DROP SCHEMA public CASCADE")), tx.execute(text("CREATE SCHEMA public")))
        )


if __name__ == "__main__":
    asyncio.run(main())
