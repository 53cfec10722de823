"""The family's rights and the retention rules: /mydata, /delete, and the purge of old personal fields."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.core import texts as T
from bot.core.hours import HoursData, district_ids, district_name
from bot.core.i18n import LANGUAGES, I18n
from bot.core.render import phone_shown
from storage import repo
from storage.models import CallbackRequest, ConsentRecord, DialogState, OutboxMessage, ProcessedInbound, User

log = logging.getLogger(__name__)
CardRow = Callable[[Session, CallbackRequest, datetime], dict[str, Any]]


def my_data(tx: Session, user_id: int, lang: str, i18n: I18n, hours: HoursData) -> str:
    """Everything stored about a family, in their language."""
    user = tx.get(User, user_id)
    assert user is not None

    def day(moment: datetime) -> str:
        return i18n.format_day(lang, moment.astimezone(hours.timezone))

    lines = [i18n.t(lang, T.MYDATA_HEADER)]
    lines.append(f"• {i18n.t(lang, T.MYDATA_LANGUAGE)}: {LANGUAGES[lang].native if lang in LANGUAGES else lang}")
    if user.district in district_ids(hours):
        lines.append(f"• {i18n.t(lang, T.SUMMARY_LABELS['district'])}: {district_name(hours, user.district or '')}")
    requests = tx.execute(select(CallbackRequest).where(CallbackRequest.user_id == user_id)).scalars().all()
    for r in requests:
        status = i18n.t(lang, T.FAMILY_STATUS.get(r.status, r.status))
        lines.append(
            "• " + i18n.t(lang, T.MYDATA_REQUEST, reference=r.reference, date=day(r.created_at), status=status)
        )
        phone = r.phone and phone_shown(r.phone, partial(i18n.t, lang), i18n.is_rtl(lang))  # with its extension
        for key, value in (("phone", phone), ("name", r.name), ("note", r.note)):
            if value:
                lines.append(f"   {i18n.t(lang, T.SUMMARY_LABELS[key])}: {value}")
    consents = tx.execute(
        select(ConsentRecord).where(ConsentRecord.user_id == user_id, ConsentRecord.action == "given")
    ).scalars()
    for c in consents:
        purpose = i18n.t(lang, T.PURPOSES.get(c.purpose, c.purpose))
        lines.append("• " + i18n.t(lang, T.MYDATA_CONSENT, purpose=purpose, version=c.text_version, date=day(c.at)))
    if not requests:
        lines.append(i18n.t(lang, T.MYDATA_NOTHING))
    lines.append(i18n.t(lang, T.MYDATA_FOOTER))
    return "\n".join(lines)


def erase_user(tx: Session, user_id: int, now: datetime, card_row: CardRow) -> list[dict[str, Any]]:
    """Erase a family at once: requests withdrawn and stripped, consents withdrawn, state and user row gone.

    Returns the outbox rows to write (card updates for the staff channel). The withdrawal of consent is
    recorded without any link to the person.
    """
    rows: list[dict[str, Any]] = []
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
            | (OutboxMessage.request_id.in_(request_ids) & OutboxMessage.kind.in_(("details", "family")))
        )
    )
    for request in requests:
        if request.status in ("open", "claimed"):
            request.status, request.closed_at = "withdrawn", now
            repo.audit(tx, request, "family", "withdrawn")
            rows.append(card_row(tx, request, now))
        request.phone = request.name = request.note = None
        request.user_id, request.purged_at = None, now
    consents = tx.execute(select(ConsentRecord).where(ConsentRecord.user_id == user_id)).scalars().all()
    for consent in consents:
        if consent.action == "given":
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
        tx.delete(consent)
    tx.execute(delete(DialogState).where(DialogState.user_id == user_id))
    tx.execute(delete(User).where(User.id == user_id))
    log.info("a family erased its data (%d request(s) withdrawn or stripped)", len(requests))
    return rows


@dataclass(frozen=True)
class PurgeResult:
    requests: int
    sessions: int
    outbox: int
    inbound: int
    users: int = 0


def purge(tx: Session, now: datetime, retention_days: int, session_ttl_hours: int) -> PurgeResult:
    """Strip personal fields of requests closed longer than the retention period; keep anonymous counts.

    Also drops answers of conversations abandoned before consent, delivered message rows, and old dedupe ids.
    """
    cutoff = now - timedelta(days=retention_days)
    stale = tx.execute(
        select(CallbackRequest).where(
            CallbackRequest.status.in_(("done", "withdrawn")),
            CallbackRequest.closed_at < cutoff,
            CallbackRequest.purged_at.is_(None),
        )
    ).scalars()
    count = 0
    for request in stale:
        request.phone = request.name = request.note = None
        request.user_id, request.purged_at = None, now
        repo.audit(tx, request, "system", "purged")
        count += 1
    sessions = 0
    for state in tx.execute(
        select(DialogState).where(DialogState.updated_at < now - timedelta(hours=session_ttl_hours))
    ).scalars():
        if state.state.get("slots"):
            state.state = {**state.state, "slots": {}, "at": None, "history": []}
            sessions += 1
    # Families silent for the whole retention period, with nothing open: their user row (platform id, chat,
    # language, district) and dialog state go; their consent records lose the link to them.
    active = select(CallbackRequest.user_id).where(
        CallbackRequest.status.in_(("open", "claimed")), CallbackRequest.user_id.is_not(None)
    )
    idle = select(User.id).where(User.last_seen_at < cutoff, User.id.not_in(active))
    idle_ids = list(tx.execute(idle).scalars())
    if idle_ids:
        tx.execute(update(ConsentRecord).where(ConsentRecord.user_id.in_(idle_ids)).values(user_id=None))
        tx.execute(update(CallbackRequest).where(CallbackRequest.user_id.in_(idle_ids)).values(user_id=None))
        tx.execute(delete(OutboxMessage).where(OutboxMessage.user_id.in_(idle_ids)))
        tx.execute(delete(DialogState).where(DialogState.user_id.in_(idle_ids)))
        tx.execute(delete(User).where(User.id.in_(idle_ids)))
    done = (OutboxMessage.status.in_(("sent", "failed"))) & (OutboxMessage.created_at < now - timedelta(days=1))
    outbox = int(tx.execute(delete(OutboxMessage).where(done)).rowcount)  # type: ignore[attr-defined]
    inbound = int(
        tx.execute(delete(ProcessedInbound).where(ProcessedInbound.processed_at < now - timedelta(days=7))).rowcount  # type: ignore[attr-defined]
    )
    return PurgeResult(count, sessions, outbox, inbound, len(idle_ids))
