"""People on Matrix for the tests: a real matrix-nio client each (encrypted), syncing in the background, reading what
the bot writes as a person's client shows it (edits applied), and writing as a person would."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nio import (
    AsyncClient,
    AsyncClientConfig,
    EncryptionError,
    MegolmEvent,
    RedactionEvent,
    RoomCreateResponse,
    RoomMessageText,
    RoomPreset,
    RoomSendResponse,
    SyncResponse,
)

from tests.support.synapse import Account, Synapse

ENCRYPTION = {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


@dataclass
class Seen:
    """A message as the person's client shows it: its original event id, the newest text, and edits made."""

    event_id: str
    sender: str
    body: str
    html: str | None
    thread: str | None = None
    edits: int = 0
    redacted: bool = False


@dataclass
class MatrixPerson:
    client: AsyncClient
    account: Account
    accept_invites: bool = True
    rooms: dict[str, list[Seen]] = field(default_factory=dict)
    invited: list[str] = field(default_factory=list)
    _pending: list[tuple[str, MegolmEvent]] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def user_id(self) -> str:
        return str(self.client.user_id)

    async def start(self) -> None:
        first = await self.client.sync(timeout=0, full_state=True)
        assert isinstance(first, SyncResponse), first
        self._task = asyncio.create_task(self._sync_forever())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self.client.close()

    async def _sync_forever(self) -> None:
        while True:
            response = await self.client.sync(timeout=500)
            if not isinstance(response, SyncResponse):
                await asyncio.sleep(0.2)
                continue
            for room_id in response.rooms.invite:
                self.invited.append(room_id)
                if self.accept_invites:
                    await self.client.join(room_id)
            events: list[tuple[str, Any]] = []
            for room_id, info in response.rooms.join.items():
                events += [(room_id, event) for event in info.timeline.events]
            waiting, self._pending = self._pending, []
            for room_id, event in waiting:
                with contextlib.suppress(EncryptionError):
                    event = self.client.decrypt_event(event)
                events.append((room_id, event))
            for room_id, event in events:
                if isinstance(event, MegolmEvent):
                    self._pending.append((room_id, event))
                elif isinstance(event, RoomMessageText) and event.sender != self.user_id:
                    self._see(room_id, event)
                elif isinstance(event, RedactionEvent):
                    for message in self.rooms.get(room_id, []):
                        if message.event_id == event.redacts:
                            message.redacted, message.body, message.html = True, "", None
            self._changed.set()

    def _see(self, room_id: str, event: RoomMessageText) -> None:
        content = event.source.get("content") or {}
        relates = content.get("m.relates_to") or {}
        seen = self.rooms.setdefault(room_id, [])
        if relates.get("rel_type") == "m.replace":
            new = content.get("m.new_content") or {}
            for message in seen:
                if message.event_id == relates.get("event_id"):
                    message.body, message.html = new.get("body", ""), new.get("formatted_body")
                    message.edits += 1
            return
        thread = relates.get("event_id") if relates.get("rel_type") == "m.thread" else None
        seen.append(Seen(event.event_id, event.sender, event.body, content.get("formatted_body"), thread))

    def count(self, room_id: str) -> int:
        return len(self.rooms.get(room_id, []))

    async def wait_until(self, check: Callable[[], Any], timeout: float = 30.0) -> Any:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = check()
            if result:
                return result
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.5):
                    await self._changed.wait()
        raise AssertionError(f"{self.user_id}: nothing matching within {timeout} s; saw {self.rooms}")

    async def next(self, room_id: str, after: int, timeout: float = 30.0) -> Seen:  # noqa: ASYNC109
        """The first message from someone else in a room after the first `after` ones."""
        await self.wait_until(lambda: self.count(room_id) > after, timeout)
        return self.rooms[room_id][after]

    async def say(self, room_id: str, text: str, thread: str | None = None) -> str:
        content: dict[str, Any] = {"msgtype": "m.text", "body": text}
        if thread is not None:
            content["m.relates_to"] = {"rel_type": "m.thread", "event_id": thread}
        sent = await self.client.room_send(room_id, "m.room.message", content, ignore_unverified_devices=True)
        assert isinstance(sent, RoomSendResponse), sent
        return str(sent.event_id)

    async def ask(self, room_id: str, text: str, timeout: float = 30.0) -> Seen:  # noqa: ASYNC109
        """Say something and return the next message from someone else (the bot's answer)."""
        before = self.count(room_id)
        await self.say(room_id, text)
        return await self.next(room_id, before, timeout)

    async def create_room(self, invite: list[str], direct: bool = True, name: str | None = None) -> str:
        created = await self.client.room_create(
            is_direct=direct, preset=RoomPreset.trusted_private_chat if direct else RoomPreset.private_chat,
            invite=invite, initial_state=[ENCRYPTION], name=name,
        )  # fmt: skip
        assert isinstance(created, RoomCreateResponse), created
        await self.wait_until(lambda: created.room_id in self.client.rooms)
        return str(created.room_id)


async def person(synapse: Synapse, name: str, store: Path, display_name: str | None = None) -> MatrixPerson:
    """A freshly registered person with an encrypted device, syncing."""
    account = await synapse.register(f"{name}-{secrets.token_hex(3)}")
    store.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - a test directory
    config = AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False, max_limit_exceeded=0)
    client = AsyncClient(synapse.url, account.user_id, device_id=account.device_id, store_path=str(store),
                         config=config)  # fmt: skip
    client.restore_login(account.user_id, account.device_id, account.access_token)
    if client.should_upload_keys:
        await client.keys_upload()
    if display_name:
        await client.set_displayname(display_name)
    someone = MatrixPerson(client, account)
    await someone.start()
    return someone
