"""Lines typed in another script than their patterns': Cyrillic typed in Latin letters ("ubyu", "pechkata gori"),
Russian typed by ear ("пажар"), Bulgarian ъ typed "a" or "u", and Persian, Sorani and Arabic typed in Latin letters
(Finglish, Arabizi). Pure: the rules for when the matcher (bot.core.emergency) may read a word across scripts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import product

from bot.core.emergency_pattern import Pattern
from bot.core.folding import roman_skeleton, script_of

CYRILLIC_LANGUAGES = frozenset({"ru", "uk", "bg"})
# Typed in Latin letters by families who chose them (Finglish, Arabizi): their patterns are also looked for by
# consonant skeleton (bot.core.folding.roman_skeleton), never before a language is chosen.
ROMANIZED_LANGUAGES = frozenset({"fa", "ckb", "ar"})
# A line is read by consonant skeleton only if it holds one of the language's Latin marker words (`roman_markers:` in
# its emergency.yaml: a German or English line has none of them) or, for Arabizi, a letter-digit word ("3am").
ARABIZI = re.compile(r"[a-z]+[235679][a-z]*|[235679][a-z]+")
ROMAN_MIN = 2  # consonants a pattern word needs to be looked for in Latin letters (a stem: one more)
ROMAN_ALONE = 4  # consonants one Latin word needs to make a match alone ("entehar" would be "enter")
TRANSLIT_MIN = 4
# Bulgarian (and Russian) chat spelling: w or 6 for ш, q for я, 4 for ч ("di6a", "porqzah", "4ovek").
CHAT_LETTERS = str.maketrans({"w": "sh", "6": "sh", "q": "ya", "4": "ch"})
RUSSIAN_SOUND_MIN = 4  # letters a word needs before its Russian sound spellings are looked for (russian_spellings)


def russian_spellings(token: str) -> set[str]:
    """What a Russian word typed as it sounds may stand for: an unstressed о written а ("пажар", "паменял"; one at a
    time), and ы after ж or ш ("жыть"), which Russian never writes. Looked up for Russian patterns only, exactly."""
    if len(token) < RUSSIAN_SOUND_MIN:
        return set()
    found = {token[:i] + "о" + token[i + 1 :] for i, ch in enumerate(token) if ch == "а"}
    hushed = token.replace("жы", "жи").replace("шы", "ши")
    if hushed != token:
        found |= {hushed, *(hushed[:i] + "о" + hushed[i + 1 :] for i, ch in enumerate(hushed) if ch == "а")}
    return found


def bulgarian_spellings(word: str) -> set[str]:
    """Bulgarian ъ is typed "a" or "u", each on its own ("mazhat", "muzhat", "muzhut" for мъжът)."""
    parts = word.split("ъ")
    if len(parts) > 4:  # three ъ at most: no word needs more, and the spellings double with each
        return {word}
    return {
        "".join(p + s for p, s in zip(parts, (*choice, ""), strict=True))
        for choice in product("ъу", repeat=len(parts) - 1)
    }


def plausible(pattern: Pattern, positions: tuple[int, ...], folded: list[str]) -> bool:
    """A Cyrillic pattern or context met in Latin letters needs one longer word: "me ... bi" is everyday Kurdish.

    An exclusion or a context may be typed in Latin letters like the emergency it speaks for ("pechkata gori
    hubavo", "v proshlom godu u nas byl pozhar"); an exclusion there removes only the Cyrillic languages' meanings
    of its words (`in_latin`): a Polish line keeps its own.
    """
    if pattern.language in ROMANIZED_LANGUAGES and script_of(pattern.source) == "arabic":
        if any(script_of(folded[p]) == "arabic" for p in positions):
            return True
        if pattern.category is None and pattern.context is None:  # an exclusion stays in its own script
            return False
        # Two consonants are many words ("emta" and "amut"): one word of a match needs three, alone four.
        longest = max(len(roman_skeleton(folded[p]).lstrip("-")) for p in positions)
        return longest >= ROMAN_ALONE or (len(positions) > 1 and longest > ROMAN_MIN)
    if pattern.language not in CYRILLIC_LANGUAGES:
        return True
    return any(script_of(folded[p]) == "cyrillic" or len(folded[p]) >= TRANSLIT_MIN for p in positions)


def in_latin(pattern: Pattern, positions: tuple[int, ...], folded: list[str]) -> bool:
    """Whether a Cyrillic exclusion met its words (some of them) in Latin letters: then it removes only the
    Cyrillic languages' meanings of those words (digits belong to every script: "на 10 хвилин")."""
    return pattern.language in CYRILLIC_LANGUAGES and not all(
        script_of(folded[p]) == "cyrillic" or folded[p].isdigit() for p in positions
    )


def latin_exclusion_holds(positions: tuple[int, ...], folded: list[str]) -> bool:
    """A Cyrillic exclusion met in Latin letters holds only if every Latin word of it has TRANSLIT_MIN letters and
    one more: "na", "si", "bez", "tazi" are words of many languages and spellings ("muzhat mi kaza che tazi nosht
    shte ubie men" is a threat, not "тази жега ще ме убие")."""
    latin = [folded[p] for p in positions if script_of(folded[p]) != "cyrillic" and not folded[p].isdigit()]
    return all(len(w) >= TRANSLIT_MIN for w in latin) and any(len(w) > TRANSLIT_MIN for w in latin)


def romanized(folded: list[str], active: set[str] | None, markers: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """The chosen languages this line is typed for in Latin letters: a marker word of theirs stands in it."""
    if active is None:
        return frozenset()
    words = set(folded)
    return frozenset(
        lang
        for lang in active & ROMANIZED_LANGUAGES
        if words & markers.get(lang, frozenset()) or (lang == "ar" and any(ARABIZI.fullmatch(w) for w in words))
    )
