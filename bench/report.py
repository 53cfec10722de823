"""`elternlotse report` on a busy quarter: 20,000 requests and 500,000 dialog steps as synthetic daily counters
(and the same quarter a year before, so the report sets both side by side). The steps follow the dialog files' paths,
so that the funnel's sums hold and the report audits them all.

Prints the report's wall time, CPU time and peak memory (of the report process alone). Target: under 10 s and
300 MB.

    .venv/bin/python bench/report.py [--requests 20000] [--steps 500000] [--database URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert

from bot.core.dialogs import load_content
from bot.figures import key, minutes_bucket
from bot.report.funnel import following_steps
from storage.db import Database
from storage.kinds import Figure
from storage.models import DailyCount

ROOT = Path(__file__).resolve().parent.parent
TOPICS = ["money", "housing", "health", "upbringing", "crisis", "single_parent", "forms", "newcomer", "other"]
LANGS = ["de", "en", "ar", "tr", "uk", "ru", "ro", "bg", "fa", "ku", "pl"]
DISTRICTS = ["mitte", "wattenscheid", "nord", "ost", "sued", "suedwest"]
OUTCOMES = ["telefonberatung", "beratungsgespraech", "sprechstunde", "chatberatung", "erziehungsberatung", "jobcenter",
            "familienbildung", "fruehfoerderung", "schuldnerberatung", "andere_stelle", "nicht_erreicht"]  # fmt: skip
CATEGORIES = ["button", "medical", "violence", "suicide", "child_danger", "homeless"]


def quarter_counts(first: date, requests: int, steps: int, rng: random.Random) -> list[dict[str, object]]:
    """Daily counters as the bot would have written them for a quarter of this much activity."""
    following = following_steps(load_content(ROOT / "dialogs" / "flows")[0])
    days = 92
    counts: Counter[tuple[date, str, str]] = Counter()
    for _ in range(requests):
        day = first + timedelta(days=rng.randrange(days))
        lang = rng.choices(LANGS, weights=[40, 8, 15, 10, 8, 6, 4, 3, 3, 2, 1])[0]
        request = key(rng.choice(TOPICS), lang, rng.choice(DISTRICTS), rng.choice(("telegram", "matrix")),
                      int(rng.random() < 0.15))  # fmt: skip
        counts[(day, Figure.REQUEST, request)] += 1
        claim, reply = rng.expovariate(1 / 240), rng.expovariate(1 / 60)
        waits = {Figure.CLAIM_CAL: claim, Figure.CLAIM_OFFICE: claim * 0.4, Figure.REPLY_CAL: claim + reply,
                 Figure.REPLY_OFFICE: (claim + reply) * 0.4}  # fmt: skip
        for figure, minutes in waits.items():
            counts[(day, figure, str(minutes_bucket(timedelta(minutes=minutes))))] += 1
        counts[(day, Figure.OUTCOME, rng.choice(OUTCOMES))] += 1
        counts[(day, Figure.CONSENT, key("callback", "given"))] += 1
    walked = 0
    while walked < steps:  # conversations along the dialog's paths, so that the funnel's sums hold (and are audited)
        day = first + timedelta(days=rng.randrange(days))
        lang = rng.choices(LANGS, weights=[40, 8, 15, 10, 8, 6, 4, 3, 3, 2, 1])[0]
        node = rng.choice(("main/menu", "callback/topic"))
        counts[(day, Figure.REACHED, key(node, lang))] += 1
        while following[node] and rng.random() > 0.06 and walked < steps:
            counts[(day, Figure.ONWARD, key(node, lang))] += 1
            node = rng.choice(following[node])
            counts[(day, Figure.REACHED, key(node, lang))] += 1
            walked += 1
    for _ in range(requests // 10):
        day = first + timedelta(days=rng.randrange(days))
        counts[(day, Figure.EMERGENCY, key(rng.choice(CATEGORIES), rng.choice(LANGS)))] += 1
        counts[(day, Figure.REMINDER_SENT, key(rng.choice(LANGS)))] += 3
        counts[(day, Figure.REMINDER_STOPPED, key(rng.choice(LANGS)))] += 1
    return [{"day": d, "metric": str(m), "key": k, "count": n} for (d, m, k), n in counts.items()]


async def fill(url: str, rows: list[dict[str, object]]) -> None:
    async with Database(url) as db:
        await db.migrate()
        for start in range(0, len(rows), 20_000):
            chunk = rows[start : start + 20_000]
            await db.run(lambda tx, chunk=chunk: tx.execute(insert(DailyCount), chunk))  # type: ignore[misc]


def _files(out: Path) -> tuple[int, float]:
    files = list(out.iterdir())
    return len(files), sum(f.stat().st_size for f in files) / 1024


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--steps", type=int, default=500_000)
    parser.add_argument("--database", default=None, help="an empty PostgreSQL database's URL; default: an SQLite file")
    args = parser.parse_args()
    rng = random.Random(17)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite+aiosqlite:///{tmp}/bench.db"
        t0 = time.perf_counter()
        rows = quarter_counts(date(2026, 10, 1), args.requests, args.steps, rng)
        rows += quarter_counts(date(2025, 10, 1), args.requests * 9 // 10, args.steps * 9 // 10, rng)
        await fill(url, rows)
        print(f"{len(rows):,} daily counter rows for Q4/2026 and Q4/2025 written in {time.perf_counter() - t0:.1f} s")
        env = {**os.environ, "ELTERNLOTSE_DATABASE_URL": url}
        command = [sys.executable, "-m", "bot.cli", "report", "--quarter", "2026Q4", "--out", f"{tmp}/out"]
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(*command, env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE)
        said, _ = await process.communicate()
        assert process.returncode == 0
        elapsed = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
        files, size = _files(Path(tmp, "out"))
        inside = said.decode().strip().splitlines()[-1]  # "took N s": reading and writing, without start-up
    print(f"report for {args.requests:,} requests and {args.steps:,} dialog steps: {elapsed:.1f} s (whole process, "
          f"start-up included; {inside}), {cpu:.1f} s of CPU, peak RSS {peak:.0f} MiB")  # fmt: skip
    print(f"{files} files, {size:.0f} KiB")
    print("(wall time grows with the machine's load; the CPU time is what the report itself needs)")
    print(f"target: under 10 s and under 300 MB: {'met' if elapsed < 10 and peak < 300 else 'NOT met'}")


if __name__ == "__main__":
    asyncio.run(main())
