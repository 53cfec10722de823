"""The patterns of the emergency matcher: one line of a `locales/<lang>/emergency.yaml` parsed into slots of words.
Pure; `elternlotse check` reports a PatternError in words an office can act on.

The office and translators write the patterns, one file a language (`locales/<lang>/emergency.yaml`, read by
`bot.core.emergency_file`), in a small language of words:

- words are matched after folding: case, accents, German ae/oe/ue, Arabic and Persian letter variants, tatweel,
  the zero-width non-joiner, Arabic and Persian digits;
- `stem*` a word that starts with stem, `*end` one that ends with it, `*part*` one that contains it (compounds:
  `*selbstmord*` finds "Selbstmordgedanken"); `a|b` one of several single words (`=if|=in =case` is "if" or "in",
  then "case"; `elternlotse check` warns of a joined spelling listed beside its pieces);
- neighbouring words may have up to two other words between them; `...` allows up to six; `a_b`: b directly after a;
- `part one + part two`: both parts, in any order, at most twelve words apart, never the same word for both;
- a pattern never reaches over the end of a sentence (. ! ? ; : or a new line), except that a short sentence
  (SHORT_SENTENCE words at most: "Ich habe Angst.", "Er ist betrunken.") is one sentence with its neighbours, whatever
  their length, for the parts of a `+` pattern ("Mein Mann fährt Auto mit Kinder. Er ist betrunken."); context and
  exclusions reach over a stop only between two short sentences ("Letztes Jahr hatten wir einen kleinen Brand in der
  Küche. Es brennt im Keller!" is a fire now); the words of one part always stand in one sentence;
- one typo (a letter missing, extra, wrong, or two swapped) is forgiven in whole words of five letters or more and
  in `stem*` of six or more (never in its first two letters), not in `*end` and `*part*`; a word written `=word`
  forgives only a letter missing, extra or two swapped, and only from eight letters on and not in Arabic script
  ("umbrigen", never "geschlafen" for "geschlagen"); check a fuzzy word against the common words it might become
  ("brennt" and "trennt");
- a Russian word is also found as it is typed by ear: one unstressed о written а ("пажар", "паменял") and ы after ж
  or ш ("жыть"), in words of four letters or more, forgiven on top of nothing else;
- `exclude:` patterns (course names, certificates, idioms) remove the words they match before anything else is
  matched; they forgive no wrong letter, only the slip of a long word as `=word` does;
- a line that laughs ("haha", "lol", "хаха", "ههه", "خخخ", 😂, ":D"; never 😅, 🙂 or ":)", which frightened people
  type out of habit) is a joke or an idiom and raises no alarm, unless a `keep` context word says the danger is present;
- `context:` words around a match that say it is no emergency now (long ago, over, a question, a dream, a topic,
  a negation, a fire put out) or that it is (`keep`); what each kind may quiet is fixed in `bot.core.emergency_context`;
- `prefixes:` attached particles (Arabic بال، ول …) that may stand before any word of that language;
- `typo_min_length:` forgive typos only in longer words (Arabic script, where one letter often makes another word);
- a Russian, Ukrainian or Bulgarian pattern also finds the same words typed in Latin letters ("ubyu" for "убью";
  Russian and Ukrainian also in the passport spelling "ia iu ie": "vybyvaie"), without forgiving a typo there; so do
  its context words and exclusions ("pechkata gori hubavo"); an exclusion in Latin letters needs every Latin word of
  it to have four letters or more and one of them five, and it takes only the Russian, Ukrainian and Bulgarian
  meanings from its words (a Polish or Kurdish pattern still sees them);
- a Persian, Sorani or Arabic pattern also finds its words typed in Latin letters ("shoharam mizane", "jozi 3am
  yedrebni") by their consonants, when the family chose that language and the line holds one of its Latin marker
  words (`roman_markers:` in its file) or, for Arabic, a word with a digit for a letter; a match needs one word of
  three consonants, alone of four; exclusions keep to their own script;
- a Sorani line typed on an Arabic keyboard, ه and a space for ە inside words ("مێرده كه م"), is looked at again with
  the words joined, by the Sorani patterns only.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.emergency_context import Category, Context
from bot.core.emergency_lexicon import FUZZY_MIN, SLIP_MIN, Word
from bot.core.folding import WORD, fold_word, script_of

GAP = 2  # other words that may stand between neighbouring words of a pattern
LONG_GAP = 6  # the same after "..."
# A language without patterns of its own uses its parent's (Easy German reads like German).
PATTERN_LANGUAGE = {"de_easy": "de"}


def pattern_language(lang: str) -> str:
    """Whose patterns a language uses: its own, or its parent's (de_easy -> de)."""
    return PATTERN_LANGUAGE.get(lang, lang)


