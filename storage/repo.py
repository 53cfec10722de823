"""Repositories: small synchronous functions over a Session, run inside Database.run (one transaction).

The per-message hot path (dedupe, user, state, outbox) uses statements built once per dialect: building a
SQLAlchemy statement costs more here than SQLite executing it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import JSON, Executable, bindparam, delete, insert, select, text, update
from sqlalchemy.orm import Session

from storage.models import (
    CallbackRequest,
    ConsentRecord,
    DialogState,
    OutboxMessage,
    ProcessedInbound,
    RequestEvent,
    User,
    UTCDateTime,
    utcnow,
)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _run(session: Session, name: str, params: dict[str, Any] | list[dict[str, Any]]) -> Any:
    """Execute a prebuilt statement at Core level (cheaper than the ORM, and it reports rowcount)."""
    return session.connection().execute(_statements(_dialect(session))[name], params)


@cache
def _statements(dialect: str) -> dict[str, Executable]:
    """The hot-path statements, built once. SQLite and PostgreSQL both speak this ON CONFLICT dialect."""
    now = bindparam("now", type_=UTCDateTime())
    json_state = bindparam("state", type_=JSON())
    return {
        "processed": text(
            "INSERT INTO processed_inbound (key, processed_at) VALUES (:key, :now) ON CONFLICT (key) DO NOTHING"
        ).bindparams(now),
        # The upsert takes the row lock on PostgreSQL: one family's events are handled one after another.
        "user": text(
            "INSERT INTO users (key, chat, unreachable, created_at, last_seen_at) "
            "VALUES (:key, :chat, false, :now, :now) "
            "ON CONFLICT (key) DO UPDATE SET last_seen_at = excluded.last_seen_at, chat = excluded.chat "
            "RETURNING id, language, district, unreachable"
        ).bindparams(now),
        "state_get": select(DialogState.state).where(DialogState.user_id == bindparam("user_id")),
        "state_put": text(
            "INSERT INTO dialog_states (user_id, state, flow_version, updated_at) "
            "VALUES (:user_id, :state, :version, :now) "
            "ON CONFLICT (user_id) DO UPDATE SET state = excluded.state, flow_version = excluded.flow_version, "
            "updated_at = excluded.updated_at"
        ).bindparams(now, json_state),
        "user_profile": text("UPDATE users SET language = :language, district = :district WHERE id = :user_id"),
        "outbox": insert(OutboxMessage),
        "sent": text(
            "UPDATE outbox SET status = 'sent', delivered_at = :now, platform_ref = :ref, payload = NULL, "
            "attempts = attempts + 1 WHERE id = :id AND status = 'pending'"
        ).bindparams(now),
        "counter": text(
            "INSERT INTO reference_counters (year, last) VALUES (:year, 1) "
            "ON CONFLICT (year) DO UPDATE SET last = reference_counters.last + 1 RETURNING last"
        ),
    }


def mark_processed(session: Session, key: str) -> bool:
    """Record an inbound id; False if it was already handled (a redelivery)."""
    return bool(_run(session, "processed", {"key": key, "now": utcnow()}).rowcount)


def touch_user(session: Session, key: str, chat: str | None = None) -> tuple[int, str | None, str | None, bool]:
    """Create or update the user row for a transport-qualified key, locking it until commit.

    chat is where replies reach them (their private chat). Returns (id, language, district, unreachable).
    """
    row = _run(session, "user", {"key": key, "chat": chat or key, "now": utcnow()}).one()
    return int(row[0]), row[1], row[2], bool(row[3])


def set_profile(session: Session, user_id: int, language: str | None, district: str | None) -> None:
    _run(session, "user_profile", {"user_id": user_id, "language": language, "district": district})


def load_state(session: Session, user_id: int) -> dict[str, Any] | None:
    value = _run(session, "state_get", {"user_id": user_id}).scalar_one_or_none()
    return value if isinstance(value, dict) else None


def save_state(session: Session, user_id: int, state: dict[str, Any], version: str) -> None:
    params = {"user_id": user_id, "state": state, "version": version, "now": utcnow()}
    _run(session, "state_put", params)


def add_outbox_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert outbox rows in one statement. Each row needs destination and payload."""
    if not rows:
        return
    now = utcnow()
    values = [
        {
            "destination": r["destination"],
            "payload": r["payload"],
            "kind": r.get("kind", "message"),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "user_id": r.get("user_id"),
            "request_id": r.get("request_id"),
        }
        for r in rows
    ]
    _run(session, "outbox", values)


def mark_sent(session: Session, marks: list[dict[str, Any]]) -> None:
    """Mark delivered outbox rows ({id, now, ref} each); a delivered row keeps no text: the bot is not the case file."""
    _run(session, "sent", marks)


def get_user(session: Session, key: str) -> User | None:
    return session.execute(select(User).where(User.key == key)).scalar_one_or_none()


def next_reference(session: Session, year: int) -> str:
    """A readable reference such as R-2026-0042, numbered per year, allocated atomically."""
    number = _run(session, "counter", {"year": year}).scalar_one()
    return f"R-{year}-{number:04d}"


def due_outbox(session: Session, now: datetime, limit: int = 100) -> tuple[list[OutboxMessage], datetime | None]:
    """Pending rows due now, oldest first, and when the earliest waiting row is due.

    A destination whose earlier row waits for a retry is held back entirely, so its messages keep their order.
    """
    stmt = select(OutboxMessage).where(OutboxMessage.status == "pending").order_by(OutboxMessage.id).limit(limit * 4)
    blocked: set[str] = set()
    due: list[OutboxMessage] = []
    next_at: datetime | None = None
    for row in session.execute(stmt).scalars():
        waiting = row.next_attempt_at > now
        if waiting:  # a row held back only by its predecessor is due when that one is
            next_at = row.next_attempt_at if next_at is None else min(next_at, row.next_attempt_at)
        if waiting or row.destination in blocked or len(due) >= limit:
            blocked.add(row.destination)
            continue
        due.append(row)
    return due, next_at


def audit(session: Session, request: CallbackRequest, actor: str, action: str) -> None:
    """Append to the request's history: who, what, when; never personal data."""
    session.add(RequestEvent(request_id=request.id, actor=actor, action=action, status=request.status, at=utcnow()))
    session.flush()


def get_request(session: Session, reference: str) -> CallbackRequest | None:
    stmt = select(CallbackRequest).where(CallbackRequest.reference == reference)
    return session.execute(stmt).scalar_one_or_none()


def claim_request(session: Session, reference: str, actor: str) -> bool:
    """Exactly one claimer wins: a single conditional UPDATE."""
    stmt = (
        update(CallbackRequest)
        .where(CallbackRequest.reference == reference, CallbackRequest.status == "open")
        .values(status="claimed", claimed_by=actor, claimed_at=utcnow())
    )
    return bool(session.execute(stmt).rowcount)  # type: ignore[attr-defined]


def record_consent(
    session: Session,
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


def purge_processed(session: Session, older_than: timedelta) -> int:
    stmt = delete(ProcessedInbound).where(ProcessedInbound.processed_at < utcnow() - older_than)
    return int(session.execute(stmt).rowcount)  # type: ignore[attr-defined]
