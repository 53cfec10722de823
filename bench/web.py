"""The web chat under load: 1,000 families with the page open at once (one Server-Sent Events stream each).

Our bot (`elternlotse run` with the web chat, the Telegram emulator's group as staff channel, SQLite) against a bare
aiohttp SSE echo server (bench/baseline/sse_echo.py) with the same API, both their own process, on loopback.

Phases: open N sessions and their streams; each family begins its conversation (/start, the language picker); then
messages at a fixed rate (default 100/s) spread over the families, each timed from the POST to the reply's event
on that family's stream (round trip); then as many as a fixed number of families in flight can send (messages/s).
Prints p50/p99 round trip, messages/s, the ratios against the echo server, and the bot's peak RSS (VmHWM) with all
streams open. Targets: p99 < 100 ms at 100 messages/s, peak RSS < 200 MB.

    .venv/bin/python bench/web.py [--families 1000] [--rate 100] [--seconds 20] [--postgres postgresql+asyncpg://…]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.telegram import _cpu, _free_port, _wait_listening, percentile  # noqa: E402
from tests.conftest import reset_postgres  # noqa: E402
from tests.support.tg_emulator import TelegramEmulator  # noqa: E402

TOKEN = "777:BENCH"
TYPED = "?"  # "show me my choices again": one answer, at any step, in any language


@dataclass
class Family:
    cookie: str
    csrf: str
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    waiting: asyncio.Future[float] | None = None
    events: int = 0


@dataclass
class Load:
    base: str
    http: aiohttp.ClientSession
    families: list[Family] = field(default_factory=list)
    streams: list[asyncio.Task[None]] = field(default_factory=list)

    async def open(self, count: int, parallel: int = 50) -> float:
        started = time.perf_counter()
        gate = asyncio.Semaphore(parallel)

        async def one() -> None:
            async with gate:
                async with self.http.get(self.base + "api/session") as response:
                    body = await response.json()
                    family = Family(response.cookies["elternlotse"].value, body["csrf"])
                self.families.append(family)
                self.streams.append(asyncio.create_task(self._stream(family)))
                await family.ready.wait()

        await asyncio.gather(*(one() for _ in range(count)))
        return time.perf_counter() - started

    async def _stream(self, family: Family) -> None:
        headers = {"Cookie": f"elternlotse={family.cookie}", "Accept": "text/event-stream"}
        async with self.http.get(self.base + "api/events", headers=headers) as response:
            assert response.status == 200, response.status
            kind = ""
            async for raw in response.content:
                line = raw.decode().rstrip("\n")
                if line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:") and kind == "ready":
                    family.ready.set()
                elif line.startswith("data:"):
                    family.events += 1
                    if family.waiting is not None and not family.waiting.done():
                        family.waiting.set_result(time.perf_counter())
                elif not line:
                    kind = ""

    async def post(self, family: Family, path: str, body: dict[str, object]) -> float:
        """POST, then wait for the next event on the family's stream; returns the round trip in seconds."""
        family.waiting = asyncio.get_running_loop().create_future()
        headers = {"Cookie": f"elternlotse={family.cookie}", "X-CSRF-Token": family.csrf,
                   "Origin": self.base.rstrip("/"), "Content-Type": "application/json"}  # fmt: skip
        started = time.perf_counter()
        async with self.http.post(self.base + path, data=json.dumps(body), headers=headers) as response:
            assert response.status == 200, response.status
            await response.read()
        async with asyncio.timeout(30):
            arrived = await family.waiting
        return arrived - started

    async def begin(self, parallel: int = 20) -> float:
        started = time.perf_counter()
        gate = asyncio.Semaphore(parallel)

        async def one(family: Family) -> None:
            async with gate:
                await self.post(family, "api/start", {"start": None})

        await asyncio.gather(*(one(f) for f in self.families))
        return len(self.families) / (time.perf_counter() - started)

    async def paced(self, rate: float, seconds: float) -> tuple[list[float], float]:
        """Messages at a fixed rate, round robin over the families; the round trip of each."""
        count = int(rate * seconds)
        trips: list[float] = []
        started = time.perf_counter()

        async def one(n: int) -> None:
            await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
            family = self.families[n % len(self.families)]
            trips.append(await self.post(family, "api/send", {"id": f"bench{n:08d}", "text": TYPED}))

        await asyncio.gather(*(one(n) for n in range(count)))
        return trips, count / (time.perf_counter() - started)

    async def saturate(self, in_flight: int, seconds: float) -> float:
        """Families send as fast as their answers come back, in_flight of them at a time: messages/s."""
        done = 0
        stop = time.perf_counter() + seconds
        started = time.perf_counter()

        async def worker(index: int) -> None:
            nonlocal done
            n = 0
            while time.perf_counter() < stop:
                family = self.families[(index + n * in_flight) % len(self.families)]
                await self.post(family, "api/send", {"id": f"sat{index:04d}x{n:06d}", "text": TYPED})
                done, n = done + 1, n + 1

        await asyncio.gather(*(worker(i) for i in range(in_flight)))
        return done / (time.perf_counter() - started)

    async def close(self) -> None:
        for task in self.streams:
            task.cancel()
        await asyncio.gather(*self.streams, return_exceptions=True)


