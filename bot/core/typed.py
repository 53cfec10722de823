"""What people type: cleaned on the way in, and a family's words shown to staff on one marked line. Pure.

Cleaning removes what could reorder, hide or fake text (bidi overrides and isolates, LRM/RLM, zero-width spaces,
control characters) but keeps the zero-width joiner and non-joiner where a script needs them: Persian and Sorani
write "می‌خواهم" with a ZWNJ, Indic scripts form or break conjuncts with ZWJ/ZWNJ, and emoji such as 👩‍👧 are
joined by ZWJ. Elsewhere (between Latin letters, at the start of a word) a joiner only hides things and is dropped.
"""

from __future__ import annotations

import re
import unicodedata

ZWNJ, ZWJ = "\u200c", "\u200d"
FSI, PDI = "\u2068", "\u2069"
LINE_BREAK = " ⏎ "  # where a family's words had a line break, shown to staff on one line
OPEN_QUOTE, CLOSE_QUOTE = "„", "“"
_QUOTES = str.maketrans({"„": '"', "“": '"', "”": '"'})  # so the family's own quotes cannot close ours early
WORD_JOINER = "\u2060"  # invisible; after a "/" it keeps Telegram from seeing a bot command there
_COMMAND = re.compile(r"(?<!\S)/(?=\w)")  # a slash that starts a word
# Letters that render as nothing yet are not spaces to Python (braille blank, Hangul fillers): a run of them pads a
# faked "Telefon: …" onto a line of its own on a phone screen, so they count as spaces.
_BLANK_LETTERS = str.maketrans(dict.fromkeys(map(ord, "\u2800\u3164\u115f\u1160\uffa0"), " "))
_LINE_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*(\n\s*)+")
# Scripts in which a joiner changes how letters join or form conjuncts: Arabic (with Persian, Sorani, Urdu),
# Syriac, Thaana, N'Ko and the Arabic extensions; the Indic scripts from Devanagari to Sinhala; Myanmar; Khmer
# and Mongolian; the Arabic presentation forms (not U+FEFF, the byte order mark).
_JOINING = ((0x0600, 0x08FF), (0x0900, 0x0DFF), (0x1000, 0x109F), (0x1780, 0x18AF), (0xFB50, 0xFDFF),
            (0xFE70, 0xFEFC))  # fmt: skip


def _in(ranges: tuple[tuple[int, int], ...], ch: str) -> bool:
    return bool(ch) and any(low <= ord(ch) <= high for low, high in ranges)


def _is_emoji(ch: str) -> bool:
    """Pictographs, their skin tones, VS16 and the symbols emoji sequences use (♀, ⚕, ❤), roughly."""
    if not ch:
        return False
    cp = ord(ch)
    return 0x1F000 <= cp <= 0x1FAFF or 0x2190 <= cp <= 0x2BFF or cp in (0xFE0F, 0x20E3, 0x00A9, 0x00AE)


def _joiner_kept(joiner: str, before: str, after: str) -> bool:
    if joiner == ZWJ and _is_emoji(before) and _is_emoji(after):
        return True
    # A Malayalam chillu ends a word with virama + ZWJ: in a joining script the joiner may end a word too.
    return _in(_JOINING, before) and after not in (ZWJ, ZWNJ)


def clean_text(raw: str) -> str:
    """Normalise typed input: NFC, no control or bidi characters, joiners only where a script needs them, single
    spaces, lines kept (an address in a staff reply, a family's note); runs of blank lines shrink to one."""
    text = "\n".join(unicodedata.normalize("NFC", raw).splitlines())  # \r\n, U+2028, NEL … become \n
    text = "".join(ch for ch in text if ch in "\n\t" or ch in (ZWJ, ZWNJ) or unicodedata.category(ch)[0] != "C")
    if ZWJ in text or ZWNJ in text:
        kept: list[str] = []
        for i, ch in enumerate(text):
            if ch in (ZWJ, ZWNJ) and not _joiner_kept(ch, kept[-1] if kept else "", text[i + 1 : i + 2]):
                continue
            kept.append(ch)
        text = "".join(kept)
    lines = [_LINE_SPACES.sub(" ", line.translate(_BLANK_LETTERS)).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def one_line(text: str) -> str:
    """Text on one line: cleaned, line breaks folded to a visible ⏎, so it can never start a line of its own."""
    return LINE_BREAK.join(line for line in clean_text(text).split("\n") if line)


def family_words(text: str) -> str:
    """A value a family typed, as staff see it: on one line, in quotes, isolated so right-to-left words cannot
    reorder the bot's own text around them, and no "/command" in it that Telegram would make tappable. Every
    family text shown to staff goes through here."""
    shown = _COMMAND.sub("/" + WORD_JOINER, one_line(text).translate(_QUOTES))
    return f"{OPEN_QUOTE}{FSI}{shown}{PDI}{CLOSE_QUOTE}"
