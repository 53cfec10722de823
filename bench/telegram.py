"""N simulated parents through the Bot API emulator: our bot (`elternlotse run`) against a bare PTB echo bot.

Both run as their own process against the same in-process emulator, with its limits off and our global rate
raised, so the figures measure processing, not Telegram's limits. Prints handled updates/s, p50/p99 reply
latency for both, and the ratio. Target: ours >= 0.7 of the echo bot's throughput.

    .venv/bin/python bench/telegram.py [--parents 40]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.tg_emulator import TelegramEmulator  # noqa: E402

TOKEN = "777:BENCH"
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
            run_env = {**os.environ, **env, "ELTERNLOTSE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bench.db"}
            proc = subprocess.Popen(  # noqa: ASYNC220 - returns at once
                [*command, emu.api_url] if echo else command,
                cwd=ROOT, env={**run_env, "ELTERNLOTSE_TELEGRAM_API_URL": emu.api_url},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            try:
                await emu.wait_for_poll(timeout=60)
                cpu_before = _cpu(proc.pid)
                latencies: list[float] = []
                started = time.perf_counter()
                base = 10_000
                await asyncio.gather(*(parent_journey(emu, base + n, echo, latencies) for n in range(parents)))
                elapsed = time.perf_counter() - started
                cpu = _cpu(proc.pid) - cpu_before
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(30)
    rate = len(latencies) / elapsed
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    per_update = cpu / len(latencies) * 1000
    print(f"{label:>11}: {len(latencies)} updates in {elapsed:.2f} s = {rate:,.0f} updates/s; "
          f"reply latency p50 {p50:.1f} ms, p99 {p99:.1f} ms; bot CPU {per_update:.2f} ms/update")  # fmt: skip
    return rate


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parents", type=int, default=40)
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


if __name__ == "__main__":
    asyncio.run(main())
