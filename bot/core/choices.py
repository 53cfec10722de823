"""Choices typed instead of pressed: the one numbering of a reply's buttons, and reading what a family types. Pure.

A platform without buttons shows numbered(reply) under a reply's text. The engine keeps the newest list a family
got (Session.offer, built by offer_of from the same rows), so the numbers it accepts are exactly the numbers that
list shows: row by row, left to right, from 1. A label is accepted too, in the family's language or in German,
whatever its case, accents, emoji and punctuation.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping

from bot.core.events import Button, Offer, Offered, Reply

MAX_DIGITS = 4
AGAIN = frozenset({"?", "？", "؟", "¿"})  # "show me my choices again", in Latin, full-width and Arabic script
_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})  # Arabic and Persian keyboards write these differently
_UMLAUTS = (("ae", "a"), ("oe", "o"), ("ue", "u"))  # "Zurueck" typed without umlauts is "Zurück"


def flat(buttons: Iterable[Iterable[Button]]) -> list[Button]:
    """The buttons in the order they are numbered: row by row, left to right."""
    return [b for row in buttons for b in row]


def numbered(reply: Reply) -> str:
    """A reply's buttons as a numbered list, one per line, for a platform without buttons ("" if it has none)."""
    return "\n".join(f"{n}. {b.label}" for n, b in enumerate(flat(reply.buttons), 1))


def offer_of(buttons: Iterable[Iterable[Button]], german: Mapping[str, str], at: str | None = None,
             free_text: bool = False) -> Offer:  # fmt: skip
    """What a family was offered by these rows; german maps a shown label to its German one (else the same)."""
    choices = tuple(Offered(b.data, b.label, german.get(b.label, b.label)) for b in flat(buttons))
    return Offer(choices, at, free_text)


def fold(text: str) -> str:
    """Text reduced to what a match needs: lower case, no accents, no emoji, no punctuation, single spaces."""
    decomposed = unicodedata.normalize("NFD", text).casefold().translate(_LETTERS)
    kept = []
    for ch in decomposed:
        category = unicodedata.category(ch)
        if category[0] in "LN":
            kept.append(ch)
        elif category[0] == "M" or category == "Cf":
            continue  # accents and marks; joiners inside a word (the Persian ZWNJ) leave it one word
        else:
            kept.append(" ")
    folded = " ".join("".join(kept).split())
    for written, meant in _UMLAUTS:
        folded = folded.replace(written, meant)
    return folded


def _number(folded: str) -> int | None:
    """A choice's number in any script's decimal digits (3, ٣, ۳); isdecimal, so "²" is not one."""
    return int(folded) if folded.isdecimal() and len(folded) <= MAX_DIGITS else None


def explicit(text: str) -> bool:
    """ "#2" or "[Label]": a choice even where the step waits for words (a name "2" is a name, "#2" is not)."""
    stripped = text.strip()
    return stripped.startswith("#") or (len(stripped) > 2 and stripped[0] == "[" and stripped[-1] == "]")


def pick(text: str, offer: Offer | None, *, numbers: bool = True) -> str | None:
    """The data of the offered choice the text names by number (unless numbers is False) or label, or None.

    Where the step waits for words, only the explicit forms choose ("#2", "[Überspringen]").
    """
    if offer is None or not offer.choices or (offer.free_text and not explicit(text)):
        return None
    folded = fold(text)
    if not folded:
        return None
    number = _number(folded)
    if number is not None:
        return offer.choices[number - 1].data if numbers and 1 <= number <= len(offer.choices) else None
    for choice in offer.choices:
        if folded in (fold(choice.label), fold(choice.german)):
            return choice.data
    head, _, rest = folded.partition(" ")  # "2. Wohnen", as copied from the list
    number = _number(head)
    if numbers and number is not None and 1 <= number <= len(offer.choices):
        choice = offer.choices[number - 1]
        if rest in (fold(choice.label), fold(choice.german)):
            return choice.data
    return None


def is_again(text: str) -> bool:
    """The family asks to see its choices again."""
    return text.strip() in AGAIN
