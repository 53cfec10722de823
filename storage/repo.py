"""Repositories: small synchronous functions over a Session, run inside Database.run (one transaction).

The per-message hot path (dedupe, user, state, outbox) is plain SQL shared by both databases; see HOT_SQL.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import JSON, Executable, bindparam, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage import handoff
from storage.handoff import CountRow
from storage.kinds import OutboxRow, OutboxStatus, RequestStatus
from storage.models import (
    CallbackRequest,
    ConsentRecord,
    DailyCount,
    OutboxMessage,
    RequestEvent,
    SyncCursor,
    User,
    UTCDateTime,
    utcnow,
)

_ACTIVE = "(" + ", ".join(f"'{status}'" for status in RequestStatus.active()) + ")"
# The per-message hot path, one SQL text for both databases (SQLite and PostgreSQL share this ON CONFLICT
# dialect). On SQLite it runs on the transaction's own DBAPI cursor: measured here, a statement costs about
# 0.07 ms through SQLAlchemy's execution machinery and 0.012 ms on the cursor, and a dialog step makes five.
HOT_SQL = {
    # PostgreSQL only (SQLite has no INSERT inside WITH): the three statements that begin every event in one
    # round trip. Each round trip through the async driver costs more CPU than the statement itself.
    "begin_event": "WITH fresh AS (INSERT INTO processed_inbound (key, processed_at) VALUES (:key, :now) "
    "ON CONFLICT (key) DO NOTHING RETURNING 1), "
    "u AS (INSERT INTO users (key, chat, unreachable, created_at, last_seen_at) "
    "VALUES (:user, :chat, false, :now, :now) "
    "ON CONFLICT (key) DO UPDATE SET last_seen_at = excluded.last_seen_at, chat = excluded.chat "
    "RETURNING id, language, district, unreachable) "
    "SELECT EXISTS (SELECT 1 FROM fresh), u.id, u.language, u.district, u.unreachable, "
    f"(SELECT r.reference FROM callback_requests r WHERE r.user_id = u.id AND r.status IN {_ACTIVE} "
    "ORDER BY r.id DESC LIMIT 1), (SELECT d.state FROM dialog_states d WHERE d.user_id = u.id), "
    "(SELECT s.district FROM reminder_subscriptions s WHERE s.user_id = u.id) FROM u",
    "processed": "INSERT INTO processed_inbound (key, processed_at) VALUES (:key, :now) ON CONFLICT (key) DO NOTHING",
    # The upsert takes the row lock on PostgreSQL: one family's events are handled one after another.
    "user": "INSERT INTO users (key, chat, unreachable, created_at, last_seen_at) "
    "VALUES (:key, :chat, false, :now, :now) "
    "ON CONFLICT (key) DO UPDATE SET last_seen_at = excluded.last_seen_at, chat = excluded.chat "
    "RETURNING id, language, district, unreachable, (SELECT r.reference FROM callback_requests r "
    f"WHERE r.user_id = users.id AND r.status IN {_ACTIVE} ORDER BY r.id DESC LIMIT 1), "
    "(SELECT s.district FROM reminder_subscriptions s WHERE s.user_id = users.id)",
    "state_get": "SELECT state FROM dialog_states WHERE user_id = :user_id",
    "state_put": "INSERT INTO dialog_states (user_id, state, flow_version, updated_at) "
    "VALUES (:user_id, :state, :version, :now) "
    "ON CONFLICT (user_id) DO UPDATE SET state = excluded.state, flow_version = excluded.flow_version, "
    "updated_at = excluded.updated_at",
    "user_profile": "UPDATE users SET language = :language, district = :district WHERE id = :user_id",
    "outbox": "INSERT INTO outbox (destination, kind, payload, status, attempts, next_attempt_at, created_at, "
    f"user_id, request_id) VALUES (:destination, :kind, :payload, '{OutboxStatus.PENDING}', 0, :now, :now, :user_id, "
    ":request_id)",
    "sent": f"UPDATE outbox SET status = '{OutboxStatus.SENT}', delivered_at = :now, platform_ref = :ref, "
    f"payload = NULL, attempts = attempts + 1 WHERE id = :id AND status = '{OutboxStatus.PENDING}'",
    # The web chat keeps each message for the family's browser (storage/webchat.py): two statements a reply.
    "web_user": "SELECT id, language FROM users WHERE key = :key",
    "web_message": "INSERT INTO web_messages (user_id, payload, created_at) VALUES (:user_id, :payload, :now) "
    "RETURNING id",
    "counter": "INSERT INTO reference_counters (year, last) VALUES (:year, 1) "
    "ON CONFLICT (year) DO UPDATE SET last = reference_counters.last + 1 RETURNING last",
}
_JSON_PARAMS = ("state", "payload")


@cache
def _typed(name: str) -> Executable:
    """The hot statement for PostgreSQL, with typed parameters (times in UTC, JSON encoded by SQLAlchemy)."""
    statement = text(HOT_SQL[name]).bindparams(
        *(bindparam(p, type_=UTCDateTime()) for p in ("now",) if f":{p}" in HOT_SQL[name]),
        *(bindparam(p, type_=JSON()) for p in _JSON_PARAMS if f":{p}" in HOT_SQL[name]),
    )
    return statement.columns(state=JSON()) if name in ("state_get", "begin_event") else statement


def _sqlite_value(value: Any) -> Any:
    """Store values the way SQLAlchemy's SQLite types do, so ORM reads of the same rows agree."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def sqlite_cursor(session: Session) -> Any:
    """SQLite: the transaction's own DBAPI cursor, with the ORM's pending writes flushed before it is used."""
    cursor = session.info.get("hot_cursor")
    if cursor is None:
        # One cursor per session (a session is one transaction here); asking SQLAlchemy each time costs more.
        cursor = session.info["hot_cursor"] = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    if session.new or session.dirty or session.deleted:
        session.flush()  # the ORM's pending writes go first, as they would with a Core statement
    return cursor


