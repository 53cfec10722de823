"""A family's reminder subscription, written in the transaction of the event that asked for it.

Subscribing is recorded as a consent of its own (purpose "reminders", by the engine's RecordConsent just before);
stopping deletes the subscription with everything queued for it and records that consent as withdrawn.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage import repo
from storage.kinds import OutboxKind, OutboxStatus
from storage.models import ConsentRecord, OutboxMessage, Reminder, ReminderSubscription

PURPOSE = "reminders"


def subscribe(tx: Session, user_id: int, district: str, now: datetime) -> None:
    """Write the subscription, or move it to another district (one per family)."""
    sub = tx.execute(select(ReminderSubscription).where(ReminderSubscription.user_id == user_id)).scalar_one_or_none()
    if sub is None:
        tx.add(ReminderSubscription(user_id=user_id, district=district, created_at=now))
    elif sub.district != district:
        sub.district, sub.created_at = district, now
        _drop_queued(tx, user_id, sub.id)  # reminders of the old district's hours are of no use any more
    tx.flush()


def unsubscribe(tx: Session, user_id: int, platform: str, language: str) -> bool:
    """Stop the reminders: subscription, reminder rows and unsent reminder messages go; the consent is withdrawn.

    False if there was nothing to stop (a second tap, another device)."""
    sub = tx.execute(select(ReminderSubscription).where(ReminderSubscription.user_id == user_id)).scalar_one_or_none()
    if sub is None:
        return False
    _drop_queued(tx, user_id, sub.id)
    tx.delete(sub)
    given = tx.execute(
        select(ConsentRecord)
        .where(ConsentRecord.user_id == user_id, ConsentRecord.purpose == PURPOSE)
        .order_by(ConsentRecord.at.desc(), ConsentRecord.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if given is not None and given.action == "given":
        repo.record_consent(
            tx,
            user_id=user_id,
            purpose=PURPOSE,
            text_id=given.text_id,
            version=given.text_version,
            language=language,
            platform=platform,
            action="withdrawn",
        )
    return True


def _drop_queued(tx: Session, user_id: int, subscription_id: int) -> None:
    tx.execute(delete(Reminder).where(Reminder.subscription_id == subscription_id))
    tx.execute(
        delete(OutboxMessage).where(
            OutboxMessage.user_id == user_id,
            OutboxMessage.kind == OutboxKind.REMINDER,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
    )
