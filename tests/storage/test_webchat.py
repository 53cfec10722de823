"""The web chat's kept messages, on SQLite and PostgreSQL: read back after an event id, gone with the family, and
purged like the answers of an abandoned conversation unless a request is open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.privacy import erase_user, purge
from storage import repo, webchat
from storage.db import Database
from storage.kinds import RequestStatus
from storage.models import CallbackRequest, WebMessage

KEY = "web:abcdefghijklmnopqrstuvwxyz012345"


async def test_messages_are_read_back_after_an_event_id_and_go_with_the_family(db: Database) -> None:
    assert await db.run(lambda tx: webchat.store(tx, KEY, {"text": "Hallo"})) is None  # nobody to keep it for

    def family(tx: Session) -> int:
        user = repo.touch_user(tx, KEY)
        repo.set_profile(tx, user.id, "ar", None)
        return user.id

    user_id = await db.run(family)
    first = await db.run(lambda tx: webchat.store(tx, KEY, {"text": "مرحبًا"}))
    second = await db.run(lambda tx: webchat.store(tx, KEY, {"text": "٢"}))
    assert first is not None and second is not None and first.id < second.id
    assert [m.payload for m in await db.run(lambda tx: webchat.after(tx, KEY, 0))] == [
        {"text": "مرحبًا", "lang": "ar"},
        {"text": "٢", "lang": "ar"},
    ]
    assert [m.id for m in await db.run(lambda tx: webchat.after(tx, KEY, first.id))] == [second.id]
    assert await db.run(lambda tx: webchat.after(tx, "web:someone-else", 0)) == []

    now = datetime.now(UTC)
    await db.run(lambda tx: erase_user(tx, user_id, now, lambda *_: None))  # type: ignore[arg-type,return-value]
    assert await db.run(lambda tx: tx.execute(select(WebMessage.id)).all()) == []
    assert await db.run(lambda tx: webchat.language(tx, KEY)) == (False, None)


async def test_old_messages_are_purged_unless_a_request_of_the_family_is_open(db: Database) -> None:
    now = datetime.now(UTC)
    waiting = "web:waiting-for-the-team-0000000000"

    def setup(tx: Session) -> None:
        repo.touch_user(tx, KEY)
        user = repo.touch_user(tx, waiting)
        tx.add(CallbackRequest(reference="R-2026-0001", user_id=user.id, status=RequestStatus.CLAIMED, topic="money",
                               language="ar", channel="web", contact_way="chat", created_at=now))  # fmt: skip
        for key in (KEY, waiting):
            webchat.store(tx, key, {"text": "+49 234 1234567?"})  # a consent question echoes the number
        tx.execute(update(WebMessage).values(created_at=now - timedelta(hours=30)))
        webchat.store(tx, KEY, {"text": "fresh"})

    await db.run(setup)
    result = await db.run(lambda tx: purge(tx, now, retention_days=30, session_ttl_hours=24))
    assert result.web == 1
    assert [m.payload["text"] for m in await db.run(lambda tx: webchat.after(tx, KEY, 0))] == ["fresh"]
    assert len(await db.run(lambda tx: webchat.after(tx, waiting, 0))) == 1  # the team's answer must still be there
    later = now + timedelta(days=31)
    await db.run(lambda tx: purge(tx, later, retention_days=30, session_ttl_hours=24))
    assert await db.run(lambda tx: webchat.after(tx, waiting, 0)) == []  # never beyond the retention period


async def test_several_families_are_looked_up_at_once_after_their_own_event_ids(db: Database) -> None:
    other = "web:another-family-000000000000000"

    def setup(tx: Session) -> list[int]:
        repo.touch_user(tx, KEY)
        repo.touch_user(tx, other)
        ids = []
        for n in range(3):
            for key in (KEY, other):
                stored = webchat.store(tx, key, {"text": f"{key[-1]}{n}"})
                assert stored is not None
                ids.append(stored.id)
        return ids

    ids = await db.run(setup)  # KEY: ids[0], ids[2], ids[4]; other: ids[1], ids[3], ids[5]
    found = await db.run(lambda tx: webchat.after_many(tx, {KEY: ids[2], other: ids[1]}))
    assert [(key, stored.payload["text"]) for key, stored in found] == [(other, "01"), (KEY, "52"), (other, "02")]
    assert await db.run(lambda tx: webchat.after_many(tx, {})) == []


async def test_a_reply_kept_for_the_browser_is_marked_sent_in_the_same_transaction(db: Database) -> None:
    # Kept and marked apart, a crash between the two sent the reply to the page a second time after a restart
    # (the row still pending); marked in the keeping transaction it is one commit per reply and never doubled.
    from bot.web_store import WebMessages
    from storage.kinds import OutboxRow, OutboxStatus
    from storage.models import OutboxMessage

    def family(tx: Session) -> list[int]:
        repo.touch_user(tx, KEY)
        repo.add_outbox_rows(tx, [OutboxRow(KEY, {"text": "Hallo"}), OutboxRow(KEY, {"text": "geändert"})])
        return list(tx.execute(select(OutboxMessage.id).order_by(OutboxMessage.id)).scalars())

    new, edit = await db.run(family)
    store = WebMessages(db)
    kept = await store.store(KEY, {"text": "Hallo"}, new)
    replaced = await store.store(KEY, {"text": "geändert", "replace": 41}, edit, "41")
    assert kept is not None and replaced is not None
    rows = await db.run(lambda tx: list(tx.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars()))
    assert [(r.status, r.platform_ref, r.payload, r.attempts) for r in rows] == [
        (OutboxStatus.SENT, str(kept.id), None, 1), (OutboxStatus.SENT, "41", None, 1),
    ]  # fmt: skip
    assert all(r.delivered_at is not None for r in rows)
    assert [m.id for m in await db.run(lambda tx: webchat.after(tx, KEY, 0))] == [kept.id, replaced.id]
