"""The lexicon of the emergency matcher: which pattern words a folded text word is, forgiving one typo. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from rapidfuzz.distance import OSA

FUZZY_MIN = 5  # a typo is forgiven in words of five letters or more (stems: six)
SLIP_MIN = 8  # a word written =word forgives a missing, extra or swapped letter from this length on, never a wrong one


class Word(NamedTuple):
    """One literal of a pattern word: how it must stand in a text word (a tuple: hashed often while loading)."""

    kind: str  # exact | prefix | suffix | infix
    text: str
    fuzzy: bool
    slips: bool = False  # =word: a letter missing, extra or swapped ("umbrigen"), never a wrong one ("geschlafen")


@dataclass
class Lexicon:
    """Index of literal words to the ids of the pattern words they belong to, with one-typo lookup."""

    exact: dict[str, set[int]] = field(default_factory=dict)
    prefix: dict[str, set[int]] = field(default_factory=dict)
    suffix: dict[str, set[int]] = field(default_factory=dict)
    infix: dict[str, set[int]] = field(default_factory=dict)
    deletions: dict[str, set[str]] = field(default_factory=dict)  # literal minus one letter -> literals
    fuzzy_exact: dict[str, set[int]] = field(default_factory=dict)
    fuzzy_prefix: dict[str, set[int]] = field(default_factory=dict)
    slip_exact: dict[str, set[int]] = field(default_factory=dict)

    def add(self, word: Word, text: str, wid: int) -> None:
        getattr(self, word.kind).setdefault(text, set()).add(wid)
        if word.fuzzy and word.kind in ("exact", "prefix") and len(text) >= FUZZY_MIN + (word.kind == "prefix"):
            (self.fuzzy_exact if word.kind == "exact" else self.fuzzy_prefix).setdefault(text, set()).add(wid)
        elif word.slips and word.kind == "exact" and len(text) >= SLIP_MIN:
            self.slip_exact.setdefault(text, set()).add(wid)
        else:
            return
        for variant in _deletions(text) | {text}:
            self.deletions.setdefault(variant, set()).add(text)

    def finish(self) -> None:
        self._prefix_lengths = sorted({len(k) for k in self.prefix})
        self._suffix_lengths = sorted({len(k) for k in self.suffix})
        self._fuzzy_lengths = sorted({len(k) for k in self.fuzzy_prefix})
        # A word more than one letter longer than every literal forgiven a typo is none of them: not even looked
        # for (a 4,096-letter "word" would otherwise make 4,096 variants of itself, each as long).
        self._longest_near = 1 + max((len(k) for k in (*self.fuzzy_exact, *self.slip_exact)), default=0)
        self._infixes = list(self.infix.items())

    def lookup(self, token: str, typos: bool = True) -> set[int]:
        found: set[int] = set(self.exact.get(token, ()))
        for length in self._prefix_lengths:
            if length > len(token):
                break
            found.update(self.prefix.get(token[:length], ()))
        for length in self._suffix_lengths:
            if length > len(token):
                break
            found.update(self.suffix.get(token[-length:], ()))
        for part, ids in self._infixes:
            if part in token:
                found.update(ids)
        if typos and len(token) >= FUZZY_MIN - 1:
            found.update(self._typos(token))
        return found

    def _typos(self, token: str) -> set[int]:
        found: set[int] = set()
        for literal in self._near(token) if len(token) <= self._longest_near else ():
            if literal in self.fuzzy_exact and OSA.distance(token, literal, score_cutoff=1) <= 1:
                found.update(self.fuzzy_exact[literal])
            if literal in self.slip_exact and _slipped(token, literal):
                found.update(self.slip_exact[literal])
        if not self._fuzzy_lengths:
            return found
        shortest, longest = self._fuzzy_lengths[0] - 1, min(len(token), self._fuzzy_lengths[-1] + 1)
        for cut in range(max(shortest, FUZZY_MIN), longest + 1):
            head = token[:cut]
            for literal in self._near(head):
                # A stem's typo may not be its first letters: few people mistype those, many words differ there.
                if literal in self.fuzzy_prefix and literal[:2] == head[:2]:
                    if OSA.distance(head, literal, score_cutoff=1) <= 1:
                        found.update(self.fuzzy_prefix[literal])
        return found

    def _near(self, text: str) -> set[str]:
        near: set[str] = set(self.deletions.get(text, ()))
        for variant in _deletions(text):
            near.update(self.deletions.get(variant, ()))
        return near


def _slipped(token: str, literal: str) -> bool:
    """One letter missing, extra, or two swapped; a wrong letter is another word too often ("geschlafen")."""
    if len(token) != len(literal):
        return OSA.distance(token, literal, score_cutoff=1) <= 1
    return token != literal and sorted(token) == sorted(literal) and OSA.distance(token, literal, score_cutoff=1) <= 1


def _deletions(text: str) -> set[str]:
    return {text[:i] + text[i + 1 :] for i in range(len(text))}
