"""Button presses: data is untrusted, so each press is checked against where the family is before it acts."""

from __future__ import annotations

from bot.core import texts as T
from bot.core.answers import answer_choice, choose_option
from bot.core.dialogs import Node
from bot.core.events import Button, DataRequest, RecordConsent, Refused
from bot.core.render import number as _number
from bot.core.turn import MAX_RELAY, MENU, WELCOME, Turn


def pressed(turn: Turn, data: str) -> None:
    """A press of a navigation, option, skip or consent button; anything else is refused."""
    if data == "g:back":
        turn.back()
        return
    if data == "g:menu":
        turn.s.slots.clear()
        turn.enter(MENU)
        return
    if data == "x:delete":
        turn.effects.append(DataRequest("delete"))
        return
    kind, _, rest = data.partition(":")
    qid, _, arg = rest.rpartition(":")
    node = turn.ctx.content.node(qid)
    index = _number(arg)
    if kind not in ("o", "k", "c"):
        turn.stale("undecodable")
    elif node is None:
        turn.stale("old_flow")  # a button of a step the content no longer has (or a forged one)
    elif kind == "o" and node.type == "menu" and index is not None and index < len(node.options):
        # Menus are navigation: an older menu's button still works from anywhere.
        turn.s.at = node.id
        choose_option(turn, node, index)
    elif turn.s.at != qid:
        turn.stale("old_step")
    elif kind == "o" and node.type == "ask" and index is not None:
        answer_choice(turn, node, index)
    elif kind == "k" and node.type == "ask" and node.optional:
        turn.enter(node.next or MENU)
    elif kind == "c" and node.type == "consent" and arg in ("y", "n"):
        consent(turn, node, arg == "y")
    else:
        turn.stale("undecodable")


def start_writing(turn: Turn, reference: str) -> None:
    """The family pressed "reply" under a message from the team: the next text goes to that team member."""
    if reference != turn.ctx.open_request:  # closed since, or another family's: the runtime tells which
        turn.stale("old_step", T.RELAY_CLOSED, reference)
        return
    turn.s.writing_to = reference
    turn.say(turn.t(T.RELAY_PROMPT, max=MAX_RELAY))
    turn.flush([[Button(turn.t(T.CANCEL_BUTTON), "g:menu")]])


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
