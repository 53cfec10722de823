"""The staff desk: claim, details privately to the claimer, replies in the family's language, lifecycle, overview.

Every staff action is one transaction: the conditional claim, the audit entry, the card update and the
messages (outbox rows) commit together or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.adapters.base import Inbound
from bot.core import texts as T
from bot.core.cards import STATUS_DE
from bot.core.events import ChatKey, Command, Pressed, Reply, UserKey
from bot.core.hours import HoursData
from bot.core.i18n import I18n
from bot.core.outcomes import Outcome
from bot.core.staffcmd import StaffAction, in_thread, parse_staff
from bot.core.templates import Template
from bot.desk_close import Closing
from bot.desk_replies import DeskOut, FamilyReplies
from bot.figures import count_waits, office_day
from bot.refusals import audit_refusal, not_member_text
from bot.staff_access import MemberCheck, StaffAccess
from bot.staff_rows import card_row, details_row, retract_rows
from bot.staff_texts import (
    DUPLICATE_CARD,
    REFUSED,
    STAFF_HELP,
    STAFF_HELP_PRIVATE,
    details_text,
    open_chat_hint,
    overview_text,
)
from storage import repo
from storage.db import Database
from storage.kinds import OutboxRow, RequestStatus
from storage.models import CallbackRequest, StaffMember

log = logging.getLogger(__name__)
PrivateLink = Callable[[str], str | None]  # a link that opens the private chat with the bot (Telegram deep link)
# A private chat the bot opens itself (Matrix: an encrypted direct room) for someone who never wrote to it.
OpenPrivate = Callable[[UserKey], ChatKey | None]


@dataclass
class DeskConfig:
    staff_channel: str
    allowlist: frozenset[str] = frozenset()
    escalate_after_hours: float = 4.0
    buttonless: frozenset[str] = frozenset()  # transports that list buttons as numbers (bot.offers)


class StaffDesk(Closing, FamilyReplies):
    """Handles staff commands and buttons; everything it says to staff is German, to families translated."""

    def __init__(
        self,
        db: Database,
        hours: HoursData,
        templates: list[Template],
        i18n: I18n,
        config: DeskConfig,
        is_member: MemberCheck,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        private_link: PrivateLink | None = None,
        open_private: OpenPrivate | None = None,
        outcomes: list[Outcome] | None = None,
    ) -> None:
        self.outcomes = list(outcomes or [])  # empty: requests close without an outcome
        self._private_link = private_link
        self._open_private = open_private
        self.db = db
        self.hours = hours
        self.templates = {t.id: t for t in templates}
        self.i18n = i18n
        self.config = config
        self.access = StaffAccess(db, config, is_member)
        self.clock = clock

    async def handle(self, inbound: Inbound) -> str | None:
        """A staff command, a queue button, or an internal note (goes nowhere); returns a refused press's answer."""
        now = self.clock()
        event, card = inbound.event, inbound.message_ref
        if isinstance(event, Command) and card is not None:
            reference = await self.db.run(lambda tx: repo.reference_of_card(tx, card))
            event = in_thread(event, reference) if reference else event
        action = parse_staff(event, now.astimezone(self.hours.timezone).year)
        in_channel = inbound.chat == self.config.staff_channel
        allowed: bool | None = False
        if action is not None and (in_channel or inbound.private):
            allowed = await self.access.authorised(inbound.user)
        if action is not None and allowed:
            action = await self.access.check_people(action)
        return await self.db.run(lambda tx: self._handle(tx, inbound, action, allowed, now))

    async def welcome(self, inbound: Inbound) -> bool:
        """/start in a private chat (also the deep link /start team): a current member of the staff channel gets
        the staff help and their private chat is recorded; False for everyone else, who stays a parent."""
        if not inbound.private or await self.access.authorised(inbound.user) is not True:
            return False  # not a member, or the platform could not tell now: a family must never be stopped here
        now = self.clock()
        await self.db.run(lambda tx: self._handle(tx, inbound, StaffAction("help"), True, now))
        return True

    def private_link(self, start: str) -> str | None:
        """The one-tap link to the private chat with the bot, where the staff channel's platform has one."""
        return self._private_link(start) if self._private_link is not None else None

    def _handle(
        self, tx: Session, inbound: Inbound, action: StaffAction | None, allowed: bool | None, now: datetime
    ) -> str | None:
        if not repo.mark_processed(tx, inbound.inbound_id) or action is None:
            return None  # a redelivery, or an internal note: never relayed, nothing to do
        out, notice = DeskOut(), None
        if allowed is None:
            out.add(
                inbound.chat, "Ich konnte gerade nicht prüfen, ob Sie zum Team-Kanal gehören. Bitte gleich noch einmal."
            )
        elif not allowed:
            audit_refusal("not_member", action.action)
            notice = self._refuse(tx, inbound, out)
        else:
            member = self._member(tx, inbound, now)
            action = self._resolve_short(tx, action, out, inbound)
            if action is not None:
                notice = getattr(self, f"_do_{action.action}")(tx, member, action, inbound, now, out)
                self._retire_stale_copy(tx, action, inbound, out)
        if inbound.message_ref is not None and not isinstance(inbound.event, Pressed):
            out.into_thread(inbound.chat, inbound.message_ref.rpartition("|")[2])  # typed in a card's thread
        repo.add_outbox_rows(tx, out.rows)
        out.tally.write(tx, office_day(now, self.hours.timezone))
        return notice if isinstance(inbound.event, Pressed) else None

    def _retire_stale_copy(self, tx: Session, action: StaffAction, inbound: Inbound, out: DeskOut) -> None:
        """A card posted twice (a crash between posting and recording it): the copy that was touched, if it is not
        the one the request follows, loses its buttons and says where the current card is. No copy stays "offen"."""
        if inbound.message_ref is None or action.reference is None or not isinstance(inbound.event, Pressed):
            return
        request = repo.get_request(tx, action.reference)
        if request is None or request.card_ref is None or request.card_ref == inbound.message_ref:
            return
        posted_in, _, message = inbound.message_ref.rpartition("|")
        if posted_in != self.config.staff_channel or not message:
            return
        note = Reply(DUPLICATE_CARD.format(reference=request.reference)).to_payload()
        out.rows.append(OutboxRow(posted_in, {**note, "edit_ref": message}))

    def _resolve_short(self, tx: Session, a: StaffAction, out: DeskOut, inbound: Inbound) -> StaffAction | None:
        """A bare number means this year's request, unless last year's with that number is still active too."""
        if not a.short or a.reference is None:
            return a
        year = int(a.reference[2:6])
        earlier = f"R-{year - 1}{a.reference[6:]}"
        older = repo.get_request(tx, earlier)
        if older is None or older.status not in RequestStatus.active():
            return a
        current = repo.get_request(tx, a.reference)
        if current is None:
            return replace(a, reference=earlier)
        out.add(inbound.chat, f"Meinen Sie {earlier} oder {a.reference}? Bitte die ganze Nummer angeben.")
        return None

    def _refuse(self, tx: Session, inbound: Inbound, out: DeskOut) -> str:
        text = not_member_text(tx, inbound, self.config.staff_channel, self.i18n)
        out.add(inbound.chat, text)
        return text

    def _member(self, tx: Session, inbound: Inbound, now: datetime) -> StaffMember:
        member = tx.get(StaffMember, inbound.user)
        name = (T.clean_text(inbound.display_name or "") or "Fachkraft")[:60]
        if member is None:
            member = StaffMember(key=inbound.user, display_name=name, private_chat=None, last_seen_at=now)
            tx.add(member)
        member.display_name, member.last_seen_at = name, now
        if inbound.private:
            member.private_chat = inbound.chat
        return member

    # --- actions ---------------------------------------------------------------------------------------

    def _do_help(
        self, tx: Session, member: StaffMember, a: StaffAction, inbound: Inbound, now: datetime, out: DeskOut
    ) -> None:
        out.add(inbound.chat, STAFF_HELP_PRIVATE if inbound.private else STAFF_HELP)
        if inbound.private:
            self._send_pending_details(tx, member, now, out)

    def _do_usage(
        self, tx: Session, member: StaffMember, a: StaffAction, inbound: Inbound, now: datetime, out: DeskOut
    ) -> None:
        out.add(inbound.chat, f"Bitte mit Anfragenummer, z. B.: /{a.rest} R-{now.year}-0001 (oder kurz: /{a.rest} 1)")

    def _do_invalid(
        self, tx: Session, member: StaffMember, a: StaffAction, inbound: Inbound, now: datetime, out: DeskOut
    ) -> str:
        audit_refusal("undecodable")
        out.add(inbound.chat, REFUSED["undecodable"])
        return REFUSED["undecodable"]

    def _do_queue(
        self, tx: Session, member: StaffMember, a: StaffAction, inbound: Inbound, now: datetime, out: DeskOut
    ) -> None:
        stmt = (
            select(CallbackRequest)
            .where(CallbackRequest.status.in_(RequestStatus.active()))
            .order_by(CallbackRequest.created_at)
        )
        rows = list(tx.execute(stmt).scalars())
        out.add(inbound.chat, overview_text(rows, [self.owner_name(tx, r) for r in rows], now))

    def _do_claim(
        self, tx: Session, member: StaffMember, a: StaffAction, inbound: Inbound, now: datetime, out: DeskOut
    ) -> None:
        assert a.reference
        if not repo.claim_request(tx, a.reference, member.key):
            request = repo.get_request(tx, a.reference)
            if request is None:
                out.add(inbound.chat, f"{a.reference} gibt es nicht.")
            elif request.status == RequestStatus.CLAIMED:
                who = "Sie selbst" if request.claimed_by == member.key else self.owner_name(tx, request)
                out.add(inbound.chat, f"{a.reference} ist schon übernommen von {who}.")
            else:
                out.add(
                    inbound.chat, f"{a.reference} ist {STATUS_DE[request.status]} und kann nicht übernommen werden."
                )
            return
        request = repo.get_request(tx, a.reference)
        assert request is not None
        tx.refresh(request)
        count_waits(out.tally, tx, self.hours, request, now, claim=True)
        repo.audit(tx, request, member.key, "claimed")
        self._update_card(tx, request, now, out)
        self._details_to(tx, member, request, out, inbound)

    def _do_details(
        self, tx: Session, member: StaffMember, a: StaffAction, inbound: Inbound, now: datetime, out: DeskOut
    ) -> None:
        request = self._own(tx, member, a, inbound, out)
        if request is not None:
            self._details_to(tx, member, request, out, inbound)

    def _do_release(
        self, tx: Session, member: StaffMember, a: StaffAction, inbound: Inbound, now: datetime, out: DeskOut
    ) -> None:
        request = self._own(tx, member, a, inbound, out)
        if request is not None:
            request.status, request.claimed_by, request.claimed_at = RequestStatus.OPEN, None, None
            self._changed(tx, request, member.key, "released", now, out)
            out.rows += retract_rows(tx, request)

    def _do_reassign(
        self, tx: Session, member: StaffMember, a: StaffAction, inbound: Inbound, now: datetime, out: DeskOut
    ) -> None:
        request = self._own(tx, member, a, inbound, out)
        if request is None:
            return
        target = tx.get(StaffMember, a.target) if a.target and a.target != "!ambiguous" else None
        if target is None and a.target.startswith("matrix:@"):  # named by Matrix id, a member who never wrote
            target = StaffMember(key=a.target, display_name=a.target.split(":", 2)[1][1:][:60], private_chat=None)
            tx.add(target)
        if a.target == "!ambiguous":
            out.add(inbound.chat, f"„{a.rest}“ passt auf mehrere Personen. Bitte genauer, z. B. mit dem Konto.")
            return
        if target is None:
            out.add(
                inbound.chat,
                f"„{a.rest}“ kenne ich nicht als aktuelles Mitglied des Team-Kanals. "
                "Die Person muss im Team-Kanal sein und dort einmal geschrieben haben.",
            )
            return
        request.claimed_by, request.claimed_at = target.key, now
        self._changed(tx, request, member.key, f"reassigned:{target.key}", now, out)
        out.rows += retract_rows(tx, request, keep_chat=target.private_chat)
        self._details_to(tx, target, request, out, inbound)

    # --- helpers ---------------------------------------------------------------------------------------

    def _own(
        self, tx: Session, member: StaffMember, a: StaffAction, inbound: Inbound, out: DeskOut
    ) -> CallbackRequest | None:
        """The request, if it exists and this member is responsible for it; else say why not."""
        assert a.reference
        request = repo.get_request(tx, a.reference)
        if request is None:
            out.add(inbound.chat, f"{a.reference} gibt es nicht.")
        elif request.status != RequestStatus.CLAIMED:
            out.add(inbound.chat, f"{a.reference} ist {STATUS_DE[request.status]}; zuerst übernehmen.")
        elif request.claimed_by != member.key and not (a.owner_gone and a.action in ("release", "reassign")):
            out.add(
                inbound.chat,
                f"{a.reference} gehört {self.owner_name(tx, request)}. Nur die zuständige Person darf das.",
            )
        else:
            return request
        return None

    def owner_name(self, tx: Session, request: CallbackRequest) -> str | None:
        if not request.claimed_by:
            return None
        owner = tx.get(StaffMember, request.claimed_by)
        return owner.display_name if owner else "jemand anderem"

    def _changed(
        self, tx: Session, request: CallbackRequest, actor: str, action: str, now: datetime, out: DeskOut
    ) -> None:
        repo.audit(tx, request, actor, action)
        self._update_card(tx, request, now, out)

    def _update_card(self, tx: Session, request: CallbackRequest, now: datetime, out: DeskOut) -> None:
        """Edit the card in the staff channel (or post it again if it never arrived)."""
        out.rows.append(self.card_row(tx, request, now))

    def card_row(self, tx: Session, request: CallbackRequest, now: datetime, note: str | None = None) -> OutboxRow:
        owner = self.owner_name(tx, request)
        if request.outcome is not None:
            note = "\n".join(filter(None, (note, f"Ergebnis: {self.outcome_title(request.outcome)}")))
        return card_row(self.config.staff_channel, request, self.hours, now, owner, note)

    def _details_to(
        self, tx: Session, member: StaffMember, request: CallbackRequest, out: DeskOut, inbound: Inbound
    ) -> None:
        if member.private_chat is None and self._open_private is not None:
            member.private_chat = self._open_private(UserKey(member.key))
        if member.private_chat is None:
            hint = open_chat_hint(member.display_name, request.reference, self.private_link("team"))
            out.add(self.config.staff_channel, hint)
            return
        out.rows.append(details_row(member.private_chat, details_text(request), member.key, request.id))

    def _send_pending_details(self, tx: Session, member: StaffMember, now: datetime, out: DeskOut) -> None:
        stmt = select(CallbackRequest).where(
            CallbackRequest.status == RequestStatus.CLAIMED, CallbackRequest.claimed_by == member.key
        )
        for request in tx.execute(stmt).scalars():
            out.rows.append(details_row(member.private_chat or "", details_text(request), member.key, request.id))
