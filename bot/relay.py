"""A family's message about its request: privately to the responsible person, never to a group. Pure of I/O but the
transaction it is given; one call per RelayToStaff effect (bot.runtime)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.events import RelayToStaff, Reply
from bot.core.i18n import I18n
from bot.core.texts import ADDED_TO_REQUEST, RELAY_CLOSED, RELAY_DONE, RELAY_LATER
from bot.privacy import CardRow
from bot.staff_rows import details_row
from bot.staff_texts import open_chat_hint, relayed_text
from storage import repo
from storage.kinds import OutboxRow, RequestStatus
from storage.models import StaffMember

MAX_NOTE = 4000  # what a family adds to an unclaimed request, kept with its note (the newest part if longer)


@dataclass(frozen=True)
class Relay:
    i18n: I18n
    staff_channel: str
    card_row: CardRow
    private_link: Callable[[str], str | None]
    now: datetime

    def send(self, tx: Session, user_id: int, lang: str, effect: RelayToStaff, outbox: list[OutboxRow]) -> str:
        """Write what the family's message causes into `outbox`; return the answer the family is shown."""
        request = repo.get_request(tx, effect.reference)
        mine = request is not None and request.user_id == user_id
        member = tx.get(StaffMember, request.claimed_by) if request and request.claimed_by else None
        if effect.sos and request is not None and mine and request.emergency is None:
            # The card shows 🆘 (never the words) whether or not the message can reach the person responsible.
            request.emergency = effect.sos
            if request.status in RequestStatus.active():
                outbox.append(self.card_row(tx, request, self.now))
        if request is not None and mine and request.status == RequestStatus.OPEN:
            # Nobody has claimed it yet: what the family adds lies with the request for whoever claims it.
            note = f"{request.note}\n{effect.text}" if request.note else effect.text
            request.note = note[-MAX_NOTE:]
            repo.audit(tx, request, "family", "family-added")
            return self.i18n.t(lang, ADDED_TO_REQUEST, reference=request.reference)
        if request is None or not mine or request.status != RequestStatus.CLAIMED or member is None:
            return self.i18n.t(lang, RELAY_CLOSED)  # also what a forged reference gets
        if member.private_chat is None:
            hint = open_chat_hint(member.display_name, request.reference, self.private_link("team"), True)
            outbox.append(OutboxRow(self.staff_channel, Reply(hint).to_payload()))
            return self.i18n.t(lang, RELAY_LATER)
        text = relayed_text(request, effect.text, effect.sos)
        # Sent only while that person is still responsible and in the team when it goes out (bot.staff_delivery).
        outbox.append(details_row(member.private_chat, text, member.key, request.id, effect.text))
        repo.audit(tx, request, "family", "family-message")
        return self.i18n.t(lang, RELAY_DONE)
