"""Folding typed text so that the ways families type a word compare equal, and splitting it into words. Pure."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import pairwise

MAX_TOKENS = 400  # a longer text is matched on its first 400 words; nobody in danger writes more first

_ARABIC = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ې": "ي", "ئ": "ي", "ك": "ک", "ة": "ه",
        "ۀ": "ه", "ؤ": "و", "ـ": "", "\u200c": "", "\u200d": "", "ء": "",
        # Sorani letters, as families without a Kurdish keyboard type them: ە ھ as ه, ێ as ی, ۆ as و, ڕ ڵ ڤ
        "ە": "ه", "ھ": "ه", "ێ": "ي", "ۆ": "و", "ڕ": "ر", "ڵ": "ل", "ڤ": "ف",
        **{chr(0x0660 + d): str(d) for d in range(10)},
        **{chr(0x06F0 + d): str(d) for d in range(10)},
    }
)  # fmt: skip
_LATIN = str.maketrans(
    {"ł": "l", "ı": "i", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe", "ß": "ss", "’": "", "ʼ": "", "'": "", "`": ""}
)
_DIGRAPHS = (("ae", "a"), ("oe", "o"), ("ue", "u"))
WORD = re.compile(r"\w+")
# Words, and the marks that end a sentence; a dot right after a number and before a word is an ordinal ("im 5. Stock",
# "am 3. Mai"), not the end of a sentence.
# The Arabic question mark ؟ (Arabic, Persian, Sorani) ends a sentence as "?" does.
_TOKEN = re.compile(r"(\w+)|(?<=\d)\.(?=[ \t]+\w)|([.!?;:\n\u061f]+)")

# Cyrillic to Latin the way families type it, then reduced to a skeleton both sides share ("zh" and "z" alike).
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "yo", "є": "ye", "ж": "zh",
    "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
_CYRILLIC_BY_LANGUAGE = {"uk": {"г": "h", "и": "y"}, "bg": {"ъ": "a", "щ": "sht"}}
# The official romanisation (Ukrainian passports, ICAO for Russian) writes я ю є ї й as ia iu ie i i: "torkavsia",
# "vybyvaie". Skeletons keep "ia" apart from "ya", so these are spellings of their own.
_CYRILLIC_OFFICIAL = {"я": "ia", "ю": "iu", "є": "ie", "ї": "i", "й": "i"}
# "yo" -> "e": folding already made ё an е, so "ubyot" must meet "убьёт" as "ubet".
_SKELETON = (
    ("shch", "s"), ("sht", "s"), ("sch", "s"), ("sh", "s"), ("ch", "c"), ("zh", "z"), ("kh", "h"), ("ts", "c"),
    ("x", "h"), ("w", "v"), ("ya", "a"), ("ja", "a"), ("yu", "u"), ("ju", "u"), ("yo", "e"), ("jo", "e"),
    ("ye", "e"), ("je", "e"), ("yi", "i"), ("ji", "i"), ("y", "i"), ("j", "i"),
)  # fmt: skip
_DOUBLE = re.compile(r"(.)\1+")
# Letters that only one of the languages sharing a script uses: they tell whose line it is when patterns of
# several languages match (a Russian line also matches the Ukrainian file's surzhyk words).
OWN_LETTERS = {
    "uk": "іїєґ", "ru": "ыэё", "bg": "ъ", "fa": "پچژگی", "ar": "ةىيك",
    "tr": "ığ", "pl": "ąęłśżźćń", "ro": "ășțţ", "ku": "êû", "de": "äöüß", "ckb": "ەێۆڕڵڤ",
}  # fmt: skip


# Laughter: a line that laughs is a joke or an idiom ("die Schwiegermutter bringt mich um 😂", "lips blue from the
# blueberries haha"). Written emergencies in every set we have never laugh; crying (😭) is no laughter. Nor are the
# nervous or polite faces a frightened parent may type out of habit: the sweat smile 😅, the smiling face 🙂 and the
# smiley ":)" / ";)" (a missed emergency is worse than a false alarm).
_LAUGH_MARKS = re.compile(
    "[\U0001f602\U0001f923\U0001f606\U0001f601\U0001f604\U0001f603\U0001f639\U0001f61c\U0001f61d]"
    r"|[:;]-?D\b|\bx[dD]\b"
)
_LAUGH_WORD = re.compile(
    r"(?:a?(?:ha){2,}h?|(?:he){2,}h?|(?:hi){2,}|lol+|lmf?ao|rofl|x+d+"
    r"|(?:ха){2,}х?|(?:хе){2,}|[هخ]{3,})"
)


def laughs(text: str) -> bool:
    """Whether the line laughs: a laughing emoji or smiley, "haha", "lol", "хаха", "ههه", "خخخ"."""
    if _LAUGH_MARKS.search(text):
        return True
    folded = fold(text)
    if re.search(r"\bха[ -]ха\b", folded):
        return True
    return any(_LAUGH_WORD.fullmatch(word) for word in WORD.findall(folded))


def script_of(word: str) -> str:
    """'arabic', 'cyrillic' or 'latin' (also for digits): which lexicon a folded word belongs to."""
    for ch in word:
        if "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" or "\ufb50" <= ch <= "\ufeff":
            return "arabic"
        if "\u0400" <= ch <= "\u04ff":
            return "cyrillic"
    return "latin"


def fold(text: str) -> str:
    """Case, accents and spelling variants folded so that the ways families type a word compare equal."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(_ARABIC))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").translate(_LATIN)
    for digraph, single in _DIGRAPHS:
        text = text.replace(digraph, single)
    return text


