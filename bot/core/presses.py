"""Button presses, decoded by buttons.py: still untrusted, so each is checked against where the family is."""

from __future__ import annotations

from dataclasses import replace

from bot.core import texts as T
from bot.core.answers import answer_choice, choose_option
from bot.core.buttons import Choose, Consent, Decoded, Go, Nav, PickLanguage, Skip, button, encode
from bot.core.cards import LANGUAGE_NAMES_DE
from bot.core.choices import fold, pick
from bot.core.dialogs import Node
from bot.core.events import Button, RecordConsent, Refused
from bot.core.i18n import LANGUAGES
from bot.core.turn import FREE_TEXT, MAX_RELAY, MENU, WELCOME, Turn

CHOICE = {"choice", "district"}


def pressed(turn: Turn, press: Decoded | None) -> None:
    """A press of a navigation, option, skip or consent button; anything else (None: undecodable) is refused."""
    if press == Go(Nav.BACK):
        turn.back()
    elif press == Go(Nav.MENU):
        turn.s.slots.clear()
        turn.enter(MENU)
    elif isinstance(press, Choose | Skip | Consent):
        node_pressed(turn, press)
    else:
        turn.stale("undecodable")


def node_pressed(turn: Turn, press: Choose | Skip | Consent) -> None:
    """A button of one node: acted on if it is the family's current step (or any menu), else refused."""
    node = turn.ctx.content.node(press.node)
    if node is None:
        turn.stale("old_flow")  # a button of a step the content no longer has (or a forged one)
    elif isinstance(press, Choose) and node.type == "menu" and press.index < len(node.options):
        # Menus are navigation: an older menu's button still works from anywhere.
        turn.s.at = node.id
        choose_option(turn, node, press.index)
    elif turn.s.at != press.node:
        turn.stale("old_step")
    elif isinstance(press, Choose) and node.type == "ask":
        answer_choice(turn, node, press.index)
    elif isinstance(press, Skip) and node.type == "ask" and node.optional:
        turn.enter(node.next or MENU)
    elif isinstance(press, Consent) and node.type == "consent":
        consent(turn, node, press.agreed)
    else:
        turn.stale("undecodable")


def start_writing(turn: Turn, reference: str) -> None:
    """The family pressed "reply" under a message from the team: the next text goes to that team member."""
    if reference != turn.ctx.open_request:  # closed since, or another family's: the runtime tells which
        turn.stale("old_step", T.RELAY_CLOSED, reference)
        return
    turn.s.writing_to = reference
    relay_prompt(turn)


def relay_prompt(turn: Turn) -> None:
    """Ask for the message to the team member; it waits for words, so a bare "1" is the message."""
    turn.say(turn.t(T.RELAY_PROMPT, max=MAX_RELAY))
    turn.flush([[button(turn.label(T.CANCEL_BUTTON), Go(Nav.MENU))]], free_text=True)


def choose_language(turn: Turn, code: str) -> None:
    """Switch to an enabled language: the first choice starts at the welcome, later ones show the same step."""
    if code not in turn.ctx.i18n.enabled:
        turn.effects.append(Refused("undecodable", turn.t(T.BUTTON_INVALID)))
        turn.language_picker()
        return
    first_time = turn.s.lang is None
    turn.s.lang = code
    if first_time or turn.ctx.content.node(turn.s.at) is None:
        turn.enter(WELCOME)
    else:
        turn.rerender()


def consent(turn: Turn, node: Node, agreed: bool) -> None:
    """Given: recorded, and on to the request. Declined: everything but the topic is forgotten."""
    assert node.purpose and node.consent_id
    if not agreed:
        turn.s.slots = {k: v for k, v in turn.s.slots.items() if k == "topic"}
        turn.enter(node.decline or MENU)
        return
    record = RecordConsent(node.purpose, node.consent_id, node.consent_version, turn.lang, "given")
    turn.effects.append(record)
    turn.enter(node.accept or MENU)


def typed_press(turn: Turn, text: str) -> str | None:
    """The button data a typed number or label stands for: one of the newest list the family got, else 🆘 and
    "Menü" (and, before a language is chosen, a language's name), which are always understood; None if none."""
    offer, aside = turn.s.offer, turn.s.aside
    if offer is not None and offer.free_text and not waits_for_words(turn):
        offer = replace(offer, free_text=False)  # the message was written since: the list is an ordinary one
    # Numbers name the newest list; a label may be of the step's list too (a reminder came in between).
    chosen = pick(text, aside) if aside is not None else None
    if chosen is None:
        chosen = pick(text, offer, numbers=aside is None and numbers_shown(turn))
    if chosen is not None or (offer is not None and offer.free_text):
        return chosen
    folded = fold(text)
    if turn.s.lang is None:
        for code in (c for c in LANGUAGES if c in turn.ctx.i18n.enabled):
            if folded in (fold(LANGUAGES[code].native), fold(LANGUAGE_NAMES_DE.get(code, code))):
                return encode(PickLanguage(code))
        return None
    for msgid, press in ((T.EMERGENCY_BUTTON, Go(Nav.SOS)), (T.MENU_BUTTON, Go(Nav.MENU))):
        if folded and folded in (fold(turn.t(msgid)), fold(msgid)):
            return encode(press)
    return None


def numbers_shown(turn: Turn) -> bool:
    """Whether a typed number may choose. Where buttons are shown nobody sees numbers: there a number picks only
    an option of a menu or a choice question (as it always has), never a consent or the deletion of everything."""
    if not turn.ctx.buttons:
        return True
    node = turn.ctx.content.node(turn.s.at)
    offer = turn.s.offer
    at_step = node is not None and offer is not None and offer.at == node.id
    return at_step and node is not None and (node.type == "menu" or (node.type == "ask" and node.kind in CHOICE))


def waits_for_words(turn: Turn) -> bool:
    """The family is asked to write: a message to its team member, or a name, a phone number, a note."""
    node = turn.ctx.content.node(turn.s.at)
    return turn.s.writing_to is not None or (node is not None and node.type == "ask" and node.kind in FREE_TEXT)


def show_again(turn: Turn) -> None:
    """A typed "?": the newest list of choices again, from the stored session (a step's own with its question)."""
    offer, aside = turn.s.offer, turn.s.aside
    if aside is not None and aside.choices:  # a team message's or a reminder's: shown, and still beside the step's
        turn.german.update({c.label: c.german for c in aside.choices})
        turn.say(turn.t(T.CHOICES_AGAIN))
        turn.flush([[Button(c.label, c.data)] for c in aside.choices])
        turn.s.offer, turn.s.aside = offer, aside
    elif turn.s.lang is None:
        turn.language_picker()
    elif turn.s.writing_to is not None:
        relay_prompt(turn)
    elif offer is None or not offer.choices or (offer.at is not None and offer.at == turn.s.at):
        turn.rerender()
    else:
        turn.german.update({c.label: c.german for c in offer.choices})
        turn.say(turn.t(T.CHOICES_AGAIN))
        turn.flush([[Button(c.label, c.data)] for c in offer.choices], at=offer.at, free_text=offer.free_text)
