"""N simulated parents through the Bot API emulator: our bot (`elternlotse run`) against a bare PTB echo bot.

Both run as their own process against the same in-process emulator, with its limits off and our global rate
raised, so the figures measure processing, not Telegram's limits. Prints handled updates/s, p50/p99 reply
latency for both, and the ratio. Target: ours >= 0.7 of the echo bot's throughput.

With a PostgreSQL URL it then runs ours in webhook mode behind a round-robin balancer (the production setup for
several instances): on SQLite, on PostgreSQL with one instance, with two; targets: one >= 0.7 x SQLite, two >= 1.8
x one.

    .venv/bin/python bench/telegram.py [--parents 40] [--postgres postgresql+asyncpg://…/bench] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage.db import sqlite_path  # noqa: E402
from tests.conftest import reset_postgres  # noqa: E402
from tests.support.balancer import Balancer  # noqa: E402
from tests.support.tg_emulator import TelegramEmulator  # noqa: E402

TOKEN = "777:BENCH"
PUBLIC = "https://bench.example.org/hook"
SECRET = "bench-webhook-secret-0123456789"
STEPS: list[tuple[str, str]] = [
    ("command", "start"), ("press", "Deutsch"), ("press", "📞 Rückruf anfordern"), ("press", "💶 Geld und Leistungen"),
    ("press", "📞 Bitte anrufen"), ("text", "0234 1234567"), ("press", "Mitte"), ("press", "Vormittags (9–12 Uhr)"),
    ("press", "In den nächsten Tagen"), ("press", "Überspringen"), ("press", "Überspringen"),
    ("press", "Ja, ich bin einverstanden"), ("press", "🏠 Menü"),
]  # fmt: skip


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def parent_journey(emu: TelegramEmulator, uid: int, echo: bool, latencies: list[float]) -> None:
    user = emu.add_user(uid, f"P{uid}", language_code="de")
    for kind, value in STEPS:
        before = len(emu.messages(uid))
        started = time.perf_counter()
        if kind == "command":
            user.send_command(value)
        elif kind == "text" or echo:
            user.send_text(value)  # the echo bot has no buttons: it gets the same number of updates as text
        else:
            message = next(
                m for m in reversed(emu.messages(uid)) if any(b.label == value for r in m.buttons for b in r)
            )
            user.press(message, value)
        await emu.wait_for_message(uid, after=before, timeout=60)
        latencies.append(time.perf_counter() - started)


async def measure(label: str, command: list[str], env: dict[str, str], parents: int, echo: bool) -> float:
    async with TelegramEmulator(token=TOKEN) as emu:
        emu.add_group(-100777, "Team", supergroup=True)
        with tempfile.TemporaryDirectory() as tmp:
            run_env = {**os.environ, "ELTERNLOTSE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bench.db", **env}
            proc = subprocess.Popen(  # noqa: ASYNC220 - returns at once
                [*command, emu.api_url] if echo else command,
                cwd=ROOT, env={**run_env, "ELTERNLOTSE_TELEGRAM_API_URL": emu.api_url},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            try:
                await emu.wait_for_poll(timeout=60)
                return await drive(emu, label, [proc], parents, echo)
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(30)


async def measure_webhook(label: str, env: dict[str, str], database: str, instances: int, parents: int) -> float:
    """`instances` processes of ours in webhook mode behind a round-robin balancer, as in production."""
    async with TelegramEmulator(token=TOKEN) as emu:
        emu.add_group(-100777, "Team", supergroup=True)
        ports = [_free_port() for _ in range(instances)]
        async with Balancer([f"http://127.0.0.1:{port}" for port in ports]) as balancer:
            emu.route_webhook(PUBLIC, balancer.url + "/hook")
            with tempfile.TemporaryDirectory() as tmp:
                url = database.replace("{tmp}", tmp)
                if sqlite_path(url) is None:
                    await reset_postgres(url)
                procs = []
                for port in ports:
                    run_env = {
                        **os.environ, **env, "ELTERNLOTSE_DATABASE_URL": url,
                        "ELTERNLOTSE_TELEGRAM_API_URL": emu.api_url, "ELTERNLOTSE_TELEGRAM_WEBHOOK_URL": PUBLIC,
                        "ELTERNLOTSE_TELEGRAM_WEBHOOK_SECRET": SECRET,
                        "ELTERNLOTSE_TELEGRAM_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
                    }  # fmt: skip
                    procs.append(subprocess.Popen(  # noqa: ASYNC220 - returns at once
                        [sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=run_env,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    ))  # fmt: skip
                    await _wait_listening(port)
                try:
                    return await drive(emu, label, procs, parents, False)
                finally:
                    for proc in procs:
                        proc.send_signal(signal.SIGTERM)
                    for proc in procs:
                        proc.wait(30)


async def drive(
    emu: TelegramEmulator, label: str, procs: list[subprocess.Popen[bytes]], parents: int, echo: bool
) -> float:
    cpu_before = sum(_cpu(proc.pid) for proc in procs)
    own_before = time.process_time()
    latencies: list[float] = []
    started = time.perf_counter()
    base = 10_000
    await asyncio.gather(*(parent_journey(emu, base + n, echo, latencies) for n in range(parents)))
    elapsed = time.perf_counter() - started
    cpu = sum(_cpu(proc.pid) for proc in procs) - cpu_before
    own = (time.process_time() - own_before) / max(1, len(latencies)) * 1000
    rate = len(latencies) / elapsed
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    per_update = cpu / len(latencies) * 1000
    print(f"{label:>16}: {len(latencies)} updates in {elapsed:.2f} s = {rate:,.0f} updates/s; "
          f"reply latency p50 {p50:.1f} ms, p99 {p99:.1f} ms; bot CPU {per_update:.2f} ms/update, "
          f"emulator+balancer CPU {own:.2f} ms/update")  # fmt: skip
    return rate


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _wait_listening(port: int) -> None:
    for _ in range(600):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return
    raise RuntimeError(f"no instance listens on {port}")


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parents", type=int, default=40)
    wiped = "a PostgreSQL URL (its public schema is wiped!): also measure one and two instances on it"
    parser.add_argument("--postgres", default=os.environ.get("ELTERNLOTSE_BENCH_POSTGRES_URL"), help=wiped)
    parser.add_argument("--rounds", type=int, default=1, help="PostgreSQL comparison rounds; the median is printed")
    args = parser.parse_args()
    python = sys.executable
    ours_env = {
        "ELTERNLOTSE_TELEGRAM_TOKEN": TOKEN,
        "ELTERNLOTSE_TELEGRAM_STAFF_CHAT_ID": "-100777",
        "ELTERNLOTSE_LANGUAGES": "de,en,ar",
        "ELTERNLOTSE_TELEGRAM_GLOBAL_RATE": "100000",
        "ELTERNLOTSE_TELEGRAM_CHAT_INTERVAL": "0",
        "ELTERNLOTSE_TELEGRAM_GROUP_INTERVAL": "0",
        "PTB_TIMEDELTA": "1",
    }
    echo = await measure(
        "echo bot", [python, str(ROOT / "bench" / "baseline" / "echo_bot.py"), TOKEN], {}, args.parents, True
    )
    ours = await measure("elternlotse", [python, "-m", "bot.cli", "run"], ours_env, args.parents, False)
    print(f"ratio elternlotse / echo bot: {ours / echo:.2f} (target >= 0.70); parents={args.parents}, "
          f"steps per parent={len(STEPS)}")  # fmt: skip
    if not args.postgres:
        print("(set ELTERNLOTSE_BENCH_POSTGRES_URL or --postgres to measure PostgreSQL with one and two instances)")
        return
    sqlite = "sqlite+aiosqlite:///{tmp}/bench.db"
    ratios: list[tuple[float, float]] = []
    for _ in range(args.rounds):  # interleaved rounds: a noisy neighbour hits all three alike
        lite = await measure_webhook("webhook SQLite", ours_env, sqlite, 1, args.parents)
        one = await measure_webhook("webhook PG x1", ours_env, args.postgres, 1, args.parents)
        two = await measure_webhook("webhook PG x2", ours_env, args.postgres, 2, args.parents)
        ratios.append((one / lite, two / one))
        print(f"ratio PostgreSQL x1 / SQLite: {one / lite:.2f} (target >= 0.70); "
              f"x2 / x1: {two / one:.2f} (target >= 1.80); cores: {os.cpu_count()}")  # fmt: skip
    if len(ratios) > 1:
        first, second = (statistics.median(r[i] for r in ratios) for i in (0, 1))
        print(f"median of {len(ratios)} rounds: PostgreSQL x1 / SQLite {first:.2f}, x2 / x1 {second:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
