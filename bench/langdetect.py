"""What recognising the language of typed text costs: loading the detector once, one guess, and a whole engine
step for a typed line with and without the detector (the hot path a family's text takes).

Prints the load time, the RSS the models add, the per-message cost (mean, p50, p99) of a guess over lines in
every enabled language, and the engine's per-step cost for typed lines with and without the detector.

    .venv/bin/python bench/langdetect.py [--rounds 200]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.core.dialogs import load_content
from bot.core.emergency_file import load_matcher
from bot.core.engine import Context, step
from bot.core.events import Session, Text
from bot.core.hours_file import load_hours
from bot.core.i18n import load_i18n
from bot.langdetect import TypedLanguage

ROOT = Path(__file__).resolve().parent.parent
ENABLED = ["de", "en", "ar", "tr", "uk", "ru", "ro", "bg", "fa", "ku", "pl"]
LINES = [
    "Ich brauche Hilfe wegen eines Briefs vom Jobcenter",
    "I need help with a letter from the job centre",
    "أحتاج مساعدة بخصوص رسالة من مركز العمل",
    "Jobcenter'dan gelen bir mektup için yardıma ihtiyacım var",
    "Мені потрібна допомога з листом від джобцентру",
    "Мне нужна помощь с письмом из джобцентра",
    "Am nevoie de ajutor cu o scrisoare de la Jobcenter",
    "Имам нужда от помощ с писмо от джобцентъра",
    "برای نامه‌ای از اداره کار به کمک نیاز دارم",
    "Ez ji bo nameyeke Jobcenterê alîkarî dixwazim",
    "Potrzebuję pomocy z listem z Jobcenter",
]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(name: str, seconds: list[float]) -> None:
    us = [s * 1e6 for s in seconds]
    mean, p50, p99 = statistics.fmean(us), percentile(us, 0.5), percentile(us, 0.99)
    print(f"{name}: mean {mean:.0f} µs, p50 {p50:.0f} µs, p99 {p99:.0f} µs")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()

    content, _ = load_content(ROOT / "dialogs" / "flows")
    hours = load_hours(ROOT / "dialogs" / "hours.yaml")
    i18n = load_i18n(ROOT / "locales", ENABLED)
    matcher, _ = load_matcher(ROOT / "locales", ENABLED)
    before = rss_mb()
    started = time.perf_counter()
    detector = TypedLanguage(ENABLED)
    load = time.perf_counter() - started
    print(f"load once ({len(ENABLED)} languages, low-accuracy mode): {load * 1000:.0f} ms, "
          f"peak RSS +{rss_mb() - before:.0f} MB (process {rss_mb():.0f} MB)")  # fmt: skip

    guesses: list[float] = []
    right = 0
    for _ in range(args.rounds):
        for lang, line in zip(ENABLED, LINES, strict=True):
            t = time.perf_counter()
            guess = detector(line)
            guesses.append(time.perf_counter() - t)
            right += guess == lang
    report(f"one guess ({len(guesses)} lines)", guesses)
    print(f"told apart: {right // args.rounds} of {len(LINES)} lines")

    now = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
    for label, guess_language in (("engine step, typed line, no detector", None), ("... with detector", detector)):
        ctx = Context(content, i18n, hours, now, {"office_emergency": "+49 234 000000"}, matcher,
                      guess_language=guess_language)  # fmt: skip
        times: list[float] = []
        for _ in range(args.rounds):
            for line in LINES:
                # A German family at the menu typing; the offer is not yet made, so the detector runs every time.
                session = Session(lang="de", at="main/menu")
                t = time.perf_counter()
                step(session, Text(line), ctx)
                times.append(time.perf_counter() - t)
        report(label, times)


if __name__ == "__main__":
    main()
