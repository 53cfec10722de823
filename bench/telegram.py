"""N simulated parents through the Bot API emulator: our bot (`elternlotse run`) against a bare PTB echo bot.

Both run as their own process against the same in-process emulator, with its limits off and our global rate
raised, so the figures measure processing, not Telegram's limits. Prints handled updates/s, p50/p99 reply
latency for both, and the ratio. Target: ours >= 0.7 of the echo bot's throughput.

With a PostgreSQL URL it then runs ours in webhook mode behind a round-robin balancer (the production setup for
several instances): on SQLite, on PostgreSQL with one instance, with two; targets: one >= 0.7 x SQLite, two >= 1.8
x one.

    .venv/bin/python bench/telegram.py [--parents 40] [--postgres postgresql+asyncpg://…/bench] [--rounds 3]

Besides throughput it prints the CPU each bot process used per update, the PostgreSQL backends' CPU per update
(the server processes serving the bench's database) and the share of the machine's cores left idle: on a machine
whose cores are all busy, a second instance cannot show its gain, and these figures say so. --profile DIR records
each bot process with py-spy (speedscope JSON, one file per measurement and process; py-spy must be installed).
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
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage.db import sqlite_path  # noqa: E402
from tests.conftest import reset_postgres  # noqa: E402
from tests.support.balancer import Balancer  # noqa: E402
from tests.support.tg_emulator import TelegramEmulator  # noqa: E402

TOKEN = "777:BENCH"
PUBLIC = "https://bench.example.org/hook"
SECRET = "bench-webhook-secret-0123456789"
PROFILE_DIR: Path | None = None  # --profile: where py-spy writes one speedscope file per bot process
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
                try:  # a process that never listens is stopped too, not left running
                    for port in ports:
                        run_env = {
                            **os.environ, **env, "ELTERNLOTSE_DATABASE_URL": url,
                            "ELTERNLOTSE_TELEGRAM_API_URL": emu.api_url, "ELTERNLOTSE_TELEGRAM_WEBHOOK_URL": PUBLIC,
                            "ELTERNLOTSE_TELEGRAM_WEBHOOK_SECRET": SECRET,
                            "ELTERNLOTSE_TELEGRAM_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
                        }  # fmt: skip
                        procs.append(subprocess.Popen(  # noqa: ASYNC220 - returns at once
                            [sys.executable, *_cprofile(label, len(procs)), "-m", "bot.cli", "run"], cwd=ROOT,
                            env=run_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                        ))  # fmt: skip
                        await _wait_listening(port)
                    return await drive(emu, label, procs, parents, False, None if sqlite_path(url) else url)
                finally:
                    for proc in procs:
                        proc.send_signal(signal.SIGTERM)
                    for proc in procs:
                        proc.wait(30)


async def drive(
    emu: TelegramEmulator,
    label: str,
    procs: list[subprocess.Popen[bytes]],
    parents: int,
    echo: bool,
    postgres: str | None = None,
) -> float:
    profilers = _start_profilers(label, procs)
    server_before, sessions_before = await _postgres_cpu(postgres) if postgres else ({}, 0)
    cpu_before = [_cpu(proc.pid) for proc in procs]
    sys_before = [_cpu(proc.pid, user=False) for proc in procs]
    own_before = time.process_time()
    idle_before = _idle()
    latencies: list[float] = []
    calls_before = len(emu.calls)
    started = time.perf_counter()
    base = 10_000
    await asyncio.gather(*(parent_journey(emu, base + n, echo, latencies) for n in range(parents)))
    elapsed = time.perf_counter() - started
    cpus = [_cpu(proc.pid) - before for proc, before in zip(procs, cpu_before, strict=True)]
    kernel = sum(_cpu(proc.pid, user=False) - before for proc, before in zip(procs, sys_before, strict=True))
    idle = _idle_share(idle_before)
    server, sessions = await _postgres_cpu(postgres) if postgres else ({}, 0)
    _stop_profilers(profilers)
    own = (time.process_time() - own_before) / max(1, len(latencies)) * 1000
    rate = len(latencies) / elapsed
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    per_update = sum(cpus) / len(latencies) * 1000
    print(f"{label:>16}: {len(latencies)} updates in {elapsed:.2f} s = {rate:,.0f} updates/s; "
          f"reply latency p50 {p50:.1f} ms, p99 {p99:.1f} ms; bot CPU {per_update:.2f} ms/update, "
          f"emulator+balancer CPU {own:.2f} ms/update")  # fmt: skip
    each = ", ".join(f"{cpu:.2f} s ({cpu / elapsed:.0%} of a core)" for cpu in cpus)
    kernel_share = kernel / max(sum(cpus), 1e-9)
    line = f"{'':>16}  bot CPU per process: {each}, {kernel_share:.0%} in the kernel; cores idle {idle:.0%}"
    if postgres:
        # A backend that started during the run counts whole; one that ended during it is missed (pools keep theirs).
        used = sum(total - server_before.get(pid, 0.0) for pid, total in server.items())
        line += f"; PostgreSQL backends {used:.2f} s = {used / len(latencies) * 1000:.2f} ms/update"
        line += f", {sessions - sessions_before - 1} connections opened"  # one is our own look
    print(line)
    calls = emu.calls[calls_before:]
    methods = Counter(f"{call.method}{'' if call.status == 200 else f' {call.status}'}" for call in calls)
    print(f"{'':>16}  Bot API calls: " + ", ".join(f"{name} {count}" for name, count in methods.most_common()))
    return rate


def _idle() -> tuple[int, int]:
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return fields[3] + fields[4], sum(fields[:8])  # idle + iowait, all


def _idle_share(before: tuple[int, int]) -> float:
    idle, total = _idle()
    return (idle - before[0]) / max(1, total - before[1])


async def _postgres_cpu(url: str) -> tuple[dict[int, float], int]:
    """CPU seconds so far of each server process serving the database behind url (the bench's own database), and
    how many sessions (connections) the database has had since the server started."""
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        pids = [r[0] for r in await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )]  # fmt: skip
        await conn.execute("SELECT pg_stat_clear_snapshot()")
        sessions = await conn.fetchval("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
    finally:
        await conn.close()
    found: dict[int, float] = {}
    for pid in pids:
        try:
            found[pid] = _cpu(pid)
        except OSError:  # ended meanwhile
            continue
    return found, int(sessions or 0)


def _start_profilers(label: str, procs: list[subprocess.Popen[bytes]]) -> list[subprocess.Popen[bytes]]:
    if PROFILE_DIR is None:
        return []
    PROFILE_DIR.mkdir(parents=True, exist_ok=True)
    name = label.strip().replace(" ", "-")
    spy = str(Path(sys.executable).with_name("py-spy"))
    spies = []
    for n, proc in enumerate(procs):
        command = [spy, "record", "--nonblocking", "--rate", "200", "--format", "speedscope",
                   "-o", str(PROFILE_DIR / f"{name}-{n}.json"), "--pid", str(proc.pid)]  # fmt: skip
        spies.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return spies


def _cprofile(label: str, n: int) -> list[str]:
    """ELTERNLOTSE_BENCH_CPROFILE=DIR: run each bot under cProfile timed by the main thread's CPU clock (waits cost
    nothing; start-up included; written when it stops). Arguments to put before `-m bot.cli run`."""
    where = os.environ.get("ELTERNLOTSE_BENCH_CPROFILE")
    if not where:
        return []
    Path(where).mkdir(parents=True, exist_ok=True)
    out = Path(where) / f"{label.strip().replace(' ', '-')}-{n}.prof"
    code = (
        "import cProfile, runpy, sys, time\n"
        "profile = cProfile.Profile(time.thread_time)\n"
        "sys.argv = ['bot.cli', *sys.argv[3:]]\n"
        "profile.enable()\n"
        "try:\n    runpy.run_module('bot.cli', run_name='__main__', alter_sys=True)\n"
        "except SystemExit:\n    pass\n"
        f"finally:\n    profile.disable()\n    profile.dump_stats({str(out)!r})\n"
    )
    return ["-c", code]


def _stop_profilers(profilers: list[subprocess.Popen[Any]]) -> None:
    for spy in profilers:
        spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
    for spy in profilers:
        spy.wait(60)


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


def _cpu(pid: int, user: bool = True) -> float:
    """CPU seconds of a process so far, all its threads: user and system time (user=False: system time only)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) * user + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parents", type=int, default=40)
    wiped = "a PostgreSQL URL (its public schema is wiped!): also measure one and two instances on it"
    parser.add_argument("--postgres", default=os.environ.get("ELTERNLOTSE_BENCH_POSTGRES_URL"), help=wiped)
    parser.add_argument("--rounds", type=int, default=1, help="PostgreSQL comparison rounds; the median is printed")
    parser.add_argument("--skip-echo", action="store_true", help="only the webhook comparison (needs --postgres)")
    parser.add_argument("--profile", type=Path, help="record every bot process with py-spy into this directory")
    args = parser.parse_args()
    global PROFILE_DIR
    PROFILE_DIR = args.profile
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
    if args.skip_echo and args.postgres:
        await compare(args.postgres, ours_env, args.parents, args.rounds)
        return
    echo = await measure(
        "echo bot", [python, str(ROOT / "bench" / "baseline" / "echo_bot.py"), TOKEN], {}, args.parents, True
    )
    ours = await measure("elternlotse", [python, "-m", "bot.cli", "run"], ours_env, args.parents, False)
    print(f"ratio elternlotse / echo bot: {ours / echo:.2f} (target >= 0.70); parents={args.parents}, "
          f"steps per parent={len(STEPS)}")  # fmt: skip
    if not args.postgres:
        print("(set ELTERNLOTSE_BENCH_POSTGRES_URL or --postgres to measure PostgreSQL with one and two instances)")
        return
    await compare(args.postgres, ours_env, args.parents, args.rounds)


async def compare(postgres: str, ours_env: dict[str, str], parents: int, rounds: int) -> None:
    """SQLite, PostgreSQL with one instance and with two, interleaved, in webhook mode behind the balancer."""
    sqlite = "sqlite+aiosqlite:///{tmp}/bench.db"
    ratios: list[tuple[float, float]] = []
    for _ in range(rounds):  # interleaved rounds: a noisy neighbour hits all three alike
        lite = await measure_webhook("webhook SQLite", ours_env, sqlite, 1, parents)
        one = await measure_webhook("webhook PG x1", ours_env, postgres, 1, parents)
        two = await measure_webhook("webhook PG x2", ours_env, postgres, 2, parents)
        ratios.append((one / lite, two / one))
        print(f"ratio PostgreSQL x1 / SQLite: {one / lite:.2f} (target >= 0.70); "
              f"x2 / x1: {two / one:.2f} (target >= 1.80); cores: {os.cpu_count()}")  # fmt: skip
    if len(ratios) > 1:
        first, second = (statistics.median(r[i] for r in ratios) for i in (0, 1))
        print(f"median of {len(ratios)} rounds: PostgreSQL x1 / SQLite {first:.2f}, x2 / x1 {second:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