@dataclass
class Figures:
    label: str
    opened: float
    begun: float
    p50: float
    p99: float
    achieved: float
    throughput: float
    rss: float
    peak: float
    cpu: float  # the server's CPU time per message in the paced phase, ms


async def measure(label: str, command: list[str], env: dict[str, str], args: argparse.Namespace) -> Figures:
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    proc = subprocess.Popen(  # noqa: ASYNC220 - returns at once
        [*command, "127.0.0.1", str(port)] if "sse_echo" in command[-1] else command,
        cwd=ROOT, env={**os.environ, **env, "ELTERNLOTSE_WEB_LISTEN": f"127.0.0.1:{port}",
                       "ELTERNLOTSE_WEB_PUBLIC_URL": base},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
    http = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(), timeout=timeout)
    load = Load(base, http)
    try:
        await _wait_listening(port)
        opened = await load.open(args.families)
        begun = await load.begin()
        cpu = _cpu(proc.pid)
        trips, achieved = await load.paced(args.rate, args.seconds)
        cpu = (_cpu(proc.pid) - cpu) / len(trips) * 1000
        throughput = await load.saturate(args.in_flight, args.seconds / 2)
        rss, peak = _memory(proc.pid)
    finally:
        await load.close()
        await http.close()
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    figures = Figures(label, opened, begun, percentile(trips, 0.5) * 1000, percentile(trips, 0.99) * 1000, achieved,
                      throughput, rss, peak, cpu)  # fmt: skip
    if os.environ.get("BENCH_DETAIL"):
        slow = [round(t * 1000) for t in trips if t > 0.1]
        print(
            f"{label}: p90 {percentile(trips, 0.9) * 1000:.1f} ms, p95 {percentile(trips, 0.95) * 1000:.1f} ms, "
            f"max {max(trips) * 1000:.0f} ms, {len(slow)} of {len(trips)} over 100 ms: {slow[:40]}"
        )
    print(
        f"{label:>12}: {args.families} streams open in {opened:.1f} s; {begun:,.0f} conversations begun/s; "
        f"at {achieved:.0f} messages/s round trip p50 {figures.p50:.1f} ms, p99 {figures.p99:.1f} ms; "
        f"{throughput:,.0f} messages/s with {args.in_flight} in flight; CPU {cpu:.2f} ms/message; "
        f"RSS {rss:.0f} MB, peak {peak:.0f} MB"
    )
    return figures


def _memory(pid: int) -> tuple[float, float]:
    """The process's resident memory now and at its peak (VmRSS, VmHWM), in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=100.0, help="messages per second in the paced phase")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the paced phase")
    parser.add_argument("--in-flight", type=int, default=32, help="families sending at once in the last phase")
    wiped = "a PostgreSQL URL (its public schema is wiped!) instead of SQLite"
    parser.add_argument("--postgres", default=os.environ.get("ELTERNLOTSE_BENCH_POSTGRES_URL"), help=wiped)
    args = parser.parse_args()
    python = sys.executable
    echo = await measure("echo server", [python, str(ROOT / "bench" / "baseline" / "sse_echo.py")], {}, args)
    async with TelegramEmulator(token=TOKEN) as emu:
        emu.add_group(-100777, "Team", supergroup=True)
        with tempfile.TemporaryDirectory() as tmp:
            database = args.postgres or f"sqlite+aiosqlite:///{tmp}/bench.db"
            if args.postgres:
                await reset_postgres(args.postgres)
            env = {
                "ELTERNLOTSE_DATABASE_URL": database,
                "ELTERNLOTSE_TELEGRAM_TOKEN": TOKEN, "ELTERNLOTSE_TELEGRAM_API_URL": emu.api_url,
                "ELTERNLOTSE_TELEGRAM_STAFF_CHAT_ID": "-100777", "ELTERNLOTSE_LANGUAGES": "de,en,ar",
                # Every family comes from 127.0.0.1 here: the per-address limits are raised, the per-session not.
                "ELTERNLOTSE_WEB_ADDRESS_POSTS_PER_MINUTE": "1000000",
                "ELTERNLOTSE_WEB_STREAMS_PER_ADDRESS": "100000",
                "ELTERNLOTSE_FAMILY_MESSAGES_PER_MINUTE": "600",
            }  # fmt: skip
            command = [python, "-m", "bot.cli", "run"]
            if os.environ.get("BENCH_PROFILE"):  # a cProfile of the bot, written when it stops
                command = [python, "-m", "cProfile", "-o", os.environ["BENCH_PROFILE"], "-m", "bot.cli", "run"]
            ours = await measure("elternlotse", command, env, args)
    print(f"ratios elternlotse / echo server: CPU per message {ours.cpu / echo.cpu:.1f}x, "
          f"p99 round trip {ours.p99 / echo.p99:.1f}x, "
          f"messages/s {ours.throughput / echo.throughput:.2f}; "
          f"targets: p99 {ours.p99:.1f} ms < 100 ms at {ours.achieved:.0f} messages/s "
          f"({'met' if ours.p99 < 100 and ours.achieved >= args.rate * 0.95 else 'MISSED'}), "
          f"peak RSS {ours.peak:.0f} MB < 200 MB ({'met' if ours.peak < 200 else 'MISSED'}); "
          f"database {'PostgreSQL' if args.postgres else 'SQLite'}, cores {os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f} (other processes share the cores: compare the ratios)")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
