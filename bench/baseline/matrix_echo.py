"""A bare matrix-nio echo bot with end-to-end encryption: the baseline for bench/matrix.py.

It joins every invite and answers every text with the same text, in the same room, encrypted like ours (the same
sync long poll, key store and ignore_unverified_devices). No database, no dialog.

    python bench/baseline/matrix_echo.py HOMESERVER USER_ID ACCESS_TOKEN DEVICE_ID STORE_DIR
"""

from __future__ import annotations

import asyncio
import sys

from nio import AsyncClient, AsyncClientConfig, InviteMemberEvent, MatrixRoom, RoomMessageText


async def main() -> None:
    homeserver, user_id, token, device_id, store = sys.argv[1:6]
    config = AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False)
    client = AsyncClient(homeserver, user_id, device_id=device_id, store_path=store, config=config)
    client.restore_login(user_id, device_id, token)
    if client.should_upload_keys:
        await client.keys_upload()
    await client.sync(timeout=0, full_state=True)  # history is not answered

    async def on_text(room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender != client.user_id:
            content = {"msgtype": "m.text", "body": event.body}
            await client.room_send(room.room_id, "m.room.message", content, ignore_unverified_devices=True)

    async def on_invite(room: MatrixRoom, event: InviteMemberEvent) -> None:
        if event.state_key == client.user_id:
            await client.join(room.room_id)

    client.add_event_callback(on_text, RoomMessageText)  # type: ignore[arg-type]
    client.add_event_callback(on_invite, InviteMemberEvent)  # type: ignore[arg-type]
    print("echo bot ready", flush=True)
    await client.sync_forever(timeout=30_000)


if __name__ == "__main__":
    asyncio.run(main())
