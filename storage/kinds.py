"""The closed sets of values the storage layer keeps as strings: request statuses, outbox kinds and statuses, and
the outbox row as the code writes it.

They are `StrEnum`s: stored as their plain string value (no migration; a database from before reads the same),
equal to that string, and a typo becomes an error at import time instead of a row nobody finds.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class RequestStatus(StrEnum):
    OPEN = "open"  # waiting for a staff member
    CLAIMED = "claimed"  # one staff member is responsible
    DONE = "done"  # closed by staff
    WITHDRAWN = "withdrawn"  # the family erased itself while it was open

    @classmethod
    def active(cls) -> tuple[RequestStatus, ...]:
        """A family has at most one request in these."""
        return (cls.OPEN, cls.CLAIMED)

    @classmethod
    def closed(cls) -> tuple[RequestStatus, ...]:
        return (cls.DONE, cls.WITHDRAWN)


class OutboxKind(StrEnum):
    MESSAGE = "message"  # a reply to a family, a notice in the staff channel
    CARD = "card"  # a request's card in the staff channel (posted once, then edited)
    DETAILS = "details"  # a family's details or words for one staff member; sent only while they are responsible
    RETRACT = "retract"  # remove (or overwrite) such a message again
    FAMILY = "family"  # a staff member's answer to a family
    ERASE = "erase"  # the goodbye after /delete; the row itself is deleted once delivered
    REMINDER = "reminder"  # bulk: goes after everything a family is waiting for

    @property
    def bulk(self) -> bool:
        return self in BULK_KINDS


BULK_KINDS = frozenset({OutboxKind.REMINDER})


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class FamilyDelivery(StrEnum):
    """callback_requests.delivery: whether the team's last message reached the family (shown on the card)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    BLOCKED = "blocked"  # the family blocked the bot
    FAILED = "failed"  # the platform refused it for another reason


class Outcome(StrEnum):
    """What an adapter says about one delivery."""

    SENT = "sent"
    RETRY = "retry"  # not now (an outage, a limit): the row waits and is tried again
    FAILED = "failed"  # the platform's own "no" (blocked, bad request): never again


class Figure(StrEnum):
    """daily_counts.metric: what an anonymous daily counter counts (bot/figures.py). Its key never names a person."""

    REQUEST = "request"  # key: topic|language|district|channel|urgent (1/0)
    CLAIM_CAL = "claim_cal"  # key: minutes from request to first claim, calendar time (bucketed)
    CLAIM_OFFICE = "claim_office"  # the same in office hours
    REPLY_CAL = "reply_cal"  # key: minutes from request to the team's first message to the family
    REPLY_OFFICE = "reply_office"
    OUTCOME = "outcome"  # key: outcome id (dialogs/outcomes.yaml)
    EMERGENCY = "emergency"  # key: category|language of an emergency screen shown
    REMINDER_SENT = "reminder_sent"  # key: language
    REMINDER_STOPPED = "reminder_stopped"  # key: language
    CONSENT = "consent"  # key: purpose|action
    REACHED = "reached"  # key: flow/node|language: a session arrived at the node
    ONWARD = "onward"  # key: flow/node|language: a session went on from the node to another


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A message to deliver, as the code writes it in the transaction of the event that caused it."""

    destination: str  # a chat key such as telegram:12345
    payload: dict[str, Any]  # a Reply's payload (bot.core.events.Reply.to_payload), plus delivery hints
    kind: OutboxKind = OutboxKind.MESSAGE
    user_id: int | None = None  # the family it goes to, so /delete and "blocked" find it
    request_id: int | None = None  # the request it is about
