"""Reply latency of a parent journey on a local Synapse: our bot (`elternlotse run`, Matrix, encrypted) against a bare
matrix-nio echo bot, in the same run, each in its own process and its own encrypted direct chat.

A parent (a matrix-nio client in this process) writes one message at a time and waits for the first answer; the
time between sending and seeing the answer in its own sync is one sample. Both bots are measured with the same
parent client and the same homeserver, alternately, so the homeserver's and the parent's share is the same for both.
Prints p50/p99 for both and the ratio of the p50s. Target: ours within 1.3 x the echo bot's p50.

    .venv/bin/python bench/matrix.py [--rounds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.matrix_people import MatrixPerson, person  # noqa: E402
from tests.support.synapse import Synapse, install  # noqa: E402

# The journey's typed steps (Element users type commands; a language is chosen by the family's first choice, which
# needs the numbered answers of the choices work, so the journey stays on what works without one).
JOURNEY = ["!emergency", "!hours", "/privacy", "!help", "!callback", "Hallo, ich brauche Hilfe", "!mydata"]


def start(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=out, stderr=out)


def read(log: Path) -> str:
    return log.read_text(errors="replace")


async def wait_for(log: Path, text: str, proc: subprocess.Popen[bytes], within: float = 60) -> None:
    deadline = time.monotonic() + within
    while text not in read(log):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"{log.name}: {text!r} never came:\n{read(log)[-2000:]}")
        await asyncio.sleep(0.1)


async def one(parent: MatrixPerson, room: str, text: str) -> float:
    before = parent.count(room)
    began = time.perf_counter()
    await parent.say(room, text)
    await parent.next(room, before, timeout=60)
    elapsed = time.perf_counter() - began
    await asyncio.sleep(0.3)  # let trailing messages of the same answer arrive before the next step
    return elapsed


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=10, help="journeys per bot")
    args = parser.parse_args()
    install()
    with tempfile.TemporaryDirectory(prefix="bench-matrix-") as tmp_name:
        tmp = Path(tmp_name)
        synapse = Synapse(tmp / "synapse")
        synapse.configure()
        synapse.start()
        procs: list[subprocess.Popen[bytes]] = []
        try:
            ours, echo = await synapse.register("elternlotse"), await synapse.register("echo")
            staff = await person(synapse, "anna", tmp / "anna")
            staff_room = await staff.create_room([ours.user_id], direct=False, name="Team")
            procs.append(start([sys.executable, "-m", "bot.cli", "run"], tmp / "ours.log", {
                "ELTERNLOTSE_MATRIX_HOMESERVER": synapse.url, "ELTERNLOTSE_MATRIX_USER_ID": ours.user_id,
                "ELTERNLOTSE_MATRIX_PASSWORD": ours.password, "ELTERNLOTSE_MATRIX_STORE_DIR": str(tmp / "store"),
                "ELTERNLOTSE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'bench.db'}",
                "ELTERNLOTSE_MATRIX_STAFF_ROOM": staff_room, "ELTERNLOTSE_FAMILY_MESSAGES_PER_MINUTE": "600",
            }))  # fmt: skip
            (tmp / "echo-store").mkdir()
            procs.append(start([sys.executable, str(ROOT / "bench" / "baseline" / "matrix_echo.py"), synapse.url,
                                echo.user_id, echo.access_token, echo.device_id, str(tmp / "echo-store")],
                               tmp / "echo.log"))  # fmt: skip
            await wait_for(tmp / "ours.log", "elternlotse: started", procs[0])
            await wait_for(tmp / "echo.log", "echo bot ready", procs[1])
            parent = await person(synapse, "parent", tmp / "parent")
            ours_room = await parent.create_room([ours.user_id])
            await parent.next(ours_room, 0, timeout=60)  # the greeting
            echo_room = await parent.create_room([echo.user_id])
            await parent.wait_until(lambda: len(parent.client.rooms[echo_room].users) == 2
                                    and not parent.client.rooms[echo_room].invited_users, 60)  # fmt: skip
            await one(parent, echo_room, "warm-up")
            await one(parent, ours_room, "!start")
            samples: dict[str, list[float]] = {"ours": [], "echo": []}
            for _ in range(args.rounds):
                for text in JOURNEY:  # alternately, so a slow moment of the machine hits both alike
                    samples["ours"].append(await one(parent, ours_room, text))
                    samples["echo"].append(await one(parent, echo_room, text))
            await parent.stop()
            await staff.stop()
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
            synapse.stop()
    (ours_p50, ours_p99), (echo_p50, echo_p99) = summary(samples["ours"]), summary(samples["echo"])
    print(f"parent journey on a local Synapse, encrypted direct chats, {len(samples['ours'])} replies each")
    print(f"  elternlotse     p50 {ours_p50 * 1000:7.1f} ms   p99 {ours_p99 * 1000:7.1f} ms")
    print(f"  nio echo bot    p50 {echo_p50 * 1000:7.1f} ms   p99 {echo_p99 * 1000:7.1f} ms")
    ratio = ours_p50 / echo_p50
    print(f"  ratio of p50s   {ratio:.2f} (target <= 1.30: {'met' if ratio <= 1.3 else 'NOT met'})")


if __name__ == "__main__":
    asyncio.run(main())
