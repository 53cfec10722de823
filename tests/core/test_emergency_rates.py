"""Recognition measured on realistic lines in every language, written by people who had not seen the patterns.

The issue's target is at least 95 % of emergencies recognised and at most 5 % false alarms in every language. It is
not reached yet in every language (see FLOORS and bench/emergency.py); until it is, this test holds each language
at what was last measured, so no change to the patterns makes recognition worse unnoticed. Raise a floor when a
language improves. The project judges itself on this set; an outside judge uses another set of the same kind that
nobody here has seen: improve the patterns for the meaning of a missed line, never by copying it.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from bot.core.emergency import Matcher

CASES = Path(__file__).resolve().parent.parent / "data" / "emergency_cases.tsv"
TARGET = (0.95, 0.05)  # recognised at least, false alarms at most
# Measured 2026-11-30 (bench/emergency.py): (emergencies recognised at least, false alarms at most), per language.
FLOORS: dict[str, tuple[float, float]] = {
    "ar": (0.891, 0.149),
    "bg": (0.866, 0.042),
    "de": (0.956, 0.077),
    "en": (0.938, 0.154),
    "fa": (0.913, 0.075),
    "ku": (0.923, 0.116),
    "pl": (0.953, 0.154),
    "ro": (0.969, 0.039),
    "ru": (0.933, 0.04),
    "tr": (0.938, 0.039),
    "uk": (0.909, 0.12),
}


def read_cases() -> dict[str, list[tuple[str, str]]]:
    cases: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with CASES.open(encoding="utf-8") as fh:
        for row in csv.reader((line for line in fh if not line.startswith("#")), delimiter="\t"):
            cases[row[0]].append((row[1], row[2]))
    return cases


CASE_LANGUAGES = sorted(read_cases())


def test_every_catalog_language_has_cases_of_every_category() -> None:
    cases = read_cases()
    assert set(cases) == {"de", "en", "ar", "tr", "uk", "ru", "ro", "bg", "fa", "ku", "pl"}
    for lang, rows in cases.items():
        categories = {category for category, _ in rows}
        assert len(categories) == 8, (lang, categories)  # seven kinds of emergency and the look-alikes
        assert sum(c != "none" for c, _ in rows) >= 25 and sum(c == "none" for c, _ in rows) >= 20


@pytest.mark.parametrize("lang", CASE_LANGUAGES)
def test_recognition_per_language_never_falls_below_what_was_measured(matcher: Matcher, lang: str) -> None:
    """With the language chosen and before a choice: the floor of each language, and never worse than the target."""
    cases = read_cases()[lang]
    emergencies = [text for category, text in cases if category != "none"]
    harmless = [text for category, text in cases if category == "none"]
    least, most = FLOORS.get(lang, TARGET)
    least, most = min(least, TARGET[0]), max(most, TARGET[1])
    for active in ({lang, "de", "en"}, None):
        missed = [text for text in emergencies if not matcher.detect(text, active)]
        alarms = [text for text in harmless if matcher.detect(text, active)]
        assert 1 - len(missed) / len(emergencies) >= least - 1e-9, f"{lang} {active}: missed {missed}"
        assert len(alarms) / len(harmless) <= most + 1e-9, f"{lang} {active}: false alarms {alarms}"
