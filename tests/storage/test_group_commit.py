"""Group commit (SQLite's writer, PostgreSQL's storage/pgbatch.py): units queued together share a transaction, a
failing unit takes only itself down, and a unit queued the moment a batch ends still runs."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from storage import repo
from storage.db import Database
from storage.handoff import CountRow
from storage.models import DailyCount, User


async def test_a_unit_queued_right_after_the_previous_one_finished_still_runs(db: Database) -> None:
    # Broke on PostgreSQL: the drain that had just run the previous unit was still counted as busy, the next unit
    # waited for it forever, and `elternlotse run` hung at start-up (its first steps run one after another).
    async def one_after_another() -> None:
        for n in range(30):  # each awaited directly: the caller resumes before the drain's task is cleared away
            key = f"telegram:{n}"
            assert (await db.run(lambda tx, key=key: repo.touch_user(tx, key))).id > 0

    await asyncio.wait_for(one_after_another(), timeout=30)
    assert await db.run(lambda tx: len(tx.execute(select(User.id)).all())) == 30


async def test_a_failing_unit_in_a_batch_takes_only_itself_down(db: Database) -> None:
    def good(n: int):  # type: ignore[no-untyped-def]
        return lambda tx: repo.touch_user(tx, f"telegram:{n}").id

    def bad(tx: Session) -> None:
        repo.touch_user(tx, "telegram:bad")
        raise ValueError("this unit fails")

    units = [db.run(good(n)) for n in range(10)] + [db.run(bad)] + [db.run(good(n)) for n in range(10, 20)]
    results = await asyncio.gather(*units, return_exceptions=True)
    assert isinstance(results[10], ValueError)
    assert all(isinstance(r, int) for r in results[:10] + results[11:])
    keys = await db.run(lambda tx: set(tx.execute(select(User.key)).scalars()))
    assert keys == {f"telegram:{n}" for n in range(20)}  # the failing unit's user row was not kept


async def test_counters_added_by_units_of_one_batch_are_all_kept(db: Database) -> None:
    day = date(2026, 11, 30)

    def count(key: str):  # type: ignore[no-untyped-def]
        return lambda tx: repo.add_counts(tx, [CountRow(day, "topic", key, 1), CountRow(day, "language", "de", 1)])

    await asyncio.gather(*(db.run(count(key)) for key in ["money", "housing", "money"] * 10))
    rows = await db.run(lambda tx: {(r.metric, r.key): r.count for r in tx.execute(select(DailyCount)).scalars()})
    assert rows == {("topic", "money"): 20, ("topic", "housing"): 10, ("language", "de"): 30}


async def test_a_delivery_record_is_not_queued_behind_a_batch_under_way(db: Database) -> None:
    # Broke with group commit on PostgreSQL: a delivery's record waited behind a batch of family steps, and a crash in
    # that wait made the other instance send a staff card again (seen in CI 1.1 s before a SIGKILL).
    if db.single_process:
        pytest.skip("SQLite: one writer commits everything in order; nothing can be overtaken")
    order: list[str] = []

    async def batch_under_way() -> None:
        await db.run(lambda tx: tx.execute(text("SELECT pg_sleep(1.5)")))
        order.append("batch")

    async def queued_step() -> None:
        await db.run(lambda tx: repo.touch_user(tx, "telegram:1"))
        order.append("queued step")

    async def delivery_record() -> None:
        await db.run_now(lambda tx: repo.touch_user(tx, "telegram:2"))
        order.append("delivery record")

    under_way = asyncio.create_task(batch_under_way())
    await asyncio.sleep(0.3)  # the batch holding pg_sleep has begun
    await asyncio.gather(queued_step(), delivery_record(), under_way)
    assert order[0] == "delivery record", order
    assert sorted(order[1:]) == ["batch", "queued step"]
