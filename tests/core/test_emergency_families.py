"""Families of emergencies the outside judges found missing, in sentences of our own, and their look-alikes.

The lines live in tests/data/emergency_families.tsv (one source: the emergency model learns from the same file).
The judges' own sentences are in their sets in tests/data; these are other sentences of the same meaning (other
words, word orders, persons), so a family is tested, not a line. They guard the patterns alone, what the office's
files say: each family is recognised with the language chosen and before a choice, with its own kind among the
leads; each everyday look-alike stays silent either way.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.core.emergency import Category, Matcher
from bot.core.emergency_pattern import pattern_language

FILE = Path(__file__).resolve().parent.parent / "data" / "emergency_families.tsv"


def read_families() -> tuple[list[tuple[str, str, Category]], list[tuple[str, str]]]:
    """The families (lang, sentence, category) and the look-alikes (lang, sentence) of the file."""
    with FILE.open(encoding="utf-8") as fh:
        rows = list(csv.reader((line for line in fh if not line.startswith("#")), delimiter="\t"))
    assert rows and all(len(row) == 3 for row in rows)
    families = [(lang, text, Category(category)) for lang, category, text in rows if category != "none"]
    look_alikes = [(lang, text) for lang, category, text in rows if category == "none"]
    return families, look_alikes


FAMILIES, LOOK_ALIKES = read_families()


def test_the_file_holds_families_of_every_kind_and_their_look_alikes() -> None:
    assert {category for _, _, category in FAMILIES} == set(Category)
    assert len(FAMILIES) >= 200 and len(LOOK_ALIKES) >= 100


@pytest.mark.parametrize(("lang", "text", "category"), FAMILIES)
def test_families_the_judges_found_missing_are_recognised_in_other_words(
    patterns_alone: Matcher, lang: str, text: str, category: Category
) -> None:
    for active in ({pattern_language(lang), "de", "en"}, None):
        assert category in patterns_alone.detect(text, active).categories, (text, active)


@pytest.mark.parametrize(("lang", "text"), LOOK_ALIKES)
def test_their_everyday_look_alikes_raise_no_alarm(patterns_alone: Matcher, lang: str, text: str) -> None:
    for active in ({pattern_language(lang), "de", "en"}, None):
        assert not patterns_alone.detect(text, active), (text, active)
