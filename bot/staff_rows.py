"""Outbox rows about a family for a staff member's private chat, and the rows that take such messages back."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.cards import CardData, render_card
from bot.core.events import Reply
from bot.core.hours import HoursData, district_ids, district_name
from bot.staff_texts import DETAILS_REMOVED
from storage.kinds import OutboxKind, OutboxRow
from storage.models import CallbackRequest, DetailsCopy

STAFF = "staff"  # payload key: whom a details row is for; the sender's gate asks the platform about them
RELAYED = "relayed"  # payload key: a family's own words, kept with the request if they cannot be delivered


def card_for(request: CallbackRequest, hours: HoursData, now: datetime, owner: str | None = None) -> Reply:
    """Render the staff card of a request from its row; owner is the responsible person's display name."""
    known = request.district in district_ids(hours)
    data = CardData(
        reference=request.reference,
        status=request.status,
        topic=request.topic,
        language=request.language,
        channel=request.channel,
        district=request.district,
        time_window=request.time_window,
        urgent=request.urgent,
        contact_way=request.contact_way,
        created_at=request.created_at,
        claimed_by=owner or request.claimed_by,
        delivery=request.delivery,
        emergency=bool(request.emergency),
    )
    return render_card(data, now, district_name(hours, request.district) if known and request.district else None)


def card_row(
    staff_channel: str,
    request: CallbackRequest,
    hours: HoursData,
    now: datetime,
    owner: str | None = None,
    note: str | None = None,
) -> OutboxRow:
    """The one builder of a card row. Whether it edits the card or posts it is decided when it is sent
    (bot/outbox.py), so the same row serves a new request and every change of one."""
    card = card_for(request, hours, now, owner)
    if note:
        card = replace(card, text=f"{card.text}\n{note}")
    return OutboxRow(staff_channel, card.to_payload(), OutboxKind.CARD, request_id=request.id)


def details_row(chat: str, text: str, staff: str, request_id: int, relayed: str | None = None) -> OutboxRow:
    """A row about a family for a staff member's private chat: it goes out only while they are responsible for the
    request and a current member of the staff channel (bot.staff_delivery)."""
    payload: dict[str, Any] = {**Reply(text).to_payload(), STAFF: staff}
    if relayed is not None:
        payload[RELAYED] = relayed
    return OutboxRow(chat, payload, OutboxKind.DETAILS, request_id=request_id)


def retract_row(request: CallbackRequest, chat: str, message_ref: str) -> OutboxRow:
    """Remove one message with a family's details; where the platform refuses (older than 48 h on Telegram), its
    text is replaced by a note without personal data."""
    note = Reply(DETAILS_REMOVED.format(reference=request.reference)).to_payload()
    payload = {**note, "edit_ref": message_ref, "remove": True}
    return OutboxRow(chat, payload, OutboxKind.RETRACT, request_id=request.id)


def retract_rows(tx: Session, request: CallbackRequest, keep_chat: str | None = None) -> list[OutboxRow]:
    """Take back every message showing this request's details (except in keep_chat) and forget where they were."""
    rows: list[OutboxRow] = []
    for copy in tx.execute(select(DetailsCopy).where(DetailsCopy.request_id == request.id)).scalars().all():
        if copy.chat != keep_chat:
            rows.append(retract_row(request, copy.chat, copy.message_ref))
            tx.delete(copy)
    return rows
