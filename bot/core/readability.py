"""How easy a German or Easy German text is to read: LIX (Björnsson's Läsbarhetsindex). Pure.

LIX = words per sentence + 100 × long words / words, where a long word has more than six letters. Under 30 reads
like a children's book, 40 like a tabloid, 50 like a newspaper, 60 like an official letter. German administrative
text is usually 50–60; Easy German (Einfache Sprache) should stay at or below EASY_LIX_MAX in every text long enough
to measure (at least MIN_WORDS words: a button label or a heading says too little for a figure).

Counting, so that the figure cannot be gamed: placeholders ({reference}), commands (/start), digits and emoji are
not words; a hyphenated compound (Telefon-Nummer) is one word with the letters of both parts; a sentence ends at
. ! ? : ; or a new line (every bullet of a list is a sentence).
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

EASY_LANGUAGE = "de_easy"
EASY_LIX_MAX = 40.0
MIN_WORDS = 10
LONG_WORD = 6  # letters; a word with more is long

_SKIP = re.compile(r"\{[^}]*\}|/[a-z_]+")
_WORD = re.compile(r"[^\W\d_]+(?:[-‐'’][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?:;\n]+")


@dataclass(frozen=True)
class Score:
    """The counts behind one text's LIX."""

    words: int
    sentences: int
    long_words: int

    @property
    def lix(self) -> float:
        return self.words / self.sentences + 100 * self.long_words / self.words


def score(text: str) -> Score | None:
    """The LIX counts of a text, or None when it has fewer than MIN_WORDS words."""
    sentences = 0
    words: list[str] = []
    for part in _SENTENCE_END.split(_SKIP.sub(" ", text)):
        found = _WORD.findall(part)
        if found:
            sentences += 1
            words += found
    if len(words) < MIN_WORDS:
        return None
    long_words = sum(1 for word in words if sum(ch.isalpha() for ch in word) > LONG_WORD)
    return Score(len(words), sentences, long_words)


@dataclass(frozen=True)
class Measured:
    """One source text measured in German and, where there is one, in Easy German."""

    file: str
    line: int
    node: str
    german: Score
    easy: Score | None


def measure(texts: list[tuple[str, str, int, str]], easy: dict[str, str]) -> list[Measured]:
    """Every (msgid, file, line, node) long enough to measure, with its Easy German translation's figure."""
    found: list[Measured] = []
    seen: set[str] = set()
    for msgid, file, line, node in texts:
        german = score(msgid)
        if german is None or msgid in seen:
            continue
        seen.add(msgid)
        translated = easy.get(msgid)
        found.append(Measured(file, line, node, german, score(translated) if translated else None))
    return found


def too_hard(measured: list[Measured]) -> list[Measured]:
    """The Easy German texts above the threshold."""
    return [m for m in measured if m.easy is not None and m.easy.lix > EASY_LIX_MAX]


def report(measured: list[Measured]) -> list[str]:
    """One line a text (German and Easy German LIX), then the distribution of each."""
    lines = [f"readability (LIX; Easy German at most {EASY_LIX_MAX:.0f}, texts of {MIN_WORDS}+ words):"]
    for m in measured:
        easy = f"{m.easy.lix:5.1f}" if m.easy is not None else "    –"
        lines.append(f"  LIX de {m.german.lix:5.1f}  de_easy {easy}  {m.file}:{m.line} {m.node}")
    for name, values in (
        ("de", [m.german.lix for m in measured]),
        ("de_easy", [m.easy.lix for m in measured if m.easy is not None]),
    ):
        if values:
            lines.append(f"  {name}: {distribution(values)}")
    return lines


def distribution(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return (
        f"{len(values)} texts, min {ordered[0]:.1f}, median {statistics.median(ordered):.1f}, "
        f"90th percentile {p90:.1f}, max {ordered[-1]:.1f}"
    )
