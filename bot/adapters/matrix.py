"""The Matrix adapter (matrix-nio with end-to-end encryption): parents in encrypted direct chats, staff in a room.

No replay, no loss: the sync token is stored in the database only after every event of that sync was handled (each
in its own committed transaction, its event id recorded once as `matrix:event:<id>`); a restart syncs again from the
stored token and the event ids already recorded are skipped. Sends use the outbox row as the transaction id, so a
retried send is not doubled. Unverified devices are accepted (`ignore_unverified_devices`): the bot cannot verify
anyone interactively, and what it says is bounded instead by who is in a room, asked of the homeserver.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
from pathlib import Path
from time import monotonic
from typing import TextIO

from aiohttp import ClientError
from nio import (
    AsyncClient,
    EncryptionError,
    ErrorResponse,
    JoinResponse,
    LocalProtocolError,
    MegolmEvent,
    RoomRedactResponse,
    RoomResolveAliasResponse,
    RoomSendResponse,
    SyncResponse,
)

from bot.adapters.base import Cursors, Delivery, Handler, Inbound, Outgoing
from bot.adapters.matrix_gap import GapUnfilled, fill_gaps
from bot.adapters.matrix_login import Credentials, open_client
from bot.adapters.matrix_rooms import MembershipUnknown, create_direct_room, find_direct_room, member_may_act
from bot.adapters.matrix_sync import SyncReader, chat_key, is_private, joined
from bot.adapters.matrix_text import content
from bot.adapters.telegram_limits import SendLimiter
from bot.core.events import ChatKey, UserKey
from storage.kinds import Outcome

log = logging.getLogger(__name__)
CURSOR = "matrix"
SYNC_TIMEOUT_MS = 30_000
SYNC_GRACE = 15.0  # seconds a long poll may take beyond its timeout before the health check stops trusting it
UNDECRYPTABLE_AFTER = 8.0  # seconds an event may wait for its room key before the sender is asked to resend it
# Most restarts see every event since the stored token in one response (Synapse may hand out fewer); the events
# before a `limited` timeline are fetched by bot.adapters.matrix_gap.
SYNC_FILTER = {"room": {"timeline": {"limit": 500}, "state": {"lazy_load_members": False}}}
# The homeserver counts M_LIMIT_EXCEEDED's retry_after_ms on its own clock and rounds it down: a retry on the dot
# can meet the limit again.
LIMIT_MARGIN = 0.1


class MatrixAdapter:
    """connect, listen, send, disconnect — plus is_member, the staff room, direct chats and the sync cursor."""

    name = "matrix"

    def __init__(
        self, credentials: Credentials, store: Path, staff_room: str | None = None, send_rate: float = 10.0
    ) -> None:
        """send_rate: messages a second this bot sends at most; a homeserver limits each sender (Synapse's
        rc_message), and a broadcast (Outgoing.bulk) takes its moments one at a time, behind interactive replies."""
        self.credentials = credentials
        self.limiter = SendLimiter(global_rate=send_rate, private_interval=0.0, group_interval=0.0)
        self.store = store
        self.configured_staff_room = staff_room
        self.staff_room: str | None = staff_room if staff_room and staff_room.startswith("!") else None
        self.client: AsyncClient | None = None
        self.cursors: Cursors | None = None
        self.reader: SyncReader | None = None
        self._last_success: float | None = None  # the last sync that answered (monotonic)
        self._polling_since: float | None = None  # a long poll in flight that followed a successful sync
        self._undecrypted: list[tuple[float, str, MegolmEvent]] = []
        self._direct: dict[str, str] = {}  # mxid -> the direct room this process found or made
        self._opened: set[str] = set()  # direct rooms this process created
        self._synced = False  # the first sync (full state) is in: client.rooms knows every room
        self._lock: TextIO | None = None

    # --- lifecycle ------------------------------------------------------------------------------------

    def use_cursors(self, cursors: Cursors) -> None:
        self.cursors = cursors

    def use_staff_channel(self, channel: ChatKey) -> None:
        if channel.startswith("matrix:"):
            room = channel.split(":", 1)[1]
            self.configured_staff_room = room
            self.staff_room = room if room.startswith("!") else None

    def resolved_staff_channel(self) -> ChatKey | None:
        return chat_key(self.staff_room) if self.staff_room else None

    def receiving(self) -> str:
        return "sync, encrypted"

    def shows_buttons(self) -> bool:
        return False  # options are numbered lists; families type the number or the label

    def last_success(self) -> float | None:
        """For /healthz: when the sync last answered. A long poll in flight after a good sync counts as now while
        it is within its timeout (an idle bot is healthy); a failing sync does not, and a send never does, since
        a bot that can send but no longer receives is not well."""
        now = monotonic()
        if self._polling_since is not None and now - self._polling_since <= SYNC_TIMEOUT_MS / 1000 + SYNC_GRACE:
            return now
        return self._last_success

    async def connect(self) -> None:
        if self.client is not None:
            await self.client.close()
        self._hold_device()
        self._synced = False
        self.client = await open_client(self.credentials, self.store)
        if self.configured_staff_room and self.configured_staff_room.startswith("#"):
            resolved = await self.client.room_resolve_alias(self.configured_staff_room)
            if not isinstance(resolved, RoomResolveAliasResponse):
                raise ConnectionError(f"the staff room's alias is unknown: {getattr(resolved, 'status_code', None)}")
            self.staff_room = resolved.room_id
        self.reader = SyncReader(self.client.user_id, self.client.rooms, self.staff_room)
        self._last_success = monotonic()

    def _hold_device(self) -> None:
        """One process per device: its key store must not be written by two. A second process waits (and retries
        with backoff) until the first one is gone, then takes over: a standby."""
        if self._lock is not None:
            return
        self.store.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock = (self.store / "lock").open("w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            raise ConnectionError("another process uses this Matrix device (ELTERNLOTSE_MATRIX_STORE_DIR)") from None
        self._lock = lock

    async def disconnect(self) -> None:
        # Close the connection only: a logout would delete the device and its keys.
        if self.client is not None:
            await self.client.close()
        if self._lock is not None:
            self._lock.close()  # releases the lock for a standby process
            self._lock = None

    # --- in -------------------------------------------------------------------------------------------

    async def listen(self, handle: Handler) -> None:
        """Sync forever. The stored token moves past a sync only after all of its events were handled."""
        assert self.client is not None and self.reader is not None
        token = await self.cursors.load(CURSOR) if self.cursors else None
        first, full_state, failures = token is None, True, 0
        if self.staff_room:
            await self.client.join(self.staff_room)  # the bot may have been invited while it was away
        while True:
            self._polling_since = monotonic() if failures == 0 else None
            try:
                response = await self.client.sync(
                    timeout=0 if full_state else (1000 if self._undecrypted else SYNC_TIMEOUT_MS),
                    sync_filter=SYNC_FILTER, since=token,
                    full_state=full_state,
                )  # fmt: skip
                if isinstance(response, SyncResponse) and token is not None and not first:
                    await fill_gaps(self.client, response, token)  # nothing missed while away is lost
            except (ClientError, TimeoutError, GapUnfilled) as exc:
                response = None
                error = type(exc).__name__
            self._polling_since = None
            if not isinstance(response, SyncResponse):
                failures += 1
                error = getattr(response, "status_code", None) or (error if response is None else "sync")
                wait = min(30.0, 2.0**failures)
                log.warning("Matrix sync failed (%s); retrying in %.0f s", error, wait)
                await asyncio.sleep(wait)
                continue
            failures, self._last_success = 0, monotonic()
            self._synced = True
            batch = self.reader.read(response, first)
            await self._join(batch.invites)
            await self._handle_rooms(batch.rooms, handle)
            now = monotonic()
            self._undecrypted += [(now, room_id, event) for room_id, event in batch.undecrypted]
            await self._retry_undecrypted(handle)
            token, first, full_state = response.next_batch, False, False
            if self.cursors is not None and not self._undecrypted:
                await self.cursors.save(CURSOR, token)  # waiting events keep the older token: a crash replays them

    async def _join(self, rooms: list[str]) -> None:
        assert self.client is not None
        for room_id in rooms:
            response = await self.client.join(room_id)
            if not isinstance(response, JoinResponse):
                log.warning("could not join a room I was invited to: %s", getattr(response, "status_code", None))

    async def _handle_rooms(self, rooms: dict[str, list[Inbound]], handle: Handler) -> None:
        """A room's events are handled in order; different rooms at the same time."""

        async def run(chain: list[Inbound]) -> None:
            for inbound in chain:
                await handle(inbound)

        await asyncio.gather(*(run(chain) for chain in rooms.values()))

    async def _retry_undecrypted(self, handle: Handler) -> None:
        """Keys often arrive a moment after the message: try again; after a while ask the sender to resend."""
        assert self.client is not None and self.reader is not None
        waiting, self._undecrypted = self._undecrypted, []
        ready: dict[str, list[Inbound]] = {}
        for since, room_id, event in waiting:
            try:
                decrypted = self.client.decrypt_event(event)
            except EncryptionError:
                decrypted = None
            if decrypted is not None and not isinstance(decrypted, MegolmEvent):
                item = self.reader.translate(room_id, decrypted)
            elif monotonic() - since >= UNDECRYPTABLE_AFTER:
                item = self.reader.undecryptable(room_id, event)
            else:
                if monotonic() - since < 1.0:
                    with contextlib.suppress(LocalProtocolError):  # nio may have asked for the key already
                        await self.client.request_room_key(event)
                self._undecrypted.append((since, room_id, event))
                continue
            if item is not None:
                ready.setdefault(room_id, []).append(item)
        await self._handle_rooms(ready, handle)

    # --- out ------------------------------------------------------------------------------------------

    async def send(self, destination: ChatKey, message: Outgoing) -> Delivery:
        if self.client is None:
            return Delivery(Outcome.RETRY, error="not connected")
        try:
            room_id = await self._room_for(destination.split(":", 1)[1])
            if room_id is None or room_id not in self.client.rooms:
                return Delivery(Outcome.RETRY, retry_after=0.5, error="room not synced yet")
            room = self.client.rooms[room_id]
            if room_id != self.staff_room and not (set(room.users) - {self.client.user_id}):
                if room_id in self._opened:  # a room we just made: its invite is not synced yet
                    return Delivery(Outcome.RETRY, retry_after=0.5, error="room not synced yet")
                return Delivery(Outcome.FAILED, error="blocked")  # the other person left the chat
            if message.personal and room_id != self.staff_room and not is_private(room, self.client.user_id):
                log.warning("a personal message was not sent: its room is no longer one-to-one")
                return Delivery(Outcome.FAILED, error="not private")
            if message.edit_ref is not None and message.remove:
                async with self.limiter.slot(room_id, message.bulk):
                    redacted = await self.client.room_redact(room_id, message.edit_ref, tx_id=message.txn_id)
                return self._outcome(redacted, message.edit_ref)
            body = content(message.reply, edit_of=message.edit_ref, thread=message.thread)
            async with self.limiter.slot(room_id, message.bulk):
                sent = await self.client.room_send(
                    room_id, "m.room.message", body, tx_id=message.txn_id, ignore_unverified_devices=True
                )
            if message.edit_ref is not None and isinstance(sent, RoomSendResponse):
                return Delivery(Outcome.SENT, ref=message.edit_ref)  # the original event stays the card's reference
            if message.edit_ref is not None and _refused(sent):
                log.warning("editing a card failed (%s): posting it anew", getattr(sent, "status_code", None))
                retry = Outgoing(message.reply, txn_id=f"{message.txn_id}-anew" if message.txn_id else None)
                anew = await self.send(destination, retry)
                if anew.status == Outcome.SENT:
                    await self._retire(room_id, message.edit_ref, message.txn_id)
                return anew
            return self._outcome(sent, None)
        except (ClientError, TimeoutError, MembershipUnknown, ConnectionError) as exc:
            return Delivery(Outcome.RETRY, error=type(exc).__name__)
        except LocalProtocolError:
            return Delivery(Outcome.RETRY, retry_after=0.5, error="room not synced yet")

    async def _retire(self, room_id: str, event_id: str, txn_id: str | None) -> None:
        """A card that could not be edited is taken back once its new copy is out: else the old one would go on
        showing "offen" for a request someone took. Best effort: the old event may be gone already (purged)."""
        assert self.client is not None
        async with self.limiter.slot(room_id):
            retired = await self.client.room_redact(room_id, event_id, tx_id=f"{txn_id}-retire" if txn_id else None)
        if not isinstance(retired, RoomRedactResponse) and getattr(retired, "status_code", None) != "M_NOT_FOUND":
            log.warning("the old copy of a card could not be taken back (%s)", getattr(retired, "status_code", None))

    def _outcome(self, response: object, ref: str | None) -> Delivery:
        if isinstance(response, RoomSendResponse | RoomRedactResponse):
            return Delivery(Outcome.SENT, ref=ref or str(response.event_id))
        code = getattr(response, "status_code", None)
        if code == "M_LIMIT_EXCEEDED":
            wait = (getattr(response, "retry_after_ms", None) or 1000) / 1000 + LIMIT_MARGIN
            self.limiter.pause(wait)  # the limit is the sender's, in every room: nothing goes out before then
            return Delivery(Outcome.RETRY, retry_after=wait, error="429")
        if _refused(response):
            log.warning("the homeserver refused a message: %s", code)
            return Delivery(Outcome.FAILED, error=str(code)[:60])
        return Delivery(Outcome.RETRY, error=str(code)[:60])

    async def _room_for(self, target: str) -> str | None:
        """A room id for a destination: a room id as it is, the staff room's alias, or a person's direct room."""
        assert self.client is not None
        if target.startswith("!"):
            return target
        if target.startswith("#"):
            return self.staff_room if target == self.configured_staff_room else None
        if target.startswith("@"):
            if not self._synced:
                return None  # rooms are known only after the first sync: never open a second DM before it
            room = self._direct.get(target)
            if room is None or room not in self.client.rooms:
                found = find_direct_room(self.client, target, self.staff_room)
                if found is None:
                    found = await create_direct_room(self.client, target)
                    self._opened.add(found)
                room = found
                self._direct[target] = room
            return room
        return None

    # --- abilities ------------------------------------------------------------------------------------

    def private_chat_of(self, user: UserKey) -> ChatKey | None:
        """A Matrix person is reached privately through their key: send() finds or opens the encrypted DM."""
        return ChatKey(str(user)) if user.startswith("matrix:@") else None

    async def is_member(self, channel: ChatKey, user: UserKey) -> bool:
        """Whether user is joined to the staff room now and may write there, asked of the homeserver each time."""
        if self.client is None or not channel.startswith("matrix:") or not user.startswith("matrix:@"):
            return False
        room = channel.split(":", 1)[1]
        room_id = self.staff_room if room == self.configured_staff_room and self.staff_room else room
        return await member_may_act(self.client, room_id, user.split(":", 1)[1])

    def joined_members(self, room_id: str) -> set[str]:
        assert self.client is not None
        return joined(self.client.rooms[room_id])


def _refused(response: object) -> bool:
    """The homeserver's own "no" (not a limit, not an outage)."""
    code = getattr(response, "status_code", None)
    return isinstance(response, ErrorResponse) and code in ("M_FORBIDDEN", "M_BAD_JSON", "M_NOT_JSON", "M_TOO_LARGE",
                                                            "M_UNKNOWN", "M_INVALID_PARAM")  # fmt: skip
