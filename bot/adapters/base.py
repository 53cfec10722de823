"""The adapter protocol: four methods, like opsdroid's connectors. Adapters translate, never decide."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from bot.core.events import ChatKey, Event, Reply, UserKey
from storage.kinds import Outcome


@dataclass(frozen=True)
class Inbound:
    """One platform update, translated: who, where, what, and an id for exactly-once handling."""

    inbound_id: str  # transport-qualified, e.g. telegram:update:42
    user: UserKey
    chat: ChatKey
    event: Event
    language_hint: str | None = None
    private: bool = True
    display_name: str | None = None  # used for staff only; a parent's name is never taken from the platform
    message_ref: str | None = None  # for a pressed button: "<chat key>|<message id>" of the message it hangs under


@dataclass(frozen=True)
class Outgoing:
    """What the outbox asks an adapter to deliver: a new message, or an edit of one it sent before."""

    reply: Reply
    edit_ref: str | None = None
    sent_parts: int = 0  # a long text split into parts: how many went out in earlier attempts
    # With edit_ref: remove that message; where the platform no longer allows it, replace its text with reply's.
    remove: bool = False
    # The same for every attempt at one outbox row: a platform with idempotent sends (Matrix's transaction id)
    # does not double a message whose first attempt arrived but whose answer was lost.
    txn_id: str | None = None
    # About one family or for one person only (a reply in the dialog, a team answer, details): a transport whose
    # chats can gain members (Matrix) sends it only while the chat is still private.
    personal: bool = False
    bulk: bool = False  # a broadcast (reminders): an adapter that paces its sending lets interactive messages first
    # The thread (its root message's platform ref) the message answers in; a platform without threads ignores it.
    thread: str | None = None
    # The outbox row, when delivering it needs nothing recorded but "sent": an adapter that keeps the message in our
    # own database (the web chat) may mark the row sent in that same transaction and answer Delivery.recorded.
    outbox_id: int | None = None


@dataclass(frozen=True)
class Delivery:
    """The adapter's answer: sent (with a platform ref), retry later, or failed for good."""

    status: Outcome
    ref: str | None = None
    retry_after: float = 0.0
    error: str | None = None  # a short, non-personal reason, e.g. "blocked"
    new_destination: str | None = None  # e.g. a group migrated to a supergroup
    sent_parts: int = 0  # on retry: parts of a long text already delivered, not to be sent again
    # A long text split into several messages: the ref of each part delivered in this attempt, in order (the last
    # is `ref`). Whoever takes a message back must take back every part.
    part_refs: tuple[str, ...] = ()
    # Sent, and the outbox row (Outgoing.outbox_id) was marked sent in the transaction that delivered it: nothing
    # is left for the outbox to write. A crash can then neither lose the mark nor send the message twice.
    recorded: bool = False


# Handles one inbound event. What it returns is the short answer to a refused button press (None: no words), which
# an adapter shows if its platform can (Telegram: the answer to the callback query; the console: a line).
Handler = Callable[[Inbound], Awaitable[str | None]]


class Adapter(Protocol):
    name: str  # the transport prefix of every key it owns: telegram, matrix, console

    async def connect(self) -> None: ...

    async def listen(self, handle: Handler) -> None: ...

    async def send(self, destination: ChatKey, message: Outgoing) -> Delivery: ...

    async def disconnect(self) -> None: ...


# Optional abilities. An adapter declares them by having the method; the app asks with isinstance() when it is
# assembled, never by looking for attribute names at the moment of use.


@runtime_checkable
class ChecksMembership(Protocol):
    """The platform can say whether a user is a current member of a chat (the staff channel)."""

    async def is_member(self, channel: ChatKey, user: UserKey) -> bool: ...


@runtime_checkable
class LinksPrivateChat(Protocol):
    """A link that opens the private chat with the bot in one tap (Telegram: t.me/<bot>?start=…), if any."""

    def private_link(self, start: str) -> str | None: ...


@runtime_checkable
class HostsStaffChannel(Protocol):
    """The transport is told which of its chats is the staff channel (for its command menu, say)."""

    def use_staff_channel(self, channel: ChatKey) -> None: ...


@runtime_checkable
class Mentionable(Protocol):
    """The bot has a name on this platform that people write to address it in a group (@elternlotse_bot)."""

    def mentioned_in(self, text: str) -> bool: ...


@runtime_checkable
class ShowsButtons(Protocol):
    """Whether the platform shows a Reply's buttons. One that does not (Matrix, the console) shows
    bot.core.choices.numbered(reply) under the text instead; the family types the number or the label, and the
    engine words its texts for that. An adapter without this ability shows buttons (Telegram)."""

    def shows_buttons(self) -> bool: ...


@runtime_checkable
class Describes(Protocol):
    """How the transport receives updates, for the start-up line (polling, webhook, sync)."""

    def receiving(self) -> str: ...


class Cursors(Protocol):
    """Where a transport's event stream stands, kept in the database beside the events it covers."""

    async def load(self, name: str) -> str | None: ...

    async def save(self, name: str, value: str) -> None: ...


@runtime_checkable
class KeepsCursor(Protocol):
    """The transport resumes a stream from a position it stores only after that position's events were committed
    (Matrix: the sync token)."""

    def use_cursors(self, cursors: Cursors) -> None: ...


@runtime_checkable
class OpensPrivateChat(Protocol):
    """The bot can open a private (encrypted) chat with a person itself: a chat key that reaches them privately even
    if they never wrote to the bot (Matrix: the user key; the adapter finds or creates the direct room)."""

    def private_chat_of(self, user: UserKey) -> ChatKey | None: ...


@runtime_checkable
class ResolvesStaffChannel(Protocol):
    """The configured staff channel may be a name (a Matrix alias) that the connected transport turns into the id
    its events carry; None if there is nothing to resolve."""

    def resolved_staff_channel(self) -> ChatKey | None: ...


@runtime_checkable
class KeepsMessages(Protocol):
    """The transport keeps what it delivered itself, in the database (the web chat keeps a family's messages for
    its browser): given its store when the app is assembled."""

    def use_store(self, store: Any) -> None: ...