@lru_cache(maxsize=65536)
def fold_word(word: str) -> str:
    return fold(word)


def words(text: str) -> list[str]:
    """The folded words of a text, in order."""
    return WORD.findall(fold(text))[:MAX_TOKENS]


def tokenize(text: str) -> tuple[list[str], list[int]]:
    """The folded words of a text and, for each, the number of its sentence (a pattern never spans two)."""
    found: list[str] = []
    sentence_of: list[int] = []
    sentence = 0
    for match in _TOKEN.finditer(fold(text)):
        if match.group(1) is None:
            sentence += match.group(2) is not None
            continue
        found.append(match.group(1))
        sentence_of.append(sentence)
        if len(found) == MAX_TOKENS:
            break
    return found, sentence_of


# Sorani typed on an Arabic or Persian keyboard: ە is typed as ه and, because ه joins the next letter, a space is put
# after it inside the word ("هه موو حه به كانى" for هەموو حەبەکانی). Two-letter pieces ending in ه tell such a line;
# بە، کە، لە، نە، چە، وە are words of their own in Persian and Sorani alike and do not count.
_HEH_PIECE = re.compile(r"(?:^|(?<=\s))(?![بکكلنچو]ه\s)[\u0620-\u064a\u067e-\u06d3]ه(?=\s)")
HEH_PIECES_MIN = 1
_HEH_STANDALONE = frozenset("بکكلنچو")  # بە، کە، لە، نە، چە، وە: words of their own, never joined forwards
# The pieces a word ending in ە is followed by when ە is typed ه + space: the article and possessive endings
# ("كچه كه م" for کچەکەم, "حه به كانى" for حەبەکانی). Only these join BACKWARDS onto a word ending in ه, so a word
# that really ends in ە keeps its space ("خواردووه زور", "نيه بو" stay two words).
_HEH_SUFFIXES = frozenset(
    "كه کە كان کان كانم کانم كانى كانی کانی كانت کانت كانمان کانمان كانتان کانتان كانيان کانیان"
    " م ت ى ی ي ن مان تان يان یان ش ته تە وه وە يه یە".split()
)
_HEH_LETTERS = re.compile(r"^[\u0620-\u064a\u067e-\u06d5]+$")
_HEH_PUNCTUATION = "،.!?؟,:;"


def _heh_piece(word: str) -> bool:
    """A two-letter piece ending in ه that is no word of its own ("ده" of "ده دات", "حه" of "حه به")."""
    return len(word) == 2 and word[1] == "\u0647" and word[0] not in _HEH_STANDALONE and bool(_HEH_LETTERS.match(word))


def joined_heh(text: str) -> str | None:
    """The line with ه + space joined back into words, when it reads like Sorani typed that way; else None.

    A two-letter piece joins the next word ("ده دات"); an ending ("كه", "م", "كان") joins the word before it when that
    ends in ه ("كچه كه م"). Nothing else is joined: "نيه بو خه وتن" is "نیە بۆ خەوتن", not one word.
    """
    if len(_HEH_PIECE.findall(text)) < HEH_PIECES_MIN and not any(
        a.endswith("\u0647") and b.rstrip(_HEH_PUNCTUATION) in _HEH_SUFFIXES for a, b in pairwise(text.split(" "))
    ):
        return None
    out: list[str] = []
    previous = ""  # the last word as typed, before joining
    for word in text.split(" "):
        bare = word.rstrip(_HEH_PUNCTUATION)
        if out and out[-1].endswith("\u0647") and _heh_piece(previous):
            out[-1] += word
        elif out and out[-1].endswith("\u0647") and bare in _HEH_SUFFIXES:
            out[-1] += word
            previous = ""  # an ending joined backwards never joins the next word too ("كراوه ته سه ر")
            continue
        else:
            out.append(word)
        previous = word
    return " ".join(out)


