"""Questions about rooms, asked of the homeserver: who may act in the staff room, and where a person's DM is.

Staff are authorised by the room id, the sender's current membership (asked at every action, never remembered) and
power level; never by display name, which anyone can copy. A member may act whose power level lets them write
messages in the room (a muted member may not). In room version 12 the room's creators have unlimited power, which
matrix-nio reads as level 0: the creator counts as admin.
"""

from __future__ import annotations

import logging
from typing import Any

from nio import AsyncClient, RoomCreateResponse, RoomGetStateResponse, RoomPreset

from bot.adapters.matrix_sync import joined

log = logging.getLogger(__name__)
ENCRYPTION = {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


class MembershipUnknown(ConnectionError):
    """The homeserver did not answer: "could not check" is not "not a member"."""


def may_act(state: list[dict[str, Any]], mxid: str) -> bool:
    """From a room's current state: joined, and either a creator or allowed to write messages."""
    member = power = create = None
    for event in state:
        kind = event.get("type")
        if kind == "m.room.member" and event.get("state_key") == mxid:
            member = event.get("content") or {}
        elif kind == "m.room.power_levels" and event.get("state_key") == "":
            power = event.get("content") or {}
        elif kind == "m.room.create" and event.get("state_key") == "":
            create = event
    if member is None or member.get("membership") != "join":
        return False
    if create is not None:
        creators = {create.get("sender"), *((create.get("content") or {}).get("additional_creators") or [])}
        if mxid in creators:
            return True
    if power is None:
        return True  # no power levels at all: every member may write (the spec's defaults)
    level = _int((power.get("users") or {}).get(mxid), _int(power.get("users_default"), 0))
    needed = _int((power.get("events") or {}).get("m.room.message"), _int(power.get("events_default"), 0))
    return level >= needed


def _int(value: object, default: int) -> int:
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError):
        return default


async def member_may_act(client: AsyncClient, room_id: str, mxid: str) -> bool:
    response = await client.room_get_state(room_id)
    if not isinstance(response, RoomGetStateResponse):
        code = getattr(response, "status_code", None)
        if code in ("M_FORBIDDEN", "M_NOT_FOUND"):
            log.warning("the bot cannot read the staff room's state (%s): is it a member?", code)
            return False
        raise MembershipUnknown(str(code))
    return may_act(response.events, mxid)


def find_direct_room(client: AsyncClient, mxid: str, staff_room: str | None) -> str | None:
    """An encrypted room the bot shares with exactly this person (joined or invited), if there is one. Never the
    staff room, even while only one member and the bot are in it: what goes privately must stay private."""
    for room_id, room in client.rooms.items():
        if room_id == staff_room:
            continue
        people = set(room.users)
        if people == {client.user_id, mxid} and room.encrypted and client.user_id in joined(room):
            return str(room_id)
    return None


async def create_direct_room(client: AsyncClient, mxid: str) -> str:
    """An encrypted direct chat with this person (the bot creates it, they are invited)."""
    response = await client.room_create(
        is_direct=True, preset=RoomPreset.trusted_private_chat, invite=[mxid], initial_state=[ENCRYPTION]
    )
    if not isinstance(response, RoomCreateResponse):
        raise ConnectionError(f"room_create failed: {getattr(response, 'status_code', None)}")
    log.info("opened an encrypted direct chat with a staff member")
    return str(response.room_id)
