"""Handles one inbound event in one transaction: dedupe, engine step, state, request, consent and outbox rows."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from bot import privacy, subscriptions
from bot.adapters.base import Inbound
from bot.core.buttons import Go, Nav, encode
from bot.core.cards import LANGUAGE_NAMES_DE
from bot.core.dialogs import Content
from bot.core.emergency import Matcher
from bot.core.engine import Context, step
from bot.core.events import (
    Button,
    Command,
    CreateRequest,
    DataRequest,
    Effect,
    HandoffDone,
    Pressed,
    RecordConsent,
    Refused,
    RelayToStaff,
    Reply,
    Subscribe,
    Text,
    Unsubscribe,
)
from bot.core.events import Session as DialogSession
from bot.core.hours import HoursData
from bot.core.i18n import I18n
from bot.core.safety import is_emergency
from bot.core.texts import (
    ADDED_TO_REQUEST,
    BUTTON_INVALID,
    DELETED,
    EMERGENCY_BUTTON,
    RELAY_CLOSED,
    RELAY_DONE,
    RELAY_LATER,
    SLOW_DOWN,
    SORRY,
)
from bot.core.typed import family_words
from bot.family_rate import FamilyRate
from bot.mydata import my_data
from bot.refusals import audit_refusal, whose
from bot.staff_rows import card_row, details_row
from bot.staff_texts import EMERGENCY_DE, open_chat_hint
from storage import repo
from storage.db import Database, erase_copies
from storage.kinds import OutboxKind, OutboxRow, RequestStatus
from storage.models import CallbackRequest, StaffMember

log = logging.getLogger(__name__)
MAX_NOTE = 4000  # what a family adds to an unclaimed request, kept with its note (the newest part if longer)
PERSONAL_SLOTS = ("phone", "name", "note")


@dataclass
class RuntimeConfig:
    staff_channel: str
    params: dict[str, str]


CardRow = Callable[[Session, CallbackRequest, datetime], OutboxRow]


@dataclass
class _Writes:
    """What one inbound event writes besides the state: outbox rows, and whether the family erased itself."""

    outbox: list[OutboxRow] = field(default_factory=list)
    erased: bool = False
    notice: str | None = None  # the short answer to a refused button press


class Runtime:
    """The parent-facing core loop. One call of handle() is one transaction."""

    def __init__(
        self,
        db: Database,
        content: Content,
        i18n: I18n,
        hours: HoursData,
        config: RuntimeConfig,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        card_row: CardRow | None = None,
        emergency: Matcher | None = None,
        rate: FamilyRate | None = None,
        private_link: Callable[[str], str | None] | None = None,
        guess_language: Callable[[str], str | None] | None = None,
    ) -> None:
        self.private_link = private_link or (lambda start: None)
        self.guess_language = guess_language
        self.emergency = emergency or Matcher([])
        self.rate = rate
        self.card_row: CardRow = card_row or self._new_card_row
        self.db = db
        self.content = content
        self.i18n = i18n
        self.hours = hours
        self.config = config
        self.clock = clock

    def _new_card_row(self, tx: Session, request: CallbackRequest, now: datetime) -> OutboxRow:
        return card_row(self.config.staff_channel, request, self.hours, now)

    def context(self) -> Context:
        return Context(
            self.content, self.i18n, self.hours, self.clock(), self.config.params, self.emergency,
            guess_language=self.guess_language,
        )  # fmt: skip

    async def handle(self, inbound: Inbound) -> str | None:
        """Handle an inbound event exactly once; return the short answer to a refused button press, if any."""
        ctx = self.context()
        if self.rate is not None:
            admitted, notify = self.rate.admit(inbound.user)
            # Recognition runs here only for a family over its rate: the engine recognises every line anyway.
            if not admitted and not self._is_emergency(inbound.event, ctx):
                await self._slow_down(inbound, notify)
                return None
        return await self.db.run(lambda tx: self._handle(tx, inbound, ctx))

    async def refuse(self, inbound: Inbound, kind: str) -> str | None:
        """A family's button pressed where it does not belong (a group): recorded once, answered briefly in the
        family's chosen language (else the one its app names)."""
        hint = inbound.language_hint if inbound.language_hint in self.i18n.enabled else "de"

        def write(tx: Session) -> str | None:
            if not repo.mark_processed(tx, inbound.inbound_id):
                return None
            audit_refusal(kind)
            user = repo.get_user(tx, inbound.user)
            lang = user.language if user is not None and user.language in self.i18n.enabled else hint
            return self.i18n.t(lang or "de", BUTTON_INVALID)

        return await self.db.run(write)

    @staticmethod
    def _is_emergency(event: object, ctx: Context) -> bool:
        """The emergency screen is never rate-limited: the button, /emergency, or a recognised line."""
        if isinstance(event, Pressed | Command):
            return is_emergency(event)
        return isinstance(event, Text) and bool(ctx.emergency.detect(event.text, None))

    async def _slow_down(self, inbound: Inbound, notify: bool) -> None:
        """Over the family's rate: the event is recorded as handled; the first one of a run gets the notice."""

        def write(tx: Session) -> None:
            if not repo.mark_processed(tx, inbound.inbound_id) or not notify:
                return
            user = repo.get_user(tx, inbound.user)
            lang = user.language if user is not None and user.language in self.i18n.enabled else None
            lang = lang or (inbound.language_hint if inbound.language_hint in self.i18n.enabled else "de")
            sos = Button(self.i18n.t(lang, EMERGENCY_BUTTON), encode(Go(Nav.SOS)))
            reply = Reply(self.i18n.t(lang, SLOW_DOWN), ((sos,),), self.i18n.is_rtl(lang))
            repo.add_outbox_rows(tx, [OutboxRow(inbound.chat, reply.to_payload())])

        log.info("family over its message rate: inbound %s set aside", inbound.inbound_id)
        await self.db.run(write)

    async def notice(self, inbound: Inbound, msgid: str) -> None:
        """Answer once, in the sender's (hinted) language, without touching any dialog: e.g. a family in a group."""
        lang = inbound.language_hint if inbound.language_hint in self.i18n.enabled else "de"
        text = self.i18n.t(lang or "de", msgid)

        def write(tx: Session) -> None:
            if repo.mark_processed(tx, inbound.inbound_id):
                repo.add_outbox_rows(tx, [OutboxRow(inbound.chat, Reply(text).to_payload())])

        await self.db.run(write)

    async def set_reachable(self, inbound: Inbound, reachable: bool) -> None:
        """The family blocked or unblocked the bot (a platform event, not a message)."""

        def write(tx: Session) -> None:
            if repo.mark_processed(tx, inbound.inbound_id):
                user = repo.get_user(tx, inbound.user)
                if user is not None:
                    user.unreachable = not reachable

        await self.db.run(write)

    async def set_aside(self, inbound: Inbound) -> None:
        """An event that could not be handled: mark it done and, in a private chat, say sorry and how to go on."""
        lang = inbound.language_hint if inbound.language_hint in self.i18n.enabled else "de"

        def write(tx: Session) -> None:
            if repo.mark_processed(tx, inbound.inbound_id) and inbound.private:
                text = self.i18n.t(lang or "de", SORRY)
                repo.add_outbox_rows(tx, [OutboxRow(inbound.chat, Reply(text).to_payload())])

        await self.db.run(write)

    async def skip(self, inbound: Inbound) -> None:
        """Record an inbound that needs no answer, so it is never handled again."""
        await self.db.run(lambda tx: repo.mark_processed(tx, inbound.inbound_id))

    def _handle(self, tx: Session, inbound: Inbound, ctx: Context) -> str | None:
        begun = repo.begin_event(tx, inbound.inbound_id, inbound.user, inbound.chat)
        if begun is None:
            log.info("duplicate inbound skipped: %s", inbound.inbound_id)
            return None
        user = begun.user
        user_id, language, district = user.id, user.language, user.district
        ctx = replace(ctx, open_request=user.open_request, reminders=user.reminders)
        before = DialogSession.from_json(begun.state)
        session, effects = step(before, inbound.event, ctx)
        writes = _Writes()
        while effects:
            session, effects = self._apply(tx, user_id, inbound, session, effects, ctx, writes)
        repo.add_outbox_rows(tx, writes.outbox)
        if any(before.slots.get(key) and not session.slots.get(key) for key in PERSONAL_SLOTS):
            erase_copies(tx)  # answers declined or dropped (or now kept by a request) leave no copy in the files
        if writes.erased:
            return None  # the family erased itself: no state, no profile to write
        if (session.lang, session.district) != (language, district):
            repo.set_profile(tx, user_id, session.lang, session.district)
        repo.save_state(tx, user_id, session.to_json(), self.content.version)
        return writes.notice

    def _apply(
        self,
        tx: Session,
        user_id: int,
        inbound: Inbound,
        session: DialogSession,
        effects: list[Effect],
        ctx: Context,
        writes: _Writes,
    ) -> tuple[DialogSession, list[Effect]]:
        """Write each effect; a created request feeds HandoffDone back into the engine."""
        for effect in effects:
            if isinstance(effect, Reply):
                writes.outbox.append(OutboxRow(inbound.chat, effect.to_payload(), user_id=user_id))
            elif isinstance(effect, RecordConsent):
                repo.record_consent(
                    tx,
                    user_id=user_id,
                    purpose=effect.purpose,
                    text_id=effect.text_id,
                    version=effect.version,
                    language=effect.language,
                    platform=inbound.user.split(":", 1)[0],
                    action=effect.action,
                )
            elif isinstance(effect, CreateRequest):
                request = self._create_request(tx, user_id, inbound, effect, ctx.now, writes.outbox)
                return step(session, HandoffDone(request.reference), ctx)
            elif isinstance(effect, Subscribe):
                subscriptions.subscribe(tx, user_id, effect.district, ctx.now)
            elif isinstance(effect, Unsubscribe):
                subscriptions.unsubscribe(tx, user_id, inbound.user.split(":", 1)[0], session.lang or "de")
            elif isinstance(effect, RelayToStaff):
                self._relay(tx, user_id, inbound, session, effect, writes)
            elif isinstance(effect, Refused):
                audit_refusal(whose(tx, user_id, effect.reference, effect.kind))
                writes.notice = effect.notice
            elif isinstance(effect, DataRequest):
                lang = session.lang or "de"
                if effect.action == "show":
                    text = my_data(tx, user_id, session, ctx)
                    writes.outbox.append(OutboxRow(inbound.chat, Reply(text).to_payload(), user_id=user_id))
                else:
                    writes.outbox = privacy.erase_user(tx, user_id, ctx.now, self.card_row)
                    goodbye = Reply(self.i18n.t(lang, DELETED)).to_payload()
                    # kind "erase": the row itself is deleted once delivered, so not even the chat id stays.
                    writes.outbox.append(OutboxRow(inbound.chat, goodbye, OutboxKind.ERASE))
                    writes.erased = True
                    return session, []
        return session, []

    def _relay(
        self, tx: Session, user_id: int, inbound: Inbound, session: DialogSession, effect: RelayToStaff, writes: _Writes
    ) -> None:
        """A family's message about its request goes privately to the responsible person, never to a group."""
        lang = session.lang or "de"
        request = repo.get_request(tx, effect.reference)
        member = tx.get(StaffMember, request.claimed_by) if request and request.claimed_by else None
        if effect.sos and request is not None and request.user_id == user_id and request.emergency is None:
            # The card shows 🆘 (never the words) whether or not the message can reach the person responsible.
            request.emergency = effect.sos
            if request.status in RequestStatus.active():
                writes.outbox.append(self.card_row(tx, request, self.clock()))
        if request is not None and request.user_id == user_id and request.status == RequestStatus.OPEN:
            # Nobody has claimed it yet: what the family adds lies with the request for whoever claims it.
            note = f"{request.note}\n{effect.text}" if request.note else effect.text
            request.note = note[-MAX_NOTE:]
            repo.audit(tx, request, "family", "family-added")
            answer = self.i18n.t(lang, ADDED_TO_REQUEST, reference=request.reference)
        elif request is None or request.user_id != user_id or request.status != RequestStatus.CLAIMED or member is None:
            answer = self.i18n.t(lang, RELAY_CLOSED)  # also what a forged reference gets
        elif member.private_chat is None:
            hint = open_chat_hint(member.display_name, request.reference, self.private_link("team"), True)
            writes.outbox.append(OutboxRow(self.config.staff_channel, Reply(hint).to_payload()))
            answer = self.i18n.t(lang, RELAY_LATER)
        else:
            language = LANGUAGE_NAMES_DE.get(request.language, request.language)
            text = f"✉ Nachricht der Familie zu {request.reference} ({language}):\n{family_words(effect.text)}"
            if effect.sos:
                # The family saw the numbers; the person responsible must see at once what the bot recognised.
                sos = EMERGENCY_DE.get(effect.sos, "Notfall")
                text = f"🆘 NOTFALL-HINWEIS ({sos}): Die Familie hat die Notrufnummern bekommen.\n" + text
            # Sent only while that person is still responsible and in the team when it goes out (bot.staff_delivery).
            writes.outbox.append(details_row(member.private_chat, text, member.key, request.id, effect.text))
            repo.audit(tx, request, "family", "family-message")
            answer = self.i18n.t(lang, RELAY_DONE)
        writes.outbox.append(OutboxRow(inbound.chat, Reply(answer).to_payload(), user_id=user_id))

    def _create_request(
        self,
        tx: Session,
        user_id: int,
        inbound: Inbound,
        effect: CreateRequest,
        now: datetime,
        outbox: list[OutboxRow],
    ) -> CallbackRequest:
        slots = effect.slots
        reference = repo.next_reference(tx, now.astimezone(self.hours.timezone).year)
        request = CallbackRequest(
            reference=reference,
            user_id=user_id,
            status=RequestStatus.OPEN,
            topic=slots.get("topic", "other"),
            language=effect.language,
            channel=inbound.user.split(":", 1)[0],
            district=slots.get("district"),
            time_window=slots.get("time_window"),
            contact_way=slots.get("contact_way", "chat"),
            urgent=slots.get("urgent") == "yes" or bool(slots.get("sos")),
            emergency=slots.get("sos") or None,
            phone=slots.get("phone"),
            name=slots.get("name"),
            note=slots.get("note"),
            created_at=now,
        )
        tx.add(request)
        tx.flush()
        repo.audit(tx, request, "family", "created")
        outbox.append(card_row(self.config.staff_channel, request, self.hours, now))
        log.info("callback request %s created", reference)
        return request
