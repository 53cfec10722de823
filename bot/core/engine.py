"""The dialog engine: (session, event) -> (session, effects). Pure: no I/O, no clock, no randomness.

This module routes an event; what a turn says and where it walks is in turn.py, and the kinds of input have modules
of their own: safety.py (emergencies), answers.py (typed answers), presses.py (buttons).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core import deeplink
from bot.core import texts as T
from bot.core.answers import typed, write_to_staff
from bot.core.buttons import DeleteData, Go, Nav, PickLanguage, Remind, ReplyTo, button, decode
from bot.core.choices import is_again
from bot.core.context import Context
from bot.core.events import (
    ChatMoved,
    Command,
    DataRequest,
    Effect,
    EmergencyShown,
    EndChat,
    Event,
    HandoffDone,
    Pressed,
    Reachability,
    Session,
    Text,
    Unsupported,
)
from bot.core.hours import district_ids
from bot.core.i18n import LANGUAGES
from bot.core.presses import choose_language, pressed, show_again, start_writing, typed_press
from bot.core.safety import detect, emergency_beside_choice, emergency_in_text, is_emergency
from bot.core.subscribe import reminder_pressed, reminders_command
from bot.core.switch import language_to_offer, offer_language
from bot.core.turn import (
    CALLBACK,
    COMMAND_TARGETS,
    EMERGENCY,
    MAX_HISTORY,
    MAX_HOPS,
    MAX_RELAY,
    MAX_SOS_TEXT,
    MENU,
    REMINDERS,
    REMINDERS_DISTRICT,
    SOS_BUTTON,
    SOS_LINE,
    WAITING,
    WELCOME,
    Turn,
)

__all__ = [
    "CALLBACK",
    "COMMAND_TARGETS",
    "EMERGENCY",
    "MAX_HISTORY",
    "MAX_HOPS",
    "MAX_RELAY",
    "MAX_SOS_TEXT",
    "MENU",
    "REMINDERS",
    "REMINDERS_DISTRICT",
    "SOS_BUTTON",
    "SOS_LINE",
    "WAITING",
    "WELCOME",
    "Context",
    "again",
    "step",
]

DELETE_WINDOW = timedelta(minutes=15)  # how long the confirmation button of /delete stays valid


def step(session: Session, event: Event, ctx: Context) -> tuple[Session, list[Effect]]:
    """Handle one event; return the new session and what to do (replies first to last)."""
    turn = Turn(Session.from_json(session.to_json()), ctx)
    _handle(turn, event)
    return turn.s, turn.effects


def again(session: Session, ctx: Context) -> tuple[Session, list[Effect]]:
    """The family's newest list of choices again, rendered from the stored session alone: what a typed "?" shows,
    and what an adapter may ask for after a restart instead of keeping any keyboard itself."""
    turn = Turn(Session.from_json(session.to_json()), ctx)
    show_again(turn)
    return turn.s, turn.effects


def _handle(turn: Turn, event: Event) -> None:
    if isinstance(event, ChatMoved | Reachability):
        return  # platform events are the application's, not the dialog's
    # The "erase everything" button answers the question /delete just asked, and nothing later: whatever the family
    # does next withdraws the question, and after DELETE_WINDOW an old confirmation in the chat erases nothing.
    delete_asked, turn.s.delete_asked = turn.s.delete_asked, None
    if isinstance(event, EndChat):  # asked by the platform's own page, in any language or none yet
        turn.effects.append(DataRequest("delete"))
        return
    if isinstance(event, HandoffDone):
        node = turn.ctx.content.node(turn.s.at)
        turn.s.slots.clear()
        turn.enter(node.next if node and node.next else MENU, reference=event.reference)
        return
    if isinstance(event, Text):
        chosen = typed_press(turn, event.text)  # a number or label typed instead of pressed
        # A typed choice is the bot's own words: only the office's patterns may find an emergency in them (a label
        # an office wrote to be one), never the model alone. Regression: "💬 Hier im Chat schreiben" typed at the
        # callback's contact question raised the model's alarm and marked the request 🆘 for the team.
        found = detect(turn, event.text, learned=chosen is None)
        if found and (chosen is None or turn.s.lang is None):
            emergency_in_text(turn, found, T.clean_text(event.text))
            return
        if found and decode(chosen or "") != Go(Nav.SOS):
            emergency_beside_choice(turn, found)  # the numbers first; the choice is still acted on
        if chosen is not None:
            event = Pressed(chosen)
        elif is_again(event.text):
            turn.s.delete_asked = delete_asked  # asking to see the choices again answers no question
            show_again(turn)
            return
    if is_emergency(event):
        turn.effects.append(EmergencyShown(EmergencyShown.BUTTON, turn.s.lang))
        turn.enter(EMERGENCY, push=True)
        if turn.s.lang is None:
            turn.language_picker()
        return
    press = decode(event.data) if isinstance(event, Pressed) else None
    if isinstance(press, DeleteData):
        if _still_asked(delete_asked, turn.ctx.now):
            turn.effects.append(DataRequest("delete"))
        else:
            turn.stale("old_step")
        return
    if isinstance(press, ReplyTo):
        start_writing(turn, press.reference)
        return
    if turn.s.writing_to is not None:
        reference, turn.s.writing_to = turn.s.writing_to, None
        if isinstance(event, Text) and T.clean_text(event.text):
            write_to_staff(turn, reference, T.clean_text(event.text))
            return
    if isinstance(press, PickLanguage):
        choose_language(turn, press.code)
        return
    if isinstance(event, Unsupported) and event.kind == "undecryptable" and turn.s.lang is None:
        # Before a language is chosen: the request to resend in every enabled language, as the picker asks.
        enabled = [c for c in LANGUAGES if c in turn.ctx.i18n.enabled]
        turn.say("\n".join(dict.fromkeys(turn.t_in(c, T.UNREADABLE) for c in enabled)))
    if isinstance(event, Command) and event.name == "start" and event.args:
        way = deeplink.decode(event.args, turn.ctx.i18n.enabled, district_ids(turn.ctx.hours))
        if way is not None:
            _arrive(turn, way)
            return
    if turn.s.lang is None or (isinstance(event, Command) and event.name == "language"):
        turn.language_picker(floor=isinstance(event, Text | Command) and turn.s.lang is None)
        return
    if press == Go(Nav.LANGUAGE):
        turn.language_picker()
        return
    if isinstance(press, Remind):
        reminder_pressed(turn, press)
        return
    if isinstance(event, Command):
        _command(turn, event)
    elif isinstance(event, Pressed):
        pressed(turn, press)
    elif isinstance(event, Unsupported):
        turn.say(turn.t(T.UNREADABLE if event.kind == "undecryptable" else T.UNSUPPORTED))
        turn.rerender()
    elif isinstance(event, Text):
        offer = language_to_offer(turn, T.clean_text(event.text))
        typed(turn, T.clean_text(event.text))
        if offer is not None:
            offer_language(turn, offer)


def _arrive(turn: Turn, way: deeplink.WayIn) -> None:
    """A deep link from a Kita's poster: the first screen is in the poster's language, without the picker (its 🌐
    button is on the menu), and the Kita's district is known for the hours and the callback request. A language or
    district the family chose itself before wins over a poster's."""
    if turn.s.lang is None:
        turn.s.lang = way.language
    if way.district is not None and turn.s.district not in district_ids(turn.ctx.hours):
        turn.s.district = way.district
    _command(turn, Command("start"))


