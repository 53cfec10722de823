"""Transport-neutral events in and effects out. Adapters translate platform updates into these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NewType

UserKey = NewType("UserKey", str)  # transport-qualified: telegram:12345, matrix:@a:example.org, console:parent
ChatKey = NewType("ChatKey", str)  # where a message goes: telegram:-1001234, matrix:!room:example.org


@dataclass(frozen=True)
class Text:
    """The parent typed something."""

    text: str


@dataclass(frozen=True)
class Pressed:
    """The parent pressed a button; data is untrusted (any client can forge it)."""

    data: str


@dataclass(frozen=True)
class Command:
    """A slash command such as /start, without the slash."""

    name: str
    args: str = ""


@dataclass(frozen=True)
class Unsupported:
    """Something the bot cannot read: a sticker, a voice message, a photo."""

    kind: str


@dataclass(frozen=True)
class HandoffDone:
    """Internal: the runtime created the callback request the engine asked for."""

    reference: str


@dataclass(frozen=True)
class ChatMoved:
    """Platform event, made only by an adapter: this chat now has another key (group -> supergroup)."""

    new_chat: str


@dataclass(frozen=True)
class Reachability:
    """Platform event, made only by an adapter: the family blocked (or unblocked) the bot."""

    reachable: bool


@dataclass(frozen=True)
class EndChat:
    """The family ended the chat where the platform has its own "end chat and delete" (the web chat, which asked
    before sending it): everything stored about the family is erased at once, as /delete does once confirmed."""


Event = Text | Pressed | Command | Unsupported | HandoffDone | ChatMoved | Reachability | EndChat


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True)
class Reply:
    """A message to the parent: text with optional rows of buttons. rtl tells adapters the direction."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    rtl: bool = False

    def to_payload(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "buttons": [[[b.label, b.data] for b in row] for row in self.buttons],
            "rtl": self.rtl,
        }

    @staticmethod
    def from_payload(payload: dict[str, Any]) -> Reply:
        rows = tuple(tuple(Button(label, data) for label, data in row) for row in payload.get("buttons", []))
        return Reply(text=payload["text"], buttons=rows, rtl=bool(payload.get("rtl", False)))


@dataclass(frozen=True)
class CreateRequest:
    """Ask the runtime to create the callback request from the consented slots."""

    slots: dict[str, str]
    language: str


@dataclass(frozen=True)
class RecordConsent:
    purpose: str
    text_id: str
    version: int
    language: str
    action: str  # given | declined | withdrawn


@dataclass(frozen=True)
class DataRequest:
    """The family asked to see (/mydata) or erase (/delete) what is stored about them."""

    action: str  # show | delete


@dataclass(frozen=True)
class RelayToStaff:
    """The family answers the team about one request; the runtime checks the request is theirs and claimed."""

    reference: str
    text: str
    sos: str | None = None  # the emergency category recognised in the text: marked for the staff member


@dataclass(frozen=True)
class Refused:
    """A button press not acted on (forged, outdated, not the presser's): its kind for the audit log, which names
    nothing else, and the short answer the presser sees (Telegram: the answer to the callback query)."""

    kind: str  # undecodable | old_step | old_flow | not_theirs | not_member | wrong_chat
    notice: str
    reference: str | None = None  # a request the button named: the runtime checks whose it is (never logged)


@dataclass(frozen=True)
class Subscribe:
    """The family consented to reminders of this district's consultation hours: write (or move) its subscription."""

    district: str


@dataclass(frozen=True)
class Unsubscribe:
    """The family stopped its reminders: the subscription and its queued reminders go, the consent is withdrawn."""


@dataclass(frozen=True)
class EmergencyShown:
    """The emergency screen was shown: counted anonymously by category and language, never with the words."""

    category: str  # bot.core.emergency.Category, or BUTTON for the 🆘 button and /emergency
    language: str | None

    BUTTON = "button"


Effect = (
    EmergencyShown
    | Reply
    | CreateRequest
    | RecordConsent
    | DataRequest
    | RelayToStaff
    | Refused
    | Subscribe
    | Unsubscribe
)


@dataclass(frozen=True)
class Offered:
    """One choice the family was shown: the button's data, its label, and the label in German (the source)."""

    data: str
    label: str
    german: str


@dataclass(frozen=True)
class Offer:
    """The newest list of choices the family got, in the order a platform without buttons numbers them.

    at is the step that showed them (None: a list of its own, such as the delete confirmation or a team message);
    free_text says that step waits for words (a name, a phone number, a note): a bare number is an answer then.
    """

    choices: tuple[Offered, ...]
    at: str | None = None
    free_text: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            # The German label only where it differs: the list is written with every step.
            "choices": [[c.data, c.label] + ([c.german] if c.german != c.label else []) for c in self.choices],
            "at": self.at,
            "free_text": self.free_text,
        }

    @staticmethod
    def from_json(data: Any) -> Offer | None:
        if not isinstance(data, dict):
            return None
        choices = tuple(Offered(str(c[0]), str(c[1]), str(c[-1])) for c in data.get("choices", []) if len(c) in (2, 3))
        return Offer(choices, data.get("at"), bool(data.get("free_text", False)))


@dataclass
class Session:
    """The engine's state for one user: plain JSON-serialisable data."""

    lang: str | None = None
    at: str | None = None  # "flow/node"
    history: list[str] = field(default_factory=list)
    slots: dict[str, str] = field(default_factory=dict)
    district: str | None = None
    writing_to: str | None = None  # a request reference while the family writes a message to its staff member
    offer: Offer | None = None  # what typed numbers and labels are read against, and what "?" shows again
    # A list that came after the step's, outside any step (a team message, a reminder): numbers refer to it.
    aside: Offer | None = None
    delete_asked: str | None = None  # when /delete asked for confirmation (ISO time); any other event withdraws it
    language_offered: bool = False  # typed text in another language was answered with the offer to switch (once)

    def to_json(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "at": self.at,
            "history": list(self.history),
            "slots": dict(self.slots),
            "district": self.district,
            "writing_to": self.writing_to,
            "offer": self.offer.to_json() if self.offer is not None else None,
            "aside": self.aside.to_json() if self.aside is not None else None,
            "delete_asked": self.delete_asked,
            "language_offered": self.language_offered,
        }

    @staticmethod
    def from_json(data: dict[str, Any] | None) -> Session:
        data = data or {}
        return Session(
            lang=data.get("lang"),
            at=data.get("at"),
            history=list(data.get("history", [])),
            slots=dict(data.get("slots", {})),
            district=data.get("district"),
            writing_to=data.get("writing_to"),
            offer=Offer.from_json(data.get("offer")),
            aside=Offer.from_json(data.get("aside")),
            delete_asked=data.get("delete_asked"),
            language_offered=bool(data.get("language_offered", False)),
        )
