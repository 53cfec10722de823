"""Repositories: small functions over an AsyncSession. Callers own the transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    CallbackRequest,
    ConsentRecord,
    DialogState,
    OutboxMessage,
    ProcessedInbound,
    ReferenceCounter,
    RequestEvent,
    User,
    utcnow,
)


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def get_user(session: AsyncSession, key: str, *, lock: bool = False) -> User | None:
    """The user row; lock=True holds it until commit (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises)."""
    stmt = select(User).where(User.key == key)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_or_create_user(session: AsyncSession, key: str) -> User:
    """The user row for a transport-qualified key, created on first contact and locked for this transaction.

    Everything a user's event changes is read and written under this lock, so two events of one family
    handled at once cannot lose each other's update.
    """
    stmt = _insert(session)(User).values(key=key, unreachable=False, created_at=utcnow(), last_seen_at=utcnow())
    await session.execute(stmt.on_conflict_do_nothing(index_elements=["key"]))
    user = await get_user(session, key, lock=True)
    assert user is not None
    return user


async def mark_processed(session: AsyncSession, key: str) -> bool:
    """Record an inbound id; False if it was already handled (a redelivery)."""
    stmt = _insert(session)(ProcessedInbound).values(key=key, processed_at=utcnow())
    result = await session.execute(stmt.on_conflict_do_nothing(index_elements=["key"]))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def load_state(session: AsyncSession, user_id: int) -> DialogState | None:
    return await session.get(DialogState, user_id)


async def save_state(session: AsyncSession, user_id: int, state: dict[str, Any], version: str) -> None:
    row = await session.get(DialogState, user_id)
    if row is None:
        session.add(DialogState(user_id=user_id, state=state, flow_version=version, updated_at=utcnow()))
    else:
        row.state, row.flow_version, row.updated_at = state, version, utcnow()
    await session.flush()


async def next_reference(session: AsyncSession, year: int) -> str:
    """A readable, gap-free-per-year reference such as R-2026-0042, allocated atomically."""
    stmt = _insert(session)(ReferenceCounter).values(year=year, last=1)
    stmt = stmt.on_conflict_do_update(index_elements=["year"], set_={"last": ReferenceCounter.last + 1})
    number = (await session.execute(stmt.returning(ReferenceCounter.last))).scalar_one()
    return f"R-{year}-{number:04d}"


async def add_outbox(
    session: AsyncSession,
    destination: str,
    payload: dict[str, Any],
    *,
    kind: str = "message",
    user_id: int | None = None,
    request_id: int | None = None,
) -> OutboxMessage:
    row = OutboxMessage(
        destination=destination,
        kind=kind,
        payload=payload,
        status="pending",
        attempts=0,
        next_attempt_at=utcnow(),
        created_at=utcnow(),
        user_id=user_id,
        request_id=request_id,
    )
    session.add(row)
    await session.flush()
    return row


async def due_outbox(session: AsyncSession, now: datetime, limit: int = 100) -> list[OutboxMessage]:
    """Pending rows, oldest first; a destination with an earlier row not yet due is held back (order)."""
    rows = (
        await session.execute(
            select(OutboxMessage).where(OutboxMessage.status == "pending").order_by(OutboxMessage.id).limit(limit * 4)
        )
    ).scalars()
    blocked: set[str] = set()
    due: list[OutboxMessage] = []
    for row in rows:
        if row.destination in blocked:
            continue
        if row.next_attempt_at > now:
            blocked.add(row.destination)
            continue
        due.append(row)
        if len(due) >= limit:
            break
    return due


async def next_outbox_time(session: AsyncSession) -> datetime | None:
    stmt = select(func.min(OutboxMessage.next_attempt_at)).where(OutboxMessage.status == "pending")
    return (await session.execute(stmt)).scalar_one_or_none()


async def audit(session: AsyncSession, request: CallbackRequest, actor: str, action: str) -> None:
    """Append to the request's history: who, what, when; never personal data."""
    session.add(RequestEvent(request_id=request.id, actor=actor, action=action, status=request.status, at=utcnow()))
    await session.flush()


async def get_request(session: AsyncSession, reference: str) -> CallbackRequest | None:
    stmt = select(CallbackRequest).where(CallbackRequest.reference == reference)
    return (await session.execute(stmt)).scalar_one_or_none()


async def claim_request(session: AsyncSession, reference: str, actor: str) -> bool:
    """Exactly one claimer wins: a single conditional UPDATE."""
    stmt = (
        update(CallbackRequest)
        .where(CallbackRequest.reference == reference, CallbackRequest.status == "open")
        .values(status="claimed", claimed_by=actor, claimed_at=utcnow())
    )
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def record_consent(
    session: AsyncSession,
    *,
    user_id: int | None,
    purpose: str,
    text_id: str,
    version: int,
    language: str,
    platform: str,
    action: str,
) -> None:
    session.add(
        ConsentRecord(
            user_id=user_id,
            purpose=purpose,
            text_id=text_id,
            text_version=version,
            language=language,
            platform=platform,
            action=action,
            at=utcnow(),
        )
    )
    await session.flush()


async def purge_processed(session: AsyncSession, older_than: timedelta) -> int:
    stmt = delete(ProcessedInbound).where(ProcessedInbound.processed_at < utcnow() - older_than)
    return int((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]
