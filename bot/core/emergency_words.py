"""Which pattern words a word of a text may be, in every script the families type: the pattern words indexed as
written, in Latin letters (Cyrillic transliterated, Persian and Sorani romanized) and without attached particles,
and a text word's ids looked up once and remembered. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from bot.core.emergency_latin import (
    CHAT_LETTERS,
    CYRILLIC_LANGUAGES,
    ROMAN_MIN,
    ROMANIZED_LANGUAGES,
    TRANSLIT_MIN,
    bulgarian_spellings,
    russian_spellings,
)
from bot.core.emergency_lexicon import Lexicon, Word
from bot.core.folding import fold, roman_skeleton, script_of, script_skeleton, skeleton, transliterations


class WordIndex:
    """Every pattern word of every language under an id; `ids` gives the ids a folded text word may be."""

    def __init__(self, prefixes: Mapping[str, Iterable[str]] | None = None) -> None:
        # Attached particles are a language's own: Arabic ب before a Persian word is part of that word.
        self._prefixes = {
            lang: sorted({fold(p) for p in values}, key=len) for lang, values in (prefixes or {}).items() if values
        }
        self.language_of: list[str] = []  # word id -> the language of its pattern
        self._main = Lexicon()
        self._translit = Lexicon()
        self._roman = Lexicon()
        self._ids: dict[tuple[str, Word], int] = {}
        # Words recur from message to message: a word's ids (with its typos, spellings and particles) are looked up
        # once (bench/emergency.py: p99 0.69 -> 0.44 ms a message). The ids are frozen: a caller replaces a set.
        self.ids = lru_cache(maxsize=1 << 16)(self._lookup)

    def finish(self) -> None:
        """Every pattern word is in: build the lookup tables."""
        self._main.finish()
        self._translit.finish()
        self._roman.finish()

    def word_id(self, language: str, word: Word) -> int:
        """The id of a pattern word of `language`, indexed as written and in the other scripts it is typed in."""
        key = (language, word)
        if key not in self._ids:
            wid = self._ids[key] = len(self._ids)
            self.language_of.append(language)
            self._main.add(word, word.text, wid)
            if language in CYRILLIC_LANGUAGES and script_of(word.text) == "cyrillic":
                spellings = bulgarian_spellings(word.text) if language == "bg" else {word.text}
                for latin in {latin for spelling in spellings for latin in transliterations(spelling, language)}:
                    # Short stems in Latin letters would match too much; short whole words ("ne") are fine.
                    if len(latin) >= (TRANSLIT_MIN if word.kind != "exact" else 2):
                        self._translit.add(word, latin, wid)
            romanized = language in ROMANIZED_LANGUAGES and script_of(word.text) == "arabic"
            if romanized and word.kind in ("exact", "prefix"):
                roman = script_skeleton(word.text)
                if len(roman.lstrip("-")) >= ROMAN_MIN + (word.kind == "prefix"):
                    self._roman.add(Word(word.kind, roman, False), roman, wid)
        return self._ids[key]

    def _lookup(self, token: str, roman: frozenset[str] = frozenset()) -> frozenset[int]:
        found = self._main.lookup(token)
        script = script_of(token)
        if script == "cyrillic":
            for variant in russian_spellings(token):
                found |= {wid for wid in self._main.lookup(variant, typos=False) if self.language_of[wid] == "ru"}
        if script == "arabic":
            for lang, prefixes in self._prefixes.items():
                for variant in self._stripped(token, prefixes):
                    found |= {wid for wid in self._main.lookup(variant) if self.language_of[wid] == lang}
        elif script == "latin" and not token.isdigit():
            # No typo forgiven in Latin letters: a transliterated word one letter off is too often a foreign one.
            found |= self._translit.lookup(skeleton(token), typos=False)
            if roman and token.isalnum():
                near = self._roman.lookup(roman_skeleton(token), typos=False)
                found |= {wid for wid in near if self.language_of[wid] in roman}
            if any(ch in token for ch in "w6q4"):  # chat spelling: "diwa", "di6a" = диша, "porqzah" = порязах
                found |= self._translit.lookup(skeleton(token.translate(CHAT_LETTERS)), typos=False)
        return frozenset(found)

    @staticmethod
    def _stripped(token: str, prefixes: list[str]) -> set[str]:
        """The word without attached particles (و، ب، ل، ال …), up to two of them."""
        out: set[str] = set()
        todo = [token]
        for _ in range(2):
            todo = [w[len(p) :] for w in todo for p in prefixes if w.startswith(p) and len(w) - len(p) >= 2]
            out.update(todo)
        return out