def run_hot(session: Session, name: str, params: dict[str, Any] | list[dict[str, Any]]) -> Any:
    """Execute a hot statement (HOT_SQL) in the session's transaction; the result has rowcount and fetchone()."""
    if "hot_cursor" not in session.info:
        connection = session.connection()
        if connection.dialect.name != "sqlite":
            return connection.execute(_typed(name), params)
    cursor = sqlite_cursor(session)
    if isinstance(params, list):
        cursor.executemany(HOT_SQL[name], [{k: _sqlite_value(v) for k, v in p.items()} for p in params])
    else:
        cursor.execute(HOT_SQL[name], {k: _sqlite_value(v) for k, v in params.items()})
    return cursor


def mark_processed(session: Session, key: str) -> bool:
    """Record an inbound id; False if it was already handled (a redelivery)."""
    return bool(run_hot(session, "processed", {"key": key, "now": utcnow()}).rowcount)


class UserRow(NamedTuple):
    id: int
    language: str | None
    district: str | None
    unreachable: bool
    open_request: str | None  # the reference of the family's open or claimed request, if any
    reminders: str | None = None  # the district the family gets reminders for, if it asked for them


def touch_user(session: Session, key: str, chat: str | None = None) -> UserRow:
    """Create or update the user row for a transport-qualified key, locking it until commit.

    chat is where replies reach them (their private chat). The same round trip finds their open request and the
    district they get reminders for.
    """
    row = run_hot(session, "user", {"key": key, "chat": chat or key, "now": utcnow()}).fetchone()
    return UserRow(int(row[0]), row[1], row[2], bool(row[3]), row[4], row[5])


class Begun(NamedTuple):
    user: UserRow
    state: dict[str, Any] | None


