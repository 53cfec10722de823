"""Matrix ids are up to 255 bytes; with the transport prefix they must fit every key column, on every database."""

from __future__ import annotations

from sqlalchemy.orm import Session

from storage import repo
from storage.db import Database
from storage.kinds import OutboxRow, RequestStatus
from storage.models import CallbackRequest, DetailsCopy, OutboxMessage, StaffMember


def _id(sigil: str, byte_count: int = 255) -> str:
    server = ":stadt.example"
    return sigil + "a" * (byte_count - len(server) - 1) + server


async def test_a_matrix_id_of_255_bytes_fits_every_key_column(db: Database) -> None:
    user, room, event = f"matrix:{_id('@')}", f"matrix:{_id('!')}", _id("$")
    assert len(_id("@").encode()) == 255

    def write(tx: Session) -> int:
        assert repo.mark_processed(tx, f"matrix:event:{event}")
        row = repo.touch_user(tx, user, room)
        tx.add(StaffMember(key=user, display_name="Anna", private_chat=room))
        request = CallbackRequest(reference="R-2026-0001", user_id=row.id, status=RequestStatus.CLAIMED, topic="money",
                                  language="fa", channel="matrix", contact_way="chat", claimed_by=user,
                                  card_ref=f"{room}|{event}")  # fmt: skip
        tx.add(request)
        tx.flush()
        repo.audit(tx, request, user, f"reassigned:{user}")
        tx.add(DetailsCopy(request_id=request.id, chat=room, message_ref=f"{room}|{event}"))
        repo.add_outbox_rows(tx, [OutboxRow(room, {"text": "x"})])
        repo.save_cursor(tx, "matrix", "s" * 500)
        return request.id

    request_id = await db.run(write)

    def read(tx: Session) -> tuple[str | None, str | None, str | None]:
        request = tx.get(CallbackRequest, request_id)
        assert request is not None
        outbox = tx.query(OutboxMessage).one()
        return request.card_ref, outbox.destination, repo.load_cursor(tx, "matrix")

    assert await db.run(read) == (f"{room}|{event}", room, "s" * 500)
    assert not await db.run(lambda tx: repo.mark_processed(tx, f"matrix:event:{event}"))


async def test_a_sync_cursor_is_replaced_not_added(db: Database) -> None:
    assert await db.run(lambda tx: repo.load_cursor(tx, "matrix")) is None
    await db.run(lambda tx: repo.save_cursor(tx, "matrix", "s1"))
    await db.run(lambda tx: repo.save_cursor(tx, "matrix", "s2"))
    assert await db.run(lambda tx: repo.load_cursor(tx, "matrix")) == "s2"
