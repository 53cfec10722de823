"""Smoke tests of the Synapse fixture: two people reach each other through matrix-nio, in plain and encrypted rooms."""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest
from nio import (
    AsyncClient,
    AsyncClientConfig,
    JoinResponse,
    MegolmEvent,
    RoomCreateResponse,
    RoomMessageText,
    RoomPreset,
    RoomSendResponse,
    SyncResponse,
)

from tests.support.synapse import Synapse

pytestmark = pytest.mark.slow

ENCRYPTION = {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}

Client = Callable[[str], Awaitable[AsyncClient]]
T = TypeVar("T")


@pytest.fixture
async def client(synapse: Synapse, tmp_path: Path) -> AsyncIterator[Client]:
    """Makes logged-in nio clients for freshly registered users, each with its own key store; closes them after."""
    clients: list[AsyncClient] = []

    async def make(name: str) -> AsyncClient:
        account = await synapse.register(f"{name}-{secrets.token_hex(4)}")
        store = tmp_path / name
        store.mkdir()
        config = AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False, max_limit_exceeded=0)
        nio = AsyncClient(
            synapse.url, account.user_id, device_id=account.device_id, store_path=str(store), config=config
        )
        clients.append(nio)
        nio.restore_login(account.user_id, account.device_id, account.access_token)
        if nio.should_upload_keys:
            await nio.keys_upload()
        first = await nio.sync(timeout=0, full_state=True)
        assert isinstance(first, SyncResponse), first
        return nio

    yield make
    for nio in clients:
        await nio.close()


async def sync_until(nio: AsyncClient, found: Callable[[SyncResponse], T | None], within: float = 20.0) -> T:
    """Sync (long polls of at most a second) until `found` returns something for a response."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        response = await nio.sync(timeout=1000)
        assert isinstance(response, SyncResponse), response
        if (result := found(response)) is not None:
            return result
    raise AssertionError(f"{nio.user_id} saw nothing matching within {within} s")


async def private_chat(alice: AsyncClient, bob: AsyncClient, encrypted: bool) -> str:
    """Alice opens a direct chat with Bob and invites him; Bob sees the invite and joins."""
    created = await alice.room_create(
        is_direct=True,
        preset=RoomPreset.trusted_private_chat,
        invite=[bob.user_id],
        initial_state=[ENCRYPTION] if encrypted else [],
    )
    assert isinstance(created, RoomCreateResponse), created
    room_id: str = created.room_id
    await sync_until(bob, lambda response: room_id if room_id in response.rooms.invite else None)
    joined = await bob.join(room_id)
    assert isinstance(joined, JoinResponse), joined
    # Bob sends from what his sync knows about the room (members, encryption); the join alone does not tell him.
    await sync_until(bob, lambda response: True if room_id in response.rooms.join else None)
    return room_id


def text_from(
    sender: str, room_id: str, pending: list[MegolmEvent], nio: AsyncClient
) -> Callable[[SyncResponse], RoomMessageText | None]:
    """A sync matcher for the first text message from `sender`, retrying encrypted ones whose key came later."""

    def found(response: SyncResponse) -> RoomMessageText | None:
        room = response.rooms.join.get(room_id)
        events = list(room.timeline.events) if room else []
        for event in pending:
            decrypted = nio.decrypt_event(event)
            events.append(decrypted)
        pending.clear()
        for event in events:
            if isinstance(event, MegolmEvent) and event.sender == sender:
                pending.append(event)
            elif isinstance(event, RoomMessageText) and event.sender == sender:
                return event
        return None

    return found


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
async def test_a_message_in_a_private_chat_reaches_the_other_person(client: Client, encrypted: bool) -> None:
    alice, bob = await client("alice"), await client("bob")
    room_id = await private_chat(alice, bob, encrypted)
    assert bob.rooms[room_id].encrypted is encrypted

    sent = await bob.room_send(
        room_id, "m.room.message", {"msgtype": "m.text", "body": "Hallo, hier ist Bob"}, ignore_unverified_devices=True
    )
    assert isinstance(sent, RoomSendResponse), sent

    pending: list[MegolmEvent] = []
    message = await sync_until(alice, text_from(bob.user_id, room_id, pending, alice))
    assert message.body == "Hallo, hier ist Bob"
    assert message.event_id == sent.event_id
    assert message.decrypted is encrypted