# Persian, Sorani and Arabic typed in Latin letters (Finglish, Arabizi: "shoharam mizane", "jozi 3am yedrebni"):
# both sides are reduced to the consonants the two scripts share. Short vowels are not written in the script and long
# ones are typed any way, so vowels and the letters that carry them (ا و ی ه, Sorani ە) are left out, and so are ع ح ء,
# which Latin typing drops or writes as 3, 7, 2. g and j are one (Egyptian "gozi" is جوزي).
_ROMAN_DIGRAPHS = (
    ("kh", "x"), ("gh", "q"), ("sh", "S"), ("ch", "C"), ("zh", "j"), ("th", "s"), ("dh", "z"), ("ph", "f"),
)  # fmt: skip
_ROMAN_LETTERS = str.maketrans({"g": "j", "c": "k", "5": "x", "6": "t", "9": "q", **{ch: "" for ch in "aeiouywvh372"}})
_SCRIPT_SKELETON = str.maketrans(
    {
        **{ch: "" for ch in "اويهحعء"},
        "ب": "b", "پ": "p", "ت": "t", "ط": "t", "ث": "s", "س": "s", "ص": "s", "ج": "j", "گ": "j", "ژ": "j",
        "چ": "C", "خ": "x", "د": "d", "ذ": "z", "ز": "z", "ض": "d", "ظ": "z", "ر": "r", "ش": "S", "غ": "q",
        "ق": "q", "ف": "f", "ک": "k", "ل": "l", "م": "m", "ن": "n",
    }
)  # fmt: skip


_ROMAN_SILENT_START = frozenset("aeiouywvh372")
_SCRIPT_SILENT_START = frozenset("اويهحعء")


def roman_skeleton(latin: str) -> str:
    """A folded Latin word typed for Persian, Sorani or Arabic, as the consonants it shares with the script; "-" first
    when it starts with a vowel ("emta" is not "mot")."""
    start = "-" if latin[:1] in _ROMAN_SILENT_START else ""
    for long, short in _ROMAN_DIGRAPHS:
        latin = latin.replace(long, short)
    return start + _DOUBLE.sub(r"\1", latin.translate(_ROMAN_LETTERS))


def script_skeleton(word: str) -> str:
    """A folded Arabic-script word as the consonants a Latin spelling of it would show ("میزنه" -> "mzn"); "-" first
    when it starts with a letter Latin typing writes as a vowel ("اتیش" -> "-tS")."""
    start = "-" if word[:1] in _SCRIPT_SILENT_START else ""
    return start + _DOUBLE.sub(r"\1", word.translate(_SCRIPT_SKELETON))


def skeleton(latin: str) -> str:
    """A Latin word reduced so that the common transliterations of one Cyrillic word agree."""
    for long, short in _SKELETON:
        latin = latin.replace(long, short)
    return _DOUBLE.sub(r"\1", latin)


def transliterations(word: str, lang: str) -> set[str]:
    """The skeletons of a folded Cyrillic word typed in Latin letters: chat spelling and, for Russian and
    Ukrainian, the official one."""
    found = {transliterate(word, lang)}
    if lang in ("ru", "uk"):
        found.add(transliterate(word, lang, _CYRILLIC_OFFICIAL))
    return found


def transliterate(word: str, lang: str, extra: dict[str, str] | None = None) -> str:
    """A folded Cyrillic word as families would type it in Latin letters, reduced to its skeleton."""
    table = {**_CYRILLIC, **_CYRILLIC_BY_LANGUAGE.get(lang, {}), **(extra or {})}
    latin = "".join(table.get(ch, ch) for ch in word)
    # Typed text is folded before it is looked up, German ue/oe/ae included ("nochuem" -> "nochum", "ubivaet" ->
    # "ubivat"): the pattern's spelling must be folded the same way or every -ue-, -ae-, -oe- word is missed.
    for digraph, single in _DIGRAPHS:
        latin = latin.replace(digraph, single)
    return skeleton(latin)
