"""The safety net: an emergency recognised in typed text, or asked for with the button or /emergency.

The numbers are added to what a message was for, never put in its place (DOMAIN.md, the emergency principle).
"""

from __future__ import annotations

from bot.core import texts as T
from bot.core.answers import answer_text
from bot.core.buttons import Go, Nav, button, decode
from bot.core.emergency import Detection
from bot.core.emergency_pattern import pattern_language
from bot.core.events import Command, EmergencyShown, Event, Pressed, RelayToStaff
from bot.core.turn import EMERGENCY, MAX_SOS_TEXT, MENU, Turn


def is_emergency(event: Event) -> bool:
    """The 🆘 button or /emergency."""
    if isinstance(event, Pressed):
        return decode(event.data) == Go(Nav.SOS)
    if isinstance(event, Command):
        return event.name == "emergency"
    return False


def detect(turn: Turn, text: str, *, learned: bool = True) -> Detection:
    """Recognise an emergency: in the family's language, German and English; in every language before a choice.
    Without the learned model where `learned` is False (the text is the bot's own label, typed)."""
    if turn.s.lang is None:
        return turn.ctx.emergency.detect(text, None, learned=learned)
    languages = {pattern_language(turn.s.lang), "de", "en"}
    # A line confidently in another enabled language (a family that chose German and writes Turkish) is read
    # with that language's patterns too: "Kocam beni dövüyor" after choosing German got only the floor line.
    guess = turn.ctx.guess_language(text) if turn.ctx.guess_language is not None else None
    if guess is not None:
        languages.add(pattern_language(guess))
    return turn.ctx.emergency.detect(text, languages, learned=learned)


def emergency_in_text(turn: Turn, found: Detection, text: str) -> None:
    """Add the numbers to what the message was for; never replace it."""
    category = found.categories[0].value
    if turn.s.lang is None:
        # Before a choice the screen comes in the language the line was typed in, when it can be told.
        turn.s.lang = next((lang for lang in found.languages if lang in turn.ctx.i18n.enabled), None)
        if turn.s.lang is None and turn.ctx.guess_language is not None:
            # The model names no language (it reads every one): the line's own language, when it can be told.
            guess = turn.ctx.guess_language(text)
            turn.s.lang = guess if guess in turn.ctx.i18n.enabled else None
        say_emergency(turn, found)
        turn.enter(EMERGENCY, push=True)
        turn.s.lang, turn.s.at, turn.s.history = None, None, []
        turn.language_picker()
        return
    if turn.s.writing_to is not None and text:
        reference, turn.s.writing_to = turn.s.writing_to, None
        say_emergency(turn, found)
        turn.say(turn.t_node(EMERGENCY))
        turn.flush([[button(turn.label(T.MENU_BUTTON), Go(Nav.MENU))]])
        turn.effects.append(RelayToStaff(reference, text[:MAX_SOS_TEXT], sos=category))
        return
    node = turn.ctx.content.node(turn.s.at)
    if node is not None and node.type in ("ask", "consent"):
        say_emergency(turn, found)
        turn.say(turn.t_node(EMERGENCY))
        turn.flush()
        turn.s.slots["sos"] = category
        if node.type == "consent":
            turn.render(node)
        elif node.kind == "text" and text:
            turn.s.slots["urgent"] = "yes"
            turn.say(turn.t(T.MARKED_URGENT))
            assert node.slot is not None
            turn.s.slots[node.slot] = text[:MAX_SOS_TEXT]
            turn.enter(node.next or MENU, push=True)
        else:
            answer_text(turn, node, text)
        return
    say_emergency(turn, found)
    turn.enter(EMERGENCY, push=True)


def say_emergency(turn: Turn, found: Detection) -> None:
    """The lead of the most urgent category recognised (and of the next, if it calls for other numbers)."""
    turn.effects.append(EmergencyShown(found.categories[0].value, turn.s.lang))
    leads = dict.fromkeys(turn.t(T.EMERGENCY_LEADS[c.value]) for c in found.categories[:2])
    for lead in leads:
        turn.say(lead)


def emergency_beside_choice(turn: Turn, found: Detection) -> None:
    """A choice typed in words that also name an emergency: the numbers come first, then the choice is acted on."""
    say_emergency(turn, found)
    turn.say(turn.t_node(EMERGENCY))
    turn.flush()
    node = turn.ctx.content.node(turn.s.at)
    if node is not None and node.type in ("ask", "consent"):
        turn.s.slots["sos"] = found.categories[0].value  # in a request: the card shows 🆘
