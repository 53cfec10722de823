"""Recognition measured on realistic lines in every language, written by people who had not seen the patterns.

The issue's target is at least 95 % of emergencies recognised and at most 5 % false alarms in every language, and
every language meets it on this set (bench/emergency.py). A language that falls below it fails here. Beware: this
set has been tuned to. Its second half is the first outside judge's held-out set (826 lines, another author),
appended once it had been measured blind (89.3 % recognised, 3.6 % false alarms); an outside judge uses another set
of the same kind that nobody here has seen, where the figures are lower. Improve the patterns and the context words
for the MEANING of a missed line, never by copying it.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from bot.core.emergency import Matcher
from bot.core.emergency_pattern import pattern_language

CASES = Path(__file__).resolve().parent.parent / "data" / "emergency_cases.tsv"
# What parents type to the bot every day (a Kita place, a form, a normal fever, "ok", "2"): no alarm at all. A bot that
# shows the emergency screen for a lost birth certificate teaches families to skip it.
EVERYDAY = CASES.with_name("everyday_lines.tsv")
SHORT_EVERYDAY = CASES.with_name("everyday_short_lines.tsv")  # 1-8 words: answers, contact, the chat itself
TARGET = (0.95, 0.05)  # recognised at least, false alarms at most
# A language that does not meet the target may be held at its last measured figure here (never looser than
# before), so no change makes it worse unnoticed; every language meets the target today.
FLOORS: dict[str, tuple[float, float]] = {}


def read_cases(path: Path = CASES) -> dict[str, list[tuple[str, str]]]:
    cases: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with path.open(encoding="utf-8") as fh:
        for row in csv.reader((line for line in fh if not line.startswith("#")), delimiter="\t"):
            cases[row[0]].append((row[1], row[2]))
    return cases


CASE_LANGUAGES = sorted(read_cases())


def test_every_catalog_language_has_cases_of_every_category() -> None:
    cases = read_cases()
    assert set(cases) == {"de", "de_easy", "en", "ar", "tr", "uk", "ru", "ro", "bg", "fa", "ku", "pl", "ckb"}
    for lang, rows in cases.items():
        categories = {category for category, _ in rows}
        assert len(categories) == 8, (lang, categories)  # seven kinds of emergency and the look-alikes
        assert sum(c != "none" for c, _ in rows) >= 25 and sum(c == "none" for c, _ in rows) >= 20
    for lang in ("de_easy", "ckb"):  # issue 16: Easy German and Sorani pass the same set, not a token one
        assert sum(c != "none" for c, _ in cases[lang]) >= 45 and sum(c == "none" for c, _ in cases[lang]) >= 45


@pytest.mark.parametrize("lang", CASE_LANGUAGES)
def test_every_language_recognises_95_percent_with_at_most_5_percent_false_alarms(matcher: Matcher, lang: str) -> None:
    """With the language chosen and before a choice: the target, or a held floor that is never looser."""
    cases = read_cases()[lang]
    emergencies = [text for category, text in cases if category != "none"]
    harmless = [text for category, text in cases if category == "none"]
    least, most = FLOORS.get(lang, TARGET)
    least, most = min(least, TARGET[0]), max(most, TARGET[1])
    for active in ({pattern_language(lang), "de", "en"}, None):  # Easy German reads with the German patterns
        missed = [text for text in emergencies if not matcher.detect(text, active)]
        alarms = [text for text in harmless if matcher.detect(text, active)]
        assert 1 - len(missed) / len(emergencies) >= least - 1e-9, f"{lang} {active}: missed {missed}"
        assert len(alarms) / len(harmless) <= most + 1e-9, f"{lang} {active}: false alarms {alarms}"


@pytest.mark.parametrize("lang", CASE_LANGUAGES)
def test_no_everyday_line_raises_an_alarm(matcher: Matcher, lang: str) -> None:
    """Everyday lines, with the language chosen and before a choice: not one alarm."""
    lines = read_cases(EVERYDAY)[lang]
    assert len(lines) >= 60 and {category for category, _ in lines} == {"none"}
    for active in ({pattern_language(lang), "de", "en"}, None):
        alarms = [text for _, text in lines if matcher.detect(text, active)]
        assert not alarms, f"{lang} {active}: false alarms {alarms}"


@pytest.mark.parametrize("lang", CASE_LANGUAGES)
def test_no_short_everyday_line_raises_an_alarm_once_a_language_is_chosen(matcher: Matcher, lang: str) -> None:
    """Regression: "بە هەڵە لێمدا" (I pressed it by mistake) was a beating (Sorani لێمدا is "I hit", not "hit me").
    Before a choice two of these 1,040 lines still alarm, through other languages' patterns (Kurmanji "dawi" read as
    Bulgarian "дави", Sorani "باڵانسم" as Arabic poisoning): every language's patterns are active then."""
    lines = read_cases(SHORT_EVERYDAY)[lang]
    assert len(lines) >= 80 and {category for category, _ in lines} == {"none"}
    alarms = [text for _, text in lines if matcher.detect(text, {pattern_language(lang), "de", "en"})]
    assert not alarms, f"{lang}: false alarms {alarms}"
