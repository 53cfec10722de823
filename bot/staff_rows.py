"""Outbox rows about a family for a staff member's private chat, and the rows that take such messages back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.events import Reply
from bot.staff_texts import DETAILS_REMOVED
from storage.models import CallbackRequest, DetailsCopy

DETAILS = "details"  # outbox kind: details, a family's words, anything about a family, for one staff member
RETRACT = "retract"  # outbox kind: remove (or overwrite) such a message again
STAFF = "staff"  # payload key: whom a details row is for; the sender's gate asks the platform about them
RELAYED = "relayed"  # payload key: a family's own words, kept with the request if they cannot be delivered


def details_row(chat: str, text: str, staff: str, request_id: int, relayed: str | None = None) -> dict[str, Any]:
    """A row about a family for a staff member's private chat: it goes out only while they are responsible for the
    request and a current member of the staff channel (bot.staff_delivery)."""
    payload: dict[str, Any] = {**Reply(text).to_payload(), STAFF: staff}
    if relayed is not None:
        payload[RELAYED] = relayed
    return {"destination": chat, "payload": payload, "kind": DETAILS, "request_id": request_id}


def retract_row(request: CallbackRequest, chat: str, message_ref: str) -> dict[str, Any]:
    """Remove one message with a family's details; where the platform refuses (older than 48 h on Telegram), its
    text is replaced by a note without personal data."""
    note = Reply(DETAILS_REMOVED.format(reference=request.reference)).to_payload()
    payload = {**note, "edit_ref": message_ref, "remove": True}
    return {"destination": chat, "payload": payload, "kind": RETRACT, "request_id": request.id}


def retract_rows(tx: Session, request: CallbackRequest, keep_chat: str | None = None) -> list[dict[str, Any]]:
    """Take back every message showing this request's details (except in keep_chat) and forget where they were."""
    rows: list[dict[str, Any]] = []
    for copy in tx.execute(select(DetailsCopy).where(DetailsCopy.request_id == request.id)).scalars().all():
        if copy.chat != keep_chat:
            rows.append(retract_row(request, copy.chat, copy.message_ref))
            tx.delete(copy)
    return rows
