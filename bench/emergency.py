"""Emergency recognition: rates per language on tests/data/emergency_cases.tsv, speed and memory of the matcher.

    .venv/bin/python bench/emergency.py [--cases FILE] [--rounds N] [--misses]

Prints, per language, recognised emergencies and false alarms with the language chosen (its patterns, German and
English) and before a choice (every language's patterns); then messages/s and latency percentiles of `detect` over
every line of the set, against a baseline measured in the same run (folding and splitting the text alone), first on a
fresh matcher (each line once, nothing of its words known yet), then over several rounds; the longest messages a
chat lets through; and the process's peak RSS.
It never prints a line of the cases: a held-out set stays unseen by whoever runs it.
`--misses` lists the missed emergencies and false alarms of the project's own set (tests/data) and of no other file,
for whoever maintains the patterns.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.emergency_file import load_matcher  # noqa: E402
from bot.core.emergency_pattern import pattern_language  # noqa: E402
from bot.core.folding import MAX_TOKENS, WORD, fold  # noqa: E402

LANGUAGES = ["de", "en", "ar", "tr", "uk", "ru", "ro", "bg", "fa", "ku", "pl", "ckb"]
DEV_DIR = (ROOT / "tests" / "data").resolve()


def chosen(lang: str) -> set[str]:
    """The patterns active for a family that chose `lang`: its own (Easy German reads German), German and English."""
    return {pattern_language(lang), "de", "en"}


def share(part: int, whole: int, width: int = 6) -> str:
    """A rate as the table prints it; a set without lines of a kind (everyday lines only) shows a dash."""
    return f"{part / whole:{width}.1%}" if whole else f"{'-':>{width}}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=Path, default=ROOT / "tests" / "data" / "emergency_cases.tsv")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--misses", action="store_true", help="list the misses of the project's own set")
    args = parser.parse_args()
    if args.misses and args.cases.resolve().parent != DEV_DIR:
        parser.error("--misses lists sentences of the project's own set only (tests/data): a held-out set stays unseen")

    started = time.perf_counter()
    matcher, problems = load_matcher(ROOT / "locales", LANGUAGES)
    load_ms = (time.perf_counter() - started) * 1000
    if problems:
        print("pattern problems:", *problems, sep="\n  ")
        return 1
    cases: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with args.cases.open(encoding="utf-8") as fh:
        for row in csv.reader((line for line in fh if not line.startswith("#")), delimiter="\t"):
            cases[row[0]].append((row[1], row[2]))

    # The matcher keeps what it learnt of a word (its pattern ids, its n-gram rows): the first sight of each line,
    # before anything else ran, is timed on its own, as a message of new words would be.
    lines = [(lang, text) for lang, rows in cases.items() for _, text in rows]
    first_sight: list[float] = []
    for lang, text in lines:
        t0 = time.perf_counter_ns()
        matcher.detect(text, chosen(lang))
        first_sight.append((time.perf_counter_ns() - t0) / 1e6)

    print(f"{len(matcher.patterns)} patterns in {len(matcher.languages)} languages, loaded in {load_ms:.0f} ms\n")
    print("lang  emergencies  recognised (chosen / none chosen)  right category  false alarms (chosen / none)")
    totals = [0, 0, 0, 0, 0, 0, 0]
    for lang in sorted(cases):
        rows = cases[lang]
        active = chosen(lang)
        emergencies = [(c, t) for c, t in rows if c != "none"]
        harmless = [t for c, t in rows if c == "none"]
        hit_chosen = sum(bool(matcher.detect(t, active)) for _, t in emergencies)
        hit_none = sum(bool(matcher.detect(t, None)) for _, t in emergencies)
        right = sum(c in [x.value for x in matcher.detect(t, active).categories[:1]] for c, t in emergencies)
        fa_chosen = sum(bool(matcher.detect(t, active)) for t in harmless)
        fa_none = sum(bool(matcher.detect(t, None)) for t in harmless)
        n, h = len(emergencies), len(harmless)
        print(
            f"{lang:4}  {n:11}  {share(hit_chosen, n)} / {share(hit_none, n)}"
            f"{'':20}{share(right, n)}  {fa_chosen:3}/{h} ({share(fa_chosen, h, 4)})"
            f" / {fa_none:3}/{h} ({share(fa_none, h, 4)})"
        )
        for i, value in enumerate((n, hit_chosen, hit_none, right, h, fa_chosen, fa_none)):
            totals[i] += value
    n, hit_chosen, hit_none, right, h, fa_chosen, fa_none = totals
    print(
        f"all   {n:11}  {share(hit_chosen, n)} / {share(hit_none, n)}{'':20}{share(right, n)}  "
        f"{fa_chosen:3}/{h} ({share(fa_chosen, h, 4)}) / {fa_none:3}/{h} ({share(fa_none, h, 4)})\n"
    )

    if args.misses:
        for lang in sorted(cases):
            for category, text in cases[lang]:
                found = matcher.detect(text, chosen(lang))
                if category == "none" and found:
                    print(f"false alarm  {lang}  {'/'.join(c.value for c in found.categories)}: {text}")
                elif category != "none" and not found:
                    print(f"missed       {lang}  {category}: {text}")
        print()

    print(
        f"{'detect, first sight':26} {len(first_sight) / (sum(first_sight) / 1000):9,.0f} msg/s"
        f"  p50 {statistics.median(first_sight):.3f} ms  p99 {percentile(first_sight, 0.99):.3f} ms"
        f"  max {max(first_sight):.3f} ms  (every line once, the matcher fresh: nothing of its words known yet)"
    )
    for label, work in (
        ("baseline: fold + split", lambda lang, text: WORD.findall(fold(text))[:MAX_TOKENS]),
        ("detect, language chosen", lambda lang, text: matcher.detect(text, chosen(lang))),
        ("detect, none chosen", lambda lang, text: matcher.detect(text, None)),
    ):
        timings: list[float] = []
        cpu: list[float] = []
        best = [float("inf")] * len(lines)
        begin = time.perf_counter()
        for _ in range(args.rounds):
            for i, (lang, text) in enumerate(lines):
                c0, t0 = time.thread_time_ns(), time.perf_counter_ns()
                work(lang, text)
                took = (time.perf_counter_ns() - t0) / 1e6
                cpu.append((time.thread_time_ns() - c0) / 1e6)
                timings.append(took)
                best[i] = min(best[i], took)
        elapsed = time.perf_counter() - begin
        rate = len(timings) / elapsed
        if label.startswith("baseline"):
            base = statistics.median(timings)
        p50, p99 = statistics.median(timings), percentile(timings, 0.99)
        # What the matcher costs without the pauses of a busy machine (other processes on 2 cores): the p99 of each
        # line's fastest round, and the p99 of the CPU time this thread spent (clock time includes being preempted).
        print(
            f"{label:26} {rate:9,.0f} msg/s  p50 {p50:.3f} ms  p99 {p99:.3f} ms  max {max(timings):.3f} ms"
            f"  p99 of best rounds {percentile(best, 0.99):.3f} ms  p99 CPU {percentile(cpu, 0.99):.3f} ms"
            f"  (p50 = {p50 / base:.1f}× baseline)"
        )
    # The longest messages a chat lets through (Telegram: 4,096 characters): the set's words at random, one endless
    # Latin word, one endless Arabic word (each a worst case of another step), each read once on a matcher that knows
    # them not, and before a language is chosen (every language's patterns).
    rng = random.Random(11)
    vocabulary = [word for _, text in lines for word in text.split()]
    longest = {
        "4,096 characters of words": " ".join(rng.choice(vocabulary) for _ in range(1000))[:4096],
        "one Latin word of 4,096 letters": "".join(rng.choice("abcdefghijklmnoprstuvz") for _ in range(4096)),
        "one Arabic word of 4,096 letters": "".join(rng.choice("ابتثجحخدذرزسشصضطظعغفقكلمنهوي") for _ in range(4096)),
    }
    for label, text in longest.items():
        t0 = time.perf_counter_ns()
        matcher.detect(text, None)
        print(f"{'longest message: ' + label:50} {(time.perf_counter_ns() - t0) / 1e6:7.1f} ms")
    print(f"\npeak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
