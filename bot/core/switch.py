"""The language of typed text: a parent who chose one language and writes in another is offered, once, to switch.

Only for a line of a few words or more, never at a question that asks for free text, a name or a phone number
(those are the family's own words, whatever their language), never on the emergency path. Nothing typed is kept;
the session only remembers that the offer was made.
"""

from __future__ import annotations

import re

from babel import Locale

from bot.core import texts as T
from bot.core.buttons import PickLanguage, button
from bot.core.i18n import LANGUAGES
from bot.core.turn import Turn

MIN_WORDS = 3
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)  # words of two letters or more; numbers and names' initials aside


def language_to_offer(turn: Turn, text: str) -> str | None:
    """The enabled language the text is confidently in, if it is another one and no offer was made yet.
    Asked before the text is handled: where the family stood decides, not where the text leads."""
    guess_language = turn.ctx.guess_language
    if guess_language is None or turn.s.lang is None or turn.s.language_offered or turn.s.writing_to:
        return None
    node = turn.ctx.content.node(turn.s.at)
    if node is not None and node.type == "ask":
        return None
    if len(_WORD.findall(text)) < MIN_WORDS:
        return None
    guess = guess_language(text)
    if guess is None or _family(guess) == _family(turn.s.lang) or guess not in turn.ctx.i18n.enabled:
        return None
    return guess


def offer_language(turn: Turn, guess: str) -> None:
    """The offer, after the usual answer: its button is the last one, nearest the parent's thumb."""
    turn.s.language_offered = True
    native = LANGUAGES[guess].native if guess in LANGUAGES else guess
    # Said in the chosen language and in the one the parent writes: they may not read the first.
    offer = turn.t(T.SWITCH_LANGUAGE, language=_name(turn, guess), native=native)
    here = turn.ctx.i18n.t(guess, T.SWITCH_LANGUAGE_HERE, native=native)
    turn.say(f"{offer}\n{here}")
    turn.flush([[button(f"🌐 {native}", PickLanguage(guess))]])


def _name(turn: Turn, code: str) -> str:
    """The language's name in the family's chosen language (Türkisch, Turkish, التركية), from CLDR."""
    try:
        shown = Locale.parse(LANGUAGES[code].babel if code in LANGUAGES else code).get_display_name(
            turn.ctx.i18n.locale(turn.lang)
        )
    except (ValueError, LookupError):
        shown = None
    return shown or (LANGUAGES[code].native if code in LANGUAGES else code)


def _family(code: str) -> str:
    return "de" if code == "de_easy" else code