def begin_event(session: Session, inbound_key: str, user_key: str, chat: str | None) -> Begun | None:
    """Record the inbound id, touch the user and load their dialog state; None if the id was handled before.

    The same as mark_processed, touch_user and load_state one after another (on SQLite it is exactly that; on
    PostgreSQL one statement), except that a redelivered update still touches the user row.
    """
    if session.connection().dialect.name == "sqlite":
        if not mark_processed(session, inbound_key):
            return None
        user = touch_user(session, user_key, chat)
        return Begun(user, load_state(session, user.id))
    params = {"key": inbound_key, "user": user_key, "chat": chat or user_key, "now": utcnow()}
    row = run_hot(session, "begin_event", params).fetchone()
    if not row[0]:
        return None
    state = row[6] if isinstance(row[6], dict) else None
    return Begun(UserRow(int(row[1]), row[2], row[3], bool(row[4]), row[5], row[7]), state)


def set_profile(session: Session, user_id: int, language: str | None, district: str | None) -> None:
    run_hot(session, "user_profile", {"user_id": user_id, "language": language, "district": district})


def load_state(session: Session, user_id: int) -> dict[str, Any] | None:
    row = run_hot(session, "state_get", {"user_id": user_id}).fetchone()
    value = json.loads(row[0]) if row is not None and isinstance(row[0], str) else (row[0] if row else None)
    return value if isinstance(value, dict) else None


def save_state(session: Session, user_id: int, state: dict[str, Any], version: str) -> None:
    params = {"user_id": user_id, "state": state, "version": version, "now": utcnow()}
    run_hot(session, "state_put", params)


def add_outbox_rows(session: Session, rows: Sequence[OutboxRow]) -> None:
    """Insert outbox rows in one statement: the one way the code writes the outbox."""
    if not rows:
        return
    now = utcnow()
    if session.connection().dialect.name != "sqlite":
        handoff.insert_outbox(session, rows, now)  # one statement; leased to this process where it delivers them
        return
    values = [
        {
            "destination": r.destination,
            "payload": r.payload,
            "kind": str(r.kind),
            "now": now,
            "user_id": r.user_id,
            "request_id": r.request_id,
        }
        for r in rows
    ]
    if session.info.get(handoff.HANDS_OVER):  # the rows go to the sender once committed: their ids are needed
        encoded = [{k: _sqlite_value(v) for k, v in p.items()} for p in values]
        handoff.hand_sqlite(session, sqlite_cursor(session), HOT_SQL["outbox"], encoded, rows, now)
        return
    run_hot(session, "outbox", values)


def end_event(
    session: Session,
    user_id: int,
    rows: Sequence[OutboxRow],
    counts: Sequence[CountRow],
    state: dict[str, Any] | None,
    version: str,
    profile: tuple[str | None, str | None] | None,
) -> None:
    """Write what a parent's event changed: outbox rows, anonymous counters, the profile if it changed (else None)
    and the dialog state (None: the family erased itself, nothing to keep). One statement on PostgreSQL."""
    if session.connection().dialect.name != "sqlite":
        now = utcnow()
        handoff.end_event(
            session, user_id=user_id, rows=rows, counts=counts, state=state, version=version, profile=profile, now=now
        )
        return
    add_outbox_rows(session, rows)
    add_counts(session, counts)
    if profile is not None:
        set_profile(session, user_id, *profile)
    if state is not None:
        save_state(session, user_id, state, version)


def add_counts(session: Session, counts: Sequence[CountRow]) -> None:
    """Add to the anonymous daily counters: one INSERT … ON CONFLICT DO UPDATE for all keys."""
    deferred: list[CountRow] | None = session.info.get(handoff.DEFERRED_COUNTS)
    if deferred is not None:
        deferred.extend(counts)  # added at the end of the transaction, in key order (storage/handoff.py)
        return
    if counts:
        upsert = _COUNTS_UPSERT[session.get_bind().dialect.name == "postgresql"]
        session.execute(upsert, [dataclasses.asdict(c) for c in counts])


