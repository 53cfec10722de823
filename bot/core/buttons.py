"""Button data: the only place it is written and read. Pure.

The data is "<kind>:<rest>", at most 64 bytes of UTF-8 (Telegram's limit for callback data):

    g:sos  g:back  g:menu  g:lang     navigation              x:delete             erase what is stored (confirmed)
    l:<language>                      choose a language       r:<reference>        write to the request's staff member
    o:<flow/node>:<index>             an option of a node     k:<flow/node>:       skip an optional question
    c:<flow/node>:y  c:<flow/node>:n  consent given or not    q:<action>:<reference>  a staff queue button
    m:stop  m:district                reminders: stop them, or change their district
    q:as:<reference>:<outcome>        close a request with this outcome (dialogs/outcomes.yaml)

The format is the one the bot has always sent, so buttons in chats from before this module still work. Anyone can
forge button data, so decode() checks the shape and nothing else: whether the node exists, is the family's current
step, or the request is theirs, the engine and the desk decide. Only the form encode() writes is read: decode(x) is
either None or a value that encode() turns back into exactly x.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import assert_never

from bot.core.events import Button

MAX_BYTES = 64  # Telegram's limit for callback_data
MAX_INDEX = 9999  # an option's number has at most four digits
_NODE = re.compile(r"[\w.-]+/[\w.-]+")  # flow/node, as the dialog files name them
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:_[a-z]{2,8})?")  # de, de_easy
_REFERENCE = re.compile(r"R-[0-9]{4}-[0-9]{4,}")  # R-2026-0042
_INDEX = re.compile(r"0|[1-9][0-9]{0,3}")  # no sign, no leading zeros, no other script's digits
_OUTCOME = re.compile(r"[a-z][a-z0-9_]{0,23}")  # an outcome's id (bot.core.outcomes)
_CLOSE_AS = "as"  # q:as:<reference>:<outcome>


class Kind(StrEnum):
    """What a button does: the prefix of its data."""

    GO = "g"
    DELETE = "x"
    LANGUAGE = "l"
    REPLY = "r"
    OPTION = "o"
    SKIP = "k"
    CONSENT = "c"
    QUEUE = "q"
    REMIND = "m"


class Nav(StrEnum):
    """Where a navigation button goes."""

    SOS = "sos"
    BACK = "back"
    MENU = "menu"
    LANGUAGE = "lang"


class QueueAction(StrEnum):
    """What a staff queue button under a request's card does."""

    CLAIM = "claim"
    TEMPLATES = "tpl"
    DONE = "done"
    RELEASE = "release"
    REOPEN = "reopen"
    KEEP = "keep"  # the outcome was not chosen after all: the card shows its usual buttons again


class RemindAction(StrEnum):
    """What a button about the family's reminders of consultation hours does."""

    STOP = "stop"
    DISTRICT = "district"


@dataclass(frozen=True)
class Go:
    to: Nav


@dataclass(frozen=True)
class DeleteData:
    """The family confirmed that everything stored about them is to be erased."""


@dataclass(frozen=True)
class PickLanguage:
    code: str


@dataclass(frozen=True)
class ReplyTo:
    reference: str


@dataclass(frozen=True)
class Choose:
    node: str
    index: int


@dataclass(frozen=True)
class Skip:
    node: str


@dataclass(frozen=True)
class Consent:
    node: str
    agreed: bool


@dataclass(frozen=True)
class Queue:
    action: QueueAction
    reference: str


@dataclass(frozen=True)
class CloseAs:
    """Close a request with this outcome (a staff button on the card)."""

    reference: str
    outcome: str


@dataclass(frozen=True)
class Remind:
    action: RemindAction


_KINDS, _NAVS, _ACTIONS, _REMINDS = frozenset(Kind), frozenset(Nav), frozenset(QueueAction), frozenset(RemindAction)
Decoded = Go | DeleteData | PickLanguage | ReplyTo | Choose | Skip | Consent | Queue | CloseAs | Remind


def encode(press: Decoded) -> str:
    """The data for a button; ValueError if it would exceed 64 bytes or not decode back to press."""
    match press:
        case Go(to):
            data = f"{Kind.GO}:{to}"
        case DeleteData():
            data = f"{Kind.DELETE}:delete"
        case PickLanguage(code):
            data = f"{Kind.LANGUAGE}:{code}"
        case ReplyTo(reference):
            data = f"{Kind.REPLY}:{reference}"
        case Choose(node, index):
            data = f"{Kind.OPTION}:{node}:{index}"
        case Skip(node):
            data = f"{Kind.SKIP}:{node}:"
        case Consent(node, agreed):
            data = f"{Kind.CONSENT}:{node}:{'y' if agreed else 'n'}"
        case Queue(action, reference):
            data = f"{Kind.QUEUE}:{action}:{reference}"
        case CloseAs(reference, outcome):
            data = f"{Kind.QUEUE}:{_CLOSE_AS}:{reference}:{outcome}"
        case Remind(action):
            data = f"{Kind.REMIND}:{action}"
        case _:
            assert_never(press)
    size = len(data.encode("utf-8", "replace"))
    if size > MAX_BYTES:
        raise ValueError(f"button data of {size} bytes, more than {MAX_BYTES}")
    if decode(data) != press:
        raise ValueError(f"{press!r} cannot be written as button data")
    return data


def button(label: str, press: Decoded) -> Button:
    """A button with this label that, pressed, comes back as press."""
    return Button(label, encode(press))


def decode(data: str) -> Decoded | None:
    """What a button's data asks for, or None if it is not data encode() could have written."""
    try:
        if len(data.encode("utf-8")) > MAX_BYTES:
            return None
    except UnicodeEncodeError:  # a lone surrogate: no client sends one, a forger may
        return None
    kind, colon, rest = data.partition(":")
    if not colon:
        return None
    if kind == Kind.GO:
        return Go(Nav(rest)) if rest in _NAVS else None
    if kind == Kind.DELETE:
        return DeleteData() if rest == "delete" else None
    if kind == Kind.LANGUAGE:
        return PickLanguage(rest) if _LANGUAGE.fullmatch(rest) else None
    if kind == Kind.REPLY:
        return ReplyTo(rest) if _REFERENCE.fullmatch(rest) else None
    if kind == Kind.REMIND:
        return Remind(RemindAction(rest)) if rest in _REMINDS else None
    if kind == Kind.QUEUE:
        action, _, reference = rest.partition(":")
        if action == _CLOSE_AS:
            reference, _, outcome = reference.partition(":")
            ok = _REFERENCE.fullmatch(reference) and _OUTCOME.fullmatch(outcome)
            return CloseAs(reference, outcome) if ok else None
        if action not in _ACTIONS or not _REFERENCE.fullmatch(reference):
            return None
        return Queue(QueueAction(action), reference)
    node, colon, arg = rest.rpartition(":")
    if not colon or not _NODE.fullmatch(node):
        return None
    if kind == Kind.OPTION and _INDEX.fullmatch(arg):
        return Choose(node, int(arg))
    if kind == Kind.SKIP and arg == "":
        return Skip(node)
    if kind == Kind.CONSENT and arg in ("y", "n"):
        return Consent(node, arg == "y")
    return None


def claimed_kind(data: str) -> Kind | None:
    """The kind a press says it is, before anything else of it is trusted: only to route it to who refuses it."""
    kind, colon, _ = data.partition(":")
    return Kind(kind) if colon and kind in _KINDS else None
