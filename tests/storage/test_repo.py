"""One storage suite, run on SQLite always and on PostgreSQL when ELTERNLOTSE_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import repo
from storage.db import Database
from storage.due import due_outbox
from storage.kinds import OutboxRow
from storage.models import CallbackRequest, OutboxMessage, ReminderSubscription, User


async def test_schema_is_at_the_newest_migration(db: Database) -> None:
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    version = await db.run(lambda tx: tx.execute(text("SELECT version_num FROM alembic_version")).scalar_one())
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()


async def test_migrations_build_exactly_the_tables_and_columns_of_the_models(db: Database) -> None:
    # Two ways of writing one table (the models, the migrations) must agree, on every database we support.
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from storage.models import Base

    def differences(tx: Session) -> list[object]:
        found = compare_metadata(MigrationContext.configure(tx.connection()), Base.metadata)
        return [d for d in found if d[0] in ("add_table", "remove_table", "add_column", "remove_column")]

    assert await db.run(differences) == []


async def test_fifty_concurrent_read_modify_write_transactions_lose_no_update(db: Database) -> None:
    def bump(tx: Session) -> None:
        user_id, _, district, *_ = repo.touch_user(tx, "console:counter")
        repo.set_profile(tx, user_id, None, str(int(district or "0") + 1))

    await asyncio.gather(*(db.run(bump) for _ in range(50)))
    user = await db.run(lambda tx: repo.get_user(tx, "console:counter"))
    assert user is not None and user.district == "50"


async def test_references_are_unique_and_readable_under_concurrency(db: Database) -> None:
    refs = await asyncio.gather(*(db.run(lambda tx: repo.next_reference(tx, 2026)) for _ in range(30)))
    assert sorted(refs) == [f"R-2026-{n:04d}" for n in range(1, 31)]


async def test_inbound_ids_are_handled_once(db: Database) -> None:
    assert await db.run(lambda tx: repo.mark_processed(tx, "telegram:update:1")) is True
    assert await db.run(lambda tx: repo.mark_processed(tx, "telegram:update:1")) is False


async def test_a_failed_transaction_does_not_mark_the_inbound_processed(db: Database) -> None:
    def crash(tx: Session) -> None:
        repo.mark_processed(tx, "telegram:update:7")
        raise RuntimeError("crash in the middle of handling")

    with pytest.raises(RuntimeError):
        await db.run(crash)
    assert await db.run(lambda tx: repo.mark_processed(tx, "telegram:update:7")) is True


async def test_datetimes_come_back_aware_in_utc(db: Database) -> None:
    moment = datetime(2026, 3, 29, 2, 30, tzinfo=UTC)

    def write(tx: Session) -> None:
        repo.touch_user(tx, "telegram:5")
        user = repo.get_user(tx, "telegram:5")
        assert user is not None
        user.last_seen_at = moment

    await db.run(write)
    again = await db.run(lambda tx: repo.get_user(tx, "telegram:5"))
    assert again is not None and again.last_seen_at == moment
    assert again.last_seen_at.tzinfo is not None


async def test_state_round_trips_as_json(db: Database) -> None:
    state = {"lang": "ar", "at": "callback/phone", "history": ["main/menu"], "slots": {"topic": "money"}}

    def write(tx: Session) -> None:
        user_id, *_ = repo.touch_user(tx, "telegram:9")
        repo.save_state(tx, user_id, state, "v1")
        repo.save_state(tx, user_id, {**state, "at": "callback/district"}, "v2")

    await db.run(write)

    def read(tx: Session) -> object:
        user_id, *_ = repo.touch_user(tx, "telegram:9")
        return repo.load_state(tx, user_id)

    assert await db.run(read) == {**state, "at": "callback/district"}


async def test_due_outbox_keeps_order_per_destination(db: Database) -> None:
    now = datetime.now(UTC)

    def write(tx: Session) -> None:
        repo.add_outbox_rows(tx, [OutboxRow("telegram:1", {"text": "eins"}), OutboxRow("telegram:1", {"text": "zwei"}),
                                  OutboxRow("telegram:2", {"text": "drei"})])  # fmt: skip
        first = tx.query(OutboxMessage).order_by(OutboxMessage.id).first()
        assert first is not None
        first.next_attempt_at = now + timedelta(seconds=30)  # waiting for a retry

    await db.run(write)
    due, next_at = await db.run(lambda tx: due_outbox(tx, now + timedelta(seconds=1)))
    assert [row.payload["text"] for row in due if row.payload] == ["drei"]
    assert next_at == now + timedelta(seconds=30)


async def test_exactly_one_of_concurrent_claims_wins(db: Database) -> None:
    def create(tx: Session) -> str:
        reference = repo.next_reference(tx, 2026)
        tx.add(
            CallbackRequest(reference=reference, topic="money", language="ar", channel="telegram", contact_way="chat")
        )
        return reference

    reference = await db.run(create)
    results = await asyncio.gather(
        *(db.run(lambda tx, n=n: repo.claim_request(tx, reference, f"telegram:{n}")) for n in range(10))
    )
    assert sorted(results) == [False] * 9 + [True]
    request = await db.run(lambda tx: repo.get_request(tx, reference))
    assert request is not None and request.status == "claimed"
    assert request.claimed_by == f"telegram:{results.index(True)}"


async def test_foreign_keys_are_enforced(db: Database) -> None:
    def orphan(tx: Session) -> None:
        tx.add(OutboxMessage(destination="x:1", payload={}, user_id=999_999))
        tx.flush()

    with pytest.raises(IntegrityError):
        await db.run(orphan)


async def test_user_keys_are_unique_per_transport(db: Database) -> None:
    first = await db.run(lambda tx: repo.touch_user(tx, "telegram:12345"))
    again = await db.run(lambda tx: repo.touch_user(tx, "telegram:12345"))
    other = await db.run(lambda tx: repo.touch_user(tx, "matrix:@12345:example.org"))
    assert first[0] == again[0] != other[0]
    assert await db.run(lambda tx: tx.query(User).count()) == 2


async def test_a_failing_unit_in_a_group_commit_leaves_no_processed_mark(db: Database) -> None:
    # Regression: with the hot path's cached cursor, later units of a batch ran outside their savepoint.
    def unit(n: int) -> None:
        def work(tx: Session) -> None:
            repo.mark_processed(tx, f"test:update:{n}")
            if n % 3 == 0:
                raise RuntimeError("this unit fails after marking")

        return work  # type: ignore[return-value]

    results = await asyncio.gather(*(db.run(unit(n)) for n in range(30)), return_exceptions=True)
    assert sum(isinstance(r, RuntimeError) for r in results) == 10
    marked = await db.run(lambda tx: tx.execute(text("SELECT count(*) FROM processed_inbound")).scalar_one())
    assert marked == 20


async def test_database_errors_do_not_carry_parameters(db: Database) -> None:
    def duplicate(tx: Session) -> None:
        tx.execute(text("INSERT INTO reference_counters (year, last) VALUES (:y, 1)"), {"y": 1})
        tx.execute(text("INSERT INTO reference_counters (year, last) VALUES (:y, 1)"), {"y": 1})

    with pytest.raises(IntegrityError) as caught:
        await db.run(duplicate)
    assert "parameters" not in str(caught.value) or "hidden" in str(caught.value)


async def test_the_user_row_brings_the_familys_open_request(db: Database) -> None:
    def request(tx: Session, status: str, n: int) -> None:
        user = repo.touch_user(tx, "telegram:77")
        tx.add(CallbackRequest(reference=f"R-2026-{n:04d}", user_id=user.id, status=status, topic="money",
                               language="de", channel="telegram", contact_way="chat"))  # fmt: skip

    assert (await db.run(lambda tx: repo.touch_user(tx, "telegram:77"))).open_request is None
    await db.run(lambda tx: request(tx, "done", 1))
    assert (await db.run(lambda tx: repo.touch_user(tx, "telegram:77"))).open_request is None
    await db.run(lambda tx: request(tx, "claimed", 2))
    assert (await db.run(lambda tx: repo.touch_user(tx, "telegram:77"))).open_request == "R-2026-0002"
    assert (await db.run(lambda tx: repo.touch_user(tx, "telegram:78"))).open_request is None


async def test_beginning_an_event_records_its_id_once_and_reads_the_user_and_state(db: Database) -> None:
    # On PostgreSQL one statement does what mark_processed, touch_user and load_state do on SQLite: same answers.
    first = await db.run(lambda tx: repo.begin_event(tx, "telegram:update:7", "telegram:70", "telegram:70"))
    assert first is not None and first.state is None and first.user.open_request is None
    user_id = first.user.id

    def prepare(tx: Session) -> None:
        repo.set_profile(tx, user_id, "ar", "mitte")
        repo.save_state(tx, user_id, {"node": "menu", "lang": "ar"}, "v1")
        tx.add(CallbackRequest(reference="R-2026-0007", user_id=user_id, topic="money", language="ar",
                               channel="telegram", contact_way="phone"))  # fmt: skip
        tx.add(ReminderSubscription(user_id=user_id, district="ost"))

    await db.run(prepare)
    again = await db.run(lambda tx: repo.begin_event(tx, "telegram:update:8", "telegram:70", "telegram:70"))
    assert again is not None
    assert again.user == repo.UserRow(user_id, "ar", "mitte", False, "R-2026-0007", "ost")
    assert again.state == {"node": "menu", "lang": "ar"}
    assert await db.run(lambda tx: repo.begin_event(tx, "telegram:update:8", "telegram:70", "telegram:70")) is None
    assert await db.run(lambda tx: repo.mark_processed(tx, "telegram:update:7")) is False


async def test_rows_written_on_the_fast_path_read_back_identically_through_the_orm(db: Database) -> None:
    # users, dialog_states, processed_inbound and outbox are written with plain SQL (repo.HOT_SQL) and read through
    # the ORM everywhere else: every column must come back as the ORM itself would have written it.
    from storage.kinds import OutboxKind, OutboxRow, OutboxStatus
    from storage.models import DialogState, ProcessedInbound

    payload = {"text": "سلام\u200cها", "buttons": [[["Ja", "c:y"]]], "rtl": True}

    def write(tx: Session) -> int:
        begun = repo.begin_event(tx, "telegram:update:90", "telegram:90", "telegram:-90")
        assert begun is not None
        repo.set_profile(tx, begun.user.id, "fa", "mitte")
        repo.save_state(tx, begun.user.id, {"at": "menu", "slots": {"name": "Zeynep"}}, "v7")
        repo.add_outbox_rows(tx, [OutboxRow("telegram:90", payload, OutboxKind.DETAILS, begun.user.id)])
        return begun.user.id

    before = datetime.now(UTC)
    user_id = await db.run(write)
    after = datetime.now(UTC)

    def read(tx: Session) -> tuple[User, DialogState, OutboxMessage, ProcessedInbound]:
        user, state = tx.get(User, user_id), tx.get(DialogState, user_id)
        processed = tx.get(ProcessedInbound, "telegram:update:90")
        row = tx.execute(text("SELECT id FROM outbox")).scalar_one()
        assert user and state and processed
        return user, state, tx.get_one(OutboxMessage, row), processed

    user, state, row, processed = await db.run(read)

    def is_utc(moment: datetime | None) -> bool:
        return moment is not None and moment.utcoffset() == timedelta(0) and before <= moment <= after

    assert (user.key, user.chat, user.language, user.district, user.unreachable) == (
        "telegram:90", "telegram:-90", "fa", "mitte", False,
    )  # fmt: skip
    assert is_utc(user.created_at) and is_utc(user.last_seen_at)
    assert (state.state, state.flow_version) == ({"at": "menu", "slots": {"name": "Zeynep"}}, "v7")
    assert is_utc(state.updated_at) and is_utc(processed.processed_at)
    assert (row.destination, row.kind, row.payload, row.status, row.attempts) == (
        "telegram:90", OutboxKind.DETAILS, payload, OutboxStatus.PENDING, 0,
    )  # fmt: skip
    assert (row.user_id, row.request_id, row.lease_owner, row.lease_until) == (user_id, None, None, None)
    assert is_utc(row.created_at) and row.next_attempt_at == row.created_at and row.delivered_at is None

    delivered = datetime.now(UTC)
    await db.run(lambda tx: repo.mark_sent(tx, [{"id": row.id, "now": delivered, "ref": "77"}]))
    _, _, row, _ = await db.run(read)
    assert (row.status, row.platform_ref, row.payload, row.attempts) == (OutboxStatus.SENT, "77", None, 1)
    assert row.delivered_at == delivered and row.delivered_at.utcoffset() == timedelta(0)


async def test_the_end_of_an_event_reads_back_through_the_orm_and_its_rows_reach_the_sender_once_committed(
    db: Database,
) -> None:
    # PostgreSQL writes state, profile, counters and outbox rows in one statement (storage/handoff.py), SQLite in
    # several: both must read back as the ORM writes them, and the replies go to the writer's sender (on PostgreSQL
    # leased to it), so that it does not look them up again.
    from storage.handoff import CountRow, Handed, Lease
    from storage.kinds import OutboxKind, OutboxStatus
    from storage.models import DailyCount, DialogState

    handed: list[Handed] = []
    lease = Lease("host:1:abc", datetime(2031, 1, 1, tzinfo=UTC))
    db.hand_over(None if db.single_process else (lambda: lease), handed.extend)
    reply, reminder = {"text": "Меню", "rtl": False}, {"text": "Sprechstunde morgen"}
    day = datetime(2026, 3, 2, tzinfo=UTC).date()

    def write(tx: Session, profile: tuple[str | None, str | None] | None) -> int:
        begun = repo.begin_event(tx, f"telegram:update:{91 if profile else 92}", "telegram:91", "telegram:91")
        assert begun is not None
        rows = [OutboxRow("telegram:91", reply, user_id=begun.user.id),
                OutboxRow("telegram:91", reminder, OutboxKind.REMINDER, begun.user.id)]  # fmt: skip
        counts = [CountRow(day, "reached", "menu|uk", 2)]
        repo.end_event(tx, begun.user.id, rows, counts, {"at": "menu"}, "v8", profile)
        return begun.user.id

    user_id = await db.run(lambda tx: write(tx, ("uk", "wattenscheid")))
    await db.run(lambda tx: write(tx, None))  # the profile unchanged: not written; counters add up

    def read(tx: Session) -> tuple[User, DialogState, list[OutboxMessage], int]:
        user, state = tx.get_one(User, user_id), tx.get_one(DialogState, user_id)
        rows = list(tx.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())
        count = tx.execute(select(DailyCount.count).where(DailyCount.key == "menu|uk")).scalar_one()
        return user, state, rows, count

    user, state, rows, count = await db.run(read)
    assert (user.language, user.district, state.state, state.flow_version, count) == (
        "uk", "wattenscheid", {"at": "menu"}, "v8", 4,
    )  # fmt: skip
    assert [(r.destination, r.kind, r.payload, r.status, r.user_id) for r in rows] == [
        ("telegram:91", OutboxKind.MESSAGE, reply, OutboxStatus.PENDING, user_id),
        ("telegram:91", OutboxKind.REMINDER, reminder, OutboxStatus.PENDING, user_id),
    ] * 2
    leased = [(r.lease_owner, r.lease_until) for r in rows]
    if db.single_process:  # one process: nothing leased, but handed over by the writer thread all the same
        assert leased == [(None, None)] * 4
    else:
        assert leased == [(lease.owner, lease.until), (None, None)] * 2  # reminders are paced: not leased
    assert [(h.row.id, h.leased, h.earlier) for h in handed] == [
        (rows[0].id, True, ()), (rows[1].id, False, ()),
        (rows[2].id, True, (rows[0].id, rows[1].id)), (rows[3].id, False, (rows[0].id, rows[1].id)),
    ]  # fmt: skip
    assert handed[0].row.payload == reply and handed[0].row.created_at == rows[0].created_at


def test_every_request_status_and_delivery_state_has_a_label_for_staff_and_for_families() -> None:
    from bot.core.cards import DELIVERY_DE, STATUS_DE
    from bot.core.texts import FAMILY_STATUS
    from storage.kinds import FamilyDelivery, RequestStatus

    assert set(RequestStatus) == set(STATUS_DE) == set(FAMILY_STATUS)
    assert set(FamilyDelivery) == set(DELIVERY_DE)


async def test_an_outbox_id_freed_by_an_erasure_is_never_given_to_another_message(db: Database) -> None:
    # Regression: SQLite reused the ids of the newest rows after a family's /delete removed them; the sender, still
    # holding the old row, marked the new one (a removal of a staff member's details) as sent, and it never went out.
    from storage.kinds import OutboxRow

    def write(tx: Session) -> int:
        repo.add_outbox_rows(tx, [OutboxRow("telegram:5", {"text": "a"}), OutboxRow("telegram:5", {"text": "b"})])
        return int(tx.execute(text("SELECT max(id) FROM outbox")).scalar_one())

    newest = await db.run(write)
    await db.run(lambda tx: tx.execute(text("DELETE FROM outbox")))
    assert await db.run(write) > newest


async def test_rows_of_a_unit_of_work_that_failed_never_reach_the_sender_and_the_others_reach_it_once(
    db: Database,
) -> None:
    # On SQLite, units that queue up commit together; one failing rolls back the batch and each runs alone again.
    # The sender must get the rows that were committed, each once, and none of the unit that failed.
    from storage.handoff import Handed, Lease

    handed: list[Handed] = []
    lease = Lease("host:1:abc", datetime(2031, 1, 1, tzinfo=UTC))
    db.hand_over(None if db.single_process else (lambda: lease), handed.extend)

    def write(tx: Session, n: int) -> None:
        repo.add_outbox_rows(tx, [OutboxRow(f"web:family-{n}", {"text": f"{n}"})])
        if n == 7:
            raise RuntimeError("this unit fails after writing its row")

    results = await asyncio.gather(*(db.run(lambda tx, n=n: write(tx, n)) for n in range(15)), return_exceptions=True)
    assert [type(r).__name__ for r in results] == ["NoneType"] * 7 + ["RuntimeError"] + ["NoneType"] * 7
    committed = await db.run(lambda tx: list(tx.execute(select(OutboxMessage.id, OutboxMessage.destination))))
    assert sorted((h.row.id, h.row.destination) for h in handed) == sorted(committed)
    assert sorted(d for _, d in committed) == sorted(f"web:family-{n}" for n in range(15) if n != 7)
