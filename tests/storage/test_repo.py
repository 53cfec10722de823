"""One storage suite, run on SQLite always and on PostgreSQL when ELTERNLOTSE_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from storage import repo
from storage.db import Database
from storage.models import CallbackRequest, OutboxMessage, User


async def test_schema_is_at_the_newest_migration(db: Database) -> None:
    async with db.transaction() as tx:
        version = (await tx.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
    assert version == "0001"


async def test_fifty_concurrent_read_modify_write_transactions_lose_no_update(db: Database) -> None:
    async with db.transaction() as tx:
        await repo.get_or_create_user(tx, "console:counter")

    async def bump() -> None:
        async with db.transaction() as tx:
            user = await repo.get_or_create_user(tx, "console:counter")
            await asyncio.sleep(0)  # let the others interleave between read and write
            user.district = str(int(user.district or "0") + 1)

    await asyncio.gather(*(bump() for _ in range(50)))
    async with db.transaction() as tx:
        user = (await tx.execute(select(User).where(User.key == "console:counter"))).scalar_one()
    assert user.district == "50"


async def test_references_are_unique_and_readable_under_concurrency(db: Database) -> None:
    async def allocate() -> str:
        async with db.transaction() as tx:
            return await repo.next_reference(tx, 2026)

    refs = await asyncio.gather(*(allocate() for _ in range(30)))
    assert sorted(refs) == [f"R-2026-{n:04d}" for n in range(1, 31)]


async def test_inbound_ids_are_handled_once(db: Database) -> None:
    async with db.transaction() as tx:
        assert await repo.mark_processed(tx, "telegram:update:1") is True
    async with db.transaction() as tx:
        assert await repo.mark_processed(tx, "telegram:update:1") is False


async def test_a_failed_transaction_does_not_mark_the_inbound_processed(db: Database) -> None:
    try:
        async with db.transaction() as tx:
            await repo.mark_processed(tx, "telegram:update:7")
            raise RuntimeError("crash in the middle of handling")
    except RuntimeError:
        pass
    async with db.transaction() as tx:
        assert await repo.mark_processed(tx, "telegram:update:7") is True


async def test_datetimes_come_back_aware_in_utc(db: Database) -> None:
    async with db.transaction() as tx:
        user = await repo.get_or_create_user(tx, "telegram:5")
        user.last_seen_at = datetime(2026, 3, 29, 2, 30, tzinfo=UTC)
    async with db.transaction() as tx:
        again = await repo.get_user(tx, "telegram:5")
    assert again is not None and again.last_seen_at == datetime(2026, 3, 29, 2, 30, tzinfo=UTC)
    assert again.last_seen_at.tzinfo is not None


async def test_due_outbox_keeps_order_per_destination(db: Database) -> None:
    now = datetime.now(UTC)
    async with db.transaction() as tx:
        first = await repo.add_outbox(tx, "telegram:1", {"text": "eins"})
        await repo.add_outbox(tx, "telegram:1", {"text": "zwei"})
        await repo.add_outbox(tx, "telegram:2", {"text": "drei"})
        first.next_attempt_at = now + timedelta(seconds=30)  # waiting for a retry
    async with db.transaction() as tx:
        due = await repo.due_outbox(tx, now + timedelta(seconds=1))
    assert [row.payload["text"] for row in due if row.payload] == ["drei"]


async def test_exactly_one_of_concurrent_claims_wins(db: Database) -> None:
    async with db.transaction() as tx:
        reference = await repo.next_reference(tx, 2026)
        tx.add(
            CallbackRequest(reference=reference, topic="money", language="ar", channel="telegram", contact_way="chat")
        )

    async def claim(who: str) -> bool:
        async with db.transaction() as tx:
            return await repo.claim_request(tx, reference, who)

    results = await asyncio.gather(*(claim(f"telegram:{n}") for n in range(10)))
    assert sorted(results) == [False] * 9 + [True]
    async with db.transaction() as tx:
        request = await repo.get_request(tx, reference)
    assert request is not None and request.status == "claimed"
    assert request.claimed_by == f"telegram:{results.index(True)}"


async def test_foreign_keys_are_enforced(db: Database) -> None:
    failed = False
    try:
        async with db.transaction() as tx:
            tx.add(OutboxMessage(destination="x:1", payload={}, user_id=999_999))
            await tx.flush()
    except Exception:
        failed = True
    assert failed
