"""What typing a choice costs against pressing it, and what the stored list adds to each saved session.

The engine alone (no storage), at the main menu in Arabic on a platform without buttons: a press, a typed number,
a typed label in Arabic and in German, and a typed line that matches nothing (the floor). Prints µs per step
(median of --rounds runs of --steps steps each) and the session's JSON size with and without the stored list.

    .venv/bin/python bench/choices.py [--steps 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.core.dialogs import load_content
from bot.core.emergency_file import load_matcher
from bot.core.engine import Context, step
from bot.core.events import Command, Event, Pressed, Session, Text
from bot.core.hours_file import load_hours
from bot.core.i18n import load_i18n

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["de", "en", "ar", "tr", "uk", "ru", "ro", "bg", "fa", "ku", "pl"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    content, _ = load_content(ROOT / "dialogs" / "flows")
    matcher, _ = load_matcher(ROOT / "locales", LANGUAGES)
    i18n = load_i18n(ROOT / "locales", LANGUAGES)
    hours = load_hours(ROOT / "dialogs" / "hours.yaml")
    params = {"office_emergency": "+49 234 000000", "office_phone": "+49 234 111111", "retention_days": "30"}
    ctx = Context(content, i18n, hours, datetime(2026, 11, 25, 11, tzinfo=UTC), params, matcher, buttons=False)
    menu, _ = step(Session(lang="ar"), Command("start"), ctx)
    assert menu.offer is not None
    housing = menu.offer.choices[1]
    cases: dict[str, Event] = {
        "press": Pressed(housing.data),
        "typed number": Text("2"),
        "typed label (Arabic)": Text(housing.label),
        "typed label (German)": Text(housing.german.upper()),
        "typed, no match": Text("ich weiß nicht genau"),
    }
    for name, event in cases.items():
        rounds = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            for _ in range(args.steps):
                step(menu, event, ctx)
            rounds.append((time.perf_counter() - start) / args.steps * 1e6)
        print(f"{name:24} {statistics.median(rounds):8.1f} µs/step")
    with_list = len(json.dumps(menu.to_json(), ensure_ascii=False).encode())
    without = len(json.dumps({**menu.to_json(), "offer": None}, ensure_ascii=False).encode())
    print(f"session JSON at the Arabic menu: {with_list} bytes with the stored list, {without} without")


if __name__ == "__main__":
    main()
