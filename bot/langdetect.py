"""Which enabled language a typed line is in, offline: lingua (low-accuracy mode, its models ship in the wheel),
restricted to the enabled languages, plus cues of their own for Kurmanji and Sorani, which lingua lacks.

Loaded once when the app is assembled; a guess costs tens of microseconds (bench/langdetect.py). Nothing typed is
kept: the text is looked at and forgotten.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from bot.core.i18n import LANGUAGES

LINGUA: dict[str, Language] = {
    "de": Language.GERMAN, "en": Language.ENGLISH, "ar": Language.ARABIC, "tr": Language.TURKISH,
    "uk": Language.UKRAINIAN, "ru": Language.RUSSIAN, "ro": Language.ROMANIAN, "bg": Language.BULGARIAN,
    "fa": Language.PERSIAN, "pl": Language.POLISH,
}  # fmt: skip
CONFIDENT = 0.9  # lingua's share for its best guess; below it we say nothing
# Sorani writes letters neither Persian nor Arabic uses: ێ ۆ ڵ ڕ ە (and ھ for h).
_SORANI = re.compile("[\u06ce\u06c6\u06b5\u0695\u06d5]")
# Kurmanji: ê, î, û and "xw" are rare in Turkish; one of them together with a Kurmanji word is a safe sign.
_KURMANJI_LETTERS = re.compile(r"[êîûÊÎÛ]|xw", re.IGNORECASE)
_KURMANJI_WORDS = frozenset(
    "ez tu em hûn ew min te me we wan ji bi bo di de li ku çi çawa kî heye nîne ne û jî zarok zarokê zarokên "
    "alîkarî alîkariyê dixwazim dikarim nikarim hewce kurê keça malê malbat spas silav rojbaş".split()
)
_WORD = re.compile(r"\w+", re.UNICODE)


class TypedLanguage:
    """Guesses the language of a typed line among the enabled languages, or says nothing."""

    def __init__(self, enabled: Iterable[str]) -> None:
        codes = [c for c in dict.fromkeys(_family(c) for c in enabled) if c in LANGUAGES or c == "ckb"]
        self.enabled = frozenset(codes)
        known = [LINGUA[c] for c in codes if c in LINGUA]
        self._by_lingua = {LINGUA[c]: c for c in codes if c in LINGUA}
        self._detector: LanguageDetector | None = None
        if len(known) >= 2:
            builder = LanguageDetectorBuilder.from_languages(*known)
            self._detector = builder.with_low_accuracy_mode().with_preloaded_language_models().build()

    def __call__(self, text: str) -> str | None:
        """The enabled language the text is confidently in, or None."""
        if "ckb" in self.enabled and _SORANI.search(text):
            return "ckb"
        if "ku" in self.enabled and _KURMANJI_LETTERS.search(text):
            words = {w.casefold() for w in _WORD.findall(text)}
            if words & _KURMANJI_WORDS:
                return "ku"
        if self._detector is None:
            return None
        values = self._detector.compute_language_confidence_values(text)
        if not values or values[0].value < CONFIDENT:
            return None
        return self._by_lingua.get(values[0].language)


def _family(code: str) -> str:
    """Easy German is German to a detector."""
    return "de" if code == "de_easy" else code
