"""SQLAlchemy 2 models. Personal fields: callback_requests.phone/name/note, dialog state, outbox payloads."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.kinds import OutboxKind, OutboxStatus, RequestStatus


class UTCDateTime(TypeDecorator[datetime]):
    """Store UTC; SQLite returns naive datetimes, so the zone is attached again when reading."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# Key columns hold transport-qualified ids: "matrix:" and a Matrix id of up to 255 bytes. A message ref is
# "<chat key>|<message or event id>".
KEY, REF = 300, 600


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class User(Base):
    """A parent (or staff member) on one transport; key is transport-qualified, e.g. telegram:12345."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY), unique=True)
    language: Mapped[str | None] = mapped_column(String(16))
    district: Mapped[str | None] = mapped_column(String(32))
    chat: Mapped[str | None] = mapped_column(String(KEY))  # where to reach them, e.g. a Matrix DM room
    unreachable: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class StaffMember(Base):
    """A social worker seen in the staff channel; private_chat is where details may go (None: not opened yet)."""

    __tablename__ = "staff_members"
    key: Mapped[str] = mapped_column(String(KEY), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(100))
    private_chat: Mapped[str | None] = mapped_column(String(KEY))
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class DetailsCopy(Base):
    """A message in a staff member's private chat that shows a family's details or words.

    Kept only while the request is with that person: closing, handing over, the family's erasure or the purge
    removes the message there (or overwrites it where the platform no longer allows removal) and this row.
    """

    __tablename__ = "details_copies"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("callback_requests.id", ondelete="CASCADE"), index=True)
    chat: Mapped[str] = mapped_column(String(KEY))
    message_ref: Mapped[str] = mapped_column(String(REF))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChatAlias(Base):
    """A chat that moved, e.g. a Telegram group upgraded to a supergroup: old key -> new key."""

    __tablename__ = "chat_aliases"
    old: Mapped[str] = mapped_column(String(KEY), primary_key=True)
    new: Mapped[str] = mapped_column(String(KEY))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class DialogState(Base):
    """The engine's JSON state for one user; flow_version lets a content change restart politely."""

    __tablename__ = "dialog_states"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    flow_version: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcessedInbound(Base):
    """Inbound ids (telegram:update:42, matrix:event:$abc) already handled, for exactly-once handling."""

    __tablename__ = "processed_inbound"
    key: Mapped[str] = mapped_column(String(KEY + 20), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReferenceCounter(Base):
    """Yearly counter behind readable references such as R-2026-0042."""

    __tablename__ = "reference_counters"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class CallbackRequest(Base):
    """A family's callback request. phone, name and note are personal and purged after retention."""

    __tablename__ = "callback_requests"
    # The family's open request is looked up on every message, in the same statement as the user row.
    __table_args__ = (Index("ix_callback_requests_user_status", "user_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.OPEN)
    topic: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    district: Mapped[str | None] = mapped_column(String(32))
    time_window: Mapped[str | None] = mapped_column(String(32))
    contact_way: Mapped[str] = mapped_column(String(16))
    urgent: Mapped[bool] = mapped_column(default=False)
    # An emergency was recognised in what the family wrote (bot.core.emergency.Category); never the text itself.
    emergency: Mapped[str | None] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(KEY))
    claimed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    delivery: Mapped[str | None] = mapped_column(String(16))
    delivery_at: Mapped[datetime | None]
    card_ref: Mapped[str | None] = mapped_column(String(REF))
    purged_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What became of it (an id of dialogs/outcomes.yaml), chosen by staff when closing; kept after the purge.
    outcome: Mapped[str | None] = mapped_column(String(24))


class RequestEvent(Base):
    """Audit log and status history of a request: who, what, when. Never personal data."""

    __tablename__ = "request_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("callback_requests.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(KEY))
    action: Mapped[str] = mapped_column(String(KEY + 20))
    status: Mapped[str] = mapped_column(String(16))


class ConsentRecord(Base):
    """Explicit consent per purpose, with the text's id and version, language, time, platform and user."""

    __tablename__ = "consent_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    purpose: Mapped[str] = mapped_column(String(32))
    text_id: Mapped[str] = mapped_column(String(64))
    text_version: Mapped[int]
    language: Mapped[str] = mapped_column(String(16))
    platform: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))  # given | withdrawn
    at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """A message to deliver, written in the same transaction as the state change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_pending", "status", "next_attempt_at"),
        Index("ix_outbox_destination_pending", "destination", "status", "id"),
        Index("ix_outbox_pending_kind", "status", "kind", "id"),  # interactive before bulk, each in order
        # The sender holds rows by id across transactions: an id must never come back for another row (SQLite
        # would hand out a deleted newest row's id again without this).
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    destination: Mapped[str] = mapped_column(String(KEY))
    kind: Mapped[str] = mapped_column(String(16), default=OutboxKind.MESSAGE)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("callback_requests.id", ondelete="SET NULL"))
    error: Mapped[str | None] = mapped_column(String(200))
    platform_ref: Mapped[str | None] = mapped_column(String(REF))
    # Several processes on one PostgreSQL share the outbox: a row is delivered by the process holding its lease.
    # A lease that runs out (its holder died) frees the row for another process.
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]


class ReminderSubscription(Base):
    """A family asked to be reminded of its district's consultation hours (consent purpose "reminders")."""

    __tablename__ = "reminder_subscriptions"
    __table_args__ = (UniqueConstraint("user_id", name="uq_reminder_subscriptions_user"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    district: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Reminder(Base):
    """A reminder queued for the outbox. The unique key makes a second queueing of the same one impossible."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("subscription_id", "slot_start", "rule", name="uq_reminders_once"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("reminder_subscriptions.id", ondelete="CASCADE"))
    slot_start: Mapped[datetime]  # the consultation hour's start, UTC
    rule: Mapped[str] = mapped_column(String(32))  # dialogs/reminders.yaml id
    due_at: Mapped[datetime]
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Missed while the bot was down and its hour has begun: never queued, counted once (bot/reminders.py).
    dropped: Mapped[bool] = mapped_column(default=False)


class StaffDigest(Base):
    """An office day whose morning overview of unclaimed requests was queued: the key makes it once a day."""

    __tablename__ = "staff_digests"
    day: Mapped[date] = mapped_column(Date, primary_key=True)  # the office's local date
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncCursor(Base):
    """Where a transport's stream of events stands (Matrix: the sync token), stored only after the events before it
    were committed, so a crash replays (deduplicated) rather than loses."""

    __tablename__ = "sync_cursors"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DailyCount(Base):
    """An anonymous counter for the quarterly figures (bot/figures.py): no user id, no time finer than a day."""

    __tablename__ = "daily_counts"
    day: Mapped[date] = mapped_column(Date, primary_key=True)  # the office's local date
    metric: Mapped[str] = mapped_column(String(24), primary_key=True)  # storage.kinds.Figure
    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class WebMessage(Base):
    """A message delivered to a family in the web chat, kept for its browser: shown when the page opens again,
    and the id is the Server-Sent Events id a reconnecting browser resumes after. It belongs to the family's user
    row: erasing the family (or forgetting it after the retention period) takes its messages with it."""

    __tablename__ = "web_messages"
    __table_args__ = (
        Index("ix_web_messages_user", "user_id", "id"),
        {"sqlite_autoincrement": True},  # an event id never comes back for another message
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