def _command(turn: Turn, cmd: Command) -> None:
    if cmd.name == "start":
        turn.s.history.clear()
        turn.s.slots.clear()
        turn.enter(WELCOME)
    elif cmd.name == "mydata":
        turn.effects.append(DataRequest("show"))
    elif cmd.name == "delete":
        # One more tap, so a mistap in the menu does not withdraw a family's request.
        turn.s.delete_asked = turn.ctx.now.isoformat()
        turn.say(turn.t(T.CONFIRM_DELETE))
        turn.flush([[button(turn.label(T.DELETE_YES), DeleteData())], [button(turn.label(T.DELETE_NO), Go(Nav.MENU))]])
    elif cmd.name in COMMAND_TARGETS:
        turn.enter(COMMAND_TARGETS[cmd.name], push=True)
    elif cmd.name == "reminders":
        reminders_command(turn)
    else:
        turn.not_understood(T.USE_BUTTONS)


def _still_asked(asked: str | None, now: datetime) -> bool:
    """Whether /delete's question is still open: asked, not answered by anything else, at most DELETE_WINDOW ago."""
    if asked is None:
        return False
    try:
        moment = datetime.fromisoformat(asked)
    except ValueError:
        return False
    return timedelta(0) <= now - moment <= DELETE_WINDOW