def _counts_upsert(insert: Any) -> Any:
    stmt = insert(DailyCount)
    return stmt.on_conflict_do_update(
        index_elements=[DailyCount.day, DailyCount.metric, DailyCount.key],
        set_={"count": DailyCount.count + stmt.excluded["count"]},
    )


_COUNTS_UPSERT = {True: _counts_upsert(pg_insert), False: _counts_upsert(sqlite_insert)}  # built once


def mark_sent(session: Session, marks: list[dict[str, Any]]) -> None:
    """Mark delivered outbox rows ({id, now, ref} each); a delivered row keeps no text: the bot is not the case file."""
    run_hot(session, "sent", marks)


def get_user(session: Session, key: str) -> User | None:
    return session.execute(select(User).where(User.key == key)).scalar_one_or_none()


def next_reference(session: Session, year: int) -> str:
    """A readable reference such as R-2026-0042, numbered per year, allocated atomically."""
    number = run_hot(session, "counter", {"year": year}).fetchone()[0]
    return f"R-{year}-{number:04d}"


def audit(session: Session, request: CallbackRequest, actor: str, action: str) -> None:
    """Append to the request's history: who, what, when; never personal data."""
    session.add(RequestEvent(request_id=request.id, actor=actor, action=action, status=request.status, at=utcnow()))
    session.flush()


def get_request(session: Session, reference: str) -> CallbackRequest | None:
    stmt = select(CallbackRequest).where(CallbackRequest.reference == reference)
    return session.execute(stmt).scalar_one_or_none()


def card_ref(session: Session, request_id: int) -> str | None:
    """Where a request's card was posted ("destination|message"), if it was."""
    stmt = select(CallbackRequest.card_ref).where(CallbackRequest.id == request_id)
    return session.execute(stmt).scalar_one_or_none()


def claim_request(session: Session, reference: str, actor: str) -> bool:
    """Exactly one claimer wins: a single conditional UPDATE."""
    stmt = (
        update(CallbackRequest)
        .where(CallbackRequest.reference == reference, CallbackRequest.status == RequestStatus.OPEN)
        .values(status=RequestStatus.CLAIMED, claimed_by=actor, claimed_at=utcnow())
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


class Undelivered(NamedTuple):
    kind: str
    reference: str | None  # a card's request reference: no personal data
    status: str
    created_at: datetime
    attempts: int
    error: str | None


def undelivered(session: Session, failed_since: datetime) -> list[Undelivered]:
    """Rows not delivered yet, and rows failed for good since a time, oldest first: kinds, ages; never content."""
    pending = OutboxMessage.status == OutboxStatus.PENDING
    failed = (OutboxMessage.status == OutboxStatus.FAILED) & (OutboxMessage.created_at >= failed_since)
    stmt = (
        select(OutboxMessage, CallbackRequest.reference)
        .outerjoin(CallbackRequest, CallbackRequest.id == OutboxMessage.request_id)
        .where(pending | failed)
        .order_by(OutboxMessage.created_at)
    )
    return [
        Undelivered(row.kind, reference, row.status, row.created_at, row.attempts, row.error)
        for row, reference in session.execute(stmt)
    ]


def load_cursor(session: Session, name: str) -> str | None:
    """Where a transport's event stream stands (Matrix: the sync token), if it was stored."""
    row = session.get(SyncCursor, name)
    return row.value if row is not None else None


def save_cursor(session: Session, name: str, value: str) -> None:
    """Store it; call only once every event before it was committed."""
    row = session.get(SyncCursor, name)
    if row is None:
        session.add(SyncCursor(name=name, value=value, updated_at=utcnow()))
    else:
        row.value, row.updated_at = value, utcnow()


def reference_of_card(session: Session, card_ref: str) -> str | None:
    """The request whose card is this message (a thread under it is about that request)."""
    stmt = select(CallbackRequest.reference).where(CallbackRequest.card_ref == card_ref)
    return session.execute(stmt).scalars().first()
