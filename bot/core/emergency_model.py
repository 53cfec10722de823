"""A learned second opinion beside the emergency patterns: logistic regression over the character and word n-grams
of the folded line, trained by `elternlotse learn` on the labelled lines in tests/data and shipped as
`locales/emergency_model.npz`. Pure inference (numpy); training lives in `bot.emergency_learn`.

Why: on the lines of two blind authors held out until the model and its thresholds were fixed (rounds 20-21 of
session 9), the patterns alone recognised 85-90 %, patterns and model 98.5-98.7 % with fewer false alarms
(bench/emergency_model.py). The patterns stay the office's explicit knowledge; the model raises an alarm where they
found nothing and it is sure enough (ALARM), and silences a pattern's match only where it is sure there is no danger
(VETO), never in a short line and never a cry.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, pairwise
from pathlib import Path

import numpy as np

from bot.core.emergency_context import Category
from bot.core.folding import words

FILENAME = "emergency_model.npz"
CHARS = range(2, 6)  # character n-grams of each word padded with a space on both sides (" kind ")
# Chosen by leaving each of rounds 15-19 out of training in turn (the other rounds in): patterns + model recognised
# 97.6 % of their emergencies with 2.8 % false alarms (0.8 / 0.2: 96.2 % / 2.2 %); see bench/emergency_model.py.
# A veto from 0.3 would save 0.4 points of false alarms but silenced a threat of genital cutting (0.26).
ALARM = 0.7  # the model alone raises an alarm from this probability on, where no pattern matched
# From this probability the kind the model finds likeliest leads a pattern's match (first where the patterns found it
# too, else second): "er krampft, früher hatte er das auch" (0.06, a seizure) got violence beside it otherwise.
LEAD = 0.5
VETO = 0.2  # below this probability a pattern's match is taken for a look-alike (never a cry)
# A short line gives the model too little to judge: "не" (no) alone scored 0.99, "Mein Kind hat einen Anfall." 0.06.
ALARM_WORDS = 3  # the model raises an alarm only in a line of at least so many words
VETO_WORDS = 8  # and silences a pattern's match only in a line of at least so many


def grams(text: str) -> tuple[list[str], list[str]]:
    """The features of a line: character n-grams inside its words, and its words and pairs of neighbouring words."""
    return grams_of(words(text))


def grams_of(found: list[str], chars: bool = True) -> tuple[list[str], list[str]]:
    padded = [f" {word} " for word in found] if chars else []
    grams = [w[i : i + n] for w in padded for n in CHARS for i in range(len(w) - n + 1)]
    longer = [w for w in found if len(w) > 1]
    # "#" stands in no word: the word "ist" and the character n-gram "ist" are two features.
    return grams, [f"#{w}" for w in longer] + [f"#{a} {b}" for a, b in pairwise(longer)]


@dataclass(frozen=True)
class Judgement:
    """The model's view of a line: how likely an emergency, and which kinds it most resembles."""

    probability: float
    categories: tuple[Category, ...]  # the two kinds it most resembles, likelier first (asked for, alarm or leads)
    words: int

    @property
    def alarm(self) -> bool:
        """Whether the model alone raises an alarm, where no pattern matched."""
        return self.probability >= ALARM and self.words >= ALARM_WORDS

    @property
    def leads(self) -> bool:
        """Whether the kind it finds likeliest leads a pattern's match (LEAD)."""
        return self.probability >= LEAD and self.words >= ALARM_WORDS

    @property
    def veto(self) -> bool:
        """Whether the model takes a pattern's match for a look-alike."""
        return self.probability < VETO and self.words >= VETO_WORDS


class Model:
    """Vocabulary, inverse document frequencies and the weights of two logistic regressions (emergency or not;
    which category), as `bot.emergency_learn` wrote them."""

    def __init__(
        self,
        vocabulary: list[str],
        idf: np.ndarray,
        weights: np.ndarray,
        intercepts: np.ndarray,
        categories: list[Category],
        chars: int,
        source: str,
    ) -> None:
        self.index = {gram: i for i, gram in enumerate(vocabulary)}
        self.chars = chars  # the first `chars` entries of the vocabulary are character n-grams, the rest words
        self.idf = idf.astype(np.float64)
        # Emergency or not is asked of every line: plain Python lists are quicker for a few hundred features than
        # numpy's small arrays (p99 0.7 -> 0.3 ms a line); the kinds are computed with numpy, and only when needed.
        self._alarm = (self.idf * weights[:, 0].astype(np.float64)).tolist()
        self._squared = (self.idf * self.idf).tolist()
        self._bias = float(intercepts[0])
        self.kinds = weights[:, 1:].astype(np.float64)
        self.kind_bias = intercepts[1:].astype(np.float64)
        self.categories = categories
        self.source = source  # a digest of the labelled lines it was trained on
        # Words recur from message to message: the rows of a word's character n-grams are looked up once.
        self._char_rows = lru_cache(maxsize=1 << 16)(self._rows_of_word)

    def _rows_of_word(self, word: str) -> tuple[int, ...]:
        padded = f" {word} "
        rows = map(self.index.get, [padded[i : i + n] for n in CHARS for i in range(len(padded) - n + 1)])
        return tuple(i for i in rows if i is not None)

    def judge(self, text: str, kinds: bool = False) -> Judgement:
        """The model's view of text; the kinds it resembles when asked for, or where they count (alarm, leads)."""
        found = words(text)
        parts = (
            Counter(chain.from_iterable(map(self._char_rows, found))),
            Counter(i for i in map(self.index.get, grams_of(found, chars=False)[1]) if i is not None),
        )
        score = self._bias
        norms: list[float] = []
        for counts in parts:
            if not counts:
                norms.append(0.0)
                continue
            # Most n-grams occur once in a line (tf 1): summed at C speed; the few repeated ones add the rest of
            # their tf = 1 + ln(count), as the training's sublinear tf-idf does.
            dot = sum(map(self._alarm.__getitem__, counts))
            length = sum(map(self._squared.__getitem__, counts))
            for i, count in counts.items():
                if count > 1:
                    tf = 1.0 + math.log(count)
                    dot += (tf - 1.0) * self._alarm[i]
                    length += (tf * tf - 1.0) * self._squared[i]
            norm = math.sqrt(length)
            norms.append(norm)
            score += dot / norm
        probability = 0.5 * (1.0 + math.tanh(score / 2))  # the logistic function, without overflow
        # Numbers are no words here: "Vormittags (9–12 Uhr)" and "0234 1234567 Durchwahl 12" raised alarms.
        count = sum(not word.isdigit() for word in found)
        judged = Judgement(probability, (), count)
        if not (kinds or judged.alarm or judged.leads):
            return judged
        scores = self.kind_bias.copy()
        for counts, norm in zip(parts, norms, strict=True):
            if counts:
                at = list(counts)
                tfs = np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(at))) + 1.0
                scores += (tfs * self.idf[at] / norm) @ self.kinds[at]
        likeliest = np.argsort(-scores, kind="stable")[:2]
        return Judgement(probability, tuple(self.categories[int(i)] for i in likeliest), count)


def load_model(locales_dir: Path) -> Model | None:
    """The shipped model, or None when there is none (the patterns then decide alone)."""
    path = locales_dir / FILENAME
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as data:
        vocabulary = str(data["vocabulary"]).split("\n")
        return Model(
            vocabulary,
            data["idf"],
            data["weights"],
            data["intercepts"],
            [Category(name) for name in str(data["categories"]).split("\n")],
            int(data["chars"]),
            str(data["source"]),
        )
