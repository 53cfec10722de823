"""Answering a step: a menu option or a choice (typed or pressed), a typed text or phone number, validated."""

from __future__ import annotations

from bot.core import texts as T
from bot.core.buttons import Go, Nav, button
from bot.core.dialogs import Node
from bot.core.events import RelayToStaff
from bot.core.hours import district_ids, district_name
from bot.core.phone import check_phone
from bot.core.render import number as _number
from bot.core.turn import MAX_RELAY, MENU, Turn


def typed(turn: Turn, text: str) -> None:
    """Text the family typed (cleaned), read as an answer to the node they are at."""
    node = turn.ctx.content.node(turn.s.at)
    if node is None or node.type in ("end", "handoff"):
        turn.say(turn.t(T.IN_DANGER))
        turn.enter(MENU)
    elif not text:
        turn.not_understood(T.EMPTY)
    elif node.type == "menu":
        index = match_label(turn, node, text)
        if index is None:
            turn.not_understood(T.USE_BUTTONS)
        else:
            choose_option(turn, node, index)
    elif node.type == "ask":
        answer_text(turn, node, text)
    else:
        turn.not_understood(T.USE_BUTTONS)


def match_label(turn: Turn, node: Node, text: str) -> int | None:
    """The menu option typed by its number or its label, or None."""
    number = _number(text)
    if number is not None and 1 <= number <= len(node.options):
        return number - 1
    for i, option in enumerate(node.options):
        if turn.t(option.label).casefold() == text.casefold():
            return i
    return None


def choose_option(turn: Turn, node: Node, index: int) -> None:
    """Follow a menu option: set what it sets and go where it goes."""
    option = node.options[index]
    turn.s.slots.update(option.set)
    turn.enter(option.goto or node.next or MENU, push=True)


def answer_choice(turn: Turn, node: Node, index: int) -> None:
    """Store the chosen option (or district) of an ask node and go on; an index out of range is refused."""
    if node.kind == "district":
        ids = district_ids(turn.ctx.hours)
        if index > len(ids):
            turn.stale("undecodable")
            return
        value = ids[index] if index < len(ids) else "unknown"
        assert node.slot is not None
        turn.s.slots[node.slot] = value
        if value != "unknown":
            turn.s.district = value
        turn.enter((node.unknown if value == "unknown" else None) or node.next or MENU, push=True)
        return
    if index >= len(node.options):
        turn.stale("undecodable")
        return
    option = node.options[index]
    if node.slot:
        turn.s.slots[node.slot] = option.value or str(index)
    turn.s.slots.update(option.set)
    turn.enter(option.goto or node.next or MENU, push=True)


def answer_text(turn: Turn, node: Node, text: str) -> None:
    """A typed answer to an ask node: a choice by label or number, a phone number, or free text within its limit."""
    assert node.slot is not None
    if node.kind in ("choice", "district"):
        labels = [turn.t(o.label) for o in node.options]
        if node.kind == "district":
            labels = [district_name(turn.ctx.hours, d) for d in district_ids(turn.ctx.hours)]
        match = [i for i, label in enumerate(labels) if label.casefold() == text.casefold()]
        number = _number(text)
        if number is not None and 1 <= number <= len(labels):
            match = [number - 1]
        if match:
            answer_choice(turn, node, match[0])
            return
        turn.say(turn.t(node.hint or T.USE_BUTTONS))
        turn.say(turn.t(T.IN_DANGER))
    elif node.kind == "phone":
        checked = check_phone(text)
        if checked.number is not None:
            turn.s.slots[node.slot] = checked.number
            turn.enter(node.next or MENU, push=True)
            return
        hint = {"service": T.PHONE_SERVICE, "letters": T.PHONE_LETTERS}.get(checked.problem or "")
        turn.say(turn.t(hint or node.hint or T.DEFAULT_PHONE_HINT, example="0234 1234567"))
        turn.say(turn.t(T.IN_DANGER))
    else:
        if node.max_length and len(text) > node.max_length:
            turn.say(turn.t(T.TOO_LONG, max=node.max_length))
        else:
            turn.s.slots[node.slot] = text
            turn.enter(node.next or MENU, push=True)
            return
    turn.render(node)


def write_to_staff(turn: Turn, reference: str, text: str) -> None:
    """What the family typed after pressing "reply" goes to their staff member, if it is not too long."""
    if len(text) > MAX_RELAY:
        turn.s.writing_to = reference  # keep writing: only the length was wrong
        turn.say(turn.t(T.TOO_LONG, max=MAX_RELAY))
        turn.flush([[button(turn.label(T.CANCEL_BUTTON), Go(Nav.MENU))]], free_text=True)
        return
    turn.effects.append(RelayToStaff(reference, text))
