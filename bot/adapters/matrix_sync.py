"""One sync response, read: which events become core events, in which room, and which invites to accept.

What never runs a command: the bot's own events, edits (m.replace) of earlier messages, redactions, notices of
other bots, and history from before the bot joined a room (on the very first start, everything before it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from nio import (
    Event as NioEvent,
)
from nio import (
    InviteMemberEvent,
    MatrixRoom,
    MegolmEvent,
    RoomMemberEvent,
    RoomMessage,
    RoomMessageText,
    SyncResponse,
)

from bot.adapters.base import Inbound
from bot.adapters.matrix_text import read_event
from bot.core.events import ChatKey, Command, Event, Unsupported, UserKey

log = logging.getLogger(__name__)
UNDECRYPTABLE = "undecryptable"


def chat_key(room_id: str) -> ChatKey:
    return ChatKey(f"matrix:{room_id}")


def user_key(mxid: str) -> UserKey:
    return UserKey(f"matrix:{mxid}")


def joined(room: MatrixRoom) -> set[str]:
    """Who is joined now: nio's `users` includes invited people, who cannot read along yet."""
    invited = set(getattr(room, "invited_users", {}) or {})
    return {user for user in room.users if user not in invited}


def is_private(room: MatrixRoom, me: str) -> bool:
    """Private only while exactly the bot and one other person are joined, and nobody else is invited (an invited
    person who joins can read what was said before, in a room whose history is shared)."""
    members = joined(room)
    return me in members and len(members) == 2 and set(room.users) == members


@dataclass
class SyncBatch:
    """What to do with one sync response."""

    invites: list[str] = field(default_factory=list)  # room ids to join
    rooms: dict[str, list[Inbound]] = field(default_factory=dict)  # in timeline order, per room
    undecrypted: list[tuple[str, MegolmEvent]] = field(default_factory=list)  # to try again after the next sync


def relation(source: dict[str, Any]) -> dict[str, Any]:
    content = source.get("content") or {}
    relates = content.get("m.relates_to")
    return relates if isinstance(relates, dict) else {}


class SyncReader:
    """Translates nio's events into Inbound events; holds no state of its own beyond the staff room's id."""

    def __init__(self, me: str, rooms: dict[str, MatrixRoom], staff_room: str | None = None) -> None:
        self.me = me
        self.rooms = rooms
        self.staff_room = staff_room

    def read(self, response: SyncResponse, first: bool) -> SyncBatch:
        batch = SyncBatch(invites=list(response.rooms.invite))
        for room_id, info in response.rooms.join.items():
            events = list(info.timeline.events)
            if first:
                continue  # the very first start: everything so far is history
            # A room the bot joined in this sync: what came before its join is history, never a command.
            for index in range(len(events) - 1, -1, -1):
                event = events[index]
                if isinstance(event, RoomMemberEvent) and event.state_key == self.me and event.membership == "join":
                    if event.prev_membership != "join":
                        events = events[index:]
                    break
            inbound = [item for event in events if (item := self.translate(room_id, event, batch)) is not None]
            if inbound:
                batch.rooms[room_id] = inbound
        return batch

    def translate(self, room_id: str, event: NioEvent, batch: SyncBatch | None = None) -> Inbound | None:
        """An event as an Inbound, or None if it needs no handling."""
        room = self.rooms.get(room_id)
        if room is None:
            return None
        if isinstance(event, RoomMemberEvent):
            return self._membership(room, event)
        if event.sender == self.me or not isinstance(event, RoomMessage | MegolmEvent):
            return None  # our own echo, redactions, state changes, reactions
        if isinstance(event, MegolmEvent):
            if batch is not None:
                batch.undecrypted.append((room_id, event))
            return None
        relates = relation(event.source)
        if relates.get("rel_type") == "m.replace":
            return None  # an edit of an earlier message: that message was handled once already
        if (event.source.get("content") or {}).get("msgtype") == "m.notice":
            return None  # bots answer with notices; never loop with one
        parsed: Event
        if isinstance(event, RoomMessageText):
            parsed = read_event(event.body, replying="m.in_reply_to" in relates and relates.get("rel_type") is None)
        else:
            kind = str((event.source.get("content") or {}).get("msgtype", "other")).removeprefix("m.")
            parsed = Unsupported(kind)
        staff = room_id == self.staff_room
        if staff and isinstance(parsed, Command) and parsed.name in ("help", "hilfe"):
            parsed = Command("team", parsed.args)  # `!hilfe` and `!help` in the staff room list the staff commands
        thread = relates.get("event_id") if relates.get("rel_type") == "m.thread" else None
        return Inbound(
            f"matrix:event:{event.event_id}",
            user_key(event.sender),
            chat_key(room_id),
            parsed,
            private=not staff and is_private(room, self.me),
            display_name=room.user_name(event.sender) if staff else None,
            message_ref=f"{chat_key(room_id)}|{thread}" if thread else None,
        )

    def undecryptable(self, room_id: str, event: MegolmEvent) -> Inbound | None:
        """An event the bot could not decrypt, for a polite request to send it again. Its content is never read."""
        room = self.rooms.get(room_id)
        if room is None or event.sender == self.me:
            return None
        log.warning("could not decrypt an event in a room (session %s…)", (event.session_id or "")[:8])
        staff = room_id == self.staff_room
        return Inbound(
            f"matrix:event:{event.event_id}",
            user_key(event.sender),
            chat_key(room_id),
            Unsupported(UNDECRYPTABLE),
            private=not staff and is_private(room, self.me),
        )

    def _membership(self, room: MatrixRoom, event: RoomMemberEvent) -> Inbound | None:
        """Our own join after an invite greets the person who invited us (with the language picker)."""
        if event.state_key != self.me or event.membership != "join" or event.prev_membership != "invite":
            return None
        if room.room_id == self.staff_room:
            return None
        others = set(room.users) - {self.me}
        if len(others) != 1 or not is_private(room, self.me):
            return None  # a group: the bot says nothing until someone writes to it
        other = next(iter(others))
        return Inbound(
            f"matrix:event:{event.event_id}", user_key(other), chat_key(room.room_id), Command("start"), private=True
        )


def invited_by(event: NioEvent) -> str | None:
    return event.sender if isinstance(event, InviteMemberEvent) else None