class PatternError(ValueError):
    """A pattern the matcher cannot use; the message says why, in words an office can act on."""


@dataclass(frozen=True)
class Slot:
    """One position of a pattern: any of its alternatives, after at most `gap` other words."""

    alternatives: tuple[Word, ...]
    gap: int


@dataclass(frozen=True)
class Pattern:
    language: str
    category: Category | None  # None: an exclusion, or a context when `context` is set
    source: str
    parts: tuple[tuple[Slot, ...], ...]
    context: Context | None = None
    alone: bool = False  # a cry: counts only in a short message made of nothing but cries (and their `with` words)


def parse_pattern(
    source: str,
    language: str,
    category: Category | None,
    typo_min: int = FUZZY_MIN,
    context: Context | None = None,
    alone: bool = False,
) -> Pattern:
    """Parse one pattern line; PatternError says what is wrong. typo_min: the shortest word a typo is forgiven in."""
    parts: list[tuple[Slot, ...]] = []
    for raw_part in source.split("+"):
        slots: list[Slot] = []
        gap = GAP
        for token in raw_part.split():
            if token == "...":
                if not slots:
                    raise PatternError("'...' must stand between two words")
                gap = LONG_GAP
                continue
            for n, joined in enumerate(token.split("_")):  # a_b: b directly after a
                # Exclusions are exact: a forgiven typo in one would silence a real emergency ("batea", "bate").
                alternatives = tuple(_parse_word(alt, typo_min, exact=category is None) for alt in joined.split("|"))
                slots.append(Slot(alternatives, (gap if n == 0 else 0) if slots else 0))
            gap = GAP
        if not slots:
            raise PatternError("an empty part (a '+' without words on one side?)")
        if gap == LONG_GAP:
            raise PatternError("'...' must stand between two words")
        parts.append(tuple(slots))
    if alone and (len(parts) > 1 or len(parts[0]) > 1):
        raise PatternError("a cry is one word or several words with '|', nothing more")
    return Pattern(language, category, source, tuple(parts), context, alone)


def _parse_word(raw: str, typo_min: int, exact: bool = False) -> Word:
    fuzzy = not raw.startswith("=")
    raw = raw.lstrip("=")
    starts, ends = raw.startswith("*"), raw.endswith("*") and len(raw) > 1
    text = raw.strip("*")
    whole = fold_word(text)
    folded = WORD.findall(whole)
    if len(folded) != 1 or folded[0] != whole:
        raise PatternError(f"{raw!r} is not one word (only letters, digits and * at the start or end)")
    kind = "infix" if starts and ends else "prefix" if ends else "suffix" if starts else "exact"
    minimum = 1 if kind == "exact" else 3  # one-letter words ("я", "i") only ever stand in a phrase
    if len(folded[0]) < minimum:
        raise PatternError(f"{raw!r} is too short: it would match too many words")
    # A stem forgives a typo only from six letters on: "tecav*" with one letter off is "tedavi" (treatment).
    shortest = max(typo_min, FUZZY_MIN + (kind == "prefix"))
    is_fuzzy = fuzzy and not exact and len(folded[0]) >= shortest
    # A long =word (and any word of an exclusion or context) forgives a slip of the finger, not a wrong letter;
    # Arabic script not even that ("الانتحار" and "الانتظار").
    slips = (not fuzzy or exact) and len(folded[0]) >= SLIP_MIN and script_of(folded[0]) != "arabic"
    return Word(kind, folded[0], is_fuzzy, slips)
