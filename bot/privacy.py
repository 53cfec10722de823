"""The family's right to erasure and the retention rules: /delete, and the purge of old personal fields.

Both leave no copy in the database files (storage.db.erase_copies). /mydata is bot/mydata.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.core.outcomes import WITHDRAWN
from bot.figures import Tally, key
from bot.staff_rows import retract_rows
from storage import repo
from storage.db import erase_copies
from storage.kinds import Figure, OutboxKind, OutboxRow, OutboxStatus, RequestStatus
from storage.models import (
    CallbackRequest,
    ConsentRecord,
    DialogState,
    OutboxMessage,
    ProcessedInbound,
    ReminderSubscription,
    User,
    WebMessage,
)

log = logging.getLogger(__name__)
CardRow = Callable[[Session, CallbackRequest, datetime], OutboxRow]


def erase_user(
    tx: Session, user_id: int, now: datetime, card_row: CardRow, tally: Tally | None = None
) -> list[OutboxRow]:
    """Erase a family at once: requests withdrawn and stripped, consents withdrawn, state and user row gone.

    Returns the outbox rows to write (card updates for the staff channel, the removal of details shown to staff
    in private). The withdrawal of consent is
    recorded without any link to the person; the anonymous figures count the withdrawals and the outcome.
    """
    tally = tally if tally is not None else Tally()
    rows: list[OutboxRow] = []
    user = tx.get(User, user_id)
    chats = {user.key, user.chat or user.key} if user is not None else set()
    requests = tx.execute(select(CallbackRequest).where(CallbackRequest.user_id == user_id)).scalars().all()
    request_ids = [r.id for r in requests]
    # Every message to or about the family goes: replies sent or pending, and contact details not yet
    # delivered to a staff member (delivered ones were never kept: a sent row holds no text).
    tx.execute(
        delete(OutboxMessage).where(
            (OutboxMessage.user_id == user_id)
            | OutboxMessage.destination.in_(chats)
            | (
                OutboxMessage.request_id.in_(request_ids)
                & OutboxMessage.kind.in_((OutboxKind.DETAILS, OutboxKind.FAMILY))
            )
        )
    )
    for request in requests:
        if request.status in RequestStatus.active():
            request.status, request.closed_at, request.outcome = RequestStatus.WITHDRAWN, now, WITHDRAWN
            tally.add(Figure.OUTCOME, WITHDRAWN)
            repo.audit(tx, request, "family", "withdrawn")
            rows.append(card_row(tx, request, now))
        rows += retract_rows(tx, request)  # the details shown to staff go too
        request.phone = request.name = request.note = None
        request.user_id, request.purged_at = None, now
    consents = (
        tx.execute(
            select(ConsentRecord).where(ConsentRecord.user_id == user_id).order_by(ConsentRecord.at, ConsentRecord.id)
        )
        .scalars()
        .all()
    )
    latest = {consent.purpose: consent for consent in consents}  # one withdrawn before (reminders) is not again
    for consent in consents:
        if consent.action == "given" and latest[consent.purpose] is consent:
            repo.record_consent(
                tx,
                user_id=None,
                purpose=consent.purpose,
                text_id=consent.text_id,
                version=consent.text_version,
                language=consent.language,
                platform=consent.platform,
                action="withdrawn",
            )
            tally.add(Figure.CONSENT, key(consent.purpose, "withdrawn"))
        tx.delete(consent)
    tx.execute(delete(DialogState).where(DialogState.user_id == user_id))
    tx.execute(delete(User).where(User.id == user_id))
    erase_copies(tx)
    log.info("a family erased its data (%d request(s) withdrawn or stripped)", len(requests))
    return rows


@dataclass(frozen=True)
class PurgeResult:
    requests: int
    sessions: int
    outbox: int
    inbound: int
    users: int = 0
    web: int = 0


def purge(tx: Session, now: datetime, retention_days: int, session_ttl_hours: int) -> PurgeResult:
    """Strip personal fields of requests closed longer than the retention period; keep anonymous counts.

    Also drops answers of conversations abandoned before consent, delivered message rows, and old dedupe ids.
    """
    cutoff = now - timedelta(days=retention_days)
    stale = tx.execute(
        select(CallbackRequest).where(
            CallbackRequest.status.in_(RequestStatus.closed()),
            CallbackRequest.closed_at < cutoff,
            CallbackRequest.purged_at.is_(None),
        )
    ).scalars()
    count = 0
    retracts: list[OutboxRow] = []
    for request in stale:
        request.phone = request.name = request.note = None
        request.user_id, request.purged_at = None, now
        repo.audit(tx, request, "system", "purged")
        retracts += retract_rows(tx, request)  # normally taken back at closing already
        count += 1
    repo.add_outbox_rows(tx, retracts)
    sessions = 0
    for state in tx.execute(
        select(DialogState).where(DialogState.updated_at < now - timedelta(hours=session_ttl_hours))
    ).scalars():
        if state.state.get("slots"):
            state.state = {**state.state, "slots": {}, "at": None, "history": []}
            sessions += 1
    # Families silent for the whole retention period, with nothing open: their user row (platform id, chat,
    # language, district) and dialog state go; their consent records lose the link to them. Reminders they
    # still get keep them: silence is what a family with reminders does. One that blocked the bot gets none,
    # so it is forgotten like any other, and its subscription with it (the foreign key's cascade).
    active = select(CallbackRequest.user_id).where(
        CallbackRequest.status.in_(RequestStatus.active()), CallbackRequest.user_id.is_not(None)
    )
    reminded = (
        select(ReminderSubscription.user_id)
        .join(User, User.id == ReminderSubscription.user_id)
        .where(User.unreachable.is_(False))
    )
    # The web chat keeps what it showed a family (the page shows it again when opened), and that can echo a phone
    # number before consent: kept no longer than the answers themselves, unless a request of the family is open
    # (the team's answer must still be there when the family comes back), and never beyond the retention period.
    session_cutoff = now - timedelta(hours=session_ttl_hours)
    web = int(
        tx.execute(
            delete(WebMessage).where(
                (WebMessage.created_at < cutoff)
                | ((WebMessage.created_at < session_cutoff) & WebMessage.user_id.not_in(active))
            )
        ).rowcount  # type: ignore[attr-defined]
    )
    idle = select(User.id).where(User.last_seen_at < cutoff, User.id.not_in(active), User.id.not_in(reminded))
    idle_ids = list(tx.execute(idle).scalars())
    if idle_ids:
        tx.execute(update(ConsentRecord).where(ConsentRecord.user_id.in_(idle_ids)).values(user_id=None))
        tx.execute(update(CallbackRequest).where(CallbackRequest.user_id.in_(idle_ids)).values(user_id=None))
        tx.execute(delete(OutboxMessage).where(OutboxMessage.user_id.in_(idle_ids)))
        tx.execute(delete(DialogState).where(DialogState.user_id.in_(idle_ids)))
        tx.execute(delete(User).where(User.id.in_(idle_ids)))
    done = (OutboxMessage.status.in_((OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.EXPIRED))) & (
        OutboxMessage.created_at < now - timedelta(days=1)
    )
    outbox = int(tx.execute(delete(OutboxMessage).where(done)).rowcount)  # type: ignore[attr-defined]
    inbound = int(
        tx.execute(delete(ProcessedInbound).where(ProcessedInbound.processed_at < now - timedelta(days=7))).rowcount  # type: ignore[attr-defined]
    )
    result = PurgeResult(count, sessions, outbox, inbound, len(idle_ids), web)
    if result != PurgeResult(0, 0, 0, 0, 0, 0):
        erase_copies(tx)
    return result
